"""The commit-time check of assignments written around the writer (PostgreSQL's
deferred constraint triggers, coverage/migrations/0004_in_step_checks_fewer_rows.py):
what it refuses, what it lets through, that a shortening update queues no check, and
that the writer's own rows queue none (coverage/migrations/0006) while every write
around it, before or after it in the same transaction, is still checked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.services import caretaker_add, writer
from opiekun.caretakers.services.writer import AssignmentValues, ChangeSet, write_changes
from opiekun.contractors.models import Contractor
from opiekun.coverage.services import coverage_recompute, coverage_stored
from opiekun.coverage.writer_rows import SETTING
from opiekun.periods import Period

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="deferred constraint triggers are PostgreSQL's"
)

D = date(2025, 3, 1)


def _commit_checks() -> None:
    """Run the checks queued so far, as COMMIT does; later ones are deferred again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _around_the_writer(**values: Any) -> CaretakerAssignment:
    [row] = CaretakerAssignment.objects.bulk_create([CaretakerAssignment(**values)])  # no writer
    return row


@pytest.fixture
def covered_from_d(default_role: CaretakerRole, make_operator: Any) -> tuple[Contractor, Any, Any]:
    """A contractor whose main caretaker (through the writer) starts on D: before D it
    is recorded as without any caretaker and as a gap of the default role."""
    contractor = Contractor.objects.create(code="X", name="X")
    main, other = make_operator(), make_operator()
    caretaker_add(actor=main.user, contractor_ids=[contractor.pk], operator_id=main.pk, date_from=D)
    _commit_checks()
    return contractor, main, other


def test_a_row_inserted_on_recorded_days_is_refused_even_when_shortened_later(
    covered_from_d: tuple[Contractor, Any, Any], default_role: CaretakerRole
) -> None:
    contractor, _main, other = covered_from_d
    with pytest.raises(IntegrityError, match="coverage_out_of_step"), transaction.atomic():
        row = _around_the_writer(
            contractor=contractor,
            operator=other,
            type="deputy",
            role=default_role,
            date_from=D - timedelta(days=10),
        )
        # Shortened, still on days without any caretaker: the update queues no check
        # of its own, the insert's check judges the row as it now is.
        CaretakerAssignment.objects.filter(pk=row.pk).update(date_from=D - timedelta(days=5))
        _commit_checks()


def test_a_row_inserted_on_recorded_days_and_shortened_off_them_is_accepted(
    covered_from_d: tuple[Contractor, Any, Any], default_role: CaretakerRole
) -> None:
    contractor, _main, other = covered_from_d
    row = _around_the_writer(
        contractor=contractor,
        operator=other,
        type="deputy",
        role=default_role,
        date_from=D - timedelta(days=10),
    )
    CaretakerAssignment.objects.filter(pk=row.pk).update(date_from=D)  # now only on covered days
    _commit_checks()  # nothing refused: the row as it finally is lies beside the main
    assert CaretakerAssignment.objects.filter(pk=row.pk, date_from=D).exists()


def test_an_update_that_brings_a_row_onto_recorded_days_is_refused(
    covered_from_d: tuple[Contractor, Any, Any],
) -> None:
    contractor, main, _other = covered_from_d
    with pytest.raises(IntegrityError, match="coverage_out_of_step"), transaction.atomic():
        # The main reaches back into its own recorded gap, around the writer.
        CaretakerAssignment.objects.filter(contractor=contractor, operator=main).update(
            date_from=D - timedelta(days=3)
        )
        _commit_checks()


def _deputy_refused_on_a_day_without_caretaker(
    contractor: Contractor, operator: Any, role: CaretakerRole
) -> None:
    """A deputy written around the writer on D - 1, a day recorded as without any
    caretaker: refused at commit, named as such."""
    with pytest.raises(IntegrityError, match="recorded as without any caretaker"), transaction.atomic():
        _around_the_writer(
            contractor=contractor,
            operator=operator,
            type="deputy",
            role=role,
            date_from=D - timedelta(days=1),
        )
        _commit_checks()


