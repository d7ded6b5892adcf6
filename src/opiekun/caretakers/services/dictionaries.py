"""The caretaker roles and company branches dictionaries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.services.inputs import FieldErrors
from opiekun.coverage.services import default_role_changed
from opiekun.operators.access import can_manage_dictionaries


def _require_dictionaries(actor: Any) -> None:
    if not can_manage_dictionaries(actor):
        raise PermissionDenied(_("You do not have the permission to edit dictionaries."))


@transaction.atomic
def role_save(
    *, actor: Any, role_id: int | None = None, name: str, is_default: bool = False, active: bool = True
) -> CaretakerRole:
    """Create or change a role. Exactly one role is the default: making one the
    default takes it from the other; the default cannot be unset or deactivated."""
    _require_dictionaries(actor)
    role = CaretakerRole() if role_id is None else CaretakerRole.objects.get(pk=role_id)
    errors = FieldErrors()
    if role.pk and role.is_default and not is_default:
        errors.add("is_default", _("Make another role the default instead."))
    if is_default and not active:
        errors.add("active", _("The default role must be active."))
    if CaretakerRole.objects.filter(name__iexact=name.strip()).exclude(pk=role.pk).exists():
        errors.add("name", _("A role with this name already exists."))
    errors.raise_if_any()
    role.name, role.is_default, role.active = name.strip(), is_default, active
    previous = CaretakerRole.objects.default().values_list("pk", flat=True).first()
    if is_default:
        CaretakerRole.objects.default().exclude(pk=role.pk).update(is_default=False)
    role.full_clean()
    role.save()
    if is_default and previous != role.pk:
        default_role_changed(old_role_id=previous, new_role_id=role.pk)
    return role


@transaction.atomic
def branch_save(
    *, actor: Any, branch_id: int | None = None, code: str, name: str, active: bool = True
) -> Branch:
    """Create or change a branch; codes are unique whatever their case."""
    _require_dictionaries(actor)
    branch = Branch() if branch_id is None else Branch.objects.get(pk=branch_id)
    errors = FieldErrors()
    if Branch.objects.filter(code__iexact=code.strip()).exclude(pk=branch.pk).exists():
        errors.add("code", _("A branch with this code already exists."))
    errors.raise_if_any()
    branch.code, branch.name, branch.active = code.strip(), name.strip(), active
    branch.full_clean()
    branch.save()
    return branch
