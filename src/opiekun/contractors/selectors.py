"""Reads on contractors, always through the viewer's visibility (DESIGN §5)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.keys import search_text
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.selectors import visible_contractors

ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "code": ("code",),
    "-code": ("-code",),
    # Names and cities in Polish alphabetical order (contractors/keys.py), index-backed.
    "name": ("name_key", "code"),
    "-name": ("-name_key", "-code"),
    "nip": ("nip", "code"),
    "-nip": ("-nip", "-code"),
    "city": ("city_key", "code"),
    "-city": ("-city_key", "-code"),
    # Contractors without a main caretaker sort last both ways, on SQLite as on PostgreSQL.
    "caretaker": (F("main_caretaker_name").asc(nulls_last=True), "code"),
    "-caretaker": (F("main_caretaker_name").desc(nulls_last=True), "code"),
}


def _search_condition(text: str) -> Q:
    """Code or name containing the text, case and accents aside ("zazolc" finds
    "Zażółć"): a substring of the stored search key, which a trigram index serves on
    PostgreSQL (migration 0004)."""
    return Q(search_key__contains=search_text(text))


def contractor_list(
    *,
    viewer: Any,
    search: str = "",
    caretaker_id: int | None = None,
    role_id: int | None = None,
    active: bool | None = None,
    ordering: str = "code",
    on: date | None = None,
) -> QuerySet[Contractor]:
    """Contractors the viewer may see, searched by code, name or NIP, optionally only
    those whose caretaker (main or deputy, in ``role_id`` if given) today is
    ``caretaker_id``. Each carries ``main_caretaker_name``: today's main caretaker in
    the default role (or ``role_id``)."""
    day = on or today()
    qs = visible_contractors(viewer=viewer)
    text = search.strip()
    if text:
        condition = _search_condition(text)
        digits = re.sub(r"[\s-]", "", text)
        if digits.upper().startswith("PL"):
            digits = digits[2:]
        if digits.isdigit():
            condition |= Q(nip__startswith=digits)
        qs = qs.filter(condition)
    current = CaretakerAssignment.objects.on(day).filter(contractor=OuterRef("pk"))
    if role_id is not None:
        current = current.filter(role_id=role_id)
    if caretaker_id is not None:
        qs = qs.filter(Exists(current.filter(operator_id=caretaker_id)))
    if active is not None:
        qs = qs.filter(active=active)
    if role_id is None:
        current = current.filter(
            role_id=Subquery(CaretakerRole.objects.filter(is_default=True).values("pk")[:1])
        )
    main = current.filter(type=AssignmentType.MAIN.value, branch__isnull=True).order_by("id")
    qs = qs.annotate(
        main_caretaker_id=Subquery(main.values("operator_id")[:1]),
        main_caretaker_name=Subquery(main.values("operator__user__last_name")[:1]),
    )
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["code"]))


def contractor_get(*, viewer: Any, contractor_id: object) -> Contractor:
    """The contractor if the viewer may see it; Contractor.DoesNotExist otherwise."""
    try:
        pk = int(contractor_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Contractor.DoesNotExist from None
    return visible_contractors(viewer=viewer).get(pk=pk)
