"""Caretaker services on a real database: outcomes, validation, permissions, the
WARN confirmation, query counts, single-assignment edits, the creator setting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole, type_label
from opiekun.caretakers.rules import (
    AssignmentType,
    ChangeKind,
    Outcome,
    OverlapPolicy,
    Plan,
    Proposal,
    Slot,
    decide,
)
from opiekun.caretakers.rules_each import decide_each
from opiekun.caretakers.services import (
    StaleConfirmation,
    add_checked,
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
    check_add,
    role_save,
)
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_create
from opiekun.dates import format_period, today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.periods import Period

# Writes around the services here leave the coverage tables out of step on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coverage_rebuilt_after")]

D = date(2025, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def rows(contractor: Contractor | None = None) -> list[tuple[int, str, date, date | None]]:
    qs = CaretakerAssignment.objects.all()
    if contractor is not None:
        qs = qs.filter(contractor=contractor)
    return sorted(
        qs.values_list("operator_id", "type", "date_from", "date_to"),
        key=lambda r: (r[2], r[0]),
    )


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list(
            "id", "contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"
        )
    )


@pytest.fixture
def ops(make_operator: Callable[..., Operator]) -> list[Operator]:
    return [make_operator(f"caretaker{i}") for i in range(3)]


@pytest.fixture
def add(actor: Any) -> Callable[..., Any]:
    def call(
        contractors: list[Contractor], operator: Operator, start: int, end: int | None = None, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("on_overlap", "replace")
        return caretaker_add(
            actor=kwargs.pop("by", actor),
            contractor_ids=[c.pk for c in contractors],
            operator_id=operator.pk,
            date_from=day(start),
            date_to=None if end is None else day(end),
            **kwargs,
        )

    return call


# --- outcomes ---------------------------------------------------------------------


def test_added_merged_unchanged(add: Callable[..., Any], contractor: Contractor, ops: list[Operator]) -> None:
    first = add([contractor], ops[0], 0, 9)
    (result,) = first.results
    assert first.applied and result.outcome == Outcome.ADDED
    assert CaretakerAssignment.objects.get(pk=result.assignment_id).period == Period(day(0), day(9))

    merged = add([contractor], ops[0], 10, 19).results[0]
    assert merged.outcome == Outcome.MERGED and merged.assignment_id == result.assignment_id
    assert rows(contractor) == [(ops[0].pk, "main", day(0), day(19))]

    again = add([contractor], ops[0], 3, 7).results[0]
    assert again.outcome == Outcome.UNCHANGED and again.assignment_id == result.assignment_id
    assert rows(contractor) == [(ops[0].pk, "main", day(0), day(19))]


def test_replace_trims_splits_and_removes(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> None:
    trim, split, remove = make_contractors(3)
    add([trim], ops[1], 0, 9)
    add([split], ops[1], 0)
    add([remove], ops[1], 6, 7)
    result = add([trim, split, remove], ops[0], 5, 10)
    assert result.counts()["replaced"] == 3
    kinds = {r.contractor_id: [c.kind for c in r.changes] for r in result.results}
    assert kinds == {
        trim.pk: [ChangeKind.CREATED, ChangeKind.TRIMMED],
        split.pk: [ChangeKind.CREATED, ChangeKind.SPLIT],
        remove.pk: [ChangeKind.CREATED, ChangeKind.REMOVED],
    }
    assert rows(trim) == [(ops[1].pk, "main", day(0), day(4)), (ops[0].pk, "main", day(5), day(10))]
    assert rows(split) == [
        (ops[1].pk, "main", day(0), day(4)),
        (ops[0].pk, "main", day(5), day(10)),
        (ops[1].pk, "main", day(11), None),
    ]
    assert rows(remove) == [(ops[0].pk, "main", day(5), day(10))]
    for r in result.results:
        assert CaretakerAssignment.objects.get(pk=r.assignment_id).operator_id == ops[0].pk


def test_keep_skips_conflicts_and_proceeds_with_others(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> None:
    busy, free = make_contractors(2)
    add([busy], ops[1], 0)
    result = add([busy, free], ops[0], 5, on_overlap="keep")
    by_id = {r.contractor_id: r for r in result.results}
    assert result.applied
    assert by_id[busy.pk].outcome == Outcome.SKIPPED and by_id[busy.pk].assignment_id is None
    assert [c.operator_id for c in by_id[busy.pk].conflicts] == [ops[1].pk]
    assert by_id[free.pk].outcome == Outcome.ADDED
    assert rows(busy) == [(ops[1].pk, "main", day(0), None)]


def test_deputy_role_and_branch_scopes(
    add: Callable[..., Any],
    contractor: Contractor,
    ops: list[Operator],
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    def outcome(operator: Operator, **kwargs: Any) -> str:
        return str(add([contractor], operator, 0, on_overlap="keep", **kwargs).results[0].outcome)

    assert outcome(ops[0]) == "added"
    assert outcome(ops[1], type="deputy") == "added"
    assert outcome(ops[1], role_id=legal_role.pk) == "added"
    assert outcome(ops[2], branch_id=branch.pk) == "added"
    assert outcome(ops[2]) == "skipped"
    assert CaretakerAssignment.objects.filter(contractor=contractor).count() == 4


def test_far_future_end_is_accepted(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    add([contractor], ops[1], 0)
    result = caretaker_add(
        actor=ops[0].user,
        contractor_ids=[contractor.pk],
        operator_id=ops[0].pk,
        date_from="9999-12-30",
        date_to="9999-12-31",
        on_overlap="replace",
    )
    assert result.results[0].outcome == Outcome.REPLACED
    assert rows(contractor)[0][3] == date(9999, 12, 29)


# --- all or nothing and validation --------------------------------------------------


def test_one_unknown_contractor_writes_nothing(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator], actor: Any
) -> None:
    good = make_contractors(3)
    with pytest.raises(ValidationError) as error:
        caretaker_add(
            actor=actor,
            contractor_ids=[c.pk for c in good] + [987654],
            operator_id=ops[0].pk,
            date_from=D,
            on_overlap="replace",
        )
    assert "987654" in str(error.value.message_dict["contractor_ids"])
    assert not CaretakerAssignment.objects.exists()
    assert not CaretakerAssignment.history.exists()


def test_failure_in_the_middle_rolls_back(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator], monkeypatch: Any
) -> None:
    cs = make_contractors(3)
    add(cs, ops[1], 0, 9)
    before = snapshot()

    def disk_full_on_insert(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # The database fails after the deletes and updates went through (on PostgreSQL
        # the insert is inside a WITH that also writes its audit rows).
        if 'INSERT INTO "CARETAKERS_CARETAKERASSIGNMENT"' in sql.upper():
            raise OperationalError("disk full")
        return execute(sql, params, many, context)

    with pytest.raises(OperationalError), connection.execute_wrapper(disk_full_on_insert):
        add(cs, ops[0], 5, 20, on_overlap="replace")
    assert snapshot() == before


@pytest.fixture
def bad_input(
    ops: list[Operator], contractor: Contractor, make_operator: Any, legal_role: CaretakerRole, branch: Branch
) -> dict[str, Callable[[], dict[str, Any]]]:
    def inactive_operator() -> dict[str, Any]:
        return {"operator_id": make_operator("gone", active=False).pk}

    def inactive_user() -> dict[str, Any]:
        operator = make_operator("left")
        operator.user.is_active = False
        operator.user.save()
        return {"operator_id": operator.pk}

    def inactive_role() -> dict[str, Any]:
        legal_role.active = False
        legal_role.save()
        return {"role_id": legal_role.pk}

    def inactive_branch() -> dict[str, Any]:
        branch.active = False
        branch.save()
        return {"branch_id": branch.pk}

    return {
        "operator_id/unknown": lambda: {"operator_id": 999999},
        "operator_id/inactive": inactive_operator,
        "operator_id/inactive-user": inactive_user,
        "operator_id/text": lambda: {"operator_id": "abc"},
        "operator_id/none": lambda: {"operator_id": None},
        "operator_id/huge": lambda: {"operator_id": 10**30},
        "contractor_ids/unknown": lambda: {"contractor_ids": [contractor.pk, 999999]},
        "contractor_ids/empty": lambda: {"contractor_ids": []},
        "contractor_ids/none": lambda: {"contractor_ids": None},
        "contractor_ids/string": lambda: {"contractor_ids": "1,2"},
        "contractor_ids/garbage": lambda: {"contractor_ids": [contractor.pk, "x"]},
        "contractor_ids/huge": lambda: {"contractor_ids": [10**30]},
        "role_id/unknown": lambda: {"role_id": 999999},
        "role_id/inactive": inactive_role,
        "branch_id/unknown": lambda: {"branch_id": 999999},
        "branch_id/inactive": inactive_branch,
        "branch_id/negative": lambda: {"branch_id": -3},
        "date_to/before": lambda: {"date_from": "2025-03-10", "date_to": "2025-03-09"},
        "date_from/malformed": lambda: {"date_from": "2025-02-30"},
        "date_from/missing": lambda: {"date_from": None},
        "date_from/number": lambda: {"date_from": 20250301},
        "date_to/malformed": lambda: {"date_to": "tomorrow"},
        "on_overlap/unknown": lambda: {"on_overlap": "overwrite"},
        "on_overlap/list": lambda: {"on_overlap": ["keep"]},
        "type/unknown": lambda: {"type": "boss"},
    }


@pytest.mark.parametrize(
    "case",
    [
        "operator_id/unknown",
        "operator_id/inactive",
        "operator_id/inactive-user",
        "operator_id/text",
        "operator_id/none",
        "operator_id/huge",
        "contractor_ids/unknown",
        "contractor_ids/empty",
        "contractor_ids/none",
        "contractor_ids/string",
        "contractor_ids/garbage",
        "contractor_ids/huge",
        "role_id/unknown",
        "role_id/inactive",
        "branch_id/unknown",
        "branch_id/inactive",
        "branch_id/negative",
        "date_to/before",
        "date_from/malformed",
        "date_from/missing",
        "date_from/number",
        "date_to/malformed",
        "on_overlap/unknown",
        "on_overlap/list",
        "type/unknown",
    ],
)
def test_bad_input_is_a_field_error(
    case: str,
    bad_input: dict[str, Callable[[], dict[str, Any]]],
    actor: Any,
    contractor: Contractor,
    ops: list[Operator],
) -> None:
    kwargs: dict[str, Any] = {
        "contractor_ids": [contractor.pk],
        "operator_id": ops[0].pk,
        "date_from": "2025-03-01",
        "date_to": None,
        "on_overlap": "replace",
        "type": "main",
    }
    kwargs.update(bad_input[case]())
    with pytest.raises(ValidationError) as error:
        caretaker_add(actor=actor, **kwargs)
    field = case.split("/")[0]
    assert field in error.value.message_dict, error.value.message_dict
    assert all(message for message in error.value.message_dict[field])
    assert not CaretakerAssignment.objects.exists()


def test_polish_dates_are_accepted(actor: Any, contractor: Contractor, ops: list[Operator]) -> None:
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=str(ops[0].pk),
        date_from="01.03.2025",
        date_to="31.03.2025",
        on_overlap="keep",
    )
    assert rows() == [(ops[0].pk, "main", date(2025, 3, 1), date(2025, 3, 31))]


def test_permission_to_assign_is_required(
    make_operator: Any, contractor: Contractor, ops: list[Operator]
) -> None:
    viewer = make_operator("viewer", can_assign=False)
    with pytest.raises(PermissionDenied):
        caretaker_add(actor=viewer.user, contractor_ids=[contractor.pk], operator_id=ops[0].pk, date_from=D)
    assert not CaretakerAssignment.objects.exists()


# --- WARN: preview, confirmation, staleness -------------------------------------------


@pytest.fixture
def conflict(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> tuple[list[Contractor], Any]:
    cs = make_contractors(3)
    add(cs[:2], ops[1], 0)
    preview = add(cs, ops[0], 5, 9, on_overlap="warn")
    return cs, preview


def test_warn_preview_writes_nothing(conflict: tuple[list[Contractor], Any], ops: list[Operator]) -> None:
    _, preview = conflict
    assert not preview.applied and preview.confirm_token
    assert [r.outcome for r in preview.results] == [Outcome.REPLACED, Outcome.REPLACED, Outcome.ADDED]
    assert [c.kind for c in preview.results[0].changes] == [ChangeKind.CREATED, ChangeKind.SPLIT]
    assert CaretakerAssignment.objects.count() == 2
    assert CaretakerAssignment.history.count() == 2


def test_warn_confirm_applies_exactly_the_preview(
    add: Callable[..., Any], conflict: tuple[list[Contractor], Any], ops: list[Operator]
) -> None:
    cs, preview = conflict
    done = add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=preview.confirm_token)
    assert done.applied
    assert [(r.contractor_id, r.outcome, r.changes, r.conflicts) for r in done.results] == [
        (r.contractor_id, r.outcome, r.changes, r.conflicts) for r in preview.results
    ]
    assert rows(cs[0]) == [
        (ops[1].pk, "main", day(0), day(4)),
        (ops[0].pk, "main", day(5), day(9)),
        (ops[1].pk, "main", day(10), None),
    ]
    assert rows(cs[2]) == [(ops[0].pk, "main", day(5), day(9))]


def test_warn_without_conflicts_applies_at_once(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    result = add([contractor], ops[0], 0, on_overlap="warn")
    assert result.applied and result.confirm_token is None and rows(contractor)


@pytest.mark.parametrize(
    "change",
    [
        "insert",
        "update-dates",
        "update-operator",
        "delete",
        "other-request",
        "other-actor",
        "other-period",
        "branch-moved",
    ],
)
def test_warn_token_goes_stale(
    change: str,
    add: Callable[..., Any],
    conflict: tuple[list[Contractor], Any],
    ops: list[Operator],
    make_operator: Any,
    branch: Branch,
) -> None:
    cs, preview = conflict
    token = preview.confirm_token
    involved = CaretakerAssignment.objects.filter(contractor=cs[0]).get()
    kwargs: dict[str, Any] = {"on_overlap": "warn", "confirm_token": token}
    if change == "insert":
        CaretakerAssignment.objects.create(
            contractor=cs[2], operator=ops[2], type="deputy", role=involved.role, date_from=day(0)
        )
    elif change == "update-dates":
        CaretakerAssignment.objects.filter(pk=involved.pk).update(date_from=day(1))
    elif change == "update-operator":
        CaretakerAssignment.objects.filter(pk=involved.pk).update(operator=ops[2])
    elif change == "delete":
        CaretakerAssignment.objects.filter(pk=involved.pk).delete()
    elif change == "branch-moved":
        CaretakerAssignment.objects.filter(pk=involved.pk).update(branch=branch)
    elif change == "other-actor":
        kwargs["by"] = make_operator("other", can_assign=True).user
    before = snapshot()
    ids = cs[:2] if change == "other-request" else cs
    end = 10 if change == "other-period" else 9
    with pytest.raises(StaleConfirmation) as error:
        add(ids, ops[0], 5, end, **kwargs)
    assert snapshot() == before
    fresh = error.value.preview
    assert not fresh.applied and fresh.confirm_token and fresh.confirm_token != token


@pytest.mark.parametrize("token", ["not-a-token", 12345, "", "x:y:z"])
def test_a_token_no_preview_issued_is_a_field_error(
    token: object, add: Callable[..., Any], conflict: tuple[list[Contractor], Any], ops: list[Operator]
) -> None:
    cs, _preview = conflict
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=token)
    assert set(error.value.message_dict) == {"confirm_token"}
    assert snapshot() == before


def test_stale_preview_can_be_confirmed(
    add: Callable[..., Any], conflict: tuple[list[Contractor], Any], ops: list[Operator]
) -> None:
    cs, preview = conflict
    CaretakerAssignment.objects.filter(contractor=cs[1]).update(date_from=day(2))
    with pytest.raises(StaleConfirmation) as error:
        add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=preview.confirm_token)
    done = add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=error.value.preview.confirm_token)
    assert done.applied and done.counts()["replaced"] == 2


def test_expired_token_is_stale(
    add: Callable[..., Any], conflict: tuple[list[Contractor], Any], ops: list[Operator], monkeypatch: Any
) -> None:
    cs, preview = conflict
    monkeypatch.setattr("opiekun.caretakers.services.confirmation.MAX_AGE", -1)
    with pytest.raises(StaleConfirmation):
        add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=preview.confirm_token)


# --- query counts -----------------------------------------------------------------


def _queries(add: Callable[..., Any], contractors: list[Contractor], ops: list[Operator], policy: str) -> int:
    add(contractors, ops[1], 0)  # every contractor: ops[1] main from day 0 (split by 5..9)
    add(contractors, ops[2], 0, 30, type="deputy")  # ops[2] deputy: merged with 31..40
    with CaptureQueriesContext(connection) as main_run:
        add(contractors, ops[0], 5, 9, on_overlap=policy)
    with CaptureQueriesContext(connection) as deputy_run:
        add(contractors, ops[2], 31, 40, type="deputy", on_overlap=policy)
    return len(main_run) + len(deputy_run)


@pytest.mark.parametrize("policy", ["keep", "replace", "warn"])
def test_query_count_does_not_grow_with_the_selection(
    policy: str, add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> None:
    small = _queries(add, make_contractors(5), ops, policy)
    large = _queries(add, make_contractors(500), ops, policy)
    assert large == small
    assert small <= 46  # two writes, each refreshing three coverage tables (docs/semantics.md)


def test_query_count_of_a_confirmed_warn(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> None:
    counts = []
    for size in (5, 500):
        cs = make_contractors(size)
        add(cs, ops[1], 0)
        preview = add(cs, ops[0], 5, 9, on_overlap="warn")
        with CaptureQueriesContext(connection) as run:
            add(cs, ops[0], 5, 9, on_overlap="warn", confirm_token=preview.confirm_token)
        counts.append(len(run))
    assert counts[0] == counts[1]


def test_bulk_add_of_500_writes_500(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator]
) -> None:
    cs = make_contractors(500)
    add(cs, ops[1], 0)
    result = add(cs, ops[0], 5, 9)
    assert result.counts()["replaced"] == 500
    assert CaretakerAssignment.objects.filter(operator=ops[0]).count() == 500
    assert CaretakerAssignment.objects.filter(operator=ops[1]).count() == 1000


# --- single assignments -------------------------------------------------------------


def test_update_changes_fields(
    add: Callable[..., Any],
    contractor: Contractor,
    ops: list[Operator],
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    assignment_id = add([contractor], ops[0], 0, 9).results[0].assignment_id
    row = assignment_update(
        actor=ops[0].user,
        assignment_id=assignment_id,
        operator_id=ops[1].pk,
        type="deputy",
        role_id=legal_role.pk,
        branch_id=branch.pk,
        date_to="2025-04-01",
    )
    fresh = CaretakerAssignment.objects.get(pk=assignment_id)
    assert (fresh.operator_id, fresh.type, fresh.role_id, fresh.branch_id, fresh.date_to) == (
        ops[1].pk,
        "deputy",
        legal_role.pk,
        branch.pk,
        date(2025, 4, 1),
    )
    assert row.pk == fresh.pk
    assignment_update(actor=ops[0].user, assignment_id=assignment_id, branch_id=None, date_to=None)
    fresh.refresh_from_db()
    assert fresh.branch_id is None and fresh.date_to is None and fresh.date_from == day(0)


def test_update_that_changes_nothing_writes_no_history(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    assignment_id = add([contractor], ops[0], 0, 9).results[0].assignment_id
    recorded = CaretakerAssignment.history.filter(id=assignment_id).count()
    stamp = CaretakerAssignment.objects.get(pk=assignment_id).updated_at
    same = CaretakerAssignment.objects.get(pk=assignment_id)
    assignment_update(actor=ops[0].user, assignment_id=assignment_id)
    assignment_update(
        actor=ops[0].user,
        assignment_id=assignment_id,
        operator_id=same.operator_id,
        date_from=same.date_from.isoformat(),
    )
    assert CaretakerAssignment.history.filter(id=assignment_id).count() == recorded
    assert CaretakerAssignment.objects.get(pk=assignment_id).updated_at == stamp


@pytest.mark.parametrize(
    ("changes", "colliding"),
    [
        ({"date_to": "2025-03-20"}, 1),  # grows into the other main
        ({"operator_id": "other"}, 1),  # becomes the other operator, overlapping
        ({"type": "deputy", "date_to": "2025-03-12"}, 2),  # same operator, other type
    ],
)
def test_update_refuses_to_break_an_invariant(
    changes: dict[str, Any],
    colliding: int,
    add: Callable[..., Any],
    contractor: Contractor,
    ops: list[Operator],
) -> None:
    target = add([contractor], ops[0], 0, 9).results[0].assignment_id
    other_main = add([contractor], ops[1], 10, 19).results[0].assignment_id
    own_deputy = add([contractor], ops[0], 10, 19, type="deputy").results[0].assignment_id
    expected = CaretakerAssignment.objects.get(pk={1: other_main, 2: own_deputy}[colliding])
    if changes.get("operator_id") == "other":
        changes = {"operator_id": ops[1].pk, "date_to": "2025-03-12"}
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        assignment_update(actor=ops[0].user, assignment_id=target, **changes)
    message = " ".join(error.value.message_dict[NON_FIELD_ERRORS])
    # The other assignment is named as the user knows it: operator, type, period
    # in the user's format; never by an internal id.
    assert expected.operator.display_name in message, message
    assert type_label(expected.type) in message, message
    assert format_period(expected.period) in message, message
    assert str(expected.pk) not in message.replace(format_period(expected.period), "")
    assert snapshot() == before


def test_update_may_touch_adjacent_days(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    target = add([contractor], ops[0], 0, 5).results[0].assignment_id
    add([contractor], ops[1], 10, 19)
    assignment_update(actor=ops[0].user, assignment_id=target, date_to=day(9))
    assert CaretakerAssignment.objects.get(pk=target).date_to == day(9)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_to": "2020-01-01"}, "date_to"),
        ({"date_from": "nonsense"}, "date_from"),
        ({"type": "chief"}, "type"),
        ({"role_id": None}, "role_id"),
        ({"operator_id": 999999}, "operator_id"),
        ({"branch_id": 999999}, "branch_id"),
    ],
)
def test_update_validates(
    changes: dict[str, Any], field: str, add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    target = add([contractor], ops[0], 0, 9).results[0].assignment_id
    with pytest.raises(ValidationError) as error:
        assignment_update(actor=ops[0].user, assignment_id=target, **changes)
    assert field in error.value.message_dict


@pytest.mark.parametrize("bad_id", [999999, "abc", None, 10**30, -1])
def test_unknown_assignment(bad_id: Any, actor: Any) -> None:
    with pytest.raises(CaretakerAssignment.DoesNotExist):
        assignment_update(actor=actor, assignment_id=bad_id, date_to="2025-01-01")
    with pytest.raises(CaretakerAssignment.DoesNotExist):
        assignment_delete(actor=actor, assignment_id=bad_id)


def test_end_and_delete(add: Callable[..., Any], contractor: Contractor, ops: list[Operator]) -> None:
    target = add([contractor], ops[0], 0).results[0].assignment_id
    assignment_end(actor=ops[0].user, assignment_id=target, date_to=day(30))
    assert CaretakerAssignment.objects.get(pk=target).date_to == day(30)
    with pytest.raises(ValidationError) as error:
        assignment_end(actor=ops[0].user, assignment_id=target, date_to=None)
    assert "date_to" in error.value.message_dict
    with pytest.raises(ValidationError):
        assignment_end(actor=ops[0].user, assignment_id=target, date_to=day(-1))
    assignment_delete(actor=ops[0].user, assignment_id=target)
    assert not CaretakerAssignment.objects.exists()


def test_single_writes_need_the_permission(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator], make_operator: Any
) -> None:
    target = add([contractor], ops[0], 0).results[0].assignment_id
    viewer = make_operator("viewer", can_assign=False).user
    with pytest.raises(PermissionDenied):
        assignment_end(actor=viewer, assignment_id=target, date_to=day(3))
    with pytest.raises(PermissionDenied):
        assignment_delete(actor=viewer, assignment_id=target)
    assert CaretakerAssignment.objects.get(pk=target).date_to is None


# --- the creator becomes the caretaker ------------------------------------------------


@pytest.mark.parametrize("enabled", [True, False])
def test_creator_becomes_caretaker(
    enabled: bool, settings: Any, actor: Any, admin_op: Operator, default_role: CaretakerRole
) -> None:
    settings.CREATOR_BECOMES_CARETAKER = enabled
    created = contractor_create(actor=actor, code="NEW1", name="Nowa firma")
    assigned = list(CaretakerAssignment.objects.filter(contractor=created))
    if not enabled:
        assert assigned == []
        return
    (row,) = assigned
    assert (row.operator_id, row.type, row.role_id, row.branch_id, row.date_from, row.date_to) == (
        admin_op.pk,
        "main",
        default_role.pk,
        None,
        today(),
        None,
    )
    assert CaretakerAssignment.history.filter(id=row.pk, history_type="+").exists()


# --- the database agrees with the pure policy ------------------------------------------

_steps = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(["main", "deputy"]),
        st.integers(0, 40),
        st.one_of(st.none(), st.integers(0, 20)),
        st.sampled_from(["keep", "warn", "replace"]),
    ),
    min_size=1,
    max_size=8,
)


def _db_slots(contractor: Contractor) -> dict[int, Slot]:
    return {
        row.pk: Slot(row.pk, row.operator_id, AssignmentType(row.type), row.period)
        for row in CaretakerAssignment.objects.filter(contractor=contractor)
    }


def _apply_plain(state: dict[int, Slot], plan: Plan) -> tuple[dict[int, Slot], list[Slot]]:
    """The rows kept (by id) and the rows inserted, after ``plan``."""
    kept = {i: s for i, s in state.items() if i not in plan.deletes}
    for slot_id, period in (*plan.shrinks, *plan.grows):
        old = kept[slot_id]
        kept[slot_id] = Slot(old.id, old.operator_id, old.type, period)
    return kept, [Slot(0, new.operator_id, new.type, new.period) for new in plan.inserts]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_database_follows_the_policy(
    steps: list[tuple[int, str, int, int | None, str]],
    actor: Any,
    contractor: Contractor,
    ops: list[Operator],
) -> None:
    """Every sequence of adds leaves in the database exactly the rows that applying
    `decide`'s plans to plain values gives, with the same outcomes and row ids."""
    with transaction.atomic():
        for index, kind, start, length, policy in steps:
            operator = ops[index]
            end = None if length is None else day(start + length)
            before = _db_slots(contractor)
            proposal = Proposal(operator.pk, AssignmentType(kind), Period(day(start), end))
            plan = decide(before.values(), proposal, OverlapPolicy(policy))
            kwargs: dict[str, Any] = {
                "actor": actor,
                "contractor_ids": [contractor.pk],
                "operator_id": operator.pk,
                "date_from": day(start),
                "date_to": end,
                "type": kind,
                "on_overlap": policy,
            }
            result = caretaker_add(**kwargs)
            if not result.applied:
                assert policy == "warn" and plan.conflicts
                result = caretaker_add(**kwargs, confirm_token=result.confirm_token)
            assert result.applied and result.results[0].outcome == plan.outcome
            kept, inserted = _apply_plain(before, plan)
            after = _db_slots(contractor)
            assert {i: after[i] for i in kept} == kept
            new = [(s.operator_id, s.type, s.period) for i, s in after.items() if i not in kept]
            assert sorted(new) == sorted((s.operator_id, s.type, s.period) for s in inserted)
        transaction.set_rollback(True)


