"""The API's JSON reader (docs/api.md, "Bad input, probed"): what Python's own reader
takes silently or refuses on the whole body becomes a 422 on the field.

- **A key sent twice in one object** (``{"operator_id": 1, "operator_id": 2}``): Python
  keeps the last value, silently; a client that sends both has a bug, and either value
  may be the one it meant. Refused on that key.
- **An integer of more digits than Python converts** (4,300 by default,
  ``sys.get_int_max_str_digits``): Python's reader raises ``ValueError`` before any
  field is known, which answered ``json_invalid`` on ``["body"]``. Refused on that
  field, with the type and words pydantic gives the same number in a query string
  (``int_parsing_size``).

Both are found while reading: the first read keeps every object's pairs (as cheap as
the default, docs/api.md); only a body that held a too long number is read a second
time, its integers one by one (three times slower on 100,000 ids, so not the first
time). Nothing of such a body reaches the schema, the services or the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

TOO_LONG = "int_parsing_size"
REPEATED = "duplicate_key"


class BodyErrors(Exception):
    """Where the body is wrong: ``(loc, type)`` pairs, the ``loc`` from ``"body"``."""

    def __init__(self, problems: list[tuple[list[str | int], str]]) -> None:
        super().__init__("Cannot parse request body")
        self.problems = problems


class _Repeated(dict[str, Any]):
    """An object in which the keys ``repeated`` were sent more than once."""

    repeated: list[str]


class _LongNumber:
    """An integer Python would not convert."""


def _repeated(read: dict[str, Any], pairs: list[tuple[str, Any]], marks: list[object]) -> dict[str, Any]:
    """``read`` marked with the keys ``pairs`` holds more than once."""
    marked = _Repeated(read)
    seen: set[str] = set()
    marked.repeated = []
    for key, _value in pairs:
        if key in seen and key not in marked.repeated:
            marked.repeated.append(key)
        seen.add(key)
    marks.append(marked)
    return marked


def _problems(value: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(value, _LongNumber):
        yield loc, TOO_LONG
    elif isinstance(value, dict):
        for key in value.repeated if isinstance(value, _Repeated) else ():
            yield [*loc, key], REPEATED
        for key, item in value.items():
            yield from _problems(item, [*loc, key])
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _problems(item, [*loc, n])


def read_json(raw: bytes | str) -> Any:
    """``raw`` as JSON; ``BodyErrors`` for a repeated key or a too long integer,
    ``ValueError`` for what is not JSON at all."""
    marks: list[object] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        read = dict(items)
        return read if len(read) == len(items) else _repeated(read, items, marks)

    def number(text: str) -> int | _LongNumber:
        try:
            return int(text)
        except ValueError:  # more digits than Python converts
            long = _LongNumber()
            marks.append(long)
            return long

    try:
        data = json.loads(raw, object_pairs_hook=pairs)
    except (json.JSONDecodeError, UnicodeError):
        raise
    except ValueError:  # Python's limit on an integer's digits: read it again, number by number
        marks.clear()
        data = json.loads(raw, object_pairs_hook=pairs, parse_int=number)
    if marks:
        raise BodyErrors(list(_problems(data, ["body"])))
    return data


class StrictJsonParser(Parser):
    """django-ninja's parser with `read_json` for bodies; django-ninja turns any error
    of it into ``HttpError(400)`` raised *from* it, which `opiekun.api` answers."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], read_json(request.body))
