"""The derived coverage tables always equal a recomputation from scratch, and a
day-by-day oracle, after any sequence of writes through the services; the database
refuses what it can."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.acting import ActedFor, ActingReason, Holder, acted_for, acted_for_periods, acting_on
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.rules import TYPE_OF, AssignmentType
from opiekun.caretakers.services import (
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
    role_save,
)
from opiekun.caretakers.services.handover import handover_create
from opiekun.caretakers.services.handover_cancel import CancelRefused, handover_cancel
from opiekun.caretakers.services.importing import assignments_import
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_create, contractor_delete, contractor_update
from opiekun.coverage.compute import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE
from opiekun.coverage.models import ActingGap, ActingPeriod, CoverageGap, UncoveredPeriod
from opiekun.coverage.selectors import gaps_today_count
from opiekun.coverage.services import coverage_rebuild, coverage_recompute, coverage_stored
from opiekun.dates import today
from opiekun.operators.absences import absence_create, absence_delete, absence_update
from opiekun.operators.models import Absence, Operator, UnassignedAccess, Visibility
from opiekun.periods import Period
from tests.budgets import examples

pytestmark = pytest.mark.django_db

D = date(2025, 3, 1)
CALENDAR = [D + timedelta(days=n) for n in range(-2, 34)]


def day(n: int) -> date:
    return D + timedelta(days=n)


def oracle_gap_days(default_role_id: int) -> set[tuple[int, int, int | None, date]]:
    """Day by day, within CALENDAR: the (contractor, role, branch, day) of every
    stored scope without a main caretaker that day."""
    rows = list(
        CaretakerAssignment.objects.values_list(
            "contractor_id", "role_id", "branch_id", "type", "date_from", "date_to"
        )
    )
    scopes: set[tuple[int, int, int | None]] = {(c, r, b) for c, r, b, *_ in rows}
    scopes |= {(c, default_role_id, None) for c in Contractor.objects.values_list("pk", flat=True)}
    covered = {
        (c, r, b, d)
        for c, r, b, kind, start, end in rows
        if kind == "main"
        for d in CALENDAR
        if start <= d and (end is None or d <= end)
    }
    return {(c, r, b, d) for c, r, b in scopes for d in CALENDAR if (c, r, b, d) not in covered}


def stored_gap_days() -> set[tuple[int, int, int | None, date]]:
    return {
        (g.contractor_id, g.role_id, g.branch_id, d)
        for g in CoverageGap.objects.all()
        for d in CALENDAR
        if g.date_from <= d <= g.date_to
    }


def oracle_gaps_today(viewer: Operator, on: date) -> int:
    """ "Bez opiekuna: N" by its definition, from the assignments and the contractors
    alone: the contractors the viewer sees (theirs on ``on``, or nobody's that day when
    they may see those) that are active and have no main caretaker that day in the
    default scope."""
    default = CaretakerRole.objects.get(is_default=True).pk
    rows = [
        a
        for a in CaretakerAssignment.objects.all()
        if a.date_from <= on and (a.date_to is None or a.date_to >= on)
    ]
    theirs = {a.contractor_id for a in rows if a.operator_id == viewer.pk}
    covered = {a.contractor_id for a in rows}
    mains = {
        a.contractor_id for a in rows if a.type == "main" and a.role_id == default and a.branch_id is None
    }
    active = set(Contractor.objects.filter(active=True).values_list("pk", flat=True))
    visible = set(theirs)
    if viewer.unassigned_access != UnassignedAccess.DENIED:
        visible |= active - covered
    return len((visible & active) - mains)


def oracle_uncovered_days() -> set[tuple[int, date]]:
    rows = list(CaretakerAssignment.objects.values_list("contractor_id", "date_from", "date_to"))
    covered = {(c, d) for c, start, end in rows for d in CALENDAR if start <= d and (end is None or d <= end)}
    return {(c, d) for c in Contractor.objects.values_list("pk", flat=True) for d in CALENDAR} - covered


def stored_uncovered_days() -> set[tuple[int, date]]:
    return {
        (u.contractor_id, d)
        for u in UncoveredPeriod.objects.all()
        for d in CALENDAR
        if u.date_from <= d <= u.date_to
    }


def oracle_acting_gap_days(default_role_id: int) -> set[tuple[int, int, int | None, date]]:
    """Day by day: the stored scopes with no acting caretaker (no main, or the main
    absent and every deputy of the scope absent or missing)."""
    rows = list(
        CaretakerAssignment.objects.values_list(
            "contractor_id", "role_id", "branch_id", "type", "operator_id", "date_from", "date_to"
        )
    )
    away = {
        (o, d)
        for o, start, end in Absence.objects.values_list("operator_id", "date_from", "date_to")
        for d in CALENDAR
        if start <= d <= end
    }
    scopes: set[tuple[int, int, int | None]] = {(c, r, b) for c, r, b, *_ in rows}
    scopes |= {(c, default_role_id, None) for c in Contractor.objects.values_list("pk", flat=True)}

    def on(start: date, end: date | None, d: date) -> bool:
        return start <= d and (end is None or d <= end)

    covered = set()
    for c, r, b, kind, o, start, end in rows:
        if kind != "main":
            continue
        for d in CALENDAR:
            if not on(start, end, d):
                continue
            if (o, d) not in away or any(
                (c2, r2, b2, k2) == (c, r, b, "deputy") and on(s2, e2, d) and (o2, d) not in away
                for c2, r2, b2, k2, o2, s2, e2 in rows
            ):
                covered.add((c, r, b, d))
    return {(c, r, b, d) for c, r, b in scopes for d in CALENDAR if (c, r, b, d) not in covered}


def stored_acting_gap_days() -> set[tuple[int, int, int | None, date]]:
    return {
        (g.contractor_id, g.role_id, g.branch_id, d)
        for g in ActingGap.objects.all()
        for d in CALENDAR
        if g.date_from <= d <= g.date_to
    }


Scope = tuple[int, int, int | None]


def _holders() -> dict[Scope, list[Holder]]:
    scopes: dict[Scope, list[Holder]] = {}
    for pk, c, r, b, kind, o, start, end, priority in CaretakerAssignment.objects.values_list(
        "pk",
        "contractor_id",
        "role_id",
        "branch_id",
        "type",
        "operator_id",
        "date_from",
        "date_to",
        "priority",
    ):
        scopes.setdefault((c, r, b), []).append(Holder(pk, o, TYPE_OF[kind], Period(start, end), priority))
    return scopes


def _away() -> dict[int, list[Period]]:
    away: dict[int, list[Period]] = {}
    for o, start, end in Absence.objects.values_list("operator_id", "date_from", "date_to"):
        away.setdefault(o, []).append(Period(start, end))
    return away


def oracle_stand_in_days() -> set[tuple[int, int, int | None, int, int, int, date]]:
    """Day by day, within CALENDAR, by the acting rule (`acting_on`): the scope, the
    deputy's assignment, the deputy and the absent main caretaker of every day a deputy
    stands in."""
    away = _away()
    found = set()
    for (c, r, b), holders in _holders().items():
        for d in CALENDAR:
            on = [h for h in holders if h.period.contains_day(d)]
            main = next((h for h in on if h.type == AssignmentType.MAIN), None)
            acting = acting_on(main, [h for h in on if h.type == AssignmentType.DEPUTY], away, d)
            if acting.reason == ActingReason.MAIN_ABSENT and acting.holder is not None:
                assert acting.stands_in_for is not None
                found.add(
                    (c, r, b, acting.holder.assignment_id, acting.holder.operator_id, acting.stands_in_for, d)
                )
    return found


def stored_stand_in_days() -> set[tuple[int, int, int | None, int, int, int, date]]:
    return {
        (p.contractor_id, p.role_id, p.branch_id, p.assignment_id, p.operator_id, p.stands_in_for_id, d)
        for p in ActingPeriod.objects.all()
        for d in CALENDAR
        if p.date_from <= d <= p.date_to
    }


def assert_acted_for_as_computed(viewer: Any) -> None:
    """Kontrahenci wg opiekuna "acted for", read from the stored acting periods, gives
    for every operator and window the rows, in the order, of the acting rule evaluated
    on the assignments and absences (`acted_for_periods`)."""
    holders, away = _holders(), _away()
    operators = {h.operator_id for hs in holders.values() for h in hs}
    windows = [(None, None), (day(3), day(20)), (day(10), None), (None, day(6)), (day(12), day(12))]
    for operator in operators:
        for first, last in windows:
            window = Period(first or date.min, last or date.max)
            expected = [
                ActedFor(*scope, acting.holder.assignment_id, operator, acting.stands_in_for, period)
                for scope, hs in holders.items()
                if any(h.operator_id == operator and h.type == AssignmentType.DEPUTY for h in hs)
                for period, acting in acted_for_periods(hs, away, operator, window)
                if acting.holder is not None and acting.stands_in_for is not None
            ]
            expected.sort(key=lambda a: (a.period.start, a.contractor_id, a.role_id, a.assignment_id))
            assert acted_for(viewer=viewer, operator_id=operator, date_from=first, date_to=last) == expected


def assert_in_step() -> None:
    stored = coverage_stored()
    assert stored == coverage_recompute()
    default_role_id = CaretakerRole.objects.get(is_default=True).pk
    assert stored_gap_days() == oracle_gap_days(default_role_id)
    assert stored_uncovered_days() == oracle_uncovered_days()
    assert stored_acting_gap_days() == oracle_acting_gap_days(default_role_id)
    assert stored_stand_in_days() == oracle_stand_in_days()
    # Every gap and uncovered period carries its contractor's own `active` flag.
    flags = dict(Contractor.objects.values_list("pk", "active"))
    assert all(gap.active == flags[gap.contractor_id] for gap in (*stored.gaps, *stored.acting))
    assert all(period.active == flags[period.contractor_id] for period in stored.uncovered)
    # Acting periods are maximal: one deputy's assignment standing in for one main
    # caretaker is one row, however many writes made it.
    for a, b in itertools.pairwise(stored.stand_ins):
        if (a.contractor_id, a.role_id, a.branch_id) == (b.contractor_id, b.role_id, b.branch_id):
            assert a.date_to < b.date_from
            if a.date_to + timedelta(days=1) == b.date_from:
                assert (a.assignment_id, a.stands_in_for_id) != (b.assignment_id, b.stands_in_for_id)
    # Holes are maximal: two stored periods of one scope never touch.
    tables: list[list[Any]] = [stored.gaps, stored.uncovered, stored.acting]
    for periods in tables:
        for a, b in itertools.pairwise(periods):
            same = (a.contractor_id, getattr(a, "role_id", 0), getattr(a, "branch_id", 0)) == (
                b.contractor_id,
                getattr(b, "role_id", 0),
                getattr(b, "branch_id", 0),
            )
            if same:
                assert a.date_to + timedelta(days=1) < b.date_from


POLICIES = ["keep", "warn", "replace"]

add_op = st.tuples(
    st.just("add"),
    st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True),  # contractors
    st.integers(0, 2),  # operator
    st.sampled_from(["main", "deputy"]),
    st.integers(0, 1),  # role: default or legal
    st.sampled_from([None, 0]),  # branch
    st.integers(0, 30),  # start
    st.one_of(st.none(), st.integers(0, 12)),  # length
    st.sampled_from(POLICIES),
)
edit_op = st.tuples(
    st.just("edit"), st.integers(0, 20), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 12))
)
end_op = st.tuples(st.just("end"), st.integers(0, 20), st.integers(0, 30))
delete_op = st.tuples(st.just("delete"), st.integers(0, 20))
create_op = st.tuples(st.just("create"))
drop_op = st.tuples(st.just("drop"), st.integers(0, 2))
default_op = st.tuples(st.just("default"), st.integers(0, 1))
absence_op = st.tuples(st.just("absence"), st.integers(0, 2), st.integers(0, 30), st.integers(0, 8))
absence_edit_op = st.tuples(st.just("absence_edit"), st.integers(0, 5), st.integers(0, 30), st.integers(0, 8))
absence_delete_op = st.tuples(st.just("absence_delete"), st.integers(0, 5))
handover_op = st.tuples(st.just("handover"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 30))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 3))
# A contractor's `active` flag changed: through the service, or around it (the trigger).
active_op = st.tuples(st.just("active"), st.integers(0, 2), st.booleans(), st.booleans())
import_op = st.tuples(
    st.just("import"),
    st.lists(
        st.tuples(
            st.integers(0, 2),  # contractor
            st.integers(0, 2),  # operator
            st.sampled_from(["main", "deputy"]),
            st.integers(0, 1),  # role
            st.booleans(),  # in the branch
            st.integers(0, 30),  # start
            st.one_of(st.none(), st.integers(0, 12)),  # length
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["keep", "replace"]),
)
operations = st.lists(
    st.one_of(
        add_op,
        add_op,
        add_op,
        edit_op,
        end_op,
        delete_op,
        create_op,
        drop_op,
        default_op,
        absence_op,
        absence_edit_op,
        absence_delete_op,
        handover_op,
        cancel_op,
        import_op,
        active_op,
    ),
    min_size=1,
    max_size=8,
)


def _apply(op: tuple[Any, ...], world: dict[str, Any]) -> None:
    actor, ops, roles, branch = world["actor"], world["ops"], world["roles"], world["branch"]
    contractors = list(Contractor.objects.order_by("pk"))
    assignments = list(CaretakerAssignment.objects.order_by("pk"))
    kind = op[0]
    try:
        if kind == "add":
            _, picks, who, type_, role, branch_pick, start, length, policy = op
            ids = [contractors[i].pk for i in picks if i < len(contractors)]
            if not ids:
                return
            kwargs = dict(
                actor=actor,
                contractor_ids=ids,
                operator_id=ops[who].pk,
                date_from=day(start),
                date_to=None if length is None else day(start + length),
                on_overlap=policy,
                type=type_,
                role_id=roles[role].pk,
                branch_id=None if branch_pick is None else branch.pk,
            )
            result = caretaker_add(**kwargs)
            if not result.applied and result.confirm_token:
                assert caretaker_add(**kwargs, confirm_token=result.confirm_token).applied
        elif kind in ("edit", "end", "delete") and assignments:
            row = assignments[op[1] % len(assignments)]
            if kind == "edit":
                assignment_update(
                    actor=actor,
                    assignment_id=row.pk,
                    date_from=day(op[2]),
                    date_to=None if op[3] is None else day(op[2] + op[3]),
                )
            elif kind == "end":
                assignment_end(actor=actor, assignment_id=row.pk, date_to=max(row.date_from, day(op[2])))
            else:
                assignment_delete(actor=actor, assignment_id=row.pk)
        elif kind == "create":
            contractor_create(
                actor=actor, code=f"N{len(contractors)}-{Contractor.objects.count()}", name="Nowy"
            )
        elif kind == "active" and contractors:
            _, pick, active, by_service = op
            chosen = contractors[pick % len(contractors)]
            if by_service:
                contractor_update(actor=actor, contractor_id=chosen.pk, active=active)
            else:
                Contractor.objects.filter(pk=chosen.pk).update(active=active)
        elif kind == "drop" and contractors:
            contractor_delete(actor=actor, contractor_id=contractors[op[1] % len(contractors)].pk)
        elif kind == "default":
            role = roles[op[1]]
            role_save(actor=actor, role_id=role.pk, name=role.name, is_default=True)
        elif kind == "absence":
            absence_create(
                actor=world["chief"],
                operator_id=ops[op[1]].pk,
                date_from=day(op[2]),
                date_to=day(op[2] + op[3]),
            )
        elif kind in ("absence_edit", "absence_delete"):
            absences = list(Absence.objects.order_by("pk"))
            if absences:
                absence = absences[op[1] % len(absences)]
                if kind == "absence_delete":
                    absence_delete(actor=world["chief"], absence_id=absence.pk)
                else:
                    absence_update(
                        actor=world["chief"],
                        absence_id=absence.pk,
                        date_from=day(op[2]),
                        date_to=day(op[2] + op[3]),
                    )
        elif kind == "handover" and op[1] != op[2]:
            request = dict(
                actor=actor,
                from_operator_id=ops[op[1]].pk,
                to_operator_ids=[ops[op[2]].pk],
                date=day(op[3]),
                on_overlap="replace",
            )
            handed = handover_create(**request)
            if not handed.applied and handed.confirm_token:
                handover_create(**request, confirm_token=handed.confirm_token)
        elif kind == "import":
            _, lines, policy = op
            codes = [c.code for c in contractors]
            if not codes:
                return
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(
                ["contractor_code", "operator_login", "type", "role", "branch", "date_from", "date_to"]
            )
            for pick, who, type_, role, in_branch, start, length in lines:
                writer.writerow(
                    [
                        codes[pick % len(codes)],
                        ops[who].user.username,
                        type_,
                        roles[role].name,
                        branch.code if in_branch else "",
                        day(start).isoformat(),
                        "" if length is None else day(start + length).isoformat(),
                    ]
                )
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "import.csv"
                path.write_text(buffer.getvalue(), encoding="utf-8")
                with translation.override("en"):
                    assignments_import(
                        actor=actor,
                        path=path,
                        filename=path.name,
                        on_overlap=policy,
                        dry_run=False,
                        skip_invalid=True,
                    )
        elif kind == "cancel":
            handovers = list(Handover.objects.order_by("pk"))
            if handovers:
                handover_cancel(actor=actor, handover_id=handovers[op[1] % len(handovers)].pk)
    except (ValidationError, CancelRefused):
        pass  # a refused write writes nothing; the tables must still be right


@settings(
    max_examples=examples(0.4),  # each example runs a sequence of writes on the database
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops_list=operations)
def test_derived_tables_equal_a_recomputation_after_any_writes(
    ops_list: list[tuple[Any, ...]], make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    with transaction.atomic():
        world = _world(make_operator, default_role, actor)
        assert_in_step()
        for op in ops_list:
            _apply(op, world)
            assert_in_step()
            assert_acted_for_as_computed(world["chief"])
            viewer = world["ops"][1]  # own-only, those with nobody read-only
            assert gaps_today_count(viewer=viewer.user) == oracle_gaps_today(viewer, today())
        transaction.set_rollback(True)


def _world(make_operator: Any, default_role: CaretakerRole, actor: Any) -> dict[str, Any]:
    legal = CaretakerRole.objects.create(name="Prawny")
    world = {
        "actor": actor,
        "chief": User.objects.create(username="chief", is_superuser=True, is_staff=True),
        "ops": [
            make_operator(),
            make_operator(visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY),
            make_operator(),
        ],
        "roles": [default_role, legal],
        "branch": Branch.objects.create(code="WAW", name="Warszawa"),
    }
    for i in range(3):
        contractor_create(actor=actor, code=f"K{i}", name=f"Firma {i}")
    return world


def test_each_kind_of_write_keeps_the_tables_in_step(
    make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    """One of each of the later writers, checked to have written something."""
    world = _world(make_operator, default_role, actor)
    ops = world["ops"]
    _apply(("import", [(0, 0, "main", 0, False, 0, None), (1, 1, "main", 1, True, 2, 5)], "replace"), world)
    assert CaretakerAssignment.objects.filter(operator=ops[0], contractor__code="K0").exists()
    assert CaretakerAssignment.objects.filter(
        operator=ops[1], role=world["roles"][1], branch__code="WAW"
    ).exists()
    assert_in_step()
    _apply(("add", [0], 1, "deputy", 0, None, 0, None, "keep"), world)
    _apply(("absence", 0, 3, 4), world)
    assert Absence.objects.count() == 1
    stand_in = ("K0", ops[1].pk, ops[0].pk)
    assert _stand_ins() == [(*stand_in, day(3), day(7))]  # the deputy stands in for the main
    assert_in_step()
    _apply(("absence", 1, 5, 2), world)  # the deputy away too: nobody acts on days 5..7
    assert ActingGap.objects.filter(date_from=day(5), date_to=day(7)).exists()
    assert _stand_ins() == [(*stand_in, day(3), day(4))]
    assert_in_step()
    assert_acted_for_as_computed(world["chief"])
    _apply(("handover", 0, 2, 6), world)
    assert Handover.objects.count() == 1
    assert_in_step()
    _apply(("cancel", 0), world)
    assert Handover.objects.get().cancelled_at is not None
    assert_in_step()
    _apply(("absence_edit", 0, 10, 1), world)
    _apply(("absence_delete", 1), world)
    assert_in_step()
    assert_acted_for_as_computed(world["chief"])
    _apply(("absence", 0, 20, 2), world)
    assert _stand_ins()
    _apply(("drop", 0), world)  # the contractor's acting periods go with it
    assert not Contractor.objects.filter(code="K0").exists()
    assert not _stand_ins()
    assert_in_step()


def _stand_ins() -> list[tuple[str, int, int, date, date]]:
    return list(
        ActingPeriod.objects.order_by("contractor__code", "date_from").values_list(
            "contractor__code", "operator_id", "stands_in_for_id", "date_from", "date_to"
        )
    )


def test_a_new_contractor_has_nobody_on_every_day(default_role: CaretakerRole) -> None:
    contractor = Contractor.objects.create(code="RAW", name="Raw insert")  # not through the services
    assert list(
        UncoveredPeriod.objects.filter(contractor=contractor).values_list("date_from", "date_to")
    ) == [(SINCE_ALWAYS, UNTIL_FURTHER_NOTICE)]
    assert list(
        CoverageGap.objects.filter(contractor=contractor).values_list(  # type: ignore[comparison-overlap]
            "role_id", "branch_id", "date_from", "date_to"
        )
    ) == [(default_role.pk, None, SINCE_ALWAYS, UNTIL_FURTHER_NOTICE)]
    contractor.delete()
    assert not CoverageGap.objects.exists() and not UncoveredPeriod.objects.exists()


def test_rebuild_repairs_a_table_written_around_the_services(
    default_role: CaretakerRole, make_operator: Any, actor: Any
) -> None:
    contractor = Contractor.objects.create(code="A", name="A")
    CaretakerAssignment.objects.bulk_create(  # no signals, no writer
        [
            CaretakerAssignment(
                contractor=contractor, operator=make_operator(), type="main", role=default_role, date_from=D
            )
        ]
    )
    assert coverage_stored() != coverage_recompute()
    call_command("coverage-rebuild", verbosity=0)
    assert coverage_stored() == coverage_recompute()
    assert coverage_rebuild() == (1, 1)  # the days before D: one gap, one period without anybody


def test_the_database_refuses_a_gap_that_ends_before_it_starts(contractors_and_role: Any) -> None:
    contractor, role = contractors_and_role
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageGap.objects.create(contractor=contractor, role=role, date_from=day(5), date_to=day(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        UncoveredPeriod.objects.create(contractor=contractor, date_from=day(5), date_to=day(1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
def test_postgres_refuses_overlapping_gaps_of_one_scope(contractors_and_role: Any) -> None:
    contractor, role = contractors_and_role  # has the gap of all days already
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageGap.objects.create(contractor=contractor, role=role, date_from=day(1), date_to=day(3))
    with pytest.raises(IntegrityError), transaction.atomic():
        UncoveredPeriod.objects.create(contractor=contractor, date_from=day(1), date_to=day(3))


@pytest.fixture
def contractors_and_role(default_role: CaretakerRole) -> tuple[Contractor, CaretakerRole]:
    return Contractor.objects.create(code="C", name="C"), default_role


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deferred constraint triggers are PostgreSQL's")
def test_postgres_refuses_at_commit_an_assignment_written_around_the_writer(
    default_role: CaretakerRole, make_operator: Any
) -> None:
    contractor = Contractor.objects.create(code="X", name="X")  # one gap, all days
    operator = make_operator()
    with pytest.raises(IntegrityError, match="coverage_out_of_step"), transaction.atomic():
        CaretakerAssignment.objects.bulk_create(  # no writer, no signals
            [
                CaretakerAssignment(
                    contractor=contractor, operator=operator, type="main", role=default_role, date_from=D
                )
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does
    # Through the writer the same row is in step at commit.
    caretaker_add(actor=operator.user, contractor_ids=[contractor.pk], operator_id=operator.pk, date_from=D)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert coverage_stored() == coverage_recompute()


def test_the_gaps_follow_the_contractors_active_flag(default_role: CaretakerRole, actor: Any) -> None:
    contractor = Contractor.objects.create(code="ACT", name="Active", active=False)
    assert list(CoverageGap.objects.filter(contractor=contractor).values_list("active", flat=True)) == [False]
    Contractor.objects.filter(pk=contractor.pk).update(active=True)  # any path: a trigger keeps it
    assert list(CoverageGap.objects.filter(contractor=contractor).values_list("active", flat=True)) == [True]
    assert coverage_stored() == coverage_recompute()


def _rows() -> set[tuple[str, int]]:
    """Every derived row by table and primary key: a row deleted and inserted again
    gets a new key."""
    return {
        (model.__name__, pk)
        for model in (CoverageGap, UncoveredPeriod, ActingGap, ActingPeriod)
        for pk in model.objects.values_list("pk", flat=True)
    }


def test_a_write_rewrites_only_the_derived_rows_that_change(
    make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    world = _world(make_operator, default_role, actor)
    first, second = world["ops"][:2]
    ids = list(Contractor.objects.order_by("code").values_list("pk", flat=True))

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

    add(first, "main", 0, None, ids)
    before = _rows()
    # A deputy beside a main changes no gap: nothing of the derived tables is rewritten.
    add(second, "deputy", 2, 8, ids)
    assert _rows() == before
    assert_in_step()
    # A main ended for one contractor opens a gap there alone: the others' rows stay.
    untouched = {
        (model.__name__, pk)
        for model in (CoverageGap, UncoveredPeriod, ActingGap, ActingPeriod)
        for pk in model.objects.exclude(contractor_id=ids[0]).values_list("pk", flat=True)
    }
    main = CaretakerAssignment.objects.get(contractor_id=ids[0], operator=first)
    assignment_end(actor=actor, assignment_id=main.pk, date_to=day(4))
    after = _rows()
    assert untouched <= after
    assert after - before  # the new gap of the first contractor
    assert_in_step()
