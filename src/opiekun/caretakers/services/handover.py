"""Przekazanie klientów (docs/semantics.md, "Handover"): always previewed, then
confirmed with a token bound to the state; confirmed, it is a `Handover` record and
every audit row it writes carries its id.

Set-based: lock the contractors, load every row involved in one query, plan per
contractor in pure Python (`handover_rules`), write every plan at once through the
writer. The number of queries does not depend on the number of contractors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from opiekun.bulk import id_list
from opiekun.caretakers.handover_distribution import distribute
from opiekun.caretakers.handover_rules import ContractorPlan, Row, handed_rows, plan_contractor
from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services.confirmation import StateHasher, issue_token, token_matches
from opiekun.caretakers.services.handover_inputs import PURPOSE, HandoverRequest, check_handover
from opiekun.caretakers.services.handover_record import record_handover, write_handover
from opiekun.caretakers.services.inputs import FieldErrors, report_unchangeable
from opiekun.caretakers.services.writer import AssignmentRow, lock_contractor_codes
from opiekun.collector import collector_paused
from opiekun.operators.access import require_assign, visible_contractors
from opiekun.periods import ONE_DAY, Period

RESULTS_LIMIT = 1000  # contractors listed in a preview; the totals always count all


@dataclass(frozen=True)
class TargetTotals:
    operator_id: int
    contractors: int
    assignments: int


@dataclass(frozen=True)
class HandoverPreview:
    contractors: int  # handed over (skipped ones not counted)
    assignments: int  # the source's rows handed over
    skipped: int  # contractors skipped under KEEP
    conflicted: int  # contractors whose recipient meets a conflict (skipped or replaced)
    targets: tuple[TargetTotals, ...]
    results: tuple[ContractorPlan, ...]  # by contractor code, the first `RESULTS_LIMIT`
    results_total: int


@dataclass(frozen=True)
class HandoverResult:
    applied: bool
    preview: HandoverPreview
    confirm_token: str | None = None  # to confirm the preview (set when not applied)
    handover: Handover | None = None  # the record (set when applied)


class StaleHandover(Exception):
    """A confirmation whose preview no longer matches the data; the fresh preview
    and its token are attached."""

    def __init__(self, result: HandoverResult) -> None:
        super().__init__(_("The data changed since the preview; review the new preview."))
        self.result = result


def handover_create(
    *,
    actor: Any,
    from_operator_id: object,
    to_operator_ids: object,
    date: object,
    distribution: object = "even",
    types: object = None,
    role_ids: object = None,
    branch_ids: object = None,
    contractor_ids: object = None,
    on_overlap: object = "warn",
    confirm_token: str | None = None,
    results_limit: int = RESULTS_LIMIT,
) -> HandoverResult:
    """Preview a handover (no token: nothing written, a token returned), or apply the
    preview the token confirms. Raises ValidationError (field-level) on bad input,
    PermissionDenied without the permission to assign, StaleHandover when the token
    does not match the current state."""
    require_assign(actor)
    request = check_handover(
        actor=actor,
        from_operator_id=from_operator_id,
        to_operator_ids=to_operator_ids,
        date=date,
        distribution=distribution,
        types=types,
        role_ids=role_ids,
        branch_ids=branch_ids,
        contractor_ids=contractor_ids,
        on_overlap=on_overlap,
        confirm_token=confirm_token,
    )
    # The collector paused: the plans' objects live until the write ends (opiekun.collector).
    with collector_paused(), transaction.atomic():
        return handover_checked(
            actor=actor, request=request, confirm_token=confirm_token, results_limit=results_limit
        )


def handover_checked(
    *, actor: Any, request: HandoverRequest, confirm_token: str | None, results_limit: int = RESULTS_LIMIT
) -> HandoverResult:
    """A checked request, in the caller's transaction: lock, load, plan, then answer
    the preview or write it."""
    rows, codes, counts = _load(actor, request)
    plans = _plan(request, rows, codes, counts)
    digest = _digest(actor, request, rows, counts)
    preview = _preview(plans, codes, request, results_limit)
    if not confirm_token:
        return HandoverResult(False, preview, confirm_token=issue_token(digest, purpose=PURPOSE))
    if not token_matches(confirm_token, digest, purpose=PURPOSE):
        raise StaleHandover(
            HandoverResult(False, preview, confirm_token=issue_token(digest, purpose=PURPOSE))
        )
    done = [p for p in plans if not p.skipped]
    if not done:
        raise ValidationError({NON_FIELD_ERRORS: [_("Nothing to hand over: no assignment would change.")]})
    handover = record_handover(actor, request, preview)
    write_handover(actor, handover, done, rows)
    return HandoverResult(True, preview, handover=handover)


# What the token binds of each row involved: any change to one of these is a stale preview.
_state = attrgetter(
    "id", "contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"
)


def _digest(
    actor: Any, request: HandoverRequest, rows: dict[int, AssignmentRow], counts: dict[int, int]
) -> str:
    """The state the token binds: who asks, what, every row involved (in the order of
    their ids) and the targets' counts."""
    hasher = StateHasher(actor=actor, request=request.as_json())
    for row in rows.values():
        hasher.add(_state(row))
    for item in sorted(counts.items()):
        hasher.add(item)
    return hasher.hexdigest()


