# mypy: disable-error-code="arg-type"
"""Przekazanie klientów on a real database: every rule of the handover, the preview
and its token, field errors, permissions, query counts, and cancelling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from opiekun.caretakers.handover_selectors import handover_get, handover_list
from opiekun.caretakers.models import (
    Branch,
    CaretakerAssignment,
    CaretakerRole,
    Handover,
    HandoverChange,
    HandoverState,
)
from opiekun.caretakers.rules import Outcome
from opiekun.caretakers.services import (
    CancelRefused,
    HandoverResult,
    StaleHandover,
    assignment_update,
    handover_cancel,
    handover_create,
)
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_delete
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from tests import own_only

pytestmark = pytest.mark.django_db

D = date(2030, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def state() -> list[tuple[Any, ...]]:
    """Every assignment, ids included: what a cancel must restore exactly."""
    return sorted(
        CaretakerAssignment.objects.values_list(
            "id", "contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"
        )
    )


def held(contractor: Contractor) -> list[tuple[int, str, date, date | None]]:
    return sorted(
        CaretakerAssignment.objects.filter(contractor=contractor).values_list(
            "operator_id", "type", "date_from", "date_to"
        ),
        key=lambda r: (r[2], r[0]),
    )


@pytest.fixture
def ops(make_operator: Callable[..., Operator]) -> list[Operator]:
    """ops[0] hands over; ops[1] and ops[2] receive; ops[3] is someone else."""
    return [make_operator(f"seller{i}") for i in range(4)]


@pytest.fixture
def assign(actor: Any, default_role: CaretakerRole) -> Callable[..., None]:
    """`tests.own_only.assign` by ``actor`` (replacing what overlaps unless told)."""
    return partial(own_only.assign, actor)


@pytest.fixture
def hand(actor: Any, ops: list[Operator]) -> Callable[..., HandoverResult]:
    """Preview, then confirm with the preview's token: what a user does."""

    def call(
        targets: list[Operator] | None = None, *, on: date = D, user: Any = None, **kwargs: Any
    ) -> HandoverResult:
        arguments: dict[str, Any] = {
            "actor": user or actor,
            "from_operator_id": ops[0].pk,
            "to_operator_ids": [t.pk for t in (targets or [ops[1]])],
            "date": on,
            **kwargs,
        }
        preview = handover_create(**arguments)
        assert not preview.applied and preview.confirm_token
        return handover_create(**arguments, confirm_token=preview.confirm_token)

    return call


# --- §9: the days from D change hands ----------------------------------------------


def test_a_row_starting_before_d_ends_on_d_minus_1_and_the_target_gets_the_rest(
    assign: Any, hand: Any, ops: list[Operator], contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-60), day(90))
    source_row = CaretakerAssignment.objects.get()
    done = hand()
    assert done.applied and done.handover is not None
    assert held(contractor) == [(ops[0].pk, "main", day(-60), day(-1)), (ops[1].pk, "main", D, day(90))]
    assert CaretakerAssignment.objects.get(operator=ops[0]).pk == source_row.pk  # the source keeps its row
    assert (done.handover.contractors, done.handover.assignments) == (1, 1)


def test_a_row_starting_on_or_after_d_moves_whole_with_type_role_and_branch(
    assign: Any,
    hand: Any,
    ops: list[Operator],
    contractor: Contractor,
    legal_role: CaretakerRole,
    branch: Branch,
) -> None:
    assign([contractor], ops[0], day(10), None, type="deputy", role_id=legal_role.pk, branch_id=branch.pk)
    hand()
    (row,) = CaretakerAssignment.objects.all()
    assert (row.operator_id, row.type, row.role_id, row.branch_id, row.date_from, row.date_to) == (
        ops[1].pk,
        "deputy",
        legal_role.pk,
        branch.pk,
        day(10),
        None,
    )


