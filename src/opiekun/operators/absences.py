"""Absences of operators (docs/semantics.md, "Absences and the acting caretaker"):
who sees which, who may enter which, and the writes, each audited.

- Seen by: a superuser, an operator who sees all contractors, and one with the
  permission to manage absences — every absence; any other (own-only) operator —
  their own, and those of operators who care, during the absence, for a contractor
  the viewer may see. Anything else is unknown to them (404).
- Entered, changed and deleted by: the operator themselves, an operator with
  `can_manage_absences` (anyone's), a superuser.
- One operator's absences never overlap: refused with a field error naming the
  other absence, and by the database itself (migration 0002_absence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services.inputs import FieldErrors, check_choice, check_date, check_operator
from opiekun.dates import format_period
from opiekun.ids import to_id
from opiekun.messages import DATE_TO_BEFORE_FROM
from opiekun.operators.access import is_administrator, operator_of, visible_contractors
from opiekun.operators.models import Absence, AbsenceKind, Operator, Visibility
from opiekun.periods import Period

NOTE_MAX = 500
NOT_YOURS = gettext_lazy("You may enter only your own absences.")
KIND_LABELS = dict(AbsenceKind.choices)


# --- who may do what -------------------------------------------------------------------


def can_manage_absences(user: Any) -> bool:
    """May enter, change and delete anyone's absences."""
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_manage_absences


def may_edit_absences_of(user: Any, operator_id: int) -> bool:
    if can_manage_absences(user):
        return True
    own = operator_of(user)
    return own is not None and own.pk == operator_id


def _sees_every_absence(user: Any) -> bool:
    if can_manage_absences(user):
        return True
    own = operator_of(user)
    return own is not None and own.visibility == Visibility.ALL


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceFilters:
    operator_id: int | None = None
    date_from: date | None = None  # absences sharing a day with [date_from, date_to]
    date_to: date | None = None
    kind: str | None = None


def absence_list(*, viewer: Any, filters: AbsenceFilters = AbsenceFilters()) -> QuerySet[Absence]:
    """The absences ``viewer`` may see that match ``filters``, by start."""
    qs = Absence.objects.select_related("operator__user")
    if not _sees_every_absence(viewer):
        own = operator_of(viewer)
        if own is None:
            return qs.none()
        caring = CaretakerAssignment.objects.filter(
            operator_id=OuterRef("operator_id"),
            contractor__in=visible_contractors(viewer=viewer).values("pk"),
            date_from__lte=OuterRef("date_to"),
        ).filter(Q(date_to__isnull=True) | Q(date_to__gte=OuterRef("date_from")))
        qs = qs.filter(Q(operator=own) | Exists(caring))
    if filters.operator_id is not None:
        qs = qs.filter(operator_id=filters.operator_id)
    if filters.date_from is not None:
        qs = qs.filter(date_to__gte=filters.date_from)
    if filters.date_to is not None:
        qs = qs.filter(date_from__lte=filters.date_to)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("date_from", "operator__user__last_name", "id")


def absence_get(*, viewer: Any, absence_id: object) -> Absence:
    """One absence the viewer may see; Absence.DoesNotExist otherwise."""
    pk = to_id(absence_id)
    if pk is None:
        raise Absence.DoesNotExist
    return absence_list(viewer=viewer).get(pk=pk)


# --- writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    operator: Operator
    period: Period
    kind: AbsenceKind
    note: str
    last_day: date  # period.end, never None for an absence