def test_ending_the_assignment_of_an_operator_who_left(
    add: Callable[..., Any], contractor: Contractor, ops: list[Operator]
) -> None:
    target = add([contractor], ops[0], 0).results[0].assignment_id
    ops[0].active = False
    ops[0].save()
    assignment_end(actor=ops[1].user, assignment_id=target, date_to=day(3))
    assert CaretakerAssignment.objects.get(pk=target).date_to == day(3)
    with pytest.raises(ValidationError) as error:
        assignment_update(actor=ops[1].user, assignment_id=target, operator_id=ops[0].pk)
    assert "operator_id" in error.value.message_dict


def test_own_only_actor_may_not_change_read_only_contractors(
    add: Callable[..., Any], make_contractors: Any, ops: list[Operator], make_operator: Any
) -> None:
    mine, free, foreign = make_contractors(3)
    clerk = make_operator(
        "clerk", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY, can_assign=True
    )
    add([mine], clerk, -30)
    foreign_row = add([foreign], ops[1], -30).results[0].assignment_id
    with pytest.raises(ValidationError) as error:
        caretaker_add(
            actor=clerk.user,
            contractor_ids=[mine.pk, free.pk, foreign.pk],
            operator_id=clerk.pk,
            date_from=day(0),
            on_overlap="replace",
        )
    messages = " ".join(error.value.message_dict["contractor_ids"])
    assert str(free.pk) in messages and str(foreign.pk) in messages
    assert CaretakerAssignment.objects.count() == 2
    with pytest.raises(CaretakerAssignment.DoesNotExist):
        assignment_delete(actor=clerk.user, assignment_id=foreign_row)
    done = caretaker_add(
        actor=clerk.user,
        contractor_ids=[mine.pk],
        operator_id=ops[2].pk,
        date_from=day(0),
        type="deputy",
        on_overlap="keep",
    )
    assert done.results[0].outcome == Outcome.ADDED


