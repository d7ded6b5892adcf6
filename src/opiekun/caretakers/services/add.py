"""Dodaj opiekuna: add a caretaker to selected contractors (docs/semantics.md, "Adding a
caretaker"). Load under the lock, decide per contractor (`rules.decide`), then either
answer the WARN preview or write every plan at once through the writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from opiekun.audit import Reason
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.rules import TYPE_OF, AssignmentType, Outcome, OverlapPolicy, Proposal
from opiekun.caretakers.rules_each import decide_each
from opiekun.caretakers.services.add_state import CHUNK, PURPOSE, chunks, digest, preview
from opiekun.caretakers.services.confirmation import token_matches
from opiekun.caretakers.services.inputs import (
    FieldErrors,
    check_branch,
    check_choice,
    check_confirm_token,
    check_operator,
    check_period,
    check_priority,
    check_role,
    check_selection,
    checked_later,
    report_unchangeable,
    report_unfound,
)
from opiekun.caretakers.services.results import (
    EVERY_RESULT,
    AddResult,
    ContractorResult,
    ResultWindow,
    StaleConfirmation,
    Tally,
)
from opiekun.caretakers.services.scope_rows import scope_filter as scope_filter
from opiekun.caretakers.services.scope_rows import (
    scope_slots,
    scope_values,
    stored_by_id,
    stored_row,
)
from opiekun.caretakers.services.writer import ChangeSet, lock_contractors, write_changes
from opiekun.collector import collector_paused
from opiekun.operators.access import require_assign, visible_contractors
from opiekun.operators.models import Operator
from opiekun.periods import Period


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
    # The selection not yet looked up (`check_add`'s ``later``): the write's scope read
    # shows most of it exists, `add_checked` counts the rest.
    unchecked: bool = False


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
    window: ResultWindow = EVERY_RESULT,
    on_result: Callable[[ContractorResult], None] | None = None,
    preview_only: bool = False,
) -> AddResult:
    """Add a caretaker to every selected contractor, all or none.

    Raises ValidationError (field-level) on bad input, PermissionDenied without the
    permission to assign, StaleConfirmation when a WARN token no longer matches.
    For WARN with conflicts and no token, writes nothing and returns the preview
    (``applied=False``) with a ``confirm_token``; ``preview_only`` answers that preview
    in any case. The answer keeps the results ``window`` asks for (by default every
    one) and counts them all; ``on_result`` sees every applied result.
    """
    require_assign(actor)
    # The collector paused: the plans' objects live until the write ends (opiekun.collector).
    with collector_paused(), transaction.atomic():
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
            confirm_token=confirm_token,
            lock=True,
            later=not preview_only,
        )
        return add_checked(
            actor=actor,
            request=request,
            confirm_token=confirm_token,
            window=window,
            on_result=on_result,
            preview_only=preview_only,
            locked=True,
        )


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
    confirm_token: object = None,
    lock: bool = False,
    later: bool = False,
) -> AddRequest:
    """Every field checked at once; a ValidationError names each wrong one. ``lock``
    (in a transaction): lock the selection as it is checked, see `report_unchangeable`.
    ``later`` (with ``lock``, for `add_checked` in the same transaction, not a
    preview): under KEEP or REPLACE, every other field right, a selection of one chunk
    that `inputs.checked_later` allows is not looked up here but by `add_checked`,
    after its scope read (the same errors, raised before anything is written)."""
    errors = FieldErrors()
    policy = check_choice(errors, "on_overlap", on_overlap, OverlapPolicy, OverlapPolicy.WARN)
    kind = check_choice(errors, "type", type, AssignmentType, AssignmentType.MAIN)
    period = check_period(errors, date_from, date_to)
    operator = check_operator(errors, operator_id)
    role = check_role(errors, role_id)
    branch = check_branch(errors, branch_id)
    rank = check_priority(errors, priority)
    check_confirm_token(errors, confirm_token, purpose=PURPOSE)
    later = later and lock and policy in WRITING and not errors.messages and checked_later(actor)
    ids = check_selection(errors, actor, contractor_ids, lock=lock, later=CHUNK if later else 0)
    errors.raise_if_any()
    assert operator is not None and role is not None and period is not None
    assert policy is not None and kind is not None and rank is not None
    return AddRequest(ids, operator, role, branch, period, policy, kind, rank, later and len(ids) <= CHUNK)


WRITING = (OverlapPolicy.KEEP, OverlapPolicy.REPLACE)  # the policies that write without a preview


def add_checked(
    *,
    actor: Any,
    request: AddRequest,
    confirm_token: str | None,
    window: ResultWindow = EVERY_RESULT,
    on_result: Callable[[ContractorResult], None] | None = None,
    preview_only: bool = False,
    locked: bool = False,
) -> AddResult:
    """Apply a checked request in the caller's transaction: lock, re-check the right to
    change every contractor under the lock, load, decide, write (``locked``: the
    request was checked with ``lock`` in this transaction, see `check_add`).

    The selection is planned and written a chunk of contractors at a time (a
    contractor's rows never meet another's), so that memory does not grow with the
    selection: the answer counts every contractor and keeps the results of ``window``
    only; ``on_result`` sees every applied result. ``preview_only`` answers the WARN
    preview whatever the policy and conflicts, and writes nothing."""
    # The right may have been lost while waiting for the lock. An actor who may change
    # every contractor cannot lose it that way, and the lock has found every one of
    # them: nothing to read again (and with ``locked``, nothing to lock again).
    restricted = visible_contractors(viewer=actor, editable=True).query.has_filters()
    if restricted or not locked:
        lock_contractors(request.contractor_ids)
    errors = FieldErrors()
    # Not checked yet (`check_add`'s ``later``): by the scope read below, unless the
    # request does not go that way.
    unchecked = request.unchecked and not preview_only and request.policy in WRITING
    unchecked = unchecked and len(request.contractor_ids) <= CHUNK
    if (restricted or (request.unchecked and not unchecked)) and report_unchangeable(
        errors, actor, request.contractor_ids
    ):
        errors.raise_if_any()
    proposal = Proposal(request.operator.pk, request.type, request.period)

    if preview_only or (request.policy == OverlapPolicy.WARN and not confirm_token):
        answer = preview(actor, request, proposal, window)
        if preview_only or answer.conflicted:
            return answer
    elif request.policy == OverlapPolicy.WARN and not token_matches(
        confirm_token, digest(actor, request), purpose=PURPOSE
    ):  # a confirmation: the token must match the state read now, deciding nothing
        raise StaleConfirmation(preview(actor, request, proposal, window))

    tally = Tally(window, on_result)
    branch_id = request.branch.pk if request.branch else None
    keep = request.policy == OverlapPolicy.KEEP  # few plans write: their rows read whole by id
    for ids in chunks(request.contractor_ids):
        scope = (request.role.pk, branch_id, request.period, ids)
        loaded = [] if keep else scope_values(*scope, proposal=proposal)
        rows = (
            scope_slots(*scope, proposal=proposal)
            if keep
            else [(v[0], v[1], v[2], TYPE_OF[v[3]], v[6]) for v in loaded]
        )
        if unchecked and report_unfound(errors, actor, request.contractor_ids, {r[1] for r in rows}):
            errors.raise_if_any()
        plans = decide_each(ids, rows, proposal, request.policy)
        changes = ChangeSet()
        # Only the plans that write (under KEEP, a few; a skipped plan writes nothing,
        # tested first: `Plan.writes` is a Python call).
        writing = [(cid, plan) for cid, plan in plans.items() if plan.outcome is not SKIPPED and plan.writes]
        named = set().union(*(plan.rows_named for _cid, plan in writing))
        by_id = stored_by_id(named) if keep else {v[0]: stored_row(v) for v in loaded if v[0] in named}
        proposal_at = {
            cid: changes.add_plan(
                plan,
                contractor_id=cid,
                role_id=request.role.pk,
                branch_id=branch_id,
                rows=by_id,
                priority=request.priority,
            )
            for cid, plan in writing
        }
        inserted = write_changes(actor=actor, changes=changes, reason=Reason.CARETAKER_ADD) if changes else []
        results = [
            ContractorResult(cid, p.outcome, p.holder_id, p.changes, p.conflicts) for cid, p in plans.items()
        ]
        held = {cid: inserted[positions[-1]] for cid, positions in proposal_at.items() if positions}
        if held:  # the new row that holds the proposal (under KEEP, for a few contractors)
            for index, result in enumerate(results):
                if result.contractor_id in held:
                    results[index] = result._replace(assignment_id=held[result.contractor_id])
        tally.add_all(results)
    return tally.answer(applied=True)


SKIPPED = Outcome.SKIPPED