def test_rows_that_ended_before_d_are_not_handed_over(
    assign: Any, actor: Any, ops: list[Operator], contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-60), day(-1))
    preview = handover_create(actor=actor, from_operator_id=ops[0].pk, to_operator_ids=[ops[1].pk], date=D)
    assert (preview.preview.contractors, preview.preview.assignments, preview.preview.results) == (0, 0, ())
    with pytest.raises(ValidationError) as error:
        handover_create(
            actor=actor,
            from_operator_id=ops[0].pk,
            to_operator_ids=[ops[1].pk],
            date=D,
            confirm_token=preview.confirm_token,
        )
    assert NON_FIELD_ERRORS in error.value.message_dict


@pytest.mark.parametrize(("offset", "expected"), [(-10, "in_force"), (0, "in_force"), (10, "planned")])
def test_d_in_the_past_today_or_the_future(
    assign: Any,
    hand: Any,
    ops: list[Operator],
    contractor: Contractor,
    offset: int,
    expected: str,
    freeze_today: Any,
) -> None:
    freeze_today(D)
    assign([contractor], ops[0], day(-60))
    done = hand(on=day(offset))
    assert held(contractor) == [
        (ops[0].pk, "main", day(-60), day(offset - 1)),
        (ops[1].pk, "main", day(offset), None),
    ]
    assert done.handover is not None and done.handover.state_on(today()) == expected


def test_only_the_chosen_types_roles_and_branches(
    assign: Any,
    hand: Any,
    ops: list[Operator],
    make_contractors: Any,
    legal_role: CaretakerRole,
    branch: Branch,
    default_role: CaretakerRole,
) -> None:
    a, b = make_contractors(2)
    assign([a, b], ops[0], day(-5))
    assign([a], ops[0], day(-5), type="deputy", role_id=legal_role.pk)
    assign([b], ops[0], day(-5), branch_id=branch.pk)
    hand(types=["deputy"])
    assert CaretakerAssignment.objects.filter(operator=ops[1]).count() == 1
    hand(role_ids=[default_role.pk], branch_ids=[branch.pk])
    received = CaretakerAssignment.objects.filter(operator=ops[1]).order_by("id")
    assert [(r.role_id, r.branch_id, r.type) for r in received] == [
        (legal_role.pk, None, "deputy"),
        (default_role.pk, branch.pk, "main"),
    ]
    # The default role without a branch stays with the source for both contractors.
    assert (
        CaretakerAssignment.objects.filter(
            operator=ops[0], branch=None, role=default_role, date_to=None
        ).count()
        == 2
    )