def test_exactly_one_default_role(actor: Any, default_role: CaretakerRole) -> None:
    new = role_save(actor=actor, name="Opiekun serwisowy", is_default=True)
    assert list(CaretakerRole.objects.filter(is_default=True)) == [new]
    with pytest.raises(ValidationError) as error:
        role_save(actor=actor, role_id=new.pk, name=new.name, is_default=False)
    assert "is_default" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        role_save(actor=actor, name="opiekun SERWISOWY")
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError):
        role_save(actor=actor, role_id=new.pk, name=new.name, is_default=True, active=False)


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2025-03-01",
            "01.03.2025",
            "9999-12-31",
            "0001-01-01",
            "keep",
            "warn",
            "replace",
            "main",
            "deputy",
            "1",
            "",
        ]
    ),
    st.lists(st.integers(-5, 2**64), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    contractor_ids=_junk,
    operator_id=_junk,
    date_from=_junk,
    date_to=_junk,
    on_overlap=_junk,
    kind=_junk,
    role_id=_junk,
    branch_id=_junk,
    token=_junk,
    real=st.sets(st.integers(0, 1)),
)
def test_any_input_is_a_result_or_a_field_error(
    actor: Any,
    contractor: Contractor,
    ops: list[Operator],
    contractor_ids: Any,
    operator_id: Any,
    date_from: Any,
    date_to: Any,
    on_overlap: Any,
    kind: Any,
    role_id: Any,
    branch_id: Any,
    token: Any,
    real: set[int],
) -> None:
    """No input crashes caretaker_add: it answers, or names the fields at fault."""
    if 0 in real:  # often enough, the selection and operator exist, so later steps run
        contractor_ids = [contractor.pk]
    if 1 in real:
        operator_id = ops[0].pk
    with transaction.atomic():
        try:
            caretaker_add(
                actor=actor,
                contractor_ids=contractor_ids,
                operator_id=operator_id,
                date_from=date_from,
                date_to=date_to,
                on_overlap=on_overlap,
                type=kind,
                role_id=role_id,
                branch_id=branch_id,
                confirm_token=token,
            )
        except ValidationError as error:
            assert error.message_dict and all(error.message_dict.values())
        except StaleConfirmation:
            pass
        transaction.set_rollback(True)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operator_id=_junk,
    kind=_junk,
    role_id=_junk,
    branch_id=_junk,
    date_from=_junk,
    date_to=_junk,
    given_fields=st.sets(
        st.sampled_from(["operator_id", "type", "role_id", "branch_id", "date_from", "date_to"])
    ),
)
def test_any_update_is_a_result_or_a_field_error(
    actor: Any,
    contractor: Contractor,
    ops: list[Operator],
    operator_id: Any,
    kind: Any,
    role_id: Any,
    branch_id: Any,
    date_from: Any,
    date_to: Any,
    given_fields: set[str],
) -> None:
    values = {
        "operator_id": operator_id,
        "type": kind,
        "role_id": role_id,
        "branch_id": branch_id,
        "date_from": date_from,
        "date_to": date_to,
    }
    with transaction.atomic():
        target = (
            caretaker_add(actor=actor, contractor_ids=[contractor.pk], operator_id=ops[0].pk, date_from=D)
            .results[0]
            .assignment_id
        )
        caretaker_add(
            actor=actor,
            contractor_ids=[contractor.pk],
            operator_id=ops[1].pk,
            date_from=day(-30),
            date_to=day(-1),
        )
        try:
            assignment_update(
                actor=actor, assignment_id=target, **{k: v for k, v in values.items() if k in given_fields}
            )
        except ValidationError as error:
            assert error.message_dict and all(error.message_dict.values())
        transaction.set_rollback(True)


