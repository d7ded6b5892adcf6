"""The Operatorzy page's counts kept as steps (operators/workload_steps.py): after any
writes, through any path, the stored steps equal a recomputation from scratch, and the
counts they give equal the direct count over the day's assignments."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opiekun.audit import Reason
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services import (
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
)
from opiekun.caretakers.services.handover import handover_create
from opiekun.caretakers.services.handover_cancel import CancelRefused, handover_cancel
from opiekun.caretakers.services.writer import (
    AssignmentRow,
    AssignmentValues,
    ChangeSet,
    KnownRows,
    Update,
    write_changes,
)
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_delete
from opiekun.coverage.services import coverage_recompute
from opiekun.coverage.tables import coverage_stored
from opiekun.dates import today
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Visibility, WorkloadPairStep, WorkloadStep
from opiekun.operators.own_sets import workload_own_count
from opiekun.operators.workload import counted_directly, operator_workload
from opiekun.operators.workload_pairs import own_only_viewers, pair_steps_of, workload_pair_counts
from opiekun.operators.workload_pairs_rebuild import pair_steps_recompute, pair_steps_stored
from opiekun.operators.workload_rebuild import (
    workload_steps_rebuild,
    workload_steps_recompute,
    workload_steps_stored,
)
from opiekun.operators.workload_steps import merged, steps_of, workload_counts
from opiekun.operators.workload_write import first_changed_day
from opiekun.periods import Period
from tests.budgets import examples
from tests.imports import imported_by
from tests.own_only import own_only_operator

pytestmark = pytest.mark.django_db

D = date(2025, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def assert_in_step(days: list[date] | None = None) -> None:
    stored = workload_steps_stored()
    assert stored == workload_steps_recompute()
    assert 0 not in stored.values()
    pairs = pair_steps_stored()
    assert pairs == pair_steps_recompute()
    assert 0 not in pairs.values()
    everyone = Contractor.objects.all()
    viewers = own_only_viewers()
    assert {key[0] for key in pairs} <= viewers
    for d in days or [day(n) for n in (-1, 0, 3, 10, 17, 30, 44)]:
        assert workload_counts(on=d) == counted_directly(d, None, everyone), d
        for viewer in viewers:
            assert workload_pair_counts(viewer_id=viewer, on=d) == _shared(viewer, d), (viewer, d)
            assert workload_own_count(viewer_id=viewer, on=d) == len(_theirs(viewer, d)), (viewer, d)


def _theirs(viewer: int, on: date) -> set[int]:
    rows = CaretakerAssignment.objects.filter(operator_id=viewer).values_list(
        "contractor_id", "date_from", "date_to"
    )
    return {c for c, start, end in rows if start <= on and (end is None or on <= end)}


def _shared(viewer: int, on: date) -> dict[int, tuple[int, int]]:
    """Directly, in Python: per operator, the distinct contractors that ``viewer`` cares
    for on ``on`` (any type) and the operator cares for that day as main, and as deputy."""
    rows = list(
        CaretakerAssignment.objects.values_list(
            "contractor_id", "operator_id", "type", "date_from", "date_to"
        )
    )

    def on_day(start: date, end: date | None) -> bool:
        return start <= on and (end is None or on <= end)

    theirs = {c for c, o, _, s, e in rows if o == viewer and on_day(s, e)}
    counted: dict[int, tuple[set[int], set[int]]] = {}
    for c, o, kind, s, e in rows:
        if c in theirs and on_day(s, e):
            counted.setdefault(o, (set(), set()))[kind == "deputy"].add(c)
    return {o: (len(main), len(deputy)) for o, (main, deputy) in counted.items()}


def test_merged_periods_and_their_steps() -> None:
    assert merged(
        [(day(5), day(9)), (day(0), day(3)), (day(4), day(4)), (day(20), None), (day(22), day(30))]
    ) == [
        (day(0), day(9)),
        (day(20), None),
    ]
    rows = [
        (1, 7, "main", day(0), day(3)),
        (1, 7, "main", day(2), day(5)),  # overlaps: one contractor counts once
        (1, 7, "main", day(0), day(3)),  # a repeat changes nothing
        (2, 7, "main", day(4), None),
        (2, 7, "deputy", day(4), date.max),  # the last day there is: as good as open
    ]
    assert steps_of(rows) == {
        (7, "main", day(0)): 1,
        (7, "main", day(4)): 1,
        (7, "main", day(6)): -1,
        (7, "deputy", day(4)): 1,
    }


def test_pair_steps_are_the_days_both_operators_care() -> None:
    rows = [
        (1, 7, "main", day(0), day(9)),
        (1, 8, "deputy", day(5), day(20)),  # 8 with 7: days 5..9
        (1, 8, "main", day(12), None),  # 8 any type: days 5..open, one period
        (2, 7, "deputy", day(0), None),
        (2, 7, "main", day(3), day(4)),  # 7 any type on 2: days 0..open
        (2, 8, "main", day(10), date.max),  # the last day there is: as good as open
    ]
    assert pair_steps_of(rows, {7, 8}) == {
        # 7 sees itself: contractor 1 as main 0..9, contractor 2 as deputy from 0, main 3..4
        (7, 7, "main", day(0)): 1,
        (7, 7, "main", day(3)): 1,
        (7, 7, "main", day(5)): -1,
        (7, 7, "main", day(10)): -1,
        (7, 7, "deputy", day(0)): 1,
        # 7 sees 8: contractor 1 (7 until 9) with 8 deputy from 5; contractor 2 with 8 main from 10
        (7, 8, "deputy", day(5)): 1,
        (7, 8, "deputy", day(10)): -1,
        (7, 8, "main", day(10)): 1,
        # 8 sees 7: contractor 1 on 5..9 (7 main); contractor 2 from 10 (7 deputy)
        (8, 7, "main", day(5)): 1,
        (8, 7, "main", day(10)): -1,
        (8, 7, "deputy", day(10)): 1,
        # 8 sees itself: contractor 1 deputy 5..20, main from 12; contractor 2 main from 10
        (8, 8, "deputy", day(5)): 1,
        (8, 8, "deputy", day(21)): -1,
        (8, 8, "main", day(10)): 1,
        (8, 8, "main", day(12)): 1,
        # each viewer's own contractors, of any type: 7 has 1 on 0..9 and 2 from 0; 8 has 1 from 5, 2 from 10
        (7, 7, "any", day(0)): 2,
        (7, 7, "any", day(10)): -1,
        (8, 8, "any", day(5)): 1,
        (8, 8, "any", day(10)): 1,
    }


# --- random writes through every path ---------------------------------------------------

add_op = st.tuples(
    st.just("add"),
    st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),  # contractors
    st.integers(0, 2),  # operator
    st.sampled_from(["main", "deputy"]),
    st.integers(0, 1),  # role: default or legal
    st.booleans(),  # in the branch
    st.integers(0, 30),  # start
    st.one_of(st.none(), st.integers(0, 12)),  # length
    st.sampled_from(["keep", "replace"]),
)
edit_op = st.tuples(
    st.just("edit"), st.integers(0, 20), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 12))
)
move_op = st.tuples(
    st.just("move"), st.integers(0, 20), st.integers(0, 2), st.sampled_from(["main", "deputy"])
)
end_op = st.tuples(st.just("end"), st.integers(0, 20), st.integers(0, 30))
delete_op = st.tuples(st.just("delete"), st.integers(0, 20))
drop_op = st.tuples(st.just("drop"), st.integers(0, 3))
handover_op = st.tuples(st.just("handover"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 30))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 3))
# Around the services: single-row ORM writes and ORM deletions (the signals' path).
orm_create_op = st.tuples(
    st.just("orm_create"),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from(["main", "deputy"]),
    st.integers(0, 30),
    st.one_of(st.none(), st.integers(0, 12)),
)
orm_save_op = st.tuples(st.just("orm_save"), st.integers(0, 20), st.integers(0, 30), st.integers(0, 12))
orm_delete_op = st.tuples(st.just("orm_delete"), st.integers(0, 20))
orm_drop_op = st.tuples(st.just("orm_drop"), st.integers(0, 3))
orm_queryset_delete_op = st.tuples(st.just("orm_queryset_delete"), st.integers(0, 2))
flip_op = st.tuples(st.just("flip"), st.integers(0, 2))  # an operator's visibility changed
operations = st.lists(
    st.one_of(
        add_op,
        add_op,
        add_op,
        edit_op,
        move_op,
        end_op,
        delete_op,
        drop_op,
        handover_op,
        cancel_op,
        orm_create_op,
        orm_save_op,
        orm_delete_op,
        orm_drop_op,
        orm_queryset_delete_op,
        flip_op,
    ),
    min_size=1,
    max_size=10,
)


def _world(make_operator: Any, default_role: CaretakerRole, actor: Any) -> dict[str, Any]:
    world = {
        "actor": actor,
        # ops[1] sees only their own contractors: their pair steps are kept.
        "ops": [make_operator(visibility=v) for v in (Visibility.ALL, Visibility.OWN, Visibility.ALL)],
        "roles": [default_role, CaretakerRole.objects.create(name="Prawny")],
        "branch": Branch.objects.create(code="WAW", name="Warszawa"),
    }
    for i in range(4):  # without a caretaker (the service would make their creator one)
        Contractor.objects.create(code=f"K{i}", name=f"Firma {i}")
    return world


def _apply(op: tuple[Any, ...], world: dict[str, Any]) -> None:
    actor, ops, roles = world["actor"], world["ops"], world["roles"]
    contractors = list(Contractor.objects.order_by("pk"))
    rows = list(CaretakerAssignment.objects.order_by("pk"))
    kind = op[0]
    row = (
        rows[op[1] % len(rows)]
        if rows and kind in ("edit", "move", "end", "delete", "orm_save", "orm_delete")
        else None
    )
    try:
        if kind == "add":
            _, picks, who, type_, role, in_branch, start, length, policy = op
            ids = [contractors[i].pk for i in picks if i < len(contractors)]
            if ids:
                caretaker_add(
                    actor=actor,
                    contractor_ids=ids,
                    operator_id=ops[who].pk,
                    date_from=day(start),
                    date_to=None if length is None else day(start + length),
                    on_overlap=policy,
                    type=type_,
                    role_id=roles[role].pk,
                    branch_id=world["branch"].pk if in_branch else None,
                )
        elif kind == "edit" and row:
            assignment_update(
                actor=actor,
                assignment_id=row.pk,
                date_from=day(op[2]),
                date_to=None if op[3] is None else day(op[2] + op[3]),
            )
        elif kind == "move" and row:
            assignment_update(actor=actor, assignment_id=row.pk, operator_id=ops[op[2]].pk, type=op[3])
        elif kind == "end" and row:
            assignment_end(actor=actor, assignment_id=row.pk, date_to=max(row.date_from, day(op[2])))
        elif kind == "delete" and row:
            assignment_delete(actor=actor, assignment_id=row.pk)
        elif kind == "drop" and contractors:
            contractor_delete(actor=actor, contractor_id=contractors[op[1] % len(contractors)].pk)
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
        elif kind == "cancel":
            handovers = list(Handover.objects.order_by("pk"))
            if handovers:
                handover_cancel(actor=actor, handover_id=handovers[op[1] % len(handovers)].pk)
        elif kind == "orm_create" and contractors:
            _, pick, who, type_, start, length = op
            with transaction.atomic():  # the invariants may refuse it
                CaretakerAssignment.objects.create(
                    contractor=contractors[pick % len(contractors)],
                    operator=ops[who],
                    type=type_,
                    role=roles[1],  # a scope of its own: rarely refused
                    date_from=day(start),
                    date_to=None if length is None else day(start + length),
                )
        elif kind == "orm_save" and row:
            row.date_from, row.date_to = day(op[2]), day(op[2] + op[3])
            with transaction.atomic():
                row.save()
        elif kind == "orm_delete" and row:
            row.delete()
        elif kind == "orm_drop" and contractors:
            contractors[op[1] % len(contractors)].delete()  # cascades to its assignments
        elif kind == "orm_queryset_delete":
            CaretakerAssignment.objects.filter(operator=ops[op[1]]).delete()
        elif kind == "flip":
            operator = ops[op[1]]
            operator.visibility = Visibility.ALL if operator.visibility == Visibility.OWN else Visibility.OWN
            operator.save()
    except (ValidationError, CancelRefused):
        pass  # a refused write writes nothing; the steps must still be right
    except (IntegrityError, ProtectedError):  # the database refused an ORM write: nothing written
        if not kind.startswith("orm_"):
            raise


@settings(
    max_examples=examples(0.4),  # each example runs a sequence of writes on the database
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops_list=operations, days=st.lists(st.integers(-3, 50), min_size=1, max_size=4))
def test_steps_give_the_direct_counts_after_any_writes(
    ops_list: list[tuple[Any, ...]],
    days: list[int],
    make_operator: Any,
    default_role: CaretakerRole,
    actor: Any,
) -> None:
    with transaction.atomic():
        world = _world(make_operator, default_role, actor)
        for op in ops_list:
            _apply(op, world)
            assert_in_step([day(n) for n in days])
        transaction.set_rollback(True)


# --- each path, one by one (each fails without its hook) --------------------------------


@pytest.fixture
def world(make_operator: Any, default_role: CaretakerRole, actor: Any) -> dict[str, Any]:
    return _world(make_operator, default_role, actor)


def test_the_writer_keeps_the_steps(world: dict[str, Any]) -> None:
    ops = world["ops"]
    _apply(("add", [0, 1, 2], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("add", [1], 1, "deputy", 1, True, 5, 10, "keep"), world)
    assert workload_steps_stored() == {
        (ops[0].pk, "main", D): 3,
        (ops[1].pk, "deputy", day(5)): 1,
        (ops[1].pk, "deputy", day(16)): -1,
    }
    _apply(("handover", 0, 2, 10), world)  # ops[0]'s mains end on day 9, ops[2]'s start on day 10
    assert workload_counts(on=day(12)) == {ops[1].pk: (0, 1), ops[2].pk: (3, 0)}
    _apply(("cancel", 0), world)
    assert workload_counts(on=day(12)) == {ops[0].pk: (3, 0), ops[1].pk: (0, 1)}
    assert_in_step()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the upsert answering its zeroes is PostgreSQL's"
)
def test_the_steps_are_deleted_only_where_a_write_zeroes_them(world: dict[str, Any]) -> None:
    """The upsert answers the steps it zeroed: a write that zeroes none sends no
    deletion of steps; one that does deletes those steps alone."""
    ops = world["ops"]
    table = WorkloadStep._meta.db_table
    _apply(("add", [0, 1, 2], 0, "main", 0, False, 0, None, "replace"), world)
    with CaptureQueriesContext(connection) as queries:
        _apply(("add", [0, 1, 2], 1, "deputy", 0, False, 5, 10, "keep"), world)
    assert [q["sql"] for q in queries.captured_queries if f"DELETE FROM {table}" in q["sql"]] == []
    assert workload_steps_stored()[(ops[1].pk, "deputy", day(5))] == 3
    for row in CaretakerAssignment.objects.filter(operator=ops[1]):  # the deputy's steps reach zero
        assignment_delete(actor=world["actor"], assignment_id=row.pk)
    assert not [key for key in workload_steps_stored() if key[0] == ops[1].pk]
    assert_in_step()


def test_a_contractor_in_two_scopes_counts_once(world: dict[str, Any]) -> None:
    ops = world["ops"]
    _apply(("add", [0], 0, "main", 0, False, 0, 9, "keep"), world)  # day 0..9
    _apply(("add", [0], 0, "main", 1, False, 5, 20, "keep"), world)  # another role, day 5..25
    assert workload_steps_stored() == {(ops[0].pk, "main", D): 1, (ops[0].pk, "main", day(26)): -1}
    first = CaretakerAssignment.objects.get(role=world["roles"][0])
    assignment_delete(actor=world["actor"], assignment_id=first.pk)
    assert workload_steps_stored() == {(ops[0].pk, "main", day(5)): 1, (ops[0].pk, "main", day(26)): -1}
    assert_in_step()


def test_deleting_a_contractor_through_the_service_keeps_the_steps(world: dict[str, Any]) -> None:
    _apply(("add", [0, 1], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("drop", 0), world)
    assert workload_counts(on=day(3)) == {world["ops"][0].pk: (1, 0)}
    assert_in_step()


def test_single_row_orm_writes_keep_the_steps(world: dict[str, Any]) -> None:
    ops = world["ops"]
    _apply(("orm_create", 0, 0, "main", 0, None), world)
    assert workload_counts(on=day(3)) == {ops[0].pk: (1, 0)}
    _apply(("orm_save", 0, 2, 3), world)
    assert workload_steps_stored() == {(ops[0].pk, "main", day(2)): 1, (ops[0].pk, "main", day(6)): -1}
    _apply(("orm_delete", 0), world)
    assert workload_steps_stored() == {}


def test_an_orm_deletion_of_a_contractor_cascades_into_the_steps(world: dict[str, Any]) -> None:
    """Its assignments go in one statement before their signals: two that overlap
    still count once."""
    ops = world["ops"]
    _apply(("add", [0, 1], 0, "main", 0, False, 0, 9, "keep"), world)
    _apply(("add", [0], 0, "main", 1, False, 5, 20, "keep"), world)
    Contractor.objects.order_by("pk").first().delete()  # type: ignore[union-attr]
    assert workload_steps_stored() == {(ops[0].pk, "main", D): 1, (ops[0].pk, "main", day(10)): -1}
    _apply(("orm_queryset_delete", 0), world)
    assert workload_steps_stored() == {}


def test_the_rebuild_repairs_a_write_around_the_services(
    world: dict[str, Any], coverage_rebuilt_after: None
) -> None:
    """Raw SQL, ``bulk_create`` and ``update()`` send no signals: the rebuild (in the
    database, `rebuild_statements`) gives what the Python recomputation gives."""
    ops, roles = world["ops"], world["roles"]
    contractors = list(Contractor.objects.order_by("pk"))
    rows: list[tuple[int, int, str, int, int, int | str | None]] = [
        (0, 0, "main", 0, 0, 9),
        (0, 0, "main", 1, 10, 12),  # touches the one before: one period
        (0, 0, "main", 2, 8, 9),  # inside it
        (1, 0, "main", 0, 3, None),
        (1, 0, "main", 1, 5, 8),  # inside an open one
        (2, 1, "deputy", 0, 0, 3),
        (2, 1, "deputy", 1, 6, 7),  # a day apart: two periods
        (3, 2, "deputy", 0, 0, "max"),
    ]
    for i, (c, o, type_, r, start, end) in enumerate(rows):
        role = CaretakerRole.objects.create(name=f"Rola {i}") if r == 2 else roles[r]
        CaretakerAssignment.objects.bulk_create(
            [
                CaretakerAssignment(
                    contractor=contractors[c],
                    operator=ops[o],
                    type=type_,
                    role=role,
                    date_from=day(start),
                    date_to=date.max if isinstance(end, str) else None if end is None else day(end),
                )
            ]
        )
    assert workload_steps_stored() == {}
    assert workload_steps_rebuild() == len(workload_steps_recompute()) == 8
    assert_in_step()
    CaretakerAssignment.objects.update(date_from=day(1))
    call_command("workload-rebuild", verbosity=0)  # `opiekun workload-rebuild`
    assert_in_step()


def test_the_migration_builds_the_steps_from_the_assignments(
    transactional_db: Any, make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    world = _world(make_operator, default_role, actor)
    _apply(("add", [0, 1, 2], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("add", [1, 3], 1, "deputy", 1, False, 4, 6, "keep"), world)
    expected = workload_steps_recompute()
    before, after = [("operators", "0004_operator_language")], [("operators", "0005_workload_steps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert workload_steps_stored() == expected != {}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert WorkloadStep.objects.exists()


def test_the_migration_builds_the_pair_steps_from_the_assignments(
    transactional_db: Any, make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    world = _world(make_operator, default_role, actor)
    _apply(("add", [0, 1, 2], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("add", [1, 3], 1, "deputy", 1, False, 4, 6, "keep"), world)
    _apply(("add", [1], 2, "deputy", 0, True, 2, None, "keep"), world)
    expected = pair_steps_recompute()
    before, after = [("operators", "0005_workload_steps")], [("operators", "0006_workload_pair_steps")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert pair_steps_stored() == expected != {}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert WorkloadPairStep.objects.exists()


# --- a viewer who sees only some contractors: counted directly, over those -------------


def _oracle(viewer_operator: Any, on: date) -> dict[int, tuple[int, int]]:
    """Day by day in Python: the contractors an own-only operator sees (theirs today,
    and those with nobody today: they may see them read-only), counted per operator."""
    rows = list(
        CaretakerAssignment.objects.values_list(
            *("contractor_id", "operator_id", "type", "date_from", "date_to")
        )
    )

    def on_day(start: date, end: date | None, d: date) -> bool:
        return start <= d and (end is None or d <= end)

    now = today()
    anyone = {c for c, _, _, s, e in rows if on_day(s, e, now)}
    theirs = {c for c, o, _, s, e in rows if o == viewer_operator.pk and on_day(s, e, now)}
    seen = theirs | (set(Contractor.objects.values_list("pk", flat=True)) - anyone)
    counted: dict[int, tuple[set[int], set[int]]] = {}
    for c, o, kind, s, e in rows:
        if c in seen and on_day(s, e, on):
            counted.setdefault(o, (set(), set()))[kind == "deputy"].add(c)
    return {o: (len(main), len(deputy)) for o, (main, deputy) in counted.items()}


def test_an_own_only_viewer_counts_their_visible_contractors_on_any_day(
    world: dict[str, Any], make_operator: Any
) -> None:
    ops, actor = world["ops"], world["actor"]
    own = own_only_operator(make_operator, "own")
    a, b, c, d = (x.pk for x in Contractor.objects.order_by("pk"))
    now = today()
    # a: own's deputy today, ops[0] main; b: ops[0] main until yesterday (nobody today);
    # c: ops[1] main today (hidden from own); d: ops[2] deputy from tomorrow (nobody today).
    caretaker_add(
        actor=actor,
        contractor_ids=[a, b],
        operator_id=ops[0].pk,
        date_from=now - timedelta(days=5),
        on_overlap="replace",
    )
    assignment_end(
        actor=actor,
        assignment_id=CaretakerAssignment.objects.get(contractor_id=b).pk,
        date_to=now - timedelta(days=1),
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[a],
        operator_id=own.pk,
        date_from=now,
        on_overlap="replace",
        type="deputy",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[c],
        operator_id=ops[1].pk,
        date_from=now - timedelta(days=5),
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[d],
        operator_id=ops[2].pk,
        date_from=now + timedelta(days=1),
        on_overlap="replace",
        type="deputy",
    )
    for shift in (-2, -1, 0, 1):
        on = now + timedelta(days=shift)
        counts = {w.operator.pk: (w.main, w.deputy) for w in operator_workload(viewer=own.user, on=on)}
        assert {o: n for o, n in counts.items() if n != (0, 0)} == _oracle(own, on), shift
    yesterday = {
        w.operator.pk: (w.main, w.deputy)
        for w in operator_workload(viewer=own.user, on=now - timedelta(days=1))
    }
    assert yesterday[ops[0].pk] == (2, 0)  # a, and b, which has nobody today
    assert yesterday[ops[1].pk] == (0, 0)  # c is not own's
    tomorrow = {
        w.operator.pk: (w.main, w.deputy)
        for w in operator_workload(viewer=own.user, on=now + timedelta(days=1))
    }
    assert tomorrow[ops[2].pk] == (0, 1)


def test_an_own_only_viewer_today_reads_the_pair_steps_not_the_assignments(
    world: dict[str, Any], make_operator: Any
) -> None:
    ops, actor = world["ops"], world["actor"]
    own = own_only_operator(make_operator, "own")
    a, b, c, _ = (x.pk for x in Contractor.objects.order_by("pk"))
    now = today()
    for contractor, operator, kind in ((a, own, "main"), (a, ops[0], "deputy"), (b, own, "deputy")):
        caretaker_add(
            actor=actor,
            contractor_ids=[contractor],
            operator_id=operator.pk,
            date_from=now - timedelta(days=3),
            on_overlap="keep",
            type=kind,
        )
    for contractor, operator in ((b, ops[1]), (c, ops[2])):
        caretaker_add(
            actor=actor,
            contractor_ids=[contractor],
            operator_id=operator.pk,
            date_from=now,
            on_overlap="keep",
        )
    with CaptureQueriesContext(connection) as queries:
        counts = {w.operator.pk: (w.main, w.deputy) for w in operator_workload(viewer=own.user)}
    assert (
        {o: n for o, n in counts.items() if n != (0, 0)}
        == _oracle(own, now)
        == {
            own.pk: (1, 1),
            ops[0].pk: (0, 1),
            ops[1].pk: (1, 0),
        }
    )
    table = CaretakerAssignment._meta.db_table
    assert [q["sql"] for q in queries.captured_queries if table in q["sql"]] == []


def test_a_change_of_visibility_builds_or_drops_the_pair_steps(world: dict[str, Any]) -> None:
    ops = world["ops"]
    _apply(("add", [0, 1], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("add", [1], 2, "deputy", 0, False, 3, 10, "keep"), world)
    assert pair_steps_stored() == {}  # ops[1], the own-only one, cares for nobody
    ops[2].visibility = Visibility.OWN
    ops[2].save()
    assert pair_steps_stored() == {
        (ops[2].pk, ops[0].pk, "main", day(3)): 1,
        (ops[2].pk, ops[0].pk, "main", day(14)): -1,
        (ops[2].pk, ops[2].pk, "deputy", day(3)): 1,
        (ops[2].pk, ops[2].pk, "deputy", day(14)): -1,
        (ops[2].pk, ops[2].pk, "any", day(3)): 1,
        (ops[2].pk, ops[2].pk, "any", day(14)): -1,
    }
    assert_in_step()
    ops[2].visibility = Visibility.ALL
    ops[2].save()
    assert pair_steps_stored() == {}
    assert_in_step()


def test_the_own_only_list_counts_their_contractors_from_the_pair_steps(
    world: dict[str, Any], make_operator: Any
) -> None:
    """The list's count of an own-only operator: their contractors of today from the
    steps, those with nobody today from the uncovered periods; no assignment read."""
    ops, actor = world["ops"], world["actor"]
    own = own_only_operator(make_operator, "own")
    a, b, c, d = (x.pk for x in Contractor.objects.order_by("pk"))
    now = today()
    for contractor, kind, start, end in ((a, "main", -3, None), (a, "deputy", -1, 2), (b, "deputy", 1, None)):
        caretaker_add(
            actor=actor,
            contractor_ids=[contractor],
            operator_id=own.pk,
            date_from=now + timedelta(days=start),
            date_to=None if end is None else now + timedelta(days=end),
            on_overlap="keep",
            type=kind,
            role_id=world["roles"][0 if kind == "main" else 1].pk,
        )
    caretaker_add(actor=actor, contractor_ids=[c], operator_id=ops[0].pk, date_from=now, on_overlap="keep")
    visible = visible_contractors(viewer=own.user)
    with CaptureQueriesContext(connection) as queries:
        assert visible.count() == 3  # a (theirs), b (theirs from tomorrow: nobody today), d (nobody)
    assert set(visible.values_list("pk", flat=True)) == {a, b, d}
    table = CaretakerAssignment._meta.db_table
    assert [q["sql"] for q in queries.captured_queries if table in q["sql"]] == []


# --- rows the caller has read, instead of the steps' own read ---------------------------

known_change = st.tuples(
    st.lists(st.integers(0, 20), max_size=3, unique=True),  # rows deleted, by position
    st.lists(  # rows updated: position, new start, length
        st.tuples(st.integers(0, 20), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 12))),
        max_size=3,
    ),
    st.lists(  # rows inserted: contractor, operator, type, role, start, length
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 2),
            st.sampled_from(["main", "deputy"]),
            st.integers(0, 1),
            st.integers(0, 30),
            st.one_of(st.none(), st.integers(0, 12)),
        ),
        max_size=3,
    ),
    st.integers(-2, 34),  # the day from which the caller read every row
    st.booleans(),  # the caller read every contractor's rows (else every other one's)
)


@settings(
    max_examples=examples(0.6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(setup=st.lists(add_op, min_size=1, max_size=6), change=known_change)
def test_rows_known_to_the_writer_give_what_the_steps_own_read_gives(
    setup: list[tuple[Any, ...]],
    change: tuple[Any, ...],
    make_operator: Any,
    default_role: CaretakerRole,
    actor: Any,
) -> None:
    """`write_changes(known=…)`: any change set (the invariants refuse some: nothing is
    written then), with every row of some contractors in force on a day or later known
    to the caller: the steps and the pair steps are as a rebuild gives them, whether
    the changed days start before that day (those contractors' rows are read) or not."""
    *_, since_n, everyone = change
    with transaction.atomic():
        rows, contractors, changes = _set_up_change(setup, change, make_operator, default_role, actor)
        since = day(since_n)
        covered = contractors if everyone else contractors[::2]
        known = KnownRows(
            [r for r in rows if r.contractor_id in covered and (r.date_to is None or r.date_to >= since)],
            covered,
            since,
        )
        with suppress(ValidationError):  # refused by the invariants: nothing written, the steps included
            write_changes(actor=actor, changes=changes, reason=Reason.ASSIGNMENT_UPDATE, known=known)
        assert_in_step()
        transaction.set_rollback(True)


def _set_up_change(
    setup: list[tuple[Any, ...]],
    change: tuple[Any, ...],
    make_operator: Any,
    default_role: CaretakerRole,
    actor: Any,
) -> tuple[list[AssignmentRow], list[int], ChangeSet]:
    """The set-up of the two tests of a `known_change` (inside their transaction): the
    world after the ``setup`` writes, and its stored rows, its contractors' ids and the
    change set ``change`` makes of them (written by neither: the tests write it)."""
    deleted, updated, inserted, _, _ = change
    world = _world(make_operator, default_role, actor)
    for op in setup:
        _apply(op, world)
    rows = _loaded()
    contractors = list(Contractor.objects.order_by("pk").values_list("pk", flat=True))
    return rows, contractors, _change_set(world, rows, contractors, deleted, updated, inserted)


def _change_set(
    world: dict[str, Any],
    rows: list[AssignmentRow],
    contractors: list[int],
    deleted: list[int],
    updated: list[tuple[int, int, int | None]],
    inserted: list[tuple[int, int, str, int, int, int | None]],
) -> ChangeSet:
    ops, roles = world["ops"], world["roles"]
    changes = ChangeSet()
    if rows:
        gone = {i % len(rows) for i in deleted}
        changes.deletes.extend(rows[i] for i in sorted(gone))
        moved: set[int] = set()
        for position, start, length in updated:
            i = position % len(rows)
            if i in gone or i in moved:
                continue
            moved.add(i)
            period = Period(day(start), None if length is None else day(start + length))
            changes.updates.append(Update(rows[i], AssignmentValues.of(rows[i]).with_period(period)))
    for c, o, kind, role, start, length in inserted:
        changes.inserts.append(
            AssignmentValues(
                contractors[c],
                ops[o].pk,
                AssignmentType(kind),
                roles[role].pk,
                None,
                Period(day(start), None if length is None else day(start + length)),
            )
        )
    return changes


@settings(
    max_examples=examples(0.6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(setup=st.lists(add_op, min_size=1, max_size=6), change=known_change)
def test_one_read_gives_the_steps_and_the_coverage_of_any_change_set(
    setup: list[tuple[Any, ...]],
    change: tuple[Any, ...],
    make_operator: Any,
    default_role: CaretakerRole,
    actor: Any,
) -> None:
    """`write_changes` without rows of the caller: any change set (deletes, updates,
    inserts over several contractors, operators, types and roles; the invariants refuse
    some) leaves the steps, the pair steps and the coverage tables as a rebuild gives
    them, all three from one read of the touched contractors' rows: before the writes
    for the steps, those rows with the change set as written for the coverage
    (`caretakers.services.stored_rows`)."""
    with transaction.atomic():
        *_, changes = _set_up_change(setup, change, make_operator, default_role, actor)
        with suppress(ValidationError):  # refused by the invariants: nothing written
            write_changes(actor=actor, changes=changes, reason=Reason.ASSIGNMENT_UPDATE)
        assert_in_step()
        assert coverage_stored() == coverage_recompute()
        transaction.set_rollback(True)


def test_a_write_reads_its_contractors_rows_once(world: dict[str, Any]) -> None:
    """The coverage refresh and the steps (an own-only operator among the writes: the
    pair steps too) take the touched contractors' rows from one read before the
    writes; neither reads them on its own."""
    _apply(("add", [0, 1], 0, "main", 0, False, 0, 20, "replace"), world)
    _apply(("add", [0, 1, 2], 1, "deputy", 0, False, 2, 10, "keep"), world)
    rows = _loaded()
    changes = ChangeSet(
        deletes=[r for r in rows if r.type == "deputy"][:1],
        updates=[Update(rows[0], AssignmentValues.of(rows[0]).with_period(Period(day(0), day(30))))],
        inserts=[_insert(world, 2, 1, 0, 9), _insert(world, 3, 1, 4, 9)],
    )
    table = CaretakerAssignment._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        write_changes(actor=world["actor"], changes=changes, reason="t")
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert "priority" in reads[0]  # the shared read (`stored_rows`), not one of the steps' own
    assert_in_step()
    assert coverage_stored() == coverage_recompute()


def _insert(world: dict[str, Any], contractor: int, role: int, start: int, end: int) -> AssignmentValues:
    pk = Contractor.objects.order_by("pk").values_list("pk", flat=True)[contractor]
    own = world["ops"][1].pk  # the own-only operator: the pair steps count too
    return AssignmentValues(
        pk, own, AssignmentType.MAIN, world["roles"][role].pk, None, Period(day(start), day(end))
    )


def _loaded() -> list[AssignmentRow]:
    return [
        AssignmentRow(*values)
        for values in CaretakerAssignment.objects.order_by("pk").values_list(*AssignmentRow.LOADED)
    ]


def test_known_rows_do_not_serve_a_contractor_changed_before_their_day(world: dict[str, Any]) -> None:
    """A row added over a stored one (another scope) that ended before the day the
    caller read from: the contractor's rows are read (the known ones lack the stored row)."""
    write_changes(actor=world["actor"], changes=ChangeSet(inserts=[_insert(world, 0, 0, 0, 7)]), reason="t")
    rows = _loaded()
    known = KnownRows([], [rows[0].contractor_id], day(8))  # every row reaching day 8: none
    changes = ChangeSet(inserts=[_insert(world, 0, 1, 6, 10)])
    write_changes(actor=world["actor"], changes=changes, reason="t", known=known)
    assert_in_step()


def test_known_rows_take_away_a_removed_row_ended_before_their_day(world: dict[str, Any]) -> None:
    """A row ended before the day the caller read from, replaced by two that cover its
    days (no day changes): nothing is read, and the steps do not move."""
    write_changes(actor=world["actor"], changes=ChangeSet(inserts=[_insert(world, 0, 0, 0, 5)]), reason="t")
    rows = _loaded()
    known = KnownRows([], [rows[0].contractor_id], day(8))
    changes = ChangeSet(deletes=rows, inserts=[_insert(world, 0, 0, 0, 2), _insert(world, 0, 1, 3, 5)])
    before = (workload_steps_stored(), pair_steps_stored())
    write_changes(actor=world["actor"], changes=changes, reason="t", known=known)
    assert (workload_steps_stored(), pair_steps_stored()) == before != ({}, {})
    assert_in_step()


def test_the_first_changed_day_of_a_triple() -> None:
    assert first_changed_day([], [(day(3), None)]) == day(3)
    assert first_changed_day([(day(1), day(9))], []) == day(1)
    assert first_changed_day([(day(1), None)], [(day(1), day(4))]) == day(5)  # cut short
    assert first_changed_day([(day(1), day(9))], [(day(1), day(4)), (day(5), day(9))]) is None
    assert first_changed_day([(day(1), day(9))], [(day(0), day(9))]) == day(0)
    assert first_changed_day([], []) is None


def test_a_handover_takes_the_rows_it_has_read_for_the_steps(world: dict[str, Any]) -> None:
    """The handover has read every row of its contractors reaching D - 1 or later: the
    steps read no assignment of their own, and are right."""
    _apply(("add", [0, 1, 2], 0, "main", 0, False, 0, None, "replace"), world)
    _apply(("add", [0, 1], 1, "deputy", 1, False, 2, 20, "keep"), world)
    with CaptureQueriesContext(connection) as queries:
        _apply(("handover", 0, 1, 10), world)
    assert Handover.objects.count() == 1
    steps_reads = [
        q["sql"]
        for q in queries.captured_queries
        if "SELECT contractor_id, operator_id, type, date_from" in q["sql"]
        or "a.contractor_id, a.operator_id, a.type" in q["sql"]
    ]
    assert steps_reads == []
    assert_in_step()


@pytest.mark.parametrize("name", ["0005_workload_steps", "0006_workload_pair_steps"])
def test_the_steps_migrations_carry_their_own_copy_of_the_rebuild(name: str) -> None:
    """They import no module of Opiekun: a later change of the rebuild
    (`workload_rebuild`, `workload_pairs_rebuild`) cannot change what they write (the
    migration tests above check that what they write is the steps)."""
    imported = imported_by(f"opiekun.operators.migrations.{name}")
    assert imported and not [name for name in imported if name.startswith("opiekun")]
