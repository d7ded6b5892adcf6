"""Rows written by the same statement as a bulk write of `opiekun.bulk` (PostgreSQL: a
data-modifying ``WITH``): the audit trail (`Trail`) and any other (`Beside`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection


@dataclass(frozen=True)
class Trail:
    """Historical rows written by the same statement as the rows they record
    (PostgreSQL: a data-modifying ``WITH``): one row of ``table`` for each row written,
    its ``columns`` copied from the row as the statement left it (as deleted, for a
    delete), and the constant ``values`` (column name → value) beside them. The
    historical rows are inserted in the order of the rows given."""

    table: str
    columns: tuple[str, ...]
    values: Mapping[str, Any]

    def insert(self, source: str, order: str) -> tuple[str, list[Any]]:
        """The ``INSERT`` of the historical rows of ``source`` (the name of a ``WITH``
        item holding the written rows), ordered by ``order``, with its parameters."""
        if connection.vendor != "postgresql":
            raise NotImplementedError("a trail in the same statement needs PostgreSQL")
        copied = ", ".join(f'"{c}"' for c in self.columns)
        constant = ", ".join(f'"{c}"' for c in self.values)
        marks = ", ".join("%s" for _ in self.values)
        sql = (
            f'INSERT INTO "{self.table}" ({copied}, {constant}) '
            f"SELECT {copied}, {marks} FROM {source} ORDER BY {order}"
        )
        return sql, list(self.values.values())

    @property
    def old(self) -> tuple[str, ...]:
        return ()


class Beside(Protocol):
    """Rows written by the same statement as a bulk write (PostgreSQL: a data-modifying
    ``WITH``), from the rows it wrote: `Trail` is one; a handover's record of each row's
    state before and after is another. ``insert`` answers the ``INSERT`` reading
    ``source`` (the ``WITH`` item of the written rows) in the order ``order``; ``old``
    names the columns it reads of an updated row as it was before the update (as
    ``"old_<column>"``)."""

    @property
    def old(self) -> tuple[str, ...]: ...

    def insert(self, source: str, order: str) -> tuple[str, list[Any]]: ...


def _beside(trail: Trail | None, beside: Sequence[Beside]) -> list[Beside]:
    items: list[Beside] = [trail] if trail is not None else []
    items.extend(beside)
    if items and connection.vendor != "postgresql":
        raise NotImplementedError("rows written beside a bulk write need PostgreSQL")
    return items


def _written_by(items: Sequence[Beside], order: str) -> tuple[list[str], list[Any]]:
    """The ``WITH`` items (``name AS (INSERT …)``) writing ``items`` from ``written``."""
    parts, params = [], []
    for n, item in enumerate(items):
        sql, item_params = item.insert("written", order)
        parts.append(f"beside_{n} AS ({sql})")
        params.extend(item_params)
    return parts, params
