"""Reads on contractors, always through the viewer's visibility (docs/semantics.md, "Visibility")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import CharField, Exists, F, OrderBy, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.resolving import resolved_today
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.keys import search_text
from opiekun.contractors.models import Contractor, contractors_estimated
from opiekun.contractors.search_rows import SearchedContractors
from opiekun.dates import today
from opiekun.operators.access import own_sets_alone, visible_contractors

# Every ordering is read off an index ((code), (name, code), (nip, code), (city, code),
# forwards or backwards), so any page, the last included, costs the same at any size.
# Today's main caretaker is not offered: a value computed per row cannot be indexed, and
# sorting 100,000 of them took seconds (docs/performance.md).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "-code": ("-code",),
    # Names and cities in Polish alphabetical order (contractors/keys.py), index-backed.
    "name": ("name_key", "code"),
    "-name": ("-name_key", "-code"),
    "nip": ("nip", "code"),
    "-nip": ("-nip", "-code"),
    "city": ("city_key", "code"),
    "-city": ("-city_key", "-code"),
}


# A search sorted by name, on PostgreSQL: the names that hold the searched word (a
# surname, an industry) lie together, or thin out, in name order, so walking the name
# index to them read up to every name before them (0.4-0.5 s at 1,000,000). With at
# most this many matches, the search's trigram index reads them and they are sorted
# (0.15 s for 50,000). SQLite has no such index: the walk stays cheaper there.
# docs/performance.md, "A search sorted by name".
SORT_MATCHES_UP_TO = 100_000
# The same from the table of keys (`_searched`), whose narrow rows sort faster: 250,000
# matches in 115 ms at a million, against up to 1.3 s walking the name index to matches
# that lie together at its far end. The list's count is then often the planner's
# estimate: 110,000 for a surname of 50,000 from the default sample of the search key,
# 34,000 to 64,000 in ten analyses since migration 0013 (docs/performance.md,
# "Searches of active contractors and own-only searches, 2026-11-30"; "The estimate of
# a search, 2026-11-30").
SORT_KEYS_UP_TO = 250_000


def _order(ordering: str, matches: int | None, vendor: str) -> tuple[str | OrderBy, ...]:
    fields = ORDERINGS.get(ordering, ORDERINGS["code"])
    few = matches is not None and matches <= SORT_MATCHES_UP_TO
    if not few or vendor != "postgresql" or fields[0].lstrip("-") != "name_key":
        return fields
    # The same key with '' appended: the same order, which no index offers.
    key = Concat(F("name_key"), Value(""), output_field=CharField())
    return (key.desc() if fields[0].startswith("-") else key.asc(), fields[1])


def _searched(
    qs: QuerySet[Contractor], text: str, ordering: str, matches: int | None, active: bool | None
) -> QuerySet[Contractor] | None:
    """A plain search (of every contractor, or of the active or inactive ones) on
    PostgreSQL, by a viewer who sees every contractor or by an own-only viewer (their
    sets of ids tested on the rows of keys): counted from the table of keys, and,
    sorted by name with few matches, paged by it (`SearchedContractors`). None
    otherwise, or when the text may be a NIP (searched in the contractors table)."""
    if not text or connections[qs.db].vendor != "postgresql" or _nip_digits(text):
        return None
    sets = own_sets_alone(qs)
    if qs.query.has_filters() and sets is None:
        return None
    if sets is not None and matches is not None:
        sets.matched(matches)  # a page walked in another order probes the sets if it ends soon
    fields = ORDERINGS.get(ordering, ORDERINGS["code"])
    few = matches is not None and matches <= SORT_KEYS_UP_TO
    by_keys = few and fields[0].lstrip("-") == "name_key"
    return SearchedContractors.of(
        search_text(text),
        order=fields,
        by_keys=by_keys,
        using=qs.db,
        active=active,
        visible=None if sets is None else (qs, sets.condition("pk"), sets.ids()),
    )


def _nip_digits(text: str) -> str | None:
    """The digits of a search that may be a NIP (spaces, dashes and "PL" aside), else None."""
    digits = re.sub(r"[\s-]", "", text)
    if digits.upper().startswith("PL"):
        digits = digits[2:]
    return digits if digits.isdigit() else None


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
    without_caretaker: bool = False,
    ordering: str = "code",
    on: date | None = None,
    matches: int | None = None,
) -> QuerySet[Contractor]:
    """Contractors the viewer may see, searched by code, name or NIP, optionally only
    those whose caretaker (main or deputy, in ``role_id`` if given) today is
    ``caretaker_id``, or (``without_caretaker``) those with no caretaker today (of any
    type, in ``role_id`` if given, else in any role).

    Nothing is computed per row: a page's caretakers are read by ``caretakers_today``
    for that page only (a column computed in the query would be computed for every row
    an OFFSET skips, on PostgreSQL: seconds for a last page of 100,000).

    ``matches``: the number of rows, when the caller has counted them (a page's count);
    a search sorted by name with few matches sorts them instead of walking the name
    index (`SORT_MATCHES_UP_TO`)."""
    day = on or today()
    qs = visible_contractors(viewer=viewer)
    text = search.strip()
    only_searched = caretaker_id is None and role_id is None and not without_caretaker
    searched = _searched(qs, text, ordering, matches, active) if only_searched else None
    if searched is not None:
        return searched
    if text:
        condition = _search_condition(text)
        digits = _nip_digits(text)
        if digits:
            condition |= Q(nip__startswith=digits)
        qs = qs.filter(condition)
    on_day = CaretakerAssignment.objects.on(day)
    if role_id is not None:
        on_day = on_day.filter(role_id=role_id)
    if caretaker_id is not None:
        # IN, not a correlated EXISTS: the planner may start from the caretaker's
        # assignments (the operator index) instead of probing every contractor.
        qs = qs.filter(pk__in=on_day.filter(operator_id=caretaker_id).values("contractor_id"))
    if without_caretaker:
        qs = qs.filter(~Exists(on_day.filter(contractor=OuterRef("pk"))))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by(*_order(ordering, matches if text else None, connections[qs.db].vendor))


def contractor_list_count(
    *,
    viewer: Any,
    search: str = "",
    caretaker_id: int | None = None,
    role_id: int | None = None,
    active: bool | None = None,
    without_caretaker: bool = False,
    on: date | None = None,
) -> int | None:
    """The number of `contractor_list`'s rows, when it can be read off the
    caretaker's assignments alone: a viewer who sees every contractor, filtering only
    by caretaker (and role). Then it is the number of distinct contractors of the
    caretaker's assignments on the day — from the operator's period index, without
    probing each contractor's row, which on SQLite took most of the list's time at
    100,000 contractors (docs/performance.md, "caretaker-info per call"). None
    otherwise: count the list itself."""
    if caretaker_id is None or search.strip() or active is not None or without_caretaker:
        return None
    if visible_contractors(viewer=viewer).query.has_filters():
        return None
    on_day = CaretakerAssignment.objects.on(on or today()).filter(operator_id=caretaker_id)
    if role_id is not None:
        on_day = on_day.filter(role_id=role_id)
    return on_day.values("contractor_id").distinct().count()


def contractor_list_estimate(
    *,
    viewer: Any,
    search: str = "",
    caretaker_id: int | None = None,
    role_id: int | None = None,
    active: bool | None = None,
    without_caretaker: bool = False,
    on: date | None = None,
) -> int | None:
    """The planner's estimate of `contractor_list`'s rows when counting them would
    read every contractor for a number nobody reads to the unit: a viewer who sees every
    contractor, no filter, on PostgreSQL, and at least ``settings.LIST_ESTIMATE_FROM``
    of them (`pg_class.reltuples`, kept by ANALYZE and autovacuum). None otherwise:
    count exactly. At a million contractors the exact count was 36 ms of each page
    (docs/performance.md, "The fourth quiet run of 2026-11-29")."""
    del role_id, on  # they narrow nothing without a caretaker filter
    if search.strip() or caretaker_id is not None or active is not None or without_caretaker:
        return None
    qs = visible_contractors(viewer=viewer)
    if qs.query.has_filters() or connections[qs.db].vendor != "postgresql":
        return None
    estimate = int(contractors_estimated(qs.db))
    return estimate if estimate >= settings.LIST_ESTIMATE_FROM else None


@dataclass
class CaretakersToday:
    """A contractor's caretakers on a day in one role, without a branch (operator ids)."""

    main: int | None = None
    deputies: list[int] = field(default_factory=list)


def caretakers_today(
    contractor_ids: Iterable[int], *, role_id: int | None = None, on: date | None = None
) -> dict[int, CaretakersToday]:
    """The main caretaker and the deputies of the given contractors — a page of the
    list — today (or ``on``) in ``role_id`` (default: the default role), without a
    branch; one query, through the assignments' contractor index. A contractor with
    none is absent."""
    ids = list(contractor_ids)
    if not ids:
        return {}
    rows = CaretakerAssignment.objects.on(on or today()).filter(contractor_id__in=ids, branch__isnull=True)
    rows = rows.filter(role__is_default=True) if role_id is None else rows.filter(role_id=role_id)
    found: dict[int, CaretakersToday] = {}
    for contractor_id, operator_id, kind in rows.order_by("date_from", "id").values_list(
        "contractor_id", "operator_id", "type"
    ):
        current = found.setdefault(contractor_id, CaretakersToday())
        if kind == AssignmentType.DEPUTY.value:
            current.deputies.append(operator_id)
        elif current.main is None:
            current.main = operator_id
    return found


def held_today(
    operator_id: int, contractor_ids: Iterable[int], *, role_id: int | None = None
) -> dict[int, list[tuple[str, str, str | None]]]:
    """How ``operator_id`` cares for each of ``contractor_ids`` today (in ``role_id``,
    if given): the role's name, the type and the branch's code of each of their
    assignments, one query. A page of the list filtered by a caretaker says by it why
    each contractor is there (the columns show the default role's main caretaker)."""
    rows = CaretakerAssignment.objects.on(today()).filter(
        operator_id=operator_id, contractor_id__in=list(contractor_ids)
    )
    if role_id is not None:
        rows = rows.filter(role_id=role_id)
    held: dict[int, list[tuple[str, str, str | None]]] = {}
    for contractor_id, role, kind, branch in rows.order_by("role__name", "type").values_list(
        "contractor_id", "role__name", "type", "branch__code"
    ):
        held.setdefault(contractor_id, []).append((role, kind, branch))
    return held


def with_caretakers_today(
    contractors: Iterable[Contractor], *, role_id: int | None = None
) -> list[Contractor]:
    """The contractors, each with ``main_caretaker_id`` and ``acting_caretaker_id``:
    today's main caretaker in the default role (or ``role_id``), without a branch, and
    who acts there today (the main caretaker when present, else the first present
    deputy), or None; from one reading of their rows and their caretakers' absences
    (`caretakers.resolving.resolved_today`)."""
    rows = list(contractors)
    answers = resolved_today([c.pk for c in rows], role_id=role_id)
    for c in rows:
        c.main_caretaker_id = c.acting_caretaker_id = None  # type: ignore[attr-defined]
    for c, answer in zip(rows, answers, strict=True):
        c.main_caretaker_id = answer.main.operator_id if answer.main else None  # type: ignore[attr-defined]
        holder = answer.acting.holder
        c.acting_caretaker_id = holder.operator_id if holder else None  # type: ignore[attr-defined]
    return rows


def contractor_get(*, viewer: Any, contractor_id: object) -> Contractor:
    """The contractor if the viewer may see it; Contractor.DoesNotExist otherwise."""
    try:
        pk = int(contractor_id)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Contractor.DoesNotExist from None
    return visible_contractors(viewer=viewer).get(pk=pk)