# --- races and the database's safety net ---------------------------------------------


def test_a_contractor_deleted_after_validation_is_a_field_error(
    actor: Any,
    make_contractors: Callable[..., list[Contractor]],
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
) -> None:
    first, second = make_contractors(2)
    operator = make_operator()
    request = check_add(
        actor=actor,
        contractor_ids=[first.pk, second.pk],
        operator_id=operator.pk,
        date_from="2025-01-01",
        date_to=None,
        on_overlap="keep",
        type="main",
        role_id=None,
        branch_id=None,
    )
    Contractor.objects.filter(pk=second.pk).delete()  # another user, in between
    with pytest.raises(ValidationError) as error, transaction.atomic():
        add_checked(actor=actor, request=request, confirm_token=None)
    assert str(second.pk) in error.value.message_dict["contractor_ids"][0]
    assert not CaretakerAssignment.objects.exists()


def test_a_right_lost_while_waiting_for_the_lock_is_a_field_error(
    actor: Any,
    make_contractors: Callable[..., list[Contractor]],
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
) -> None:
    (contractor,) = make_contractors(1)
    own = make_operator(visibility=Visibility.OWN, unassigned_access=UnassignedAccess.ALLOWED)
    boss = make_operator()
    request = check_add(
        actor=own.user,
        contractor_ids=[contractor.pk],
        operator_id=own.pk,
        date_from=today(),
        date_to=None,
        on_overlap="replace",
        type="main",
        role_id=None,
        branch_id=None,
    )
    # Meanwhile a manager makes someone else the caretaker: the own-only operator may
    # no longer change the contractor when his turn for the lock comes.
    caretaker_add(actor=actor, contractor_ids=[contractor.pk], operator_id=boss.pk, date_from=today())
    with pytest.raises(ValidationError) as error, transaction.atomic():
        add_checked(actor=own.user, request=request, confirm_token=None)
    assert str(contractor.pk) in error.value.message_dict["contractor_ids"][0]
    assert list(CaretakerAssignment.objects.values_list("operator_id", flat=True)) == [boss.pk]


def test_a_write_the_database_refuses_is_a_plain_error_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    actor: Any,
    contractor: Contractor,
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
) -> None:
    anna, bob = make_operator(), make_operator()
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=anna.pk,
        date_from="2025-01-01",
        on_overlap="keep",
    )
    before = rows(contractor)
    history = CaretakerAssignment.history.count()
    # A broken policy that sees no conflict: the exclusion constraint / trigger refuses.
    monkeypatch.setattr(
        "opiekun.caretakers.services.add.decide_each",
        lambda ids, rows, proposal, policy: decide_each(ids, [], proposal, policy),
    )
    with pytest.raises(ValidationError) as error:
        caretaker_add(
            actor=actor,
            contractor_ids=[contractor.pk],
            operator_id=bob.pk,
            date_from="2025-02-01",
            on_overlap="replace",
        )
    message = error.value.message_dict[NON_FIELD_ERRORS][0]
    assert "nothing was saved" in message.lower() or "niczego nie zapisano" in message.lower()
    assert "constraint" not in message.lower() and "trigger" not in message.lower()
    assert rows(contractor) == before
    assert CaretakerAssignment.history.count() == history
