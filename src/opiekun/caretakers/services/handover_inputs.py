"""A handover's raw input (form, API or CLI) checked into a `HandoverRequest`, every
wrong field reported at once; a handful of queries, however long the lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from opiekun.caretakers.handover_rules import Selection
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.services.inputs import (
    FieldErrors,
    check_choice,
    check_confirm_token,
    check_date,
    check_id,
    check_selection,
    short_list,
)
from opiekun.operators.models import Operator

DISTRIBUTIONS = ("even",)
PURPOSE = "handover"  # of the confirmation tokens


@dataclass(frozen=True)
class HandoverRequest:
    """A checked handover: from whom, to whom (in the order given), from which day,
    which of the source's rows, and the policy for the targets' conflicts."""

    source: Operator
    targets: tuple[Operator, ...]
    day: date
    types: tuple[AssignmentType, ...]
    role_ids: tuple[int, ...] | None
    branch_ids: tuple[int, ...] | None
    contractor_ids: tuple[int, ...] | None
    policy: OverlapPolicy
    distribution: str = "even"

    @property
    def target_ids(self) -> list[int]:
        return [t.pk for t in self.targets]

    def selection(self) -> Selection:
        return Selection(
            types=frozenset(self.types),
            role_ids=None if self.role_ids is None else frozenset(self.role_ids),
            branch_ids=None if self.branch_ids is None else frozenset(self.branch_ids),
            contractor_ids=None if self.contractor_ids is None else frozenset(self.contractor_ids),
        )

    def as_json(self) -> dict[str, Any]:
        """The request as plain values: what a confirmation token binds."""
        return {
            "from": self.source.pk,
            "to": self.target_ids,
            "date": self.day.isoformat(),
            "types": [t.value for t in self.types],
            "roles": self.role_ids,
            "branches": self.branch_ids,
            "contractors": self.contractor_ids,
            "policy": self.policy.value,
            "distribution": self.distribution,
        }


def check_handover(
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
    on_overlap: object = OverlapPolicy.WARN,
    confirm_token: object = None,
) -> HandoverRequest:
    errors = FieldErrors()
    source = _check_source(errors, from_operator_id)
    targets = _check_targets(errors, to_operator_ids, source)
    day = check_date(errors, "date", date, required=True)
    if distribution not in (None, *DISTRIBUTIONS):
        errors.add(
            "distribution", _("Unknown value %(value)r; allowed: %(allowed)s.") % _allowed(distribution)
        )
    kinds = _check_types(errors, types)
    roles = _check_known(errors, "role_ids", role_ids, CaretakerRole, _("Unknown roles: %(ids)s."))
    branches = _check_known(errors, "branch_ids", branch_ids, Branch, _("Unknown branches: %(ids)s."))
    contractors = None if contractor_ids is None else check_selection(errors, actor, contractor_ids)
    policy = check_choice(errors, "on_overlap", on_overlap, OverlapPolicy, OverlapPolicy.WARN)
    check_confirm_token(errors, confirm_token, purpose=PURPOSE)
    errors.raise_if_any()
    assert source is not None and day is not None and policy is not None
    return HandoverRequest(source, targets, day, kinds, roles, branches, contractors, policy)


def _allowed(value: object) -> dict[str, object]:
    return {"value": value, "allowed": ", ".join(DISTRIBUTIONS)}


def _check_source(errors: FieldErrors, value: object) -> Operator | None:
    """Any operator, active or not: handing over an inactive operator's contractors is
    what happens when someone has left."""
    pk = check_id(errors, "from_operator_id", value)
    if pk is None:
        return None
    operator = Operator.objects.select_related("user").filter(pk=pk).first()
    if operator is None:
        errors.add("from_operator_id", _("Unknown operator %(id)s.") % {"id": pk})
    return operator


def _id_list(errors: FieldErrors, field: str, values: object) -> list[int] | None:
    """Distinct ids in the order given; None when ``values`` is not a list."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        errors.add(field, _("Give a list of ids."))
        return None
    ids: list[int] = []
    for value in values:
        number = check_id(errors, field, value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


def _check_targets(errors: FieldErrors, values: object, source: Operator | None) -> tuple[Operator, ...]:
    """Active operators, each once, none of them the source."""
    field = "to_operator_ids"
    ids = _id_list(errors, field, values)
    if ids is None:
        return ()
    if not ids:
        if field not in errors:
            errors.add(field, _("Choose at least one operator to hand over to."))
        return ()
    found = {o.pk: o for o in Operator.objects.select_related("user").filter(pk__in=ids)}
    unknown = [i for i in ids if i not in found]
    if unknown:
        errors.add(field, _("Unknown operators: %(ids)s.") % {"ids": short_list(unknown)})
    for operator in found.values():
        if not (operator.active and operator.user.is_active):
            errors.add(field, _("Operator %(name)s is inactive.") % {"name": operator.display_name})
    if source is not None and source.pk in ids:
        errors.add(field, _("An operator cannot hand over to themselves."))
    return tuple(found[i] for i in ids if i in found)


def _check_types(errors: FieldErrors, values: object) -> tuple[AssignmentType, ...]:
    if values is None:
        return (AssignmentType.MAIN, AssignmentType.DEPUTY)
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        errors.add("types", _("Give a list of types."))
        return ()
    kinds: list[AssignmentType] = []
    for value in values:
        kind = check_choice(errors, "types", value, AssignmentType)
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    if not kinds and "types" not in errors:
        errors.add("types", _("Choose at least one type."))
    return tuple(sorted(kinds))


def _check_known(
    errors: FieldErrors,
    field: str,
    values: object,
    model: type[CaretakerRole] | type[Branch],
    unknown_message: str,
) -> tuple[int, ...] | None:
    """None (no limit), or known ids — active or not: a filter on existing rows."""
    if values is None:
        return None
    ids = _id_list(errors, field, values)
    if ids is None:
        return None
    if not ids:
        errors.add(field, _("Choose at least one, or none to mean all."))
        return None
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [i for i in ids if i not in found]
    if unknown:
        errors.add(field, unknown_message % {"ids": short_list(unknown)})
    return tuple(sorted(ids))
