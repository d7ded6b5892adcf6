"""The stored assignments of the contractors a write touches, read once for both
derived data that start from them: the Operatorzy page's steps
(`operators.workload_write.adjust_steps`, before the writes: the rows the writes start
from) and the coverage tables (`coverage.services.coverage_refresh`, after them: every
row of the contractors it recomputes, as written). The rows read before the writes
with the change set give the rows as written (the writer writes exactly its change
set, the inserts' ids answered by the insert), so each contractor's rows are read at
most once (`StoredRows`), by a plain cursor. Reading after the writes instead would
read the inserted rows too: a write that mostly adds (a split, an import) reads more."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.coverage.compute import AssignmentFact

if TYPE_CHECKING:
    from opiekun.caretakers.services.changes import AssignmentValues, ChangeSet, StoredAssignment

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
    """Every stored assignment of the contractors asked for, each contractor's read at
    most once. The caller holds their locks. Asked for before the writes (`read`: the
    steps), the rows are those the writes start from; told what was written
    (`written`), it answers those contractors' rows as written from them and the
    change set, and reads the others' after the writes (`facts`: the coverage)."""

    def __init__(self) -> None:
        self._rows: dict[int, list[Row]] = {}

    def read(self, contractor_ids: Collection[int]) -> list[Row]:
        """The rows of ``contractor_ids``; those of a contractor not asked for before
        are read now, all in one statement."""
        missing = sorted(c for c in contractor_ids if c not in self._rows)
        if missing and len(missing) == len(contractor_ids) and not self._rows:
            found = _read(missing)  # the first demand (most writes: the only one)
            rows = self._rows
            for contractor in missing:
                rows[contractor] = []
            for row in found:
                rows[row[0]].append(row)
            return found
        if missing:
            for contractor in missing:
                self._rows[contractor] = []
            for row in _read(missing):
                self._rows[row[0]].append(row)
        return [row for contractor in contractor_ids for row in self._rows[contractor]]

    def written(self, changes: ChangeSet, inserted: Sequence[int]) -> None:
        """``changes`` were written (``inserted``: the ids of its inserts, in order):
        the rows read so far become the rows as written."""
        if not self._rows:
            return
        gone = {row.pk for row in changes.deletes}
        gone.update(u.row.pk for u in changes.updates)
        added = [_values(u.new, u.row.pk) for u in changes.updates]
        added.extend(_values(v, pk) for v, pk in zip(changes.inserts, inserted, strict=True))
        added.extend(_stored(r) for r in changes.restores)
        rows = self._rows
        for contractor in {row.contractor_id for row in changes.deletes} | {
            u.row.contractor_id for u in changes.updates
        }:
            if contractor in rows:
                rows[contractor] = [row for row in rows[contractor] if row[8] not in gone]
        for row in added:
            if row[0] in rows:
                rows[row[0]].append(row)

    def facts(self, contractor_ids: Collection[int]) -> list[AssignmentFact]:
        """The coverage's view of the rows (`coverage.compute.AssignmentFact`)."""
        main = AssignmentType.MAIN.value
        return [
            AssignmentFact(c, role, branch, kind == main, o, start, end, priority, pk)
            for c, o, kind, start, end, role, branch, priority, pk in self.read(contractor_ids)
        ]


def _values(values: AssignmentValues, pk: int) -> Row:
    period = values.period
    return (
        values.contractor_id,
        values.operator_id,
        values.type.value,
        period.start,
        period.end,
        values.role_id,
        values.branch_id,
        values.priority,
        pk,
    )


def _stored(row: StoredAssignment) -> Row:
    return (
        row.contractor_id,
        row.operator_id,
        str(row.type),
        row.date_from,
        row.date_to,
        row.role_id,
        row.branch_id,
        row.priority,
        row.pk,
    )


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