def test_only_the_selected_contractors(
    assign: Any, hand: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b, c = make_contractors(3)
    assign([a, b, c], ops[0], day(-5))
    done = hand(contractor_ids=[b.pk])
    assert done.handover is not None and done.handover.contractors == 1
    assert [r[0] for r in held(b)] == [ops[0].pk, ops[1].pk]
    assert held(a) == held(c) == [(ops[0].pk, "main", day(-5), None)]


def test_several_targets_share_evenly_by_code_and_deterministically(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    contractors = make_contractors(5)
    assign(contractors, ops[0], day(-5))
    extra = make_contractors(1)[0]
    assign([extra], ops[2], day(-100))  # ops[2] already has one contractor on D
    arguments = {"from_operator_id": ops[0].pk, "to_operator_ids": [ops[1].pk, ops[2].pk], "date": D}
    first = handover_create(actor=actor, **arguments)
    again = handover_create(actor=actor, **arguments)
    assert [(r.contractor_id, r.target_id) for r in first.preview.results] == [
        (r.contractor_id, r.target_id) for r in again.preview.results
    ]
    by_code = sorted(contractors, key=lambda c: c.code)
    # ops[1] 0, ops[2] 1: ops[1] first, then they alternate, ties to the first target.
    assert [r.target_id for r in first.preview.results] == [
        ops[1].pk,
        ops[1].pk,
        ops[2].pk,
        ops[1].pk,
        ops[2].pk,
    ]
    assert [r.contractor_id for r in first.preview.results] == [c.pk for c in by_code]
    assert [(t.operator_id, t.contractors) for t in first.preview.targets] == [(ops[1].pk, 3), (ops[2].pk, 2)]
    done = handover_create(actor=actor, **arguments, confirm_token=first.confirm_token)
    assert done.handover is not None
    assert list(done.handover.targets.values_list("operator_id", "contractors")) == [
        (ops[1].pk, 3),
        (ops[2].pk, 2),
    ]
    # Every row the record holds names the target its contractor went to.
    went_to = {r.contractor_id: r.target_id for r in first.preview.results}
    records = list(done.handover.changes.values_list("contractor_id", "target_id"))
    assert len(records) == 10  # five rows cut, five inserted
    assert all(target == went_to[contractor] for contractor, target in records)


# --- §3 on the target's side ----------------------------------------------------


def test_merges_with_the_targets_adjacent_row(
    assign: Any, hand: Any, ops: list[Operator], contractor: Contractor
) -> None:
    assign([contractor], ops[1], day(-30), day(-11))
    assign([contractor], ops[0], day(-10))
    target_row = CaretakerAssignment.objects.get(operator=ops[1])
    done = hand()
    assert held(contractor) == [
        (ops[1].pk, "main", day(-30), day(-11)),
        (ops[0].pk, "main", day(-10), day(-1)),
        (ops[1].pk, "main", D, None),
    ]
    assert done.preview.results[0].outcome == Outcome.ADDED
    # Handed from its start, the source's row merges into the target's older one.
    hand(on=day(-10))
    assert held(contractor) == [(ops[1].pk, "main", day(-30), None)]
    assert CaretakerAssignment.objects.get().pk == target_row.pk


@pytest.fixture
def conflicted(assign: Any, ops: list[Operator], make_contractors: Any) -> tuple[Contractor, Contractor]:
    """Two contractors the source cares for; on the first the target is already a deputy."""
    a, b = make_contractors(2)
    assign([a, b], ops[0], day(-30))
    assign([a], ops[1], day(-5), day(20), type="deputy")
    return a, b


def test_keep_skips_the_conflicting_contractor_entirely(
    hand: Any, ops: list[Operator], conflicted: tuple[Contractor, Contractor]
) -> None:
    a, b = conflicted
    before = held(a)
    done = hand(on_overlap="keep")
    assert held(a) == before  # the source keeps it
    assert [r[0] for r in held(b)] == [ops[0].pk, ops[1].pk]
    skipped = done.preview.results[0]
    assert skipped.outcome == Outcome.SKIPPED and [c.operator_id for c in skipped.conflicts] == [ops[1].pk]
    assert done.handover is not None and (done.handover.contractors, done.handover.skipped) == (1, 1)


@pytest.mark.parametrize("policy", ["warn", "replace"])
def test_warn_and_replace_let_the_received_main_win(
    hand: Any, actor: Any, ops: list[Operator], conflicted: tuple[Contractor, Contractor], policy: str
) -> None:
    a, _ = conflicted
    preview = handover_create(
        actor=actor, from_operator_id=ops[0].pk, to_operator_ids=[ops[1].pk], date=D, on_overlap=policy
    )
    assert preview.preview.results[0].outcome == Outcome.REPLACED
    assert preview.preview.results[0].conflicts[0].type == "deputy"
    hand(on_overlap=policy)
    assert held(a) == [
        (ops[0].pk, "main", day(-30), day(-1)),
        (ops[1].pk, "deputy", day(-5), day(-1)),
        (ops[1].pk, "main", D, None),
    ]


# --- preview, token, record, audit ------------------------------------------------


def test_the_preview_writes_nothing_and_the_token_is_bound_to_the_state(
    assign: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b = make_contractors(2)
    assign([a, b], ops[0], day(-5))
    arguments = {"from_operator_id": ops[0].pk, "to_operator_ids": [ops[1].pk], "date": D}
    before = state()
    preview = handover_create(actor=actor, **arguments)
    assert state() == before and not Handover.objects.exists()
    assert preview.preview.results[0].changes[0].kind == "cut"
    # Another request is stale: a fresh preview and token come back. A forged token is
    # no token a preview issued: a field error.
    with pytest.raises(StaleHandover) as stale:
        handover_create(actor=actor, **{**arguments, "date": day(1)}, confirm_token=preview.confirm_token)
    assert stale.value.result.confirm_token and stale.value.result.preview.contractors == 2
    with pytest.raises(ValidationError) as forged:
        handover_create(actor=actor, **arguments, confirm_token="forged")
    assert set(forged.value.message_dict) == {"confirm_token"}
    assert state() == before and not Handover.objects.exists()
    # A row that ended before D − 1 is not involved: the token still holds.
    assign([b], ops[1], day(-100), day(-50), type="deputy")
    done = handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token)
    assert done.applied


def test_a_token_is_refused_after_a_row_involved_changed(
    assign: Any, actor: Any, ops: list[Operator], contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-5))
    arguments = {"from_operator_id": ops[0].pk, "to_operator_ids": [ops[1].pk], "date": D}
    preview = handover_create(actor=actor, **arguments)
    assign([contractor], ops[1], day(40), day(50), type="deputy", on_overlap="keep")  # the target's row
    with pytest.raises(StaleHandover) as stale:
        handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token)
    assert stale.value.result.preview.results[0].outcome == Outcome.REPLACED
    assert not Handover.objects.exists()


