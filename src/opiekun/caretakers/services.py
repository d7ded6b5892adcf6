"""Writes on caretaker assignments and their dictionaries (DESIGN §3).

Every write goes through a function here. Bulk writes load, decide (rules.decide)
and write set-based: a constant number of queries for a whole selection. Every write
is recorded in the audit trail (opiekun.audit) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opiekun import audit
from opiekun.bulk import delete_ids, id_list, insert_rows, update_rows
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import (
    AssignmentType,
    Change,
    Outcome,
    OverlapPolicy,
    Plan,
    Proposal,
    Slot,
    decide,
    is_conflict,
)
from opiekun.contractors.models import Contractor
from opiekun.dates import parse_date, today
from opiekun.operators.models import Operator
from opiekun.operators.selectors import (
    can_assign,
    can_manage_dictionaries,
    operator_of,
    visible_contractors,
)
from opiekun.periods import Period, touching_window

logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # the largest bigint primary key
CONFIRM_TOKEN_MAX_AGE = 60 * 60  # seconds a WARN preview may be confirmed in
_confirm_signer = signing.TimestampSigner(salt="opiekun.caretakers.caretaker_add")

_INSERT_FIELDS = [
    "contractor_id",
    "operator_id",
    "type",
    "role_id",
    "branch_id",
    "date_from",
    "date_to",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
]
_PERIOD_FIELDS = ["date_from", "date_to", "updated_by_id", "updated_at"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class ContractorResult:
    contractor_id: int
    outcome: Outcome
    assignment_id: int | None  # the assignment that holds the added period, if written
    changes: tuple[Change, ...]
    conflicts: tuple[Slot, ...]


@dataclass(frozen=True)
class AddResult:
    applied: bool
    results: tuple[ContractorResult, ...]
    confirm_token: str | None = None  # set when WARN waits for confirmation

    def counts(self) -> dict[str, int]:
        counter = Counter(r.outcome.value for r in self.results)
        return {o.value: counter.get(o.value, 0) for o in Outcome}


class StaleConfirmation(Exception):
    """A WARN confirmation whose preview no longer matches the data; `preview` is fresh."""

    def __init__(self, preview: AddResult) -> None:
        super().__init__(_("The data changed since the preview; review the new preview."))
        self.preview = preview


@dataclass(frozen=True)
class _AddRequest:
    contractor_ids: tuple[int, ...]
    operator: Operator
    role: CaretakerRole
    branch: Branch | None
    period: Period
    policy: OverlapPolicy
    type: AssignmentType


# --- validation -------------------------------------------------------------------


class _Errors:
    """Collects field-level messages; raises them all at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.messages[field].append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(dict(self.messages))


