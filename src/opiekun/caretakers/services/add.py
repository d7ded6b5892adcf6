"""Dodaj opiekuna: add a caretaker to selected contractors (docs/semantics.md, "Adding a
caretaker"). Load under the lock, decide per contractor (`rules.decide`), then either
answer the WARN preview or write every plan at once through the writer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from opiekun.audit import Reason
from opiekun.bulk import id_list
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy, Plan, Proposal, Slot, decide
from opiekun.caretakers.services.confirmation import issue_token, state_digest, token_matches
from opiekun.caretakers.services.inputs import (
    FieldErrors,
    check_branch,
    check_choice,
    check_operator,
    check_period,
    check_priority,
    check_role,
    check_selection,
    report_unchangeable,
)
from opiekun.caretakers.services.results import AddResult, ContractorResult, StaleConfirmation
from opiekun.caretakers.services.writer import ChangeSet, lock_contractors, write_changes
from opiekun.messages import NO_ASSIGN_PERMISSION
from opiekun.operators.access import can_assign
from opiekun.operators.models import Operator
from opiekun.periods import Period, touching_window

PURPOSE = "caretaker_add"


@dataclass(frozen=True)
class AddRequest:
    """A checked request of Dodaj opiekuna."""

    contractor_ids: tuple[int, ...]
    operator: Operator
    role: CaretakerRole
    branch: Branch | None
    period: Period
    policy: OverlapPolicy
    type: AssignmentType
    priority: int = 0


def require_assign(actor: Any) -> None:
    if not can_assign(actor):
        raise PermissionDenied(str(NO_ASSIGN_PERMISSION))


def caretaker_add(
    *,
    actor: Any,
    contractor_ids: Iterable[object],
    operator_id: object,
    date_from: object,
    date_to: object = None,
    on_overlap: object = OverlapPolicy.WARN,
    type: object = AssignmentType.MAIN,
    role_id: object = None,
    branch_id: object = None,
    confirm_token: str | None = None,
    priority: object = 0,
) -> AddResult:
    """Add a caretaker to every selected contractor, all or none.

    Raises ValidationError (field-level) on bad input, PermissionDenied without the
    permission to assign, StaleConfirmation when a WARN token no longer matches.
    For WARN with conflicts and no token, writes nothing and returns the preview
    (``applied=False``) with a ``confirm_token``.
    """
    require_assign(actor)
    request = check_add(
        actor=actor,
        contractor_ids=contractor_ids,
        operator_id=operator_id,
        date_from=date_from,
        date_to=date_to,
        on_overlap=on_overlap,
        type=type,
        role_id=role_id,
        branch_id=branch_id,
        priority=priority,
    )
    with transaction.atomic():
        return add_checked(actor=actor, request=request, confirm_token=confirm_token)


def check_add(
    *,
    actor: Any,
    contractor_ids: object,
    operator_id: object,
    date_from: object,
    date_to: object,
    on_overlap: object,
    type: object,
    role_id: object,
    branch_id: object,
    priority: object = 0,
) -> AddRequest:
    """Every field checked at once; a ValidationError names each wrong one."""
    errors = FieldErrors()
    policy = check_choice(errors, "on_overlap", on_overlap, OverlapPolicy, OverlapPolicy.WARN)
    kind = check_choice(errors, "type", type, AssignmentType, AssignmentType.MAIN)
    period = check_period(errors, date_from, date_to)
    operator = check_operator(errors, operator_id)
    role = check_role(errors, role_id)
    branch = check_branch(errors, branch_id)
    rank = check_priority(errors, priority)
    ids = check_selection(errors, actor, contractor_ids)
    errors.raise_if_any()
    assert operator is not None and role is not None and period is not None
    assert policy is not None and kind is not None and rank is not None
    return AddRequest(ids, operator, role, branch, period, policy, kind, rank)


def add_checked(*, actor: Any, request: AddRequest, confirm_token: str | None) -> AddResult:
    """Apply a checked request in the caller's transaction: lock, re-check the right to
    change every contractor under the lock, load, decide, write."""
    lock_contractors(request.contractor_ids)
    errors = FieldErrors()
    if report_unchangeable(errors, actor, request.contractor_ids):
        errors.raise_if_any()  # the right was lost while waiting for the lock
    window = touching_window(request.period)
    rows = list(
        CaretakerAssignment.objects.filter(
            scope_filter(request.role.pk, request.branch.pk if request.branch else None),
            contractor_id__in=id_list(request.contractor_ids),
        )
        .overlapping(window.start, window.end)
        .order_by("id")
    )
    slots: dict[int, list[Slot]] = defaultdict(list)
    for row in rows:
        slots[row.contractor_id].append(Slot(row.id, row.operator_id, AssignmentType(row.type), row.period))
    proposal = Proposal(request.operator.pk, request.type, request.period)
    plans = {cid: decide(slots[cid], proposal, request.policy) for cid in request.contractor_ids}

    if request.policy == OverlapPolicy.WARN:
        digest = _digest(actor, request, rows)
        if confirm_token:
            if not token_matches(confirm_token, digest, purpose=PURPOSE):
                raise StaleConfirmation(_preview(plans, digest))
        elif any(plan.conflicts for plan in plans.values()):
            return _preview(plans, digest)

    changes = ChangeSet()
    by_id = {row.id: row for row in rows}
    proposal_at: dict[int, list[int]] = {}
    for cid, plan in plans.items():
        proposal_at[cid] = changes.add_plan(
            plan,
            contractor_id=cid,
            role_id=request.role.pk,
            branch_id=request.branch.pk if request.branch else None,
            rows=by_id,
            priority=request.priority,
        )
    inserted = write_changes(actor=actor, changes=changes, reason=Reason.CARETAKER_ADD)
    holders = {cid: plan.holder_id for cid, plan in plans.items()}
    for cid, positions in proposal_at.items():
        for position in positions:
            holders[cid] = inserted[position]
    return AddResult(
        applied=True,
        results=tuple(
            ContractorResult(cid, plan.outcome, holders[cid], plan.changes, plan.conflicts)
            for cid, plan in plans.items()
        ),
    )


def scope_filter(role_id: int, branch_id: int | None) -> Q:
    """The rows of one scope's role and branch (a null branch is a scope of its own)."""
    return Q(role_id=role_id) & (Q(branch__isnull=True) if branch_id is None else Q(branch_id=branch_id))


def _digest(actor: Any, request: AddRequest, rows: Sequence[CaretakerAssignment]) -> str:
    return state_digest(
        actor=actor,
        request={
            "contractors": request.contractor_ids,
            "operator": request.operator.pk,
            "type": request.type.value,
            "role": request.role.pk,
            "branch": request.branch.pk if request.branch else None,
            "period": str(request.period),
            "priority": request.priority,
        },
        rows=[(r.id, r.contractor_id, r.operator_id, r.type, r.date_from, r.date_to) for r in rows],
    )


def _preview(plans: Mapping[int, Plan], digest: str) -> AddResult:
    return AddResult(
        applied=False,
        results=tuple(
            ContractorResult(cid, plan.outcome, plan.holder_id, plan.changes, plan.conflicts)
            for cid, plan in plans.items()
        ),
        confirm_token=issue_token(digest, purpose=PURPOSE),
    )
