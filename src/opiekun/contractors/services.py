"""Writes on contractors. NIP and REGON are validated and stored compact."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as NumberError
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import (
    assignments_delete_for_contractor,
    assignments_for_new_contractor,
)
from opiekun.contractors.models import Contractor
from opiekun.operators.access import can_assign, operator_of, visible_contractors

EDITABLE_FIELDS = (
    "code",
    "name",
    "nip",
    "regon",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "active",
)


def _why(error: NumberError) -> str:
    """python-stdnum's reason, in the user's language."""
    if isinstance(error, InvalidChecksum):
        return _("the check digit is wrong")
    if isinstance(error, InvalidLength):
        return _("wrong number of digits")
    return _("only digits are allowed")


def normalize_nip(value: str) -> str:
    """The 10 digits of a valid NIP (dashes, spaces and a PL prefix allowed); '' stays ''."""
    if not value.strip():
        return ""
    try:
        return str(nip_number.validate(value))
    except NumberError as error:
        raise ValidationError({"nip": [_("Invalid NIP: %(reason)s") % {"reason": _why(error)}]}) from error


def normalize_regon(value: str) -> str:
    """A valid REGON of 9 or 14 digits; '' stays ''."""
    if not value.strip():
        return ""
    try:
        return str(regon_number.validate(value))
    except NumberError as error:
        raise ValidationError(
            {"regon": [_("Invalid REGON: %(reason)s") % {"reason": _why(error)}]}
        ) from error


def _clean(contractor: Contractor, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name == "active":
            if not isinstance(value, bool):
                errors[name] = [_("Enter true or false.")]
                continue
        elif not isinstance(value, str):
            errors[name] = [_("Enter text.")]
            continue
        else:
            value = value.strip()
        try:
            if name == "nip":
                value = normalize_nip(value)
            elif name == "regon":
                value = normalize_regon(value)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        setattr(contractor, name, value)
    # Every wrong field at once: the model's own checks (unique code, e-mail, lengths)
    # run on the fields that passed the checks above, and their messages join these.
    try:
        contractor.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _require_operator(actor: Any) -> None:
    if not (getattr(actor, "is_superuser", False) or operator_of(actor) is not None):
        raise PermissionDenied(_("Only operators may change contractors."))


@transaction.atomic
def contractor_create(*, actor: Any, **data: Any) -> Contractor:
    """Create a contractor; its creator becomes its main caretaker if so configured."""
    _require_operator(actor)
    contractor = Contractor(created_by=actor if getattr(actor, "pk", None) else None)
    _clean(contractor, data)
    contractor._history_user = actor  # type: ignore[attr-defined]
    contractor.save()
    if settings.CREATOR_BECOMES_CARETAKER:
        assignments_for_new_contractor(actor=actor, contractor=contractor)
    return contractor


def _editable(actor: Any, contractor_id: object) -> Contractor:
    """The contractor, if ``actor`` may change it: DoesNotExist when they may not see
    it, PermissionDenied when they may only read it."""
    try:
        pk = int(contractor_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Contractor.DoesNotExist from None
    contractor = visible_contractors(viewer=actor).filter(pk=pk).first()
    if contractor is None:
        raise Contractor.DoesNotExist
    if not visible_contractors(viewer=actor, editable=True).filter(pk=pk).exists():
        raise PermissionDenied(_("You may not change this contractor."))
    return contractor


@transaction.atomic
def contractor_update(*, actor: Any, contractor_id: object, **data: Any) -> Contractor:
    _require_operator(actor)
    contractor = _editable(actor, contractor_id)
    _clean(contractor, data)
    contractor._history_user = actor  # type: ignore[attr-defined]
    contractor.save()
    return contractor


@transaction.atomic
def contractor_delete(*, actor: Any, contractor_id: object) -> None:
    """Delete a contractor and its assignments, recording both in the audit trail.
    A contractor that has assignments (of any time) can only be deleted by someone
    with the permission to assign caretakers: deleting it removes its caretakers.
    The contractor's row is locked first, so no assignment can appear between the
    check and the deletion."""
    _require_operator(actor)
    pk = _editable(actor, contractor_id).pk
    Contractor.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).first()
    contractor = _editable(actor, pk)  # again, under the lock
    if not can_assign(actor) and CaretakerAssignment.objects.filter(contractor=contractor).exists():
        raise PermissionDenied(
            _("Deleting a contractor that has caretakers needs the permission to assign caretakers.")
        )
    assignments_delete_for_contractor(actor=actor, contractor=contractor)
    contractor._history_user = actor  # type: ignore[attr-defined]
    contractor.delete()
