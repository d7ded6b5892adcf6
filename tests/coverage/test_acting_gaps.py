"""`acting_gaps_of` against the acting rule evaluated day by day (`acting_on`): a gap is
a maximal run of days on which nobody acts for a scope, naming who acted the day
before. Pure: no database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.acting_rules import Holder, acting_on
from opiekun.caretakers.rules import AssignmentType
from opiekun.coverage.acting import acting_gaps_of
from opiekun.coverage.compute import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE, Absences, AssignmentFact, Gap
from opiekun.periods import Period
from tests.budgets import examples
from tests.coverage.test_untouched import CONTRACTORS, DEFAULT_ROLE, day, staffed

FIRST, LAST = -1, 100  # every row and absence of `staffed` starts after FIRST and ends before LAST


def _oracle(facts: list[AssignmentFact], absences: Absences, inactive: set[int]) -> list[Gap]:
    away = {o: [Period(start, end) for start, end in periods] for o, periods in absences.items()}
    holders: dict[tuple[int, int, int | None], list[Holder]] = {
        (c, DEFAULT_ROLE, None): [] for c in CONTRACTORS
    }
    for f in facts:
        kind = AssignmentType.MAIN if f.main else AssignmentType.DEPUTY
        holder = Holder(f.assignment_id, f.operator_id, kind, Period(f.date_from, f.date_to), f.priority)
        holders.setdefault((f.contractor_id, f.role_id, f.branch_id), []).append(holder)
    expected: list[Gap] = []
    for (c, role, branch), hs in holders.items():
        who: int | None = None  # who acted the day before
        run: Gap | None = None
        for n in range(FIRST, LAST + 1):
            d = day(n)
            on = [h for h in hs if h.period.contains_day(d)]
            main = next((h for h in on if h.type == AssignmentType.MAIN), None)
            acting = acting_on(main, [h for h in on if h.type == AssignmentType.DEPUTY], away, d)
            if acting.holder is None:
                if run is None:
                    start = SINCE_ALWAYS if n == FIRST else d
                    run = Gap(c, role, branch, start, d, who, c not in inactive)
                run = run._replace(date_to=UNTIL_FURTHER_NOTICE if n == LAST else d)
                who = None
            else:
                if run is not None:
                    expected.append(run)
                    run = None
                who = acting.holder.operator_id
        if run is not None:
            expected.append(run)
    return sorted(expected, key=lambda g: (g.contractor_id, g.role_id, g.branch_id or 0, g.date_from))


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(world=staffed(), inactive=st.sets(st.sampled_from(CONTRACTORS)))
def test_the_acting_gaps_are_the_runs_of_days_nobody_acts(
    world: tuple[list[AssignmentFact], Absences], inactive: set[int]
) -> None:
    """Nobody acts on a day with no main caretaker, or with the main caretaker away and
    every deputy in force away too. Each maximal run of such days is one row, open at
    either end where it reaches past every row and absence, naming who acted the day
    before it (the main caretaker or the deputy standing in; None after a gap)."""
    facts, absences = world
    expected = _oracle(facts, absences, inactive)
    event(f"gaps: {min(len(expected), 6)}")
    event(f"after a stand-in: {any(_after_stand_in(g, facts) for g in expected)}")
    found = acting_gaps_of(
        contractor_ids=CONTRACTORS,
        assignments=facts,
        absences=absences,
        default_role_id=DEFAULT_ROLE,
        inactive=inactive,
    )
    assert found == expected


def _after_stand_in(gap: Gap, facts: list[AssignmentFact]) -> bool:
    """Whether ``gap`` opens after a day a deputy acted (its last operator was not the
    scope's main caretaker of that day)."""
    if gap.last_operator_id is None:
        return False
    before = gap.date_from - timedelta(days=1)
    return not any(
        f.main
        and f.operator_id == gap.last_operator_id
        and (f.contractor_id, f.role_id, f.branch_id) == gap[:3]
        and f.date_from <= before <= (f.date_to or UNTIL_FURTHER_NOTICE)
        for f in facts
    )


def test_a_scope_with_its_main_away_and_no_deputy_has_a_gap_for_the_absence() -> None:
    main = AssignmentFact(1, DEFAULT_ROLE, None, True, 5, day(0), None, 0, 1)
    away: Any = {5: [(day(10), day(12))]}
    gaps = acting_gaps_of(contractor_ids=[1], assignments=[main], absences=away, default_role_id=DEFAULT_ROLE)
    assert gaps == [
        Gap(1, DEFAULT_ROLE, None, SINCE_ALWAYS, day(-1), None),
        Gap(1, DEFAULT_ROLE, None, day(10), day(12), 5),
    ]