def _check(
    *, operator_id: object, date_from: object, date_to: object, kind: object, note: object
) -> _Checked:
    errors = FieldErrors()
    operator = check_operator(errors, operator_id)
    start = check_date(errors, "date_from", date_from, required=True)
    end = check_date(errors, "date_to", date_to, required=True)
    if start is not None and end is not None and end < start:
        errors.add("date_to", str(DATE_TO_BEFORE_FROM))
    chosen = check_choice(errors, "kind", kind, AbsenceKind, AbsenceKind.VACATION)
    text = "" if note is None else note
    if not isinstance(text, str):
        errors.add("note", _("Enter text."))
    elif len(text) > NOTE_MAX:
        errors.add("note", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    elif "\x00" in text:
        errors.add("note", _("Text may not contain NUL characters."))
    errors.raise_if_any()
    assert operator is not None and start is not None and end is not None and chosen is not None
    assert isinstance(text, str)
    return _Checked(operator, Period(start, end), chosen, text.strip(), end)


def _lock_operator(operator: Operator) -> None:
    """Writers of one operator's absences queue on the operator's row (PostgreSQL);
    on SQLite the IMMEDIATE transaction already holds the write lock."""
    Operator.objects.select_for_update().filter(pk=operator.pk).values_list("pk").first()


def _refuse_overlap(checked: _Checked, *, exclude: int | None = None, field: str = "date_from") -> None:
    """A clash with another absence of the operator, on ``field``: the dates, or the
    operator when only the operator was changed (the dates were fine as they were)."""
    other = (
        Absence.objects.filter(
            operator=checked.operator,
            date_from__lte=checked.last_day,
            date_to__gte=checked.period.start,
        )
        .exclude(pk=exclude or 0)
        .order_by("date_from")
        .first()
    )
    if other is not None:
        message = _("%(name)s is already absent then: %(kind)s, %(period)s.") % {
            "name": checked.operator.display_name,
            "kind": str(KIND_LABELS.get(other.kind, other.kind)),
            "period": format_period(other.period),
        }
        raise ValidationError({field: [message]})


def _save(actor: Any, absence: Absence, checked: _Checked, reason: str) -> Absence:
    absence.operator = checked.operator
    absence.date_from, absence.date_to = checked.period.start, checked.last_day
    absence.kind, absence.note = checked.kind.value, checked.note
    user = actor if getattr(actor, "pk", None) else None
    if absence.pk is None:
        absence.created_by = user
    absence.updated_by = user
    absence._history_user = user  # type: ignore[attr-defined]
    absence._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            absence.save()
    except IntegrityError as error:  # a concurrent write the lock did not order
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The absences changed while saving; nothing was saved. Try again.")]}
        ) from error
    return absence


@transaction.atomic
def absence_create(
    *,
    actor: Any,
    operator_id: object,
    date_from: object,
    date_to: object,
    kind: object = AbsenceKind.VACATION.value,
    note: object = "",
) -> Absence:
    """Record an absence. PermissionDenied for someone else's without the permission."""
    if not is_administrator(actor) and operator_of(actor) is None:
        raise PermissionDenied(str(NOT_YOURS))
    checked = _check(operator_id=operator_id, date_from=date_from, date_to=date_to, kind=kind, note=note)
    if not may_edit_absences_of(actor, checked.operator.pk):
        raise PermissionDenied(str(NOT_YOURS))
    _lock_operator(checked.operator)
    _refuse_overlap(checked)
    return _save(actor, Absence(), checked, "absence_create")


_UNSET: Any = object()


def _editable(actor: Any, absence_id: object) -> Absence:
    absence = absence_get(viewer=actor, absence_id=absence_id)
    if not may_edit_absences_of(actor, absence.operator_id):
        raise PermissionDenied(str(NOT_YOURS))
    _lock_operator(absence.operator)
    fresh = Absence.objects.select_related("operator__user").filter(pk=absence.pk).first()
    if fresh is None:  # deleted while waiting for the lock
        raise Absence.DoesNotExist
    return fresh


@transaction.atomic
def absence_update(
    *,
    actor: Any,
    absence_id: object,
    operator_id: object = _UNSET,
    date_from: object = _UNSET,
    date_to: object = _UNSET,
    kind: object = _UNSET,
    note: object = _UNSET,
) -> Absence:
    """Change an absence; only the values given change. Moving it to another operator
    needs the right to enter that operator's absences too."""
    absence = _editable(actor, absence_id)
    checked = _check(
        operator_id=absence.operator_id if operator_id is _UNSET else operator_id,
        date_from=absence.date_from if date_from is _UNSET else date_from,
        date_to=absence.date_to if date_to is _UNSET else date_to,
        kind=absence.kind if kind is _UNSET else kind,
        note=absence.note if note is _UNSET else note,
    )
    if not may_edit_absences_of(actor, checked.operator.pk):
        raise PermissionDenied(str(NOT_YOURS))
    if checked.operator.pk != absence.operator_id:
        _lock_operator(checked.operator)
    moved = checked.operator.pk != absence.operator_id and checked.period == absence.period
    _refuse_overlap(checked, exclude=absence.pk, field="operator_id" if moved else "date_from")
    unchanged = (
        checked.operator.pk == absence.operator_id
        and checked.period == absence.period
        and checked.kind.value == absence.kind
        and checked.note == absence.note
    )
    if unchanged:
        return absence  # nothing to write, nothing to record
    return _save(actor, absence, checked, "absence_update")


@transaction.atomic
def absence_delete(*, actor: Any, absence_id: object) -> None:
    absence = _editable(actor, absence_id)
    absence._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    absence._change_reason = "absence_delete"  # type: ignore[attr-defined]
    absence.delete()