def _load(
    actor: Any, request: HandoverRequest
) -> tuple[dict[int, AssignmentRow], dict[int, str], dict[int, int]]:
    """Under the lock of every contractor the source hands over: every row of theirs
    that reaches ``D − 1`` or later (the handed rows, their scopes' other rows, and
    what the target already holds on D), the contractors' codes, and the targets'
    caretaker counts on D (several targets only)."""
    day = request.day
    source = CaretakerAssignment.objects.filter(
        operator=request.source, type__in=[t.value for t in request.types]
    )
    source = source.overlapping(day, None)
    if request.role_ids is not None:
        source = source.filter(role_id__in=request.role_ids)
    if request.branch_ids is not None:
        source = source.filter(branch_id__in=request.branch_ids)
    if request.contractor_ids is not None:
        source = source.filter(contractor_id__in=id_list(request.contractor_ids))
    editable = visible_contractors(viewer=actor, editable=True)
    if editable.query.has_filters():  # only contractors the actor may change are handed over
        source = source.filter(contractor__in=editable.values("pk"))
    contractor_ids = sorted(set(source.values_list("contractor_id", flat=True)))
    codes = lock_contractor_codes(contractor_ids)
    # One who may change every contractor (no filter) cannot lose the right to one while
    # waiting: the lock has found every contractor; anyone else is checked again.
    errors = FieldErrors()
    if editable.query.has_filters() and report_unchangeable(errors, actor, contractor_ids):
        errors.raise_if_any()  # the right was lost while waiting for the lock
    since = day - ONE_DAY if day > date.min else day
    # Plain values, not model instances: reading ten thousand contractors' rows as
    # instances cost more than planning them. Their creation only for the record's
    # states written from memory (SQLite: `handover_record.write_handover`).
    columns = AssignmentRow.LOADED if connection.vendor != "postgresql" else AssignmentRow.LOADED[:-1]
    assert AssignmentRow.LOADED[-1] == "created_at"
    rows = {
        values[0]: AssignmentRow(*values)
        for values in CaretakerAssignment.objects.filter(contractor_id__in=id_list(contractor_ids))
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=since))
        .order_by("id")
        .values_list(*columns)
    }
    counts: dict[int, int] = {}
    if len(request.targets) > 1:
        counts = dict(
            CaretakerAssignment.objects.on(day)
            .filter(operator_id__in=request.target_ids)
            .values("operator_id")
            .annotate(n=Count("contractor_id", distinct=True))
            .values_list("operator_id", "n")
        )
    return rows, codes, counts


_TYPES = {t.value: t for t in AssignmentType}


def _row(r: AssignmentRow) -> Row:
    return Row(
        r.id,
        r.contractor_id,
        r.operator_id,
        _TYPES[r.type],
        r.role_id,
        r.branch_id,
        Period(r.date_from, r.date_to),
    )


def _plan(
    request: HandoverRequest,
    rows: dict[int, AssignmentRow],
    codes: dict[int, str],
    counts: dict[int, int],
) -> list[ContractorPlan]:
    """Every contractor's plan, in the order of their codes."""
    values = [_row(r) for r in rows.values()]
    handed = handed_rows(values, source_id=request.source.pk, day=request.day, selection=request.selection())
    by_contractor: dict[int, list[Row]] = defaultdict(list)
    for row in handed:
        by_contractor[row.contractor_id].append(row)
    scope_rows: dict[int, list[Row]] = defaultdict(list)
    for row in values:
        scope_rows[row.contractor_id].append(row)
    targets = request.target_ids
    already = {
        (r.operator_id, r.contractor_id)
        for r in values
        if r.operator_id in targets and r.period.contains_day(request.day)
    }
    chosen = distribute(
        [(cid, codes.get(cid, "")) for cid in by_contractor], targets, counts=counts, already=already
    )
    ordered = sorted(by_contractor, key=lambda cid: (codes.get(cid, ""), cid))
    return [
        plan_contractor(
            contractor_id=cid,
            handed=by_contractor[cid],
            scope_rows=scope_rows[cid],
            target_id=chosen[cid],
            day=request.day,
            policy=request.policy,
        )
        for cid in ordered
    ]


def _preview(
    plans: list[ContractorPlan], codes: dict[int, str], request: HandoverRequest, limit: int
) -> HandoverPreview:
    done = [p for p in plans if not p.skipped]
    per_target = {
        t: TargetTotals(
            t,
            sum(1 for p in done if p.target_id == t),
            sum(p.handed for p in done if p.target_id == t),
        )
        for t in request.target_ids
    }
    return HandoverPreview(
        contractors=len(done),
        assignments=sum(p.handed for p in done),
        skipped=len(plans) - len(done),
        conflicted=sum(1 for p in plans if p.conflicts),
        targets=tuple(per_target.values()),
        results=tuple(plans[: max(limit, 0)]),
        results_total=len(plans),
    )