def test_a_deputy_on_days_without_any_caretaker_is_named_as_such(
    covered_from_d: tuple[Contractor, Any, Any], default_role: CaretakerRole
) -> None:
    contractor, _main, other = covered_from_d
    _deputy_refused_on_a_day_without_caretaker(contractor, other, default_role)


def _pending_trigger_events(work: Any) -> int:
    """How many deferred checks ``work`` queues: counted by the calls of the check's
    function that running the queue makes (pg_stat_xact_user_functions, which counts
    over the whole transaction: the difference is taken)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL track_functions = 'all'")
    before = _check_calls()
    work()
    _commit_checks()
    return _check_calls() - before


def _check_calls() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_xact_user_functions "
            "WHERE funcname = 'coverage_assignment_in_step'"
        )
        return int(cursor.fetchone()[0])


def test_a_shortening_update_queues_no_check_and_any_other_update_does(
    covered_from_d: tuple[Contractor, Any, Any],
) -> None:
    contractor, main, other = covered_from_d
    rows = CaretakerAssignment.objects.filter(contractor=contractor, operator=main)
    with transaction.atomic():
        assert _pending_trigger_events(lambda: rows.update(date_to=D + timedelta(days=30))) == 0
        transaction.set_rollback(True)
    with transaction.atomic():  # another operator on the same days cannot reach a recorded day
        assert _pending_trigger_events(lambda: rows.update(operator=other)) == 0
        transaction.set_rollback(True)
    with transaction.atomic():
        assert _pending_trigger_events(lambda: rows.update(type="deputy")) == 1
        transaction.set_rollback(True)
    with transaction.atomic():
        assert _pending_trigger_events(lambda: _around_the_writer(**_beside(rows.get(), other))) == 1
        transaction.set_rollback(True)
    assert coverage_stored() == coverage_recompute()


def _beside(row: CaretakerAssignment, operator: Any) -> dict[str, Any]:
    """A deputy of ``operator`` beside the main ``row`` (an insert, checked at commit)."""
    return {
        "contractor_id": row.contractor_id,
        "operator_id": operator.pk,
        "type": "deputy",
        "role_id": row.role_id,
        "date_from": row.date_from,
    }


# The writer's own rows (coverage/migrations/0006_writer_rows_checked_by_the_writer.py):
# it refreshes their coverage itself, so they queue no check; everything else still does.


def _writer_setting() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        return cursor.fetchone()[0]


def test_the_writers_rows_queue_no_check(
    covered_from_d: tuple[Contractor, Any, Any], make_operator: Any
) -> None:
    contractor, _main, other = covered_from_d
    deputy = make_operator()
    fresh = Contractor.objects.create(code="Y", name="Y")
    with transaction.atomic():
        # A split of the main (an update and two inserts), a deputy, a contractor's first
        # caretaker on days recorded as without any: the writer refreshes them all.
        def work() -> None:
            caretaker_add(
                actor=other.user,
                contractor_ids=[contractor.pk],
                operator_id=other.pk,
                date_from=D + timedelta(days=10),
                date_to=D + timedelta(days=20),
                on_overlap=OverlapPolicy.REPLACE,
            )
            caretaker_add(
                actor=other.user,
                contractor_ids=[contractor.pk, fresh.pk],
                operator_id=deputy.pk,
                date_from=D - timedelta(days=30),
                type=AssignmentType.DEPUTY,
                on_overlap=OverlapPolicy.REPLACE,
            )
            caretaker_add(actor=other.user, contractor_ids=[fresh.pk], operator_id=other.pk, date_from=D)

        assert _pending_trigger_events(work) == 0
        assert _writer_setting() != "on"
        assert CaretakerAssignment.objects.filter(contractor__in=[contractor, fresh]).count() == 6
        transaction.set_rollback(True)
    assert coverage_stored() == coverage_recompute()


def test_a_raw_insert_after_the_writer_in_the_same_transaction_is_still_checked(
    covered_from_d: tuple[Contractor, Any, Any], default_role: CaretakerRole, make_operator: Any
) -> None:
    contractor, main, other = covered_from_d
    with pytest.raises(IntegrityError, match="recorded as without any caretaker"), transaction.atomic():
        caretaker_add(
            actor=main.user,
            contractor_ids=[contractor.pk],
            operator_id=make_operator().pk,
            date_from=D + timedelta(days=5),
            type=AssignmentType.DEPUTY,
        )
        assert (
            _pending_trigger_events(
                lambda: _around_the_writer(
                    contractor=contractor,
                    operator=other,
                    type="deputy",
                    role=default_role,
                    date_from=D - timedelta(days=1),
                )
            )
            == 1
        )  # and refused by running it


def _refused_raw_insert_after(contractor: Contractor, operator: Any, role: CaretakerRole) -> None:
    assert _writer_setting() != "on"
    _deputy_refused_on_a_day_without_caretaker(contractor, operator, role)


def test_a_refusal_inside_the_writers_window_leaves_later_writes_checked(
    covered_from_d: tuple[Contractor, Any, Any], default_role: CaretakerRole
) -> None:
    contractor, main, other = covered_from_d
    [row] = CaretakerAssignment.objects.filter(contractor=contractor)
    # A second main over the first: the database's exclusion constraint refuses the
    # insert, inside the window; the caller goes on in the same transaction.
    clash = AssignmentValues(
        contractor.pk,
        other.pk,
        AssignmentType.MAIN,
        default_role.pk,
        None,
        Period(D + timedelta(days=3), None),
    )
    with transaction.atomic():
        with pytest.raises(ValidationError):
            write_changes(actor=main.user, changes=ChangeSet(inserts=[clash]), reason="test")
        _refused_raw_insert_after(contractor, other, default_role)
        transaction.set_rollback(True)
    assert CaretakerAssignment.objects.get(contractor=contractor) == row


def test_an_exception_inside_the_writers_window_leaves_later_writes_checked(
    covered_from_d: tuple[Contractor, Any, Any],
    default_role: CaretakerRole,
    make_operator: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contractor, main, other = covered_from_d

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("broken")

    monkeypatch.setattr(writer, "_restore", broken)  # after the writer's inserts, inside the window
    with transaction.atomic():
        with pytest.raises(RuntimeError, match="broken"):
            caretaker_add(
                actor=main.user,
                contractor_ids=[contractor.pk],
                operator_id=make_operator().pk,
                date_from=D + timedelta(days=5),
                type=AssignmentType.DEPUTY,
            )
        _refused_raw_insert_after(contractor, other, default_role)
        transaction.set_rollback(True)


def test_the_writer_taking_over_a_rows_days_written_around_it_is_refused(
    default_role: CaretakerRole, make_operator: Any
) -> None:
    """A main inserted around the writer on days recorded as without any caretaker (its
    check queued), then replaced by the writer with a main on the same days: the
    writer's refresh provably changes nothing recorded there and leaves the stale record,
    and its own row queues no check. The first row's check judges the rows now on its
    days, the writer's included."""
    contractor = Contractor.objects.create(code="Z", name="Z")
    first, second = make_operator(), make_operator()
    with pytest.raises(IntegrityError, match="recorded as without any caretaker"), transaction.atomic():
        _around_the_writer(contractor=contractor, operator=first, type="main", role=default_role, date_from=D)
        caretaker_add(
            actor=second.user,
            contractor_ids=[contractor.pk],
            operator_id=second.pk,
            date_from=D,
            on_overlap=OverlapPolicy.REPLACE,
        )
        assert list(CaretakerAssignment.objects.values_list("operator_id", flat=True)) == [second.pk]
        _commit_checks()
