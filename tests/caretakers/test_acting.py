"""The acting caretaker (caretakers/acting.py): the pure rule, checked against its
definition by Hypothesis, and the set-based selector that every screen uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from hypothesis import given, settings
from hypothesis import strategies as st

from opiekun.caretakers.acting import (
    Acting,
    ActingReason,
    Holder,
    ScopeDay,
    absent_until,
    acted_for_periods,
    acting_on,
    acting_periods,
    resolve_scopes,
    with_later_rows,
)
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Absence, Operator
from opiekun.periods import Period
from tests.budgets import examples

DAY = date(2030, 6, 15)
MAIN, DEPUTY = AssignmentType.MAIN, AssignmentType.DEPUTY


# --- the pure rule -------------------------------------------------------------------


def _holder(pk: int, operator: int, kind: AssignmentType, start: date, priority: int = 0) -> Holder:
    return Holder(pk, operator, kind, Period(start, None), priority)


def test_the_main_caretaker_acts_when_present() -> None:
    main = _holder(1, 10, MAIN, date(2030, 1, 1))
    deputy = _holder(2, 20, DEPUTY, date(2030, 1, 1))
    assert acting_on(main, [deputy], {}, DAY) == Acting(main, ActingReason.MAIN)


def test_an_absent_main_is_stood_in_for_by_the_first_present_deputy_until_the_absence_ends() -> None:
    main = _holder(1, 10, MAIN, date(2030, 1, 1))
    late = _holder(2, 20, DEPUTY, date(2030, 1, 1), priority=5)
    first = _holder(3, 30, DEPUTY, date(2030, 3, 1), priority=1)
    away = _holder(4, 40, DEPUTY, date(2029, 1, 1), priority=0)
    absences = {10: [Period(date(2030, 6, 10), date(2030, 6, 20))], 40: [Period(DAY, DAY)]}
    acting = acting_on(main, [late, first, away], absences, DAY)
    assert acting.holder == first
    assert acting.reason == ActingReason.MAIN_ABSENT
    assert acting.stands_in_for == 10
    assert acting.main_absent_until == date(2030, 6, 20)
    # `away`, ahead of `first`, is back the next day and stands in from then on: `first`
    # stands in for this one day (it said until the main's return, 2030-06-20)
    assert acting.until == DAY
    absences[40] = [Period(date(2030, 6, 1), date(2030, 6, 30))]  # away all along
    assert acting_on(main, [late, first, away], absences, DAY).until == date(2030, 6, 20)


def test_a_deputy_stands_in_until_their_row_the_mains_or_their_own_absence_ends_it() -> None:
    absences = {10: [Period(date(2030, 6, 10), date(2030, 6, 30))]}
    main = Holder(1, 10, MAIN, Period(date(2030, 1, 1), date(2030, 6, 25)))
    deputy = Holder(2, 20, DEPUTY, Period(date(2030, 1, 1), date(2030, 6, 22)))
    assert acting_on(main, [deputy], absences, DAY).until == date(2030, 6, 22)  # the deputy's row
    longer = Holder(2, 20, DEPUTY, Period(date(2030, 1, 1), None))
    assert acting_on(main, [longer], absences, DAY).until == date(2030, 6, 25)  # the main's row
    absences[20] = [Period(date(2030, 6, 18), date(2030, 6, 19))]
    assert acting_on(main, [longer], absences, DAY).until == date(2030, 6, 17)  # the deputy away


def test_equal_priorities_go_by_date_from_then_id() -> None:
    main = _holder(1, 10, MAIN, date(2030, 1, 1))
    newer = _holder(2, 20, DEPUTY, date(2030, 2, 1))
    older_high_id = _holder(9, 30, DEPUTY, date(2030, 1, 1))
    older_low_id = _holder(5, 40, DEPUTY, date(2030, 1, 1))
    absences = {10: [Period(DAY, DAY)]}
    assert acting_on(main, [newer, older_high_id, older_low_id], absences, DAY).holder == older_low_id


def test_nobody_acts_without_a_main_or_when_everyone_is_away() -> None:
    deputy = _holder(2, 20, DEPUTY, date(2030, 1, 1))
    assert acting_on(None, [deputy], {}, DAY) == Acting(None, ActingReason.NONE)
    main = _holder(1, 10, MAIN, date(2030, 1, 1))
    away = {10: [Period(DAY, DAY + timedelta(days=3))], 20: [Period(DAY, DAY)]}
    acting = acting_on(main, [deputy], away, DAY)
    assert acting.holder is None and acting.reason == ActingReason.NONE
    assert acting.main_absent_until == DAY + timedelta(days=3)


def test_absences_that_follow_each_other_count_as_one() -> None:
    periods = [
        Period(date(2030, 7, 1), date(2030, 7, 10)),
        Period(date(2030, 6, 10), date(2030, 6, 30)),
        Period(date(2030, 7, 12), date(2030, 7, 20)),
    ]
    assert absent_until(periods, date(2030, 6, 15)) == date(2030, 7, 10)
    assert absent_until(periods, date(2030, 7, 11)) is None


days = st.dates(min_value=date(2030, 1, 1), max_value=date(2030, 1, 20))
operators = st.integers(min_value=1, max_value=6)


@st.composite
def scopes(draw: Any) -> tuple[Holder | None, list[Holder], dict[int, list[Period]], date]:
    day = draw(days)
    main_operator = draw(st.one_of(st.none(), operators))
    deputy_operators = draw(st.lists(operators, unique=True, max_size=5))
    deputy_operators = [o for o in deputy_operators if o != main_operator]
    main = None if main_operator is None else Holder(1, main_operator, MAIN, Period(date(2029, 1, 1)), 0)
    deputies = [
        Holder(
            draw(st.integers(min_value=2, max_value=10**6)),
            operator,
            DEPUTY,
            Period(draw(st.dates(min_value=date(2029, 1, 1), max_value=date(2029, 12, 31)))),
            draw(st.integers(min_value=-3, max_value=3)),
        )
        for operator in deputy_operators
    ]
    absences: dict[int, list[Period]] = {}
    for operator in range(1, 7):
        start = draw(st.one_of(st.none(), days))
        if start is not None:
            absences[operator] = [Period(start, start + timedelta(days=draw(st.integers(0, 6))))]
    return main, deputies, absences, day


@settings(max_examples=examples(8 / 3), deadline=None)  # pure and quick
@given(scopes())
def test_acting_is_the_present_main_else_the_first_present_deputy_else_nobody(
    scope: tuple[Holder | None, list[Holder], dict[int, list[Period]], date],
) -> None:
    main, deputies, absences, day = scope

    def present(operator: int) -> bool:
        return not any(p.contains_day(day) for p in absences.get(operator, []))

    acting = acting_on(main, deputies, absences, day)
    if main is None:
        assert acting == Acting(None, ActingReason.NONE)
    elif present(main.operator_id):
        assert acting.holder == main and acting.reason == ActingReason.MAIN
    else:
        ranked = sorted(deputies, key=lambda d: (d.priority, d.period.start, d.assignment_id))
        expected = next((d for d in ranked if present(d.operator_id)), None)
        assert acting.holder == expected
        assert acting.reason == (ActingReason.MAIN_ABSENT if expected else ActingReason.NONE)
        assert acting.stands_in_for == (main.operator_id if expected else None)
        assert acting.main_absent_until is not None and acting.main_absent_until >= day
    # Whoever acts is present, and is the main caretaker or one of the deputies.
    if acting.holder is not None:
        assert present(acting.holder.operator_id)
        assert acting.holder in [main, *deputies]


@settings(max_examples=examples(1), deadline=None)
@given(scopes())
def test_acting_periods_agree_with_the_rule_on_every_day(
    scope: tuple[Holder | None, list[Holder], dict[int, list[Period]], date],
) -> None:
    main, deputies, absences, _ = scope
    holders = [h for h in [main, *deputies] if h is not None]
    window = Period(date(2030, 1, 1), date(2030, 1, 31))
    periods = acting_periods(holders, absences, window)
    assert periods[0][0].start == window.start and periods[-1][0].end == window.end
    day = window.start
    for period, acting in periods:
        while period.end is not None and day <= period.end:
            expected = acting_on(main, deputies, absences, day)
            assert (acting.holder, acting.reason) == (expected.holder, expected.reason)
            day += timedelta(days=1)


@st.composite
def histories(draw: Any) -> tuple[list[Holder], dict[int, list[Period]], Period]:
    """A scope over two months: mains one after another (never two on a day), deputies
    of operators 1-4 (an operator's rows never overlap), absences of operators 1-6
    (an operator's never overlap), and a window."""
    first = date(2030, 1, 1)
    span = 60

    def runs(count: int) -> list[Period]:
        cuts = sorted(set(draw(st.lists(st.integers(0, span), min_size=2 * count, max_size=2 * count))))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        return [Period(first + timedelta(days=a), first + timedelta(days=b)) for a, b in pairs]

    holders: list[Holder] = []
    pk = 0
    for period in runs(draw(st.integers(0, 3))):
        pk += 1
        holders.append(Holder(pk, draw(st.integers(1, 6)), MAIN, period))
    for operator in range(1, 5):
        for period in runs(draw(st.integers(0, 2))):
            pk += 1
            holders.append(Holder(pk, operator, DEPUTY, period, draw(st.integers(-1, 1))))
    # a deputy who is also a main on the same day is left out: §2 forbids it
    holders = [
        h
        for h in holders
        if h.type == MAIN
        or not any(
            m.type == MAIN and m.operator_id == h.operator_id and m.period.overlaps(h.period) for m in holders
        )
    ]
    absences = {operator: runs(draw(st.integers(0, 3))) for operator in range(1, 7)}
    a, b = sorted(draw(st.lists(st.integers(0, span), min_size=2, max_size=2)))
    return holders, absences, Period(first + timedelta(days=a), first + timedelta(days=b))


@settings(deadline=None)
@given(histories(), st.integers(1, 4))
def test_acted_for_periods_are_the_runs_of_days_the_operator_stood_in_for_an_absent_main(
    history: tuple[list[Holder], dict[int, list[Period]], Period], operator: int
) -> None:
    holders, absences, window = history
    assert window.end is not None
    expected: list[tuple[Period, tuple[Holder, int | None]]] = []
    day = window.start
    while day <= window.end:
        on = [h for h in holders if h.period.contains_day(day)]
        main = next((h for h in on if h.type == MAIN), None)
        acting = acting_on(main, [h for h in on if h.type == DEPUTY], absences, day)
        if (
            acting.reason == ActingReason.MAIN_ABSENT
            and acting.holder is not None
            and acting.holder.operator_id == operator
        ):
            key = (acting.holder, acting.stands_in_for)
            if expected and expected[-1][1] == key and expected[-1][0].end == day - timedelta(days=1):
                expected[-1] = (Period(expected[-1][0].start, day), key)
            else:
                expected.append((Period(day, day), key))
        day += timedelta(days=1)
    found = acted_for_periods(holders, absences, operator, window)
    assert [(p, (a.holder, a.stands_in_for)) for p, a in found] == expected


@settings(deadline=None)
@given(histories())
def test_until_is_the_last_day_of_the_same_stand_in(
    history: tuple[list[Holder], dict[int, list[Period]], Period],
) -> None:
    """On every day a deputy stands in, `until` is the last day of that run of days (the
    same deputy for the same absent main), as `acting_periods` finds it from every row of
    the scope — with the rows that start later given (`with_later_rows`), always; from
    the rows of the day alone (`acting_on`), whenever no row of the scope starts within
    it. A deputy ahead whose row starts during the absence was the case `acting_on`
    alone cannot tell, and `until` was late (the contractors list, the CRM tab,
    caretaker-info and resolve beside Nadchodzące zmiany and "acted for")."""
    holders, absences, _ = history

    def alone(day: date) -> Acting:
        rows = [h for h in holders if h.period.contains_day(day)]
        main = next((h for h in rows if h.type == MAIN), None)
        return acting_on(main, [h for h in rows if h.type == DEPUTY], absences, day)

    def on(day: date) -> Acting:
        rows = [h for h in holders if h.period.contains_day(day)]
        later = [h for h in holders if h.period.start > day]
        return with_later_rows(alone(day), rows, later, absences, day)

    window = Period(date(2030, 1, 1), date(2030, 3, 2))
    stored = {}  # every day of a stand-in: the last day of its period of `acting_periods`
    for period, acting in acting_periods(holders, absences, window):
        if acting.reason == ActingReason.MAIN_ABSENT:
            for offset in range(((period.end or window.start) - period.start).days + 1):
                stored[period.start + timedelta(days=offset)] = period.end
    day = window.start
    while day <= date(2030, 3, 2):
        acting = on(day)
        assert (acting.holder, acting.reason) == (alone(day).holder, alone(day).reason)
        if acting.reason == ActingReason.MAIN_ABSENT:
            last = day
            while (following := on(last + timedelta(days=1))).reason == ActingReason.MAIN_ABSENT and (
                following.holder,
                following.stands_in_for,
            ) == (acting.holder, acting.stands_in_for):
                last += timedelta(days=1)
            assert acting.until == last, day
            if last <= date(2030, 3, 1):  # the run ends inside the window acting_periods saw
                assert stored[day] == acting.until, day
            if not any(day < h.period.start <= last + timedelta(days=1) for h in holders):
                assert alone(day).until == last, day
        else:
            assert acting.until is None and day not in stored
        day += timedelta(days=1)


def test_a_deputy_ahead_whose_row_starts_during_the_absence_ends_the_stand_in() -> None:
    """The main away from 10 to 20 June; bartek (priority 2) stands in from the 10th,
    celina (priority 1, ahead of him) is a deputy only from the 15th: bartek stands in
    until the 14th (it said the 20th); celina, away until the 16th, takes over on the 17th
    in the second case."""
    main = _holder(1, 10, MAIN, date(2030, 1, 1))
    bartek = _holder(2, 20, DEPUTY, date(2030, 1, 1), priority=2)
    celina = _holder(3, 30, DEPUTY, date(2030, 6, 15), priority=1)
    absences = {10: [Period(date(2030, 6, 10), date(2030, 6, 20))]}
    day = date(2030, 6, 12)
    acting = acting_on(main, [bartek], absences, day)
    assert acting.holder == bartek and acting.until == date(2030, 6, 20)  # the rows of the day
    assert with_later_rows(acting, [main, bartek], [celina], absences, day).until == date(2030, 6, 14)
    away = {**absences, 30: [Period(date(2030, 6, 14), date(2030, 6, 16))]}
    acting = acting_on(main, [bartek], away, day)
    assert with_later_rows(acting, [main, bartek], [celina], away, day).until == date(2030, 6, 16)
    # A deputy behind him, or one whose row starts after the main is back, changes nothing.
    behind = _holder(4, 40, DEPUTY, date(2030, 6, 15), priority=3)
    after = _holder(5, 50, DEPUTY, date(2030, 6, 21), priority=0)
    acting = acting_on(main, [bartek], absences, day)
    assert with_later_rows(acting, [main, bartek], [behind, after], absences, day).until == date(2030, 6, 20)


# --- the selectors -------------------------------------------------------------------


@pytest.fixture
def crew(make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    return {name: make_operator(name) for name in ("anna", "bartek", "celina")}


def _assign(
    contractor: Contractor, operator: Operator, role: CaretakerRole, kind: str, priority: int = 0
) -> CaretakerAssignment:
    return CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        role=role,
        type=kind,
        date_from=date(2030, 1, 1),
        priority=priority,
    )


@pytest.mark.django_db
def test_caretaker_info_names_the_acting_deputy(
    actor: User, contractor: Contractor, default_role: CaretakerRole, crew: dict[str, Operator]
) -> None:
    _assign(contractor, crew["anna"], default_role, "main")
    _assign(contractor, crew["bartek"], default_role, "deputy", priority=2)
    celina = _assign(contractor, crew["celina"], default_role, "deputy", priority=1)
    info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=DAY)
    assert info.reason == "main" and info.acting_assignment == info.main
    anna = crew["anna"]
    absence_create(actor=anna.user, operator_id=anna.pk, date_from=DAY, date_to=DAY + timedelta(days=9))
    info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=DAY)
    assert info.reason == "main_absent"
    assert info.acting_assignment == celina
    assert info.acting.until == DAY + timedelta(days=9)
    assert [d.operator for d in info.deputies] == [crew["celina"], crew["bartek"]]  # by priority


@pytest.mark.django_db
def test_resolve_scopes_answers_in_order_in_two_queries(
    contractor: Contractor,
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
    crew: dict[str, Operator],
    django_assert_num_queries: Any,
) -> None:
    other = make_contractors(1)[0]
    _assign(contractor, crew["anna"], default_role, "main")
    _assign(contractor, crew["bartek"], default_role, "deputy")
    Absence.objects.create(operator=crew["anna"], date_from=DAY, date_to=DAY)
    questions = [
        ScopeDay(other.pk, default_role.pk, None, DAY),
        ScopeDay(contractor.pk, default_role.pk, None, DAY),
        ScopeDay(contractor.pk, default_role.pk, None, DAY + timedelta(days=1)),
    ]
    with django_assert_num_queries(2):
        answers = resolve_scopes(questions)
    assert answers[0].main is None and answers[0].acting.reason == ActingReason.NONE
    assert answers[1].acting.reason == ActingReason.MAIN_ABSENT
    assert answers[1].acting.holder is not None and answers[1].acting.holder.operator_id == crew["bartek"].pk
    assert answers[1].absent == frozenset({crew["anna"].pk})
    assert answers[2].acting.reason == ActingReason.MAIN
