"""`acting_window.acting_in_window` against `acting.acting_of` over all days: after an
absence is added, removed or moved, the rows sharing a day with the window around the
change are what a computation of everything gives, and every other row is as it was.
Pure: no database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from opiekun.coverage.acting import acting_of
from opiekun.coverage.acting_window import acting_in_window, in_window
from opiekun.coverage.compute import Absences, AssignmentFact, Gap
from tests.budgets import examples
from tests.coverage.test_untouched import CONTRACTORS, DEFAULT_ROLE, day, staffed

ONE_DAY = timedelta(days=1)


def _free(absences: Absences, operator: int, start: Any, end: Any) -> bool:
    return all(end < s or start > e for s, e in absences.get(operator, ()))


@st.composite
def changed(draw: Any) -> tuple[list[AssignmentFact], Absences, Absences, tuple[Any, Any], set[int]]:
    """A staffed world, its absences before and after one is added, removed or moved,
    the window around the days changed, and the inactive contractors."""
    facts, before = draw(staffed())
    after = {o: list(periods) for o, periods in before.items()}
    changed_days = []
    held = [(o, p) for o, periods in before.items() for p in periods]
    kind = draw(st.sampled_from(["add", "remove", "move"] if held else ["add"]))
    if kind in ("remove", "move"):
        operator, period = draw(st.sampled_from(held))
        after[operator].remove(period)
        changed_days.append(period)
    if kind in ("add", "move"):
        operator = draw(st.integers(1, 5))
        start = day(draw(st.integers(-2, 70)))
        end = start + timedelta(days=draw(st.integers(0, 12)))
        if _free(after, operator, start, end):
            after.setdefault(operator, []).append((start, end))
            after[operator].sort()
            changed_days.append((start, end))
    if not changed_days:  # the new absence overlapped one of theirs: remove one instead
        operator, period = held[0] if held else (1, (day(3), day(5)))
        if held:
            after[operator].remove(period)
        else:
            after[operator] = [period]
        changed_days.append(period)
    after = {o: periods for o, periods in after.items() if periods}
    first = min(s for s, _ in changed_days) - ONE_DAY
    last = max(e for _, e in changed_days) + ONE_DAY
    inactive = draw(st.sets(st.sampled_from(CONTRACTORS)))
    return facts, before, after, (first, last), inactive


def _all(facts: list[AssignmentFact], absences: Absences, inactive: set[int]) -> tuple[list[Gap], list[Any]]:
    return acting_of(
        contractor_ids=CONTRACTORS,
        assignments=facts,
        absences=absences,
        default_role_id=DEFAULT_ROLE,
        inactive=inactive,
    )


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(world=changed())
def test_the_window_gives_the_rows_a_computation_of_everything_gives(world: Any) -> None:
    facts, before, after, window, inactive = world
    gaps_was, stand_ins_was = _all(facts, before, inactive)
    gaps_now, stand_ins_now = _all(facts, after, inactive)
    # Outside the window nothing changes...
    outside = [g for g in gaps_was if g not in in_window(gaps_was, window)]
    assert outside == [g for g in gaps_now if g not in in_window(gaps_now, window)]
    outside_runs = [s for s in stand_ins_was if s not in in_window(stand_ins_was, window)]
    assert outside_runs == [s for s in stand_ins_now if s not in in_window(stand_ins_now, window)]
    # ...and inside it, the window's own days and the rows stored before give the rest.
    found = acting_in_window(
        contractor_ids=CONTRACTORS,
        assignments=facts,
        absences=after,
        default_role_id=DEFAULT_ROLE,
        window=window,
        stored_gaps=in_window(gaps_was, window),
        stored_stand_ins=in_window(stand_ins_was, window),
        inactive=inactive,
    )
    assert found is not None
    expected = (in_window(gaps_now, window), in_window(stand_ins_now, window))
    reaching = _reaching(expected[0], window) + _reaching(expected[1], window)
    event(f"rows reaching out of the window: {reaching}")
    event(f"changed: {found != (in_window(gaps_was, window), in_window(stand_ins_was, window))}")
    assert found == expected


def _reaching(rows: Any, window: tuple[Any, Any]) -> int:
    return min(sum(1 for r in rows if r.date_from < window[0] or r.date_to > window[1]), 3)


def test_a_stored_row_missing_at_the_windows_edge_asks_for_everything() -> None:
    main = AssignmentFact(1, DEFAULT_ROLE, None, True, 5, day(0), None, 0, 1)
    window = (day(9), day(13))
    found = acting_in_window(
        contractor_ids=[1],
        assignments=[main],
        absences={5: [(day(10), day(12))]},
        default_role_id=DEFAULT_ROLE,
        window=window,
        stored_gaps=[],  # the gap before day 0 is not in the window; nobody acts nowhere in it
        stored_stand_ins=[],
    )
    assert found == ([Gap(1, DEFAULT_ROLE, None, day(10), day(12), 5)], [])
    no_main = acting_in_window(
        contractor_ids=[1],
        assignments=[],
        absences={5: [(day(10), day(12))]},
        default_role_id=DEFAULT_ROLE,
        window=window,
        stored_gaps=[],  # the default scope's gap over all days is missing
        stored_stand_ins=[],
    )
    assert no_main is None


def test_a_gap_reaching_back_out_of_the_window_keeps_who_acted_before_it() -> None:
    """Jan (1) is away on days 10-20, his deputy Ewa (2) on days 15-25: Ewa stands in on
    days 10-14, and nobody acts on days 15-20, after Ewa. Someone else's absence on days
    17-18 makes the window days 16-19, where both are away: the gap begins before the
    window, after Ewa, not on its first day after Jan."""
    jan = AssignmentFact(1, DEFAULT_ROLE, None, True, 1, day(0), None, 0, 1)
    ewa = AssignmentFact(1, DEFAULT_ROLE, None, False, 2, day(0), None, 0, 2)
    before: Absences = {1: [(day(10), day(20))], 2: [(day(15), day(25))]}
    after: Absences = {**before, 3: [(day(17), day(18))]}
    window = (day(16), day(19))
    gaps_was, stand_ins_was = _all([jan, ewa], before, set())
    assert Gap(1, DEFAULT_ROLE, None, day(15), day(20), 2) in gaps_was
    found = acting_in_window(
        contractor_ids=CONTRACTORS,
        assignments=[jan, ewa],
        absences=after,
        default_role_id=DEFAULT_ROLE,
        window=window,
        stored_gaps=in_window(gaps_was, window),
        stored_stand_ins=in_window(stand_ins_was, window),
    )
    gaps_now, stand_ins_now = _all([jan, ewa], after, set())
    assert found == (in_window(gaps_now, window), in_window(stand_ins_now, window))
    assert [g for g in found[0] if g.contractor_id == 1] == [Gap(1, DEFAULT_ROLE, None, day(15), day(20), 2)]