def test_every_audit_row_carries_the_handover_id(
    assign: Any, hand: Any, ops: list[Operator], make_contractors: Any
) -> None:
    contractors = make_contractors(3)
    assign(contractors, ops[0], day(-5))
    done = hand()
    assert done.handover is not None
    reasons = set(
        CaretakerAssignment.history.filter(history_date__gte=done.handover.created_at).values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == {f"handover:{done.handover.pk}"}
    assert (
        CaretakerAssignment.history.filter(history_change_reason=f"handover:{done.handover.pk}").count() == 6
    )


# --- bad input, permissions ---------------------------------------------------------


def test_field_errors_name_every_wrong_field_and_write_nothing(
    actor: Any, ops: list[Operator], make_operator: Any, assign: Any, contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-5))
    before = state()
    gone = make_operator("gone", active=False)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"from_operator_id": 999_999}, "from_operator_id"),
        ({"to_operator_ids": []}, "to_operator_ids"),
        ({"to_operator_ids": [999_999]}, "to_operator_ids"),
        ({"to_operator_ids": [gone.pk]}, "to_operator_ids"),
        ({"to_operator_ids": [ops[0].pk]}, "to_operator_ids"),
        ({"date": "2030-02-30"}, "date"),
        ({"date": None}, "date"),
        ({"types": ["boss"]}, "types"),
        ({"types": []}, "types"),
        ({"role_ids": [999_999]}, "role_ids"),
        ({"branch_ids": [999_999]}, "branch_ids"),
        ({"contractor_ids": [999_999]}, "contractor_ids"),
        ({"contractor_ids": []}, "contractor_ids"),
        ({"on_overlap": "maybe"}, "on_overlap"),
        ({"distribution": "random"}, "distribution"),
    ]
    for change, field in cases:
        arguments = {"from_operator_id": ops[0].pk, "to_operator_ids": [ops[1].pk], "date": D, **change}
        with pytest.raises(ValidationError) as error:
            handover_create(actor=actor, **arguments)
        assert field in error.value.message_dict, (change, error.value.message_dict)
    assert state() == before


def test_an_inactive_source_may_hand_over(
    actor: Any, assign: Any, hand: Any, ops: list[Operator], contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-5))
    ops[0].active = False
    ops[0].save()
    assert hand().applied


def test_without_the_permission_to_assign_nothing_happens(
    make_operator: Any, ops: list[Operator], assign: Any, contractor: Contractor
) -> None:
    assign([contractor], ops[0], day(-5))
    clerk = make_operator("clerk", can_assign=False)
    with pytest.raises(PermissionDenied):
        handover_create(actor=clerk.user, from_operator_id=ops[0].pk, to_operator_ids=[ops[1].pk], date=D)


