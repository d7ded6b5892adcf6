"""Input checking: raw values from a form, the API or the CLI into typed values.

Every check adds its message to a `FieldErrors` under the field's name instead of
raising, so that a caller reports every wrong field at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from opiekun.bulk import id_list
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.selectors import default_role
from opiekun.caretakers.services.confirmation import token_well_formed
from opiekun.dates import parse_date
from opiekun.ids import MAX_ID
from opiekun.messages import DATE_INVALID, DATE_TO_BEFORE_FROM, FIELD_REQUIRED
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Operator
from opiekun.periods import Period

E = TypeVar("E", bound=StrEnum)


class FieldErrors:
    """Collects field-level messages; raises them all at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.messages[field].append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.messages

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(dict(self.messages))


def short_list(ids: Sequence[int], limit: int = 20) -> str:
    """Ids for a message: the first ``limit`` and how many more."""
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" (+{len(ids) - limit})" if len(ids) > limit else "")


def check_date(errors: FieldErrors, field: str, value: object, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            errors.add(field, str(FIELD_REQUIRED))
        return None
    try:
        return parse_date(value)
    except ValueError:
        errors.add(field, str(DATE_INVALID))
        return None


def check_choice(
    errors: FieldErrors, field: str, value: object, enum: type[E], default: E | None = None
) -> E | None:
    if value is None and default is not None:
        return default
    if isinstance(value, str) and value in enum._value2member_map_:
        return enum(value)
    allowed = ", ".join(e.value for e in enum)
    errors.add(
        field, _("Unknown value %(value)r; allowed: %(allowed)s.") % {"value": value, "allowed": allowed}
    )
    return None


def check_id(errors: FieldErrors, field: str, value: object) -> int | None:
    """A positive whole number that a bigint primary key can hold."""
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


def check_operator(errors: FieldErrors, value: object, field: str = "operator_id") -> Operator | None:
    """An active operator whose user is active too."""
    operator_id = check_id(errors, field, value)
    if operator_id is None:
        return None
    operator = Operator.objects.select_related("user").filter(pk=operator_id).first()
    if operator is None:
        errors.add(field, _("Unknown operator %(id)s.") % {"id": operator_id})
    elif not (operator.active and operator.user.is_active):
        errors.add(field, _("Operator %(name)s is inactive.") % {"name": operator.display_name})
        return None
    return operator


def check_role(errors: FieldErrors, value: object) -> CaretakerRole | None:
    """An active role; None asks for the default role."""
    if value is None:
        role = default_role()
        if role is None:
            errors.add("role_id", _("There is no default role; choose one."))
        return role
    role_id = check_id(errors, "role_id", value)
    if role_id is None:
        return None
    role = CaretakerRole.objects.filter(pk=role_id).first()
    if role is None:
        errors.add("role_id", _("Unknown role %(id)s.") % {"id": role_id})
    elif not role.active:
        errors.add("role_id", _("Role %(name)s is inactive.") % {"name": role.name})
        return None
    return role


def check_branch(errors: FieldErrors, value: object) -> Branch | None:
    """An active branch; None is "no branch", a scope of its own."""
    if value is None:
        return None
    branch_id = check_id(errors, "branch_id", value)
    if branch_id is None:
        return None
    branch = Branch.objects.filter(pk=branch_id).first()
    if branch is None:
        errors.add("branch_id", _("Unknown branch %(id)s.") % {"id": branch_id})
    elif not branch.active:
        errors.add("branch_id", _("Branch %(name)s is inactive.") % {"name": branch.name})
        return None
    return branch


PRIORITY_MIN, PRIORITY_MAX = -32768, 32767  # what the column (a small integer) holds


def check_priority(errors: FieldErrors, value: object) -> int | None:
    """A deputy's priority: a whole number, lower first; None means 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.add("priority", _("Enter a whole number."))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.add("priority", _("Enter a whole number."))
        return None
    if not PRIORITY_MIN <= number <= PRIORITY_MAX:
        errors.add(
            "priority",
            _("Enter a number from %(min)s to %(max)s.") % {"min": PRIORITY_MIN, "max": PRIORITY_MAX},
        )
        return None
    return number


def check_confirm_token(errors: FieldErrors, token: object, *, purpose: str) -> None:
    """A confirmation token, if one is sent, must be one a preview of ``purpose`` could
    have issued (`confirmation.token_well_formed`); whether it still matches the data
    is decided later, under the locks (a stale one gets a fresh preview)."""
    if token is not None and not token_well_formed(token, purpose=purpose):
        message = _("Not a confirmation token issued by a preview; send the request without it to get one.")
        errors.add("confirm_token", message)


def check_period(errors: FieldErrors, date_from: object, date_to: object) -> Period | None:
    """``[date_from, date_to]``, both ends inclusive, ``date_to`` optional (open-ended)."""
    start = check_date(errors, "date_from", date_from, required=True)
    end = check_date(errors, "date_to", date_to, required=False)
    if start is None:
        return None
    if end is not None and end < start:
        errors.add("date_to", str(DATE_TO_BEFORE_FROM))
        return None
    if end is None and date_to not in (None, ""):
        return None
    return Period(start, end)


def check_selection(
    errors: FieldErrors, actor: Any, values: object, *, lock: bool = False, later: int = 0
) -> tuple[int, ...]:
    """Contractor ids the actor may change, sorted; an unknown or read-only one is an
    error. ``lock``: see `report_unchangeable`. ``later``: a selection of at most that
    many, whose values are all well-formed, is not looked up here: the caller checks
    it (`report_unfound`) once it has read the rows that show most of them exist."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        errors.add("contractor_ids", _("Give a list of contractor ids."))
        return ()
    values = list(values)
    if set(map(type, values)) == {int} and min(values) > 0 and max(values) <= MAX_ID:
        ids = set(values)  # plain ids in range (most calls, the API's included): each checked at C speed
    else:
        ids = set()
        for value in values:
            number = check_id(errors, "contractor_ids", value)
            if number is not None:
                ids.add(number)
    if not ids:
        if "contractor_ids" not in errors:
            errors.add("contractor_ids", _("Select at least one contractor."))
        return ()
    wanted = sorted(ids)
    if len(wanted) > later or errors.messages:
        report_unchangeable(errors, actor, wanted, lock=lock)
    return tuple(wanted)


def checked_later(actor: Any) -> bool:
    """Whether `check_selection`'s ``later`` may leave the check to a caller who finds
    most of the selection by its rows (`report_unfound`): for an actor who may change
    every contractor (so that to exist is to be changeable), with no row to lock in the
    check (SQLite: no ``FOR UPDATE``; PostgreSQL's check locks the selection)."""
    return (
        not connection.features.has_select_for_update
        and not visible_contractors(viewer=actor, editable=True).query.has_filters()
    )


def report_unfound(errors: FieldErrors, actor: Any, contractor_ids: Sequence[int], found: set[int]) -> bool:
    """`report_unchangeable` for a selection checked ``later`` (`checked_later`), of
    which ``found`` are known to exist (rows referencing them were read in this
    transaction): only the others are counted; one missing, the whole selection is
    checked as `check_selection` would have, so the errors are the same."""
    rest = [i for i in contractor_ids if i not in found]
    changeable = visible_contractors(viewer=actor, editable=True)
    if not rest or changeable.filter(pk__in=id_list(rest)).count() == len(rest):
        return False
    return report_unchangeable(errors, actor, contractor_ids)


def report_unchangeable(
    errors: FieldErrors, actor: Any, contractor_ids: Sequence[int], *, lock: bool = False
) -> bool:
    """Add an error for each contractor the actor may not change (unknown, not visible,
    or read-only); True when there was one. Callers run it again under the lock.

    ``lock`` (in a transaction): for an actor who may change every contractor, the
    same query locks them, as `writer.lock_contractors` does (in primary-key order):
    one read of the selection instead of two. Others are locked by the caller.

    With nothing to lock here (SQLite locks no rows), the selection is counted first:
    as many as asked (they are distinct) means none is missing, and no id is read back
    (on SQLite the count reads an index of the ids alone, contractors/0007)."""
    visible = visible_contractors(viewer=actor, editable=True)
    if lock and not visible.query.has_filters() and connection.features.has_select_for_update:
        visible = visible.select_for_update().order_by("pk")
    elif visible.filter(pk__in=id_list(contractor_ids)).count() == len(contractor_ids):
        return False
    editable = set(visible.filter(pk__in=id_list(contractor_ids)).values_list("pk", flat=True))
    missing = [i for i in contractor_ids if i not in editable]
    if not missing:
        return False
    readable = set(
        visible_contractors(viewer=actor).filter(pk__in=id_list(missing)).values_list("pk", flat=True)
    )
    unknown = [i for i in missing if i not in readable]
    read_only = [i for i in missing if i in readable]
    if unknown:
        errors.add("contractor_ids", _("Unknown contractors: %(ids)s.") % {"ids": short_list(unknown)})
    if read_only:
        errors.add(
            "contractor_ids", _("You may not change contractors: %(ids)s.") % {"ids": short_list(read_only)}
        )
    return True
