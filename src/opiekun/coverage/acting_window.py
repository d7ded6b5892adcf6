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
    first, last = window
    gaps, stand_ins = acting_of(
        contractor_ids=contractor_ids,
        assignments=assignments,
        absences=_clipped(absences, window),
        default_role_id=default_role_id,
        inactive=inactive,
    )
    stored_gaps, stored_stand_ins = list(stored_gaps), list(stored_stand_ins)
    gap_key, stand_in_key = 3, 6  # a gap's scope; a stand-in's scope, assignment, deputy, main
    gaps_before, gaps_after = _holding(stored_gaps, first, gap_key), _holding(stored_gaps, last, gap_key)
    stand_ins_before = _holding(stored_stand_ins, first, stand_in_key)
    stand_ins_after = _holding(stored_stand_ins, last, stand_in_key)
    found_gaps: list[Gap] = []
    for gap in in_window(gaps, window):
        if gap.date_from <= first:  # reaches as far back, after the same caretaker, as before
            was = gaps_before.get(gap[:gap_key])
            if was is None:
                return None
            gap = gap._replace(date_from=was.date_from, last_operator_id=was.last_operator_id)
        if gap.date_to >= last:
            was = gaps_after.get(gap[:gap_key])
            if was is None:
                return None
            gap = gap._replace(date_to=was.date_to)
        found_gaps.append(gap)
    found_stand_ins: list[StandIn] = []
    for run in in_window(stand_ins, window):
        if run.date_from <= first:
            held = stand_ins_before.get(run[:stand_in_key])
            if held is None:
                return None
            run = run._replace(date_from=held.date_from)
        if run.date_to >= last:
            held = stand_ins_after.get(run[:stand_in_key])
            if held is None:
                return None
            run = run._replace(date_to=held.date_to)
        found_stand_ins.append(run)
    return found_gaps, found_stand_ins