def test_an_own_only_operator_hands_over_only_what_they_may_change(
    make_operator: Any, ops: list[Operator], assign: Any, make_contractors: Any, hand: Any, freeze_today: Any
) -> None:
    freeze_today(day(-1))
    mine, other = make_contractors(2)
    assign([mine, other], ops[0], day(-10))
    lead = make_operator("lead", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assign([mine], lead, day(-10), type="deputy")
    done = hand(user=lead.user)
    assert done.handover is not None and done.handover.contractors == 1
    assert [r[0] for r in held(other)] == [ops[0].pk]


# --- set-based ------------------------------------------------------------------------


def _queries(actor: Any, ops: list[Operator], contractors: list[Contractor], assign: Any) -> tuple[int, int]:
    assign(contractors, ops[0], day(-30))
    assign(contractors, ops[1], day(20), day(40), type="deputy")  # a conflict for everyone
    assign(contractors, ops[2], day(-60), day(-31))
    arguments = {
        "from_operator_id": ops[0].pk,
        "to_operator_ids": [ops[1].pk, ops[2].pk],
        "date": D,
        "on_overlap": "replace",
    }
    with CaptureQueriesContext(connection) as preview_run:
        preview = handover_create(actor=actor, **arguments)
    with CaptureQueriesContext(connection) as confirm_run:
        done = handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token)
    assert done.handover is not None and done.handover.contractors == len(contractors)
    return len(preview_run), len(confirm_run)


def test_the_number_of_queries_does_not_grow_with_the_contractors(
    actor: Any, ops: list[Operator], make_contractors: Any, assign: Any
) -> None:
    actor.operator  # noqa: B018 - the viewer's profile, loaded outside the counted runs
    small = _queries(actor, ops, make_contractors(10), assign)
    large = _queries(actor, ops, make_contractors(200), assign)
    assert small == large
    assert small[1] <= 32, small  # PostgreSQL: one more, the coverage refresh's advisory lock


# --- cancel ------------------------------------------------------------------------


