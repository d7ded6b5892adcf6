"""The acting rows of a window of days after a change of absences inside it, computed
from the window's days alone (`acting_in_window`), as pure functions of plain values.
No Django.

A change of absences changes who acts on its days only. Take a window whose first and
last days lie outside the change: a row of either acting table (a maximal run of days)
that shares no day with the window keeps its bounds, and the day before it keeps its
acting caretaker, so the row stays as it was. The rows that share a day with it are the
runs of the window's own days, where each day's acting follows from the assignments in
force and the absences of that day; only the run holding the window's first day may
reach further back, and the run holding its last day further on. Those two days are
unchanged, so the rows stored before the change that hold them tell how far (and, for
a gap, who acted before it). A caretaker's absences outside the window are not
evaluated at all: a large portfolio's other holidays cost nothing.
tests/coverage/test_acting_window.py compares it with `acting.acting_of` over all days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from opiekun.coverage.acting import acting_of
from opiekun.coverage.compute import Absences, AssignmentFact, Gap
from opiekun.coverage.stand_ins import StandIn

Window = tuple[date, date]  # first and last day
Row = TypeVar("Row", Gap, StandIn)


def in_window(rows: Iterable[Row], window: Window) -> list[Row]:
    """The rows sharing a day with ``window``."""
    first, last = window
    return [r for r in rows if r.date_to >= first and r.date_from <= last]


def _clipped(absences: Absences, window: Window) -> Absences:
    first, last = window
    found: Absences = {}
    for operator_id, periods in absences.items():
        kept = [(max(s, first), min(e, last)) for s, e in periods if s <= last and e >= first]
        if kept:
            found[operator_id] = kept
    return found


def _holding(rows: Iterable[Row], day: date, key: int) -> dict[tuple[object, ...], Row]:
    """Of ``rows``, the one holding ``day``, by its first ``key`` values."""
    return {row[:key]: row for row in rows if row.date_from <= day <= row.date_to}


def acting_in_window(
    *,
    contractor_ids: Iterable[int],
    assignments: Iterable[AssignmentFact],
    absences: Absences,
    default_role_id: int | None,
    window: Window,
    stored_gaps: Iterable[Gap],
    stored_stand_ins: Iterable[StandIn],
    inactive: Iterable[int] = (),
) -> tuple[list[Gap], list[StandIn]] | None:
    """The acting gaps and stand-ins of ``contractor_ids`` sharing a day with
    ``window``, as `acting.acting_of` gives them for all their assignments and the
    absences now. ``stored_*``: those contractors' rows sharing a day with the window
    before a change of absences that left its first and last days as they were. None
    when those rows lack one that must hold the window's first or last day (tables not
    in step with the assignments): then compute everything instead."""
    gaps, stand_ins = acting_of(
        contractor_ids=contractor_ids,
        assignments=assignments,
        absences=_clipped(absences, window),
        default_role_id=default_role_id,
        inactive=inactive,
        window=window,
    )
    # A gap is named by its scope, a stand-in by its scope, assignment, deputy and main.
    found_gaps = _spliced(gaps, list(stored_gaps), window, 3, carried=("last_operator_id",))
    found_stand_ins = _spliced(stand_ins, list(stored_stand_ins), window, 6, carried=())
    if found_gaps is None or found_stand_ins is None:
        return None
    return found_gaps, found_stand_ins


def _spliced(
    rows: list[Row], stored: list[Row], window: Window, key: int, *, carried: tuple[str, ...]
) -> list[Row] | None:
    """``rows`` computed from the window's days, those sharing a day with it, each
    reaching back and on as the row stored (``stored``, named by its first ``key``
    values) that holds the window's first or last day, and carrying that first row's
    ``carried`` values (who acted before it); None when such a stored row is missing."""
    first, last = window
    before, after = _holding(stored, first, key), _holding(stored, last, key)
    found: list[Row] = []
    for row in in_window(rows, window):
        if row.date_from <= first:  # reaches as far back, after the same caretaker, as before
            was = before.get(row[:key])
            if was is None:
                return None
            row = row._replace(date_from=was.date_from, **{name: getattr(was, name) for name in carried})
        if row.date_to >= last:
            was = after.get(row[:key])
            if was is None:
                return None
            row = row._replace(date_to=was.date_to)
        found.append(row)
    return found
