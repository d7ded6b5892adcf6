"""The acting periods' shortcut on writes (`stand_ins.stand_ins_may_change`): a
contractor it leaves out keeps its acting periods, for any assignments before, any
change and any absences; and the writer neither computes nor reads the acting periods
of a contractor it leaves out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.services import contractor_create
from opiekun.coverage.compute import AssignmentFact
from opiekun.coverage.models import ActingPeriod
from opiekun.coverage.services import coverage_recompute, coverage_stored
from opiekun.coverage.stand_ins import acting_periods_of, stand_ins_may_change
from opiekun.operators.absences import absence_create
from tests.budgets import examples
from tests.coverage.test_untouched import CONTRACTORS, _fact, _of, _valid, changes, staffed

D = date(2025, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


@st.composite
def acting_changes(draw: Any) -> tuple[list[AssignmentFact], list[AssignmentFact], list[AssignmentFact], Any]:
    """Scopes where deputies stand in (`staffed`), some of their rows removed, cut short
    or given another priority, and deputies added."""
    before, absences = draw(staffed())
    removed: list[AssignmentFact] = []
    added: list[AssignmentFact] = []
    for fact in before:
        kind = draw(st.sampled_from(["keep", "keep", "keep", "drop", "cut", "priority"]))
        if kind == "keep":
            continue
        removed.append(fact)
        if kind == "cut":
            end = fact.date_from + timedelta(days=draw(st.integers(0, 20)))
            if fact.date_to is None or end < fact.date_to:
                added.append(fact._replace(date_to=end))
            else:
                removed.pop()
        elif kind == "priority":
            added.append(fact._replace(priority=fact.priority + 1))
    for n in range(draw(st.integers(0, 2))):
        contractor, role = draw(st.sampled_from([(1, 1), (1, 2), (2, 1)]))
        first, length = draw(st.integers(0, 50)), draw(st.one_of(st.none(), st.integers(0, 20)))
        added.append(_fact(contractor, role, None, False, draw(st.integers(1, 5)), first, length, 0, 100 + n))
    after = [f for f in before if f not in removed] + added
    assume(_valid(after))
    return before, removed, added, absences


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(change=st.one_of(changes(), acting_changes()))
def test_a_contractor_left_out_keeps_its_acting_periods(change: Any) -> None:
    before, removed, added, absences = change
    after = [f for f in before if f not in removed] + added
    was = acting_periods_of(contractor_ids=CONTRACTORS, assignments=before, absences=absences)
    now = acting_periods_of(contractor_ids=CONTRACTORS, assignments=after, absences=absences)
    changing = stand_ins_may_change(before=before, after=after, absences=absences)
    for contractor in CONTRACTORS:
        if contractor not in changing:
            assert _of(contractor, was) == _of(contractor, now)
            event("left out" + (" with acting periods" if _of(contractor, was) else ""))
        else:
            event("may change" + ("" if _of(contractor, was) != _of(contractor, now) else ", does not"))


def test_nobody_away_names_nobody() -> None:
    main = AssignmentFact(1, 1, None, True, 5, day(0), None, 0, 1)
    assert stand_ins_may_change(before=[], after=[main], absences={}) == set()
    # The main caretaker away, but on days the write did not touch: left out.
    deputy = AssignmentFact(1, 1, None, False, 6, day(10), day(20), 0, 2)
    away = {5: [(day(30), day(35))]}
    assert stand_ins_may_change(before=[main], after=[main, deputy], absences=away) == set()
    assert acting_periods_of(contractor_ids=[1], assignments=[main], absences=away) == acting_periods_of(
        contractor_ids=[1], assignments=[main, deputy], absences=away
    )
    # Away on one of the written days: named.
    away = {5: [(day(20), day(25))]}
    assert stand_ins_may_change(before=[main], after=[main, deputy], absences=away) == {1}


def _acting_period_reads(queries: CaptureQueriesContext) -> list[str]:
    table = ActingPeriod._meta.db_table
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


@pytest.mark.django_db
def test_the_writer_reads_no_acting_period_where_nobody_stands_in(make_operator: Any, actor: Any) -> None:
    main, deputy, other = make_operator(), make_operator(), make_operator()
    ids = [contractor_create(actor=actor, code=f"K{i}", name=f"Firma {i}").pk for i in range(3)]

    def add(operator: Any, kind: str, start: int, end: int | None, contractors: list[int]) -> None:
        caretaker_add(
            actor=actor,
            contractor_ids=contractors,
            operator_id=operator.pk,
            type=kind,
            date_from=day(start),
            date_to=None if end is None else day(end),
            on_overlap="replace",
        )

    add(main, "main", 0, None, ids)
    chief = User.objects.create(username="chief", is_superuser=True, is_staff=True)
    absence_create(actor=chief, operator_id=main.pk, date_from=day(30), date_to=day(35))
    # A deputy from day 10 to 20: the main caretaker is away only later, nobody stands in.
    with CaptureQueriesContext(connection) as queries:
        add(deputy, "deputy", 10, 20, ids)
    assert _acting_period_reads(queries) == []
    assert coverage_stored() == coverage_recompute()
    # A deputy over the absence: the first contractor's periods are written, read first.
    with CaptureQueriesContext(connection) as queries:
        add(other, "deputy", 25, 40, ids[:1])
    assert _acting_period_reads(queries)
    assert list(ActingPeriod.objects.values_list("contractor_id", "operator_id", "date_from", "date_to")) == [
        (ids[0], other.pk, day(30), day(35))
    ]
    assert coverage_stored() == coverage_recompute()


@pytest.mark.parametrize(
    ("away", "main_until", "named"),
    [
        ((day(5), day(10)), None, True),  # the absence ends on the written row's first day
        ((day(5), day(9)), None, False),  # … and on the day before it
        ((day(20), day(25)), None, True),  # it begins on the written row's last day
        ((day(21), day(25)), None, False),  # … and on the day after it
        ((day(12), day(14)), day(11), False),  # the main's row ends the day before the absence
        ((day(12), day(14)), day(12), True),  # … and on its first day
    ],
)
def test_the_written_days_and_the_absences_meet_at_their_edges(
    away: tuple[date, date], main_until: date | None, named: bool
) -> None:
    """A deputy added for days 10…20 under a main caretaker in force from day 0 (to
    ``main_until``): named exactly when the main is away on one of those days (the
    day-boundary cases that random absences rarely hit); when not named, the acting
    periods are indeed the same."""
    main = AssignmentFact(1, 1, None, True, 5, day(0), main_until, 0, 1)
    deputy = AssignmentFact(1, 1, None, False, 6, day(10), day(20), 0, 2)
    absences = {5: [away]}
    changing = stand_ins_may_change(before=[main], after=[main, deputy], absences=absences)
    assert changing == ({1} if named else set())
    was = acting_periods_of(contractor_ids=[1], assignments=[main], absences=absences)
    now = acting_periods_of(contractor_ids=[1], assignments=[main, deputy], absences=absences)
    assert (was != now) == named