def _date(errors: _Errors, field: str, value: object, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        return parse_date(value)
    except ValueError:
        errors.add(field, _("Enter a valid date (YYYY-MM-DD or dd.mm.rrrr)."))
        return None


def _choice(errors: _Errors, field: str, value: object, enum: Any, default: Any = None) -> Any:
    if value is None and default is not None:
        return default
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        errors.add(
            field, _("Unknown value %(value)r; allowed: %(allowed)s.") % {"value": value, "allowed": allowed}
        )
        return None


def _int_id(errors: _Errors, field: str, value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.add(field, _("Enter a whole number."))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.add(field, _("Enter a whole number."))
        return None
    if number <= 0:
        errors.add(field, _("Enter a positive number."))
        return None
    if number > MAX_ID:  # PostgreSQL would refuse it in a bigint array: a 500, not a 422
        errors.add(field, _("Unknown id %(id)s.") % {"id": number})
        return None
    return number


def _operator(errors: _Errors, value: object) -> Operator | None:
    operator_id = _int_id(errors, "operator_id", value)
    if operator_id is None:
        return None
    operator = Operator.objects.select_related("user").filter(pk=operator_id).first()
    if operator is None:
        errors.add("operator_id", _("Unknown operator %(id)s.") % {"id": operator_id})
    elif not (operator.active and operator.user.is_active):
        errors.add("operator_id", _("Operator %(name)s is inactive.") % {"name": operator.display_name})
        return None
    return operator


def _role(errors: _Errors, value: object) -> CaretakerRole | None:
    if value is None:
        role = CaretakerRole.objects.filter(is_default=True).first()
        if role is None:
            errors.add("role_id", _("There is no default role; choose one."))
        return role
    role_id = _int_id(errors, "role_id", value)
    if role_id is None:
        return None
    role = CaretakerRole.objects.filter(pk=role_id).first()
    if role is None:
        errors.add("role_id", _("Unknown role %(id)s.") % {"id": role_id})
    elif not role.active:
        errors.add("role_id", _("Role %(name)s is inactive.") % {"name": role.name})
        return None
    return role


def _branch(errors: _Errors, value: object) -> Branch | None:
    if value is None:
        return None
    branch_id = _int_id(errors, "branch_id", value)
    if branch_id is None:
        return None
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        errors.add("branch_id", _("Unknown branch %(id)s.") % {"id": branch_id})
    elif not branch.active:
        errors.add("branch_id", _("Branch %(name)s is inactive.") % {"name": branch.name})
        return None
    return branch


def _period(errors: _Errors, date_from: object, date_to: object) -> Period | None:
    start = _date(errors, "date_from", date_from, required=True)
    end = _date(errors, "date_to", date_to, required=False)
    if start is None:
        return None
    if end is not None and end < start:
        errors.add("date_to", _("Date to cannot be earlier than date from."))
        return None
    if end is None and date_to not in (None, ""):
        return None
    return Period(start, end)


def _contractor_ids(errors: _Errors, actor: Any, values: object) -> tuple[int, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        errors.add("contractor_ids", _("Give a list of contractor ids."))
        return ()
    ids: set[int] = set()
    for value in values:
        number = _int_id(errors, "contractor_ids", value)
        if number is not None:
            ids.add(number)
    if not ids:
        if "contractor_ids" not in errors.messages:
            errors.add("contractor_ids", _("Select at least one contractor."))
        return ()
    wanted = sorted(ids)
    editable = set(
        visible_contractors(viewer=actor, editable=True)
        .filter(pk__in=id_list(wanted))
        .values_list("pk", flat=True)
    )
    missing = [i for i in wanted if i not in editable]
    if missing:
        readable = set(
            visible_contractors(viewer=actor).filter(pk__in=id_list(missing)).values_list("pk", flat=True)
        )
        unknown = [i for i in missing if i not in readable]
        read_only = [i for i in missing if i in readable]
        if unknown:
            errors.add("contractor_ids", _("Unknown contractors: %(ids)s.") % {"ids": _short_list(unknown)})
        if read_only:
            errors.add(
                "contractor_ids",
                _("You may not change contractors: %(ids)s.") % {"ids": _short_list(read_only)},
            )
    return tuple(wanted)


def _short_list(ids: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" (+{len(ids) - limit})" if len(ids) > limit else "")


def _require_assign(actor: Any) -> None:
    if not can_assign(actor):
        raise PermissionDenied(_("You do not have the permission to assign caretakers."))


# --- caretaker_add ----------------------------------------------------------------


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
) -> AddResult:
    """Add a caretaker to every selected contractor, all or none (DESIGN §3).

    Raises ValidationError (field-level) on bad input, PermissionDenied without the
    permission to assign, StaleConfirmation when a WARN token no longer matches.
    For WARN with conflicts and no token, writes nothing and returns the preview
    (``applied=False``) with a ``confirm_token``.
    """
    _require_assign(actor)
    request = _validate_add(
        actor=actor,
        contractor_ids=contractor_ids,
        operator_id=operator_id,
        date_from=date_from,
        date_to=date_to,
        on_overlap=on_overlap,
        type=type,
        role_id=role_id,
        branch_id=branch_id,
    )
    try:
        with transaction.atomic():
            return _add(actor, request, confirm_token)
    except IntegrityError as error:  # only a bug or a foreign write could get here
        raise _collision(error) from error


def _validate_add(
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
) -> _AddRequest:
    errors = _Errors()
    policy = _choice(errors, "on_overlap", on_overlap, OverlapPolicy, OverlapPolicy.WARN)
    kind = _choice(errors, "type", type, AssignmentType, AssignmentType.MAIN)
    period = _period(errors, date_from, date_to)
    operator = _operator(errors, operator_id)
    role = _role(errors, role_id)
    branch = _branch(errors, branch_id)
    ids = _contractor_ids(errors, actor, contractor_ids)
    errors.raise_if_any()
    assert operator is not None and role is not None and period is not None
    return _AddRequest(ids, operator, role, branch, period, policy, kind)


def _scope_filter(role: CaretakerRole, branch: Branch | None) -> Q:
    return Q(role=role) & (Q(branch__isnull=True) if branch is None else Q(branch=branch))


def _add(actor: Any, request: _AddRequest, confirm_token: str | None) -> AddResult:
    _lock_contractors(request.contractor_ids)
    window = touching_window(request.period)
    rows = list(
        CaretakerAssignment.objects.filter(
            _scope_filter(request.role, request.branch),
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
        digest = _state_digest(actor, request, rows)
        needs_confirmation = any(plan.conflicts for plan in plans.values())
        if confirm_token:
            if not _token_matches(confirm_token, digest):
                raise StaleConfirmation(_preview(plans, digest))
        elif needs_confirmation:
            return _preview(plans, digest)

    holders = _apply(actor, request, plans, {row.id: row for row in rows})
    return AddResult(
        applied=True,
        results=tuple(
            ContractorResult(cid, plan.outcome, holders.get(cid), plan.changes, plan.conflicts)
            for cid, plan in plans.items()
        ),
    )


def _lock_contractors(contractor_ids: Sequence[int]) -> None:
    """Lock the contractors in primary-key order (PostgreSQL), so that concurrent
    writers on overlapping selections queue up instead of deadlocking. On SQLite the
    IMMEDIATE transaction already holds the database's write lock.

    A contractor deleted since the caller validated the selection is a field error,
    found here, under the lock, before anything is written."""
    locked = set(
        Contractor.objects.select_for_update()
        .filter(pk__in=id_list(contractor_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    gone = [pk for pk in contractor_ids if pk not in locked]
    if gone:
        raise ValidationError(
            {"contractor_ids": [_("Unknown contractors: %(ids)s.") % {"ids": _short_list(gone)}]}
        )


def _collision(error: IntegrityError) -> ValidationError:
    """What the user sees if the database refuses a write the service let through:
    a plain message (the database's own text goes to the log, not to the screen)."""
    logger.warning("The database refused a caretaker write: %s", error)
    return ValidationError(
        {NON_FIELD_ERRORS: [_("The caretakers changed while saving; nothing was saved. Try again.")]}
    )


def _state_digest(actor: Any, request: _AddRequest, rows: Sequence[CaretakerAssignment]) -> str:
    """A fingerprint of the request and of every row it involves, as they are now."""
    state = {
        "actor": actor.pk,
        "contractors": request.contractor_ids,
        "operator": request.operator.pk,
        "type": request.type.value,
        "role": request.role.pk,
        "branch": request.branch.pk if request.branch else None,
        "period": str(request.period),
        "rows": [
            [r.id, r.contractor_id, r.operator_id, r.type, str(r.date_from), str(r.date_to)] for r in rows
        ],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _token_matches(token: object, digest: str) -> bool:
    if not isinstance(token, str):  # garbage from a client is stale, not a crash
        return False
    try:
        signed = _confirm_signer.unsign(token, max_age=CONFIRM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return False
    return signed == digest


def _preview(plans: Mapping[int, Plan], digest: str) -> AddResult:
    return AddResult(
        applied=False,
        results=tuple(
            ContractorResult(cid, plan.outcome, plan.holder_id, plan.changes, plan.conflicts)
            for cid, plan in plans.items()
        ),
        confirm_token=_confirm_signer.sign(digest),
    )


def _apply(
    actor: Any,
    request: _AddRequest,
    plans: Mapping[int, Plan],
    rows: Mapping[int, CaretakerAssignment],
) -> dict[int, int]:
    """Write every plan at once: deletes, shrinks, grows, inserts — in that order no
    statement meets a row that the invariants would refuse. Returns, per contractor,
    the assignment that holds the added period."""
    now = timezone.now()
    deleted = [rows[i] for plan in plans.values() for i in plan.deletes]
    _delete(deleted, actor=actor, when=now, reason="caretaker_add")
    for attr in ("shrinks", "grows"):
        changed = []
        for plan in plans.values():
            for assignment_id, period in getattr(plan, attr):
                row = rows[assignment_id]
                row.date_from, row.date_to = period.start, period.end
                row.updated_by_id, row.updated_at = actor.pk, now
                changed.append(row)
        _update(changed, _PERIOD_FIELDS, actor=actor, when=now, reason="caretaker_add")

    new_rows = [
        CaretakerAssignment(
            contractor_id=cid,
            operator_id=new.operator_id,
            type=new.type.value,
            role_id=request.role.pk,
            branch_id=request.branch.pk if request.branch else None,
            date_from=new.period.start,
            date_to=new.period.end,
            created_by_id=actor.pk,
            updated_by_id=actor.pk,
            created_at=now,
            updated_at=now,
        )
        for cid, plan in plans.items()
        for new in plan.inserts
    ]
    _insert(new_rows, actor=actor, when=now, reason="caretaker_add")

    holders = {cid: plan.holder_id for cid, plan in plans.items() if plan.holder_id}
    inserted = iter(new_rows)
    for cid, plan in plans.items():
        for new in plan.inserts:
            row = next(inserted)
            if new.is_proposal:
                holders[cid] = row.pk
    return holders


def _insert(new_rows: list[CaretakerAssignment], *, actor: Any, when: datetime, reason: str) -> None:
    values = [{name: getattr(row, name) for name in _INSERT_FIELDS} for row in new_rows]
    for row, pk in zip(new_rows, insert_rows(CaretakerAssignment, _INSERT_FIELDS, values), strict=True):
        row.pk = pk
    audit.record(
        CaretakerAssignment,
        map(audit.snapshot, new_rows),
        history_type=audit.CREATED,
        user=actor,
        when=when,
        reason=reason,
    )


def _update(
    rows: list[CaretakerAssignment], fields: Sequence[str], *, actor: Any, when: datetime, reason: str
) -> None:
    values = [{"id": row.pk, **{name: getattr(row, name) for name in fields}} for row in rows]
    update_rows(CaretakerAssignment, fields, values)
    audit.record(
        CaretakerAssignment,
        map(audit.snapshot, rows),
        history_type=audit.CHANGED,
        user=actor,
        when=when,
        reason=reason,
    )


def _delete(rows: list[CaretakerAssignment], *, actor: Any, when: datetime, reason: str) -> None:
    audit.record(
        CaretakerAssignment,
        map(audit.snapshot, rows),
        history_type=audit.DELETED,
        user=actor,
        when=when,
        reason=reason,
    )
    delete_ids(CaretakerAssignment, [row.pk for row in rows])


# --- single assignments -----------------------------------------------------------


def _locked_assignment(actor: Any, assignment_id: object) -> CaretakerAssignment:
    """The assignment, its contractor locked; DoesNotExist when unknown or not visible,
    PermissionDenied when the actor may only read it."""
    errors = _Errors()
    pk = _int_id(errors, "id", assignment_id)
    if pk is None:
        raise CaretakerAssignment.DoesNotExist
    contractor_id = CaretakerAssignment.objects.filter(pk=pk).values_list("contractor_id", flat=True).first()
    if contractor_id is None or not visible_contractors(viewer=actor).filter(pk=contractor_id).exists():
        raise CaretakerAssignment.DoesNotExist
    if not visible_contractors(viewer=actor, editable=True).filter(pk=contractor_id).exists():
        raise PermissionDenied(_("You may not change this contractor."))
    _lock_contractors([contractor_id])
    return CaretakerAssignment.objects.get(pk=pk)


@transaction.atomic
def assignment_update(
    *,
    actor: Any,
    assignment_id: object,
    operator_id: object = UNSET,
    type: object = UNSET,
    role_id: object = UNSET,
    branch_id: object = UNSET,
    date_from: object = UNSET,
    date_to: object = UNSET,
) -> CaretakerAssignment:
    """Change one assignment. A change that would break an invariant is refused,
    naming the assignment it would collide with."""
    _require_assign(actor)
    row = _locked_assignment(actor, assignment_id)
    errors = _Errors()
    operator = _operator(errors, operator_id) if operator_id is not UNSET else row.operator
    kind = _choice(errors, "type", type, AssignmentType) if type is not UNSET else AssignmentType(row.type)
    role = _role(errors, role_id) if role_id is not UNSET else row.role
    if role_id is None:  # an explicit null is not "the default role" when editing
        errors.add("role_id", _("This field is required."))
    branch = _branch(errors, branch_id) if branch_id is not UNSET else row.branch
    period = _period(
        errors,
        row.date_from if date_from is UNSET else date_from,
        row.date_to if date_to is UNSET else date_to,
    )
    errors.raise_if_any()
    assert operator is not None and role is not None and period is not None

    collision = (
        CaretakerAssignment.objects.filter(_scope_filter(role, branch), contractor_id=row.contractor_id)
        .exclude(pk=row.pk)
        .overlapping(period.start, period.end)
        .select_related("operator__user")
        .order_by("date_from")
    )
    proposal = Proposal(operator.pk, kind, period)
    for other in collision:
        slot = Slot(other.pk, other.operator_id, AssignmentType(other.type), other.period)
        if is_conflict(slot, proposal) or other.operator_id == operator.pk:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("Collides with assignment #%(id)s: %(operator)s, %(type)s, %(period)s.")
                        % {
                            "id": other.pk,
                            "operator": other.operator.display_name,
                            "type": other.get_type_display(),
                            "period": _human_period(other.period),
                        }
                    ]
                }
            )

    before = (row.operator_id, row.type, row.role_id, row.branch_id, row.period)
    if before == (operator.pk, kind.value, role.pk, branch.pk if branch else None, period):
        return row  # nothing changes: nothing to write, nothing to record
    row.operator, row.type, row.role, row.branch = operator, kind.value, role, branch
    row.date_from, row.date_to = period.start, period.end
    row.updated_by_id, row.updated_at = actor.pk, timezone.now()
    fields = ["operator_id", "type", "role_id", "branch_id", *_PERIOD_FIELDS]
    try:
        with transaction.atomic():
            _update([row], fields, actor=actor, when=row.updated_at, reason="assignment_update")
    except IntegrityError as error:
        raise _collision(error) from error
    return row


def _human_period(period: Period) -> str:
    end = period.end.isoformat() if period.end else "…"
    return f"{period.start.isoformat()} – {end}"


def assignment_end(*, actor: Any, assignment_id: object, date_to: object) -> CaretakerAssignment:
    """Set the last day of an assignment (Data do)."""
    if date_to is None or date_to == "":
        raise ValidationError({"date_to": [_("This field is required.")]})
    return assignment_update(actor=actor, assignment_id=assignment_id, date_to=date_to)


@transaction.atomic
def assignment_delete(*, actor: Any, assignment_id: object) -> None:
    _require_assign(actor)
    row = _locked_assignment(actor, assignment_id)
    _delete([row], actor=actor, when=timezone.now(), reason="assignment_delete")


def assignments_for_new_contractor(*, actor: Any, contractor: Contractor) -> None:
    """The creator of a contractor becomes its main caretaker in the default role
    from today (a setting; DESIGN §5). A new contractor has nothing to collide with."""
    operator = operator_of(actor)
    role = CaretakerRole.objects.filter(is_default=True).first()
    if operator is None or role is None:
        return
    now = timezone.now()
    row = CaretakerAssignment(
        contractor=contractor,
        operator=operator,
        type=AssignmentType.MAIN.value,
        role=role,
        branch=None,
        date_from=today(),
        date_to=None,
        created_by_id=actor.pk,
        updated_by_id=actor.pk,
        created_at=now,
        updated_at=now,
    )
    _insert([row], actor=actor, when=now, reason="contractor_create")


def assignments_delete_for_contractor(*, actor: Any, contractor: Contractor) -> None:
    """Remove every assignment of a contractor that is being deleted, on the record.
    The contractor's row is locked first, as every writer of its assignments does, so
    a concurrent bulk add waits for the deletion instead of deadlocking with it."""
    _lock_contractors([contractor.pk])
    rows = list(CaretakerAssignment.objects.filter(contractor=contractor))
    _delete(rows, actor=actor, when=timezone.now(), reason="contractor_delete")


# --- dictionaries -----------------------------------------------------------------


def _require_dictionaries(actor: Any) -> None:
    if not can_manage_dictionaries(actor):
        raise PermissionDenied(_("You do not have the permission to edit dictionaries."))


@transaction.atomic
def role_save(
    *,
    actor: Any,
    role_id: int | None = None,
    name: str,
    is_default: bool = False,
    active: bool = True,
) -> CaretakerRole:
    """Create or change a role. Exactly one role is the default: making one the
    default takes it from the other; the default cannot be unset or deactivated."""
    _require_dictionaries(actor)
    role = CaretakerRole() if role_id is None else CaretakerRole.objects.get(pk=role_id)
    errors = _Errors()
    if role.pk and role.is_default and not is_default:
        errors.add("is_default", _("Make another role the default instead."))
    if is_default and not active:
        errors.add("active", _("The default role must be active."))
    if CaretakerRole.objects.filter(name__iexact=name.strip()).exclude(pk=role.pk).exists():
        errors.add("name", _("A role with this name already exists."))
    errors.raise_if_any()
    role.name, role.is_default, role.active = name.strip(), is_default, active
    if is_default:
        CaretakerRole.objects.exclude(pk=role.pk).filter(is_default=True).update(is_default=False)
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def branch_save(
    *, actor: Any, branch_id: int | None = None, code: str, name: str, active: bool = True
) -> Branch:
    _require_dictionaries(actor)
    branch = Branch() if branch_id is None else Branch.objects.get(pk=branch_id)
    errors = _Errors()
    if Branch.objects.filter(code__iexact=code.strip()).exclude(pk=branch.pk).exists():
        errors.add("code", _("A branch with this code already exists."))
    errors.raise_if_any()
    branch.code, branch.name, branch.active = code.strip(), name.strip(), active
    branch.full_clean()
    branch.save()
    return branch