def test_cancel_restores_exactly_what_the_handover_changed(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b, c = make_contractors(3)
    assign([a, b], ops[0], day(-30))
    assign([c], ops[0], day(5), day(9))  # moved whole, then restored with its id
    assign([a], ops[1], day(-5), day(20), type="deputy")  # replaced
    assign([b], ops[1], day(-60), day(-1))  # merged with
    before = state()
    done = hand(on_overlap="replace")
    assert done.handover is not None and state() != before
    cancelled = handover_cancel(actor=actor, handover_id=done.handover.pk)
    assert state() == before
    assert cancelled.cancelled_at is not None and cancelled.state_on(today()) == HandoverState.CANCELLED
    recorded = CaretakerAssignment.history.filter(history_change_reason=f"handover_cancel:{done.handover.pk}")
    assert recorded.count() == done.handover.changes.count() > 0
    with pytest.raises(CancelRefused) as again:
        handover_cancel(actor=actor, handover_id=done.handover.pk)
    assert again.value.changed == ()


def test_the_record_holds_each_row_before_and_after_in_full(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b = make_contractors(2)
    assign([a], ops[0], day(-30))  # cut: an update
    assign([b], ops[0], day(5), day(9))  # moved whole: a delete
    loaded = {r.pk: r for r in CaretakerAssignment.objects.all()}
    done = hand()
    assert done.handover is not None
    records = list(done.handover.changes.order_by("id"))
    tracked = {f.attname for f in CaretakerAssignment.history.model._meta.concrete_fields}
    tracked = {n for n in tracked if not n.startswith("history_")} | {"created_at"}
    kinds = []
    for record in records:
        before, after = HandoverChange.decode(record.before), HandoverChange.decode(record.after)
        for text, state in ((record.before, before), (record.after, after)):
            # The text is the model's own encoding of the state: sorted keys, every column.
            assert text == HandoverChange.encode(state)
            assert state is None or set(state) == tracked
        if before is not None:
            row = loaded[record.assignment_id]
            assert before["created_at"] is not None
            assert parse_datetime(before["created_at"]) == row.created_at.replace(
                microsecond=row.created_at.microsecond // 1000 * 1000
            )
            assert (before["operator_id"], before["date_from"]) == (ops[0].pk, row.date_from.isoformat())
        if after is not None:
            now = CaretakerAssignment.objects.get(pk=record.assignment_id)
            assert (after["operator_id"], after["type"], after["priority"]) == (now.operator_id, now.type, 0)
            assert (after["date_from"], after["date_to"]) == (
                now.date_from.isoformat(),
                now.date_to and now.date_to.isoformat(),
            )
            assert after["updated_by_id"] == actor.pk
        kinds.append((before is None, after is None))
    assert sorted(kinds) == [(False, False), (False, True), (True, False), (True, False)]


def test_cancel_is_refused_naming_the_rows_changed_since(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b = make_contractors(2)
    assign([a, b], ops[0], day(-30))
    done = hand()
    assert done.handover is not None
    moved = CaretakerAssignment.objects.get(contractor=b, operator=ops[1])
    assignment_update(actor=actor, assignment_id=moved.pk, date_to=day(100))
    after = state()
    with pytest.raises(CancelRefused) as refused:
        handover_cancel(actor=actor, handover_id=done.handover.pk)
    assert refused.value.changed == (moved.pk,)
    assert state() == after
    assert Handover.objects.get().cancelled_at is None


def test_cancel_needs_the_permission_and_a_visible_handover(
    assign: Any, hand: Any, make_operator: Any, ops: list[Operator], contractor: Contractor, freeze_today: Any
) -> None:
    freeze_today(day(-1))
    assign([contractor], ops[0], day(-30))
    done = hand()
    assert done.handover is not None
    clerk = make_operator("clerk", can_assign=False)
    with pytest.raises(PermissionDenied):
        handover_cancel(actor=clerk.user, handover_id=done.handover.pk)
    stranger = make_operator("stranger", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    with pytest.raises(Handover.DoesNotExist):
        handover_cancel(actor=stranger.user, handover_id=done.handover.pk)
    assert list(handover_list(viewer=stranger.user)) == []
    assert handover_get(viewer=ops[0].user, handover_id=done.handover.pk) == done.handover


def test_the_list_filters_by_operator_and_state(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any, freeze_today: Any
) -> None:
    freeze_today(D)
    a, b, c = make_contractors(3)
    assign([a, b], ops[0], day(-30))
    assign([c], ops[3], day(-30))
    past = hand(contractor_ids=[a.pk], on=day(-1)).handover
    future = hand([ops[2]], on=day(10), contractor_ids=[b.pk]).handover
    assert past is not None and future is not None
    assert list(handover_list(viewer=actor, state="planned")) == [future]
    assert list(handover_list(viewer=actor, state="in_force")) == [past]
    assert list(handover_list(viewer=actor, operator_id=ops[2].pk)) == [future]
    assert set(handover_list(viewer=actor, operator_id=ops[0].pk)) == {past, future}
    assert list(handover_list(viewer=actor, operator_id=ops[3].pk)) == []


def test_cancel_is_refused_when_a_contractor_was_deleted_since(
    assign: Any, hand: Any, actor: Any, ops: list[Operator], make_contractors: Any
) -> None:
    a, b = make_contractors(2)
    assign([a, b], ops[0], day(5))  # moved whole: the handover deletes the source's rows
    done = hand()
    assert done.handover is not None
    recorded = sorted(
        done.handover.changes.filter(contractor_id=b.pk).values_list("assignment_id", flat=True)
    )
    contractor_delete(actor=actor, contractor_id=b.pk)
    with pytest.raises(CancelRefused) as refused:
        handover_cancel(actor=actor, handover_id=done.handover.pk)
    assert refused.value.changed == tuple(recorded)
    assert Handover.objects.get().cancelled_at is None


@pytest.mark.parametrize("edge", [date.min, date.max])
def test_the_first_and_last_representable_days_are_no_error(
    assign: Any, actor: Any, ops: list[Operator], contractor: Contractor, edge: date
) -> None:
    assign([contractor], ops[0], day(-5))
    preview = handover_create(actor=actor, from_operator_id=ops[0].pk, to_operator_ids=[ops[1].pk], date=edge)
    assert preview.preview.contractors == 1
