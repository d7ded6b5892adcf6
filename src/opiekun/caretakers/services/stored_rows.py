"""The stored assignments of the contractors a write touched, read once after the write
for both derived data that start from them: the coverage tables
(`coverage.services.coverage_refresh`, which needs every row of the contractors it
recomputes, as written) and the Operatorzy page's steps (`operators.workload_write.adjust_steps`
with ``written``: the rows as written, the change set taken back from them gives the
rows before). Each contractor's rows are read at most once (`StoredRows.read`), by
a plain cursor; each consumer takes them in its own shape."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.coverage.compute import AssignmentFact
from opiekun.operators.workload_steps import Interval

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import ChangeSet

TABLE = CaretakerAssignment._meta.db_table
# contractor, operator, type, first day, last day (as stored), role, branch, priority, id
Row = tuple[int, int, str, date, date | None, int, int | None, int, int]
_COLUMNS = "contractor_id, operator_id, type, {days}, role_id, branch_id, priority, id"
_TEXT_DAYS = "date_from || '', date_to || ''"


def contractors_touched(changes: ChangeSet) -> list[int]:
    """Every contractor whose assignments the change set writes (an update may move a
    row from one contractor to another: both count)."""
    ids = {row.contractor_id for row in changes.deletes}
    ids.update(u.row.contractor_id for u in changes.updates)
    ids.update(u.new.contractor_id for u in changes.updates)
    ids.update(values.contractor_id for values in changes.inserts)
    ids.update(row.contractor_id for row in changes.restores)
    return sorted(ids)


class StoredRows:
    """Every stored assignment of the contractors asked for, read on the first demand
    (the caller holds their locks and has written: what is read is what commits)."""

    def __init__(self) -> None:
        self._rows: dict[int, list[Row]] = {}

    def read(self, contractor_ids: Iterable[int]) -> list[Row]:
        """The rows of ``contractor_ids``; those of a contractor not asked for before
        are read now, all in one statement."""
        wanted = set(contractor_ids)
        missing = sorted(c for c in wanted if c not in self._rows)
        if missing:
            for contractor in missing:
                self._rows[contractor] = []
            for row in _read(missing):
                self._rows[row[0]].append(row)
        return [row for contractor in wanted for row in self._rows[contractor]]

    def facts(self, contractor_ids: Collection[int]) -> list[AssignmentFact]:
        """The coverage's view of the rows (`coverage.compute.AssignmentFact`)."""
        main = AssignmentType.MAIN.value
        return [
            AssignmentFact(c, role, branch, kind == main, o, start, end, priority, pk)
            for c, o, kind, start, end, role, branch, priority, pk in self.read(contractor_ids)
        ]

    def intervals(self, contractor_ids: Collection[int]) -> list[Interval]:
        """The steps' view of the rows (`operators.workload_steps.Interval`; the last day
        a date can be is as good as an open end)."""
        return [
            (row[0], row[1], row[2], row[3], None if row[4] == date.max else row[4])
            for row in self.read(contractor_ids)
        ]


def _read(contractor_ids: list[int]) -> list[Row]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {_COLUMNS.format(days='date_from, date_to')} FROM {TABLE} "
                "WHERE contractor_id = ANY(%s::bigint[])",
                # As the text of an array: the driver would adapt the ids one by one.
                ["{" + ",".join(map(str, contractor_ids)) + "}"],
            )
            found: list[Row] = cursor.fetchall()
            return found
        # SQLite: the days as text (an expression has no declared type: no converter
        # runs), parsed here.
        cursor.execute(
            f"SELECT {_COLUMNS.format(days=_TEXT_DAYS)} FROM {TABLE} "
            "WHERE contractor_id IN (SELECT value FROM json_each(%s))",
            [json.dumps(contractor_ids)],
        )
        rows: list[Any] = cursor.fetchall()
    day = date.fromisoformat
    return [
        (c, o, kind, day(start), None if end is None else day(end), role, branch, priority, pk)
        for c, o, kind, start, end, role, branch, priority, pk in rows
    ]
