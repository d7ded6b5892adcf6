"""The rows of a contractors' file: checked as the contractor form checks them, or,
once checked, converted for writing (`opiekun.contractors.importing`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from operator import mul
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from opiekun.contractors.models import Contractor
from opiekun.contractors.services import normalize_nip, normalize_regon
from opiekun.importing import PROGRESS_EVERY, Errors, Header, Progress, StrayCells, row_values, shown
from opiekun.tabular import Table, text

TRUE = {"1", "true", "tak", "yes", "t", "y", "prawda"}
FALSE = {"0", "false", "nie", "no", "f", "n", "fałsz"}


def checked_rows(
    table: Table, header: Header, errors: Errors, progress: Progress, phase: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every data row with its values checked as the form checks them; a row's errors
    go to ``errors`` (the row is still yielded, for counting)."""
    fields: dict[str, Any] = {name: Contractor._meta.get_field(name) for name in header.positions}
    # Text fields whose only checks are their length, blankness and NUL characters
    # (the e-mail, NIP and REGON have their own validators).
    plain = {
        name
        for name, field in fields.items()
        if field.get_internal_type() == "CharField"
        and all(isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator) for v in field.validators)
        and name not in ("nip", "regon")
    }
    blank = Contractor()
    count = 0
    stray = StrayCells(table.header)
    for number, cells in table.rows:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(phase, count, None)
        if (fault := stray.error(number, cells)) is not None:
            errors.add(fault.row, fault.column, fault.message)
        raw = row_values(header, cells)
        data: dict[str, Any] = {}
        for name, value in raw.items():
            column = header.titles[name]
            if name == "active":
                flag = _flag(value)
                if flag is None:
                    errors.add(
                        number, column, _("Not a yes/no value: %(value)s.") % {"value": shown(text(value))}
                    )
                else:
                    data[name] = flag
                continue
            value = text(value)
            field = fields[name]
            if (
                name in plain
                and len(value) <= field.max_length
                and (value or field.blank)
                and "\x00" not in value
            ):
                data[name] = value  # what field.clean returns for it, without its overhead
                continue
            if name == "nip" and _plain_valid_nip(value):
                data[name] = value  # what normalize_nip and field.clean return for it
                continue
            try:
                if name == "nip":
                    value = normalize_nip(value)
                elif name == "regon":
                    value = normalize_regon(value)
                data[name] = field.clean(value, blank)
            except ValidationError as error:
                for message in error.messages:
                    errors.add(number, column, message)
        yield number, data
    progress(phase, count, count)


_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7, -1)


def _plain_valid_nip(value: str) -> bool:
    """Ten ASCII digits whose check digit is right: a NIP that `normalize_nip` (python-
    stdnum's `validate`) and the field accept and return unchanged, without their cost
    (a third of the import's checking). Anything else takes their path, and their
    messages."""
    return (
        len(value) == 10
        and value.isascii()
        and value.isdigit()
        and sum(map(mul, _NIP_WEIGHTS, map(int, value))) % 11 == 0
    )


def valid_rows(table: Table, header: Header, invalid: set[int]) -> Iterator[dict[str, Any]]:
    """The values of the file's valid rows as `checked_rows` cleaned them (the file read
    again), without checking them again: the first pass did, and reported every
    error; a valid row's clean value is its text (the NIP and REGON compacted, as their
    validation returns them, the other fields as their ``to_python`` gives them)."""
    convert: dict[str, Any] = {}
    for name in header.positions:
        field: Any = Contractor._meta.get_field(name)
        if name == "active":
            convert[name] = _flag
        elif name == "nip":
            convert[name] = partial(_compact, nip_number.compact)
        elif name == "regon":
            convert[name] = partial(_compact, regon_number.compact)
        else:
            convert[name] = field.to_python
    for number, cells in table.rows:
        if number in invalid:
            continue
        raw = row_values(header, cells)
        yield {name: convert[name](value if name == "active" else text(value)) for name, value in raw.items()}


def _compact(compact: Callable[[str], str], value: str) -> str:
    """A valid number as its validation returns it: ``compact`` of it (plain ASCII
    digits are their own compact form); blank stays blank."""
    if (value.isascii() and value.isdigit()) or not value:
        return value
    return compact(value)


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return True
    word = text(value).lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    return None
