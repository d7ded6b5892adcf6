"""The rows of a bulk write on SQLite (`opiekun.bulk`'s ``_rows``): one JSON parameter
unpacked by ``json_each``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def sqlite_rows(fields: Sequence[Any], columns: Sequence[list[Any]]) -> tuple[str, list[Any]]:
    """A FROM-clause item ``r`` holding the rows whose values are ``columns`` (one list
    per field, each value prepared by its model field), with its parameters: the rows
    as one JSON array of arrays, unpacked by ``json_each``; a column holding one value
    in every row (the stamps, the actor, the role of a bulk change) is sent once, as a
    parameter of its own, not in every row. Arrays, not objects: no dictionary per row
    and no column name repeated in every row of the text (SQLite's bulk writes spent
    more on building and encoding the payload than on writing the rows:
    docs/performance.md, "SQLite's bulk writes, 2026-11-29 (lite)"). A value read from
    JSON by ``->>`` and the same value bound as a parameter are the same SQL value (an
    integer, a text, NULL)."""
    selected: list[str] = []
    constants: list[Any] = []
    varying: list[list[Any]] = []
    for field, values in zip(fields, columns, strict=True):
        if len(values) > 1 and values.count(values[0]) == len(values) and len(set(map(type, values))) == 1:
            selected.append(f'%s AS "{field.column}"')
            constants.append(values[0])
        else:
            selected.append(f"value ->> '$[{len(varying)}]' AS \"{field.column}\"")
            varying.append(values)
    if varying:
        payload = json.dumps(list(zip(*varying, strict=True)))
    else:
        payload = json.dumps([[] for _ in columns[0]])
    sql = f"(SELECT key AS ordinality, {', '.join(selected)} FROM json_each(%s)) AS r"
    return sql, [*constants, payload]
