"""Reads on contractors, always through the viewer's visibility (DESIGN §5)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.selectors import visible_contractors

# Every ordering is read off an index ((code), (name, code), (nip, code), (city, code),
# forwards or backwards), so any page, the last included, costs the same at any size.
# Today's main caretaker is not offered: a value computed per row cannot be indexed, and
# sorting 100,000 of them took seconds (docs/performance.md).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "-code": ("-code",),
    "name": ("name", "code"),
    "-name": ("-name", "-code"),
    "nip": ("nip", "code"),
    "-nip": ("-nip", "-code"),
    "city": ("city", "code"),
    "-city": ("-city", "-code"),
}


def contractor_list(
    *,
    viewer: Any,
    search: str = "",
    caretaker_id: int | None = None,
    role_id: int | None = None,
    active: bool | None = None,
    without_caretaker: bool = False,
    ordering: str = "code",
    on: date | None = None,
) -> QuerySet[Contractor]:
    """Contractors the viewer may see, searched by code, name or NIP, optionally only
    those whose caretaker (main or deputy, in ``role_id`` if given) today is
    ``caretaker_id``, or (``without_caretaker``) those with no caretaker today (of any
    type, in ``role_id`` if given, else in any role). Each carries ``main_caretaker_id``:
    today's main caretaker in the default role (or ``role_id``), without a branch."""
    day = on or today()
    qs = visible_contractors(viewer=viewer)
    text = search.strip()
    if text:
        condition = Q(code__icontains=text) | Q(name__icontains=text)
        digits = re.sub(r"[\s-]", "", text)
        if digits.upper().startswith("PL"):
            digits = digits[2:]
        if digits.isdigit():
            condition |= Q(nip__startswith=digits)
        qs = qs.filter(condition)
    on_day = CaretakerAssignment.objects.on(day)
    if role_id is not None:
        on_day = on_day.filter(role_id=role_id)
    if caretaker_id is not None:
        # IN, not a correlated EXISTS: the planner may start from the caretaker's
        # assignments (the operator index) instead of probing every contractor.
        qs = qs.filter(pk__in=on_day.filter(operator_id=caretaker_id).values("contractor_id"))
    current = on_day.filter(contractor=OuterRef("pk"))
    if without_caretaker:
        qs = qs.filter(~Exists(current))
    if active is not None:
        qs = qs.filter(active=active)
    if role_id is None:
        current = current.filter(
            role_id=Subquery(CaretakerRole.objects.filter(is_default=True).values("pk")[:1])
        )
    main = current.filter(type=AssignmentType.MAIN.value, branch__isnull=True).order_by("id")
    qs = qs.annotate(main_caretaker_id=Subquery(main.values("operator_id")[:1]))
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["code"]))


def deputies_on(
    contractor_ids: Iterable[int], *, role_id: int | None = None, on: date | None = None
) -> dict[int, list[int]]:
    """Today's deputies (operator ids) of the given contractors — a page of the list —
    in ``role_id`` (default: the default role), without a branch, as the main caretaker
    column is; one query, through the assignments' contractor index."""
    ids = list(contractor_ids)
    if not ids:
        return {}
    rows = CaretakerAssignment.objects.on(on or today()).filter(
        contractor_id__in=ids, type=AssignmentType.DEPUTY.value, branch__isnull=True
    )
    rows = rows.filter(role__is_default=True) if role_id is None else rows.filter(role_id=role_id)
    deputies: dict[int, list[int]] = {}
    for contractor_id, operator_id in rows.order_by("date_from", "id").values_list(
        "contractor_id", "operator_id"
    ):
        deputies.setdefault(contractor_id, []).append(operator_id)
    return deputies


def contractor_get(*, viewer: Any, contractor_id: object) -> Contractor:
    """The contractor if the viewer may see it; Contractor.DoesNotExist otherwise."""
    try:
        pk = int(contractor_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Contractor.DoesNotExist from None
    return visible_contractors(viewer=viewer).get(pk=pk)
