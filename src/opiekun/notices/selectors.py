"""Upcoming changes (Nadchodzące zmiany): what changes for an operator in the next
days, through the viewer's visibility (docs/semantics.md, "Upcoming changes").

Kinds, within today … today + N days:

- ``starts`` / ``ends``: an assignment's first / last day (not one a handover made:
  that is the handover's row);
- ``handover_in`` / ``handover_out``: a contractor handed to / from the operator by a
  handover (not cancelled) effective that day, one row per assignment it handed;
- ``acting``: the operator, a deputy, will act for a contractor while its main
  caretaker is absent (the acting periods `caretakers.acting.acted_for` reads); the
  day is the first day of it within the window.

The page and the API read a page of `upcoming_rows` (each source sorted and limited
in the database, merged here, the total from count queries); the badge its count; the
digest one operator's `upcoming_changes` (every row).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any, NamedTuple, overload

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.caretakers.models import CaretakerAssignment, HandoverChange
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingPeriod
from opiekun.dates import format_date, today
from opiekun.operators.access import is_administrator, operator_of, visible_contractor_check
from opiekun.operators.models import Operator, Visibility

DEFAULT_DAYS = 14
MAX_DAYS = 366
KINDS = ("starts", "ends", "handover_in", "handover_out", "acting")
KIND_LABELS = {
    "starts": gettext_lazy("starts"),
    "ends": gettext_lazy("ends"),
    "handover_in": gettext_lazy("taken over (handover)"),
    "handover_out": gettext_lazy("handed over"),
    "acting": gettext_lazy("stands in"),
}
FIELDS = (
    "kind",
    "day",
    "contractor_id",
    "operator_id",
    "assignment_id",
    "handover_id",
    "contractor_code",
    "contractor_name",
)


@dataclass(frozen=True)
class UpcomingFilters:
    days: int = DEFAULT_DAYS
    operator_id: int | None = None  # None: the viewer's own (a manager: everyone's)
    start: date | None = None  # None: today


def is_manager(viewer: Any) -> bool:
    """A manager sees every contractor, and so everyone's upcoming changes."""
    if is_administrator(viewer):
        return True
    operator = operator_of(viewer)
    return operator is not None and operator.visibility == Visibility.ALL


def whose(viewer: Any, operator_id: int | None) -> int | None:
    """The operator whose changes the viewer asks for (None: everyone's, managers
    only). Others may ask only for their own."""
    if is_manager(viewer):
        return operator_id
    own = operator_of(viewer)
    if own is None:
        raise PermissionDenied(_("Only operators have upcoming changes."))
    if operator_id is not None and operator_id != own.pk:
        raise PermissionDenied(_("You may see only your own upcoming changes."))
    return own.pk


# Every source's columns, under these names, in this order (a model field would be
# selected before the annotations).
_COLUMNS = tuple(f"u_{name}" for name in FIELDS)
# The page's order: by day, then kind, then contractor code, then assignment (every row
# has one), then handover; the same in SQL (every source) and in the merge.
_ORDER = ("u_day", "u_kind", "u_contractor_code", "u_assignment_id", "u_handover_id")


def _columns(**values: Any) -> dict[str, Any]:
    assert tuple(values) == FIELDS
    return {f"u_{name}": value for name, value in values.items()}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    # The merge's key. Sources never share a day and kind (one kind each; the two of
    # acting have different days), so codes are compared within a source only: in the
    # database's order.
    return (
        row["day"],
        row["kind"],
        row["contractor_code"],
        row["assignment_id"] or 0,
        row["handover_id"] or 0,
    )


def _made_by_handover(field: str, lookup: str) -> Exists:
    """The row's start (``date_from``) or end (``date_to``) is a handover's doing: it is
    recorded in a handover, not cancelled, effective on its first day (a start) or
    after its last day (an end)."""
    return Exists(
        HandoverChange.objects.filter(
            # The assignment's contractor (never changed) leads the index of the
            # changes: one probe a row, where assignment_id alone has no index.
            contractor_id=OuterRef("contractor_id"),
            assignment_id=OuterRef("id"),
            handover__cancelled_at__isnull=True,
            **{f"handover__date__{lookup}": OuterRef(field)},
        )
    )


class _Source(NamedTuple):
    """One kind of row: ``rows`` to count (no join the count does not need), ``page``
    the same rows shaped and orderable by `_ORDER`, ``shape`` a row of it as a dict."""

    rows: QuerySet[Any]
    page: QuerySet[Any]
    shape: Callable[[tuple[Any, ...]], dict[str, Any]]


def _contractor(field: str) -> Subquery:
    """The row's contractor's ``field``, looked up row by row: the database walks the
    rows in the order of the day (an index) and reads the codes of the first days
    only, where a join would read every row's contractor (or the whole table) first."""
    return Subquery(Contractor.objects.filter(pk=OuterRef("contractor_id")).order_by().values(field)[:1])


def _plain_row(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(FIELDS, values, strict=True))


def _assignment_changes(rows: QuerySet[CaretakerAssignment], first: date, last: date) -> list[_Source]:
    def shaped(kind: str, field: str, by_handover: Exists) -> _Source:
        found = rows.filter(**{f"{field}__gte": first, f"{field}__lte": last}).exclude(by_handover).order_by()
        page = found.annotate(
            **_columns(
                kind=Value(kind, output_field=CharField()),
                day=F(field),
                contractor_id=F("contractor_id"),
                operator_id=F("operator_id"),
                assignment_id=F("id"),
                handover_id=Cast(Value(None), BigIntegerField()),
                contractor_code=_contractor("code"),
                contractor_name=_contractor("name"),
            )
        ).values_list(*_COLUMNS)
        return _Source(found, page, _plain_row)

    return [
        shaped("starts", "date_from", _made_by_handover("date_from", "exact")),
        shaped("ends", "date_to", _made_by_handover("date_to", "gt")),
    ]


def _handover_changes(visible: Q | None, operator_id: int | None, first: date, last: date) -> list[_Source]:
    """Per handover (not cancelled, effective in the window) and contractor it handed:
    ``handover_in`` for the operator it went to, ``handover_out`` for the one it came
    from. The assignment is the handover's newest row of that contractor."""
    changes = HandoverChange.objects.filter(
        handover__cancelled_at__isnull=True,
        handover__date__gte=first,
        handover__date__lte=last,
        target_id__isnull=False,
    )
    if visible is not None:
        changes = changes.filter(visible)

    # One row per handover and contractor: its newest change.
    newer = HandoverChange.objects.filter(
        handover_id=OuterRef("handover_id"),
        contractor_id=OuterRef("contractor_id"),
        target_id__isnull=False,
        assignment_id__gt=OuterRef("assignment_id"),
    )
    changes = changes.exclude(Exists(newer))

    def shaped(kind: str, operator: str, mine: Q) -> _Source:
        found = (changes.filter(mine) if operator_id is not None else changes).order_by()
        page = found.annotate(
            **_columns(
                kind=Value(kind, output_field=CharField()),
                day=F("handover__date"),
                contractor_id=Cast("contractor_id", BigIntegerField()),
                operator_id=Cast(operator, BigIntegerField()),
                assignment_id=Cast("assignment_id", BigIntegerField()),
                handover_id=Cast("handover_id", BigIntegerField()),
                contractor_code=_contractor("code"),
                contractor_name=_contractor("name"),
            )
        ).values_list(*_COLUMNS)
        return _Source(found, page, _plain_row)

    return [
        shaped("handover_in", "target_id", Q(target_id=operator_id)),
        shaped("handover_out", "handover__from_operator_id", Q(handover__from_operator_id=operator_id)),
    ]


def _acting_source(visible: Q | None, operator_id: int | None, first: date, last: date) -> list[_Source]:
    """The contractors the operator (or, for everyone's, every deputy) will act for in
    the window while their main caretaker is absent: the acting periods the writers
    keep (`coverage.models.ActingPeriod`, what `caretakers.acting.acted_for` reads)
    overlapping the window, each on its first day in it and ``until`` its last day in
    it. Two sources: the periods begun by the window's first day (all on that day, by
    contractor code) and those beginning later (by their first day)."""
    rows = ActingPeriod.objects.filter(date_to__gte=first, date_from__lte=last)
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    else:
        # Every operator's range of the operator index, not the whole table (the
        # periods of the past).
        rows = rows.filter(operator_id__in=Operator.objects.values("pk"))
    if visible is not None:
        rows = rows.filter(visible)
    rows = rows.order_by()

    def shaped(found: QuerySet[Any], day: Any) -> _Source:
        page = found.annotate(
            **_columns(
                kind=Value("acting", output_field=CharField()),
                day=day,
                contractor_id=F("contractor_id"),
                operator_id=F("operator_id"),
                assignment_id=F("assignment_id"),
                handover_id=Cast(Value(None), BigIntegerField()),
                contractor_code=F("contractor__code"),
                contractor_name=F("contractor__name"),
            ),
            u_stands_in_for=F("stands_in_for_id"),
            u_until=Least("date_to", Value(last, output_field=DateField())),
        ).values_list(*_COLUMNS, "u_stands_in_for", "u_until")
        return _Source(found, page, _acting_row)

    return [
        shaped(rows.filter(date_from__lte=first), Value(first, output_field=DateField())),
        shaped(rows.filter(date_from__gt=first), F("date_from")),
    ]


def _acting_row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(FIELDS, values[: len(FIELDS)], strict=True))
    row["stands_in_for"], row["until"] = values[len(FIELDS) :]
    return row


class UpcomingRows:
    """The changes of `upcoming_rows`, paged like a query set (Django's paginator, the
    API's `paginate`): ``count()`` is one count query per source; a slice reads each
    source in the page's order as far as its end (offset + limit rows, the sort done
    by the database) and merges them. Iterating reads everything (the digest)."""

    def __init__(self, sources: list[_Source]) -> None:
        self._sources = sources
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(source.rows.count() for source in self._sources)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _merged(self, stop: int | None) -> Iterator[dict[str, Any]]:
        read = [
            map(
                source.shape,
                source.page.order_by(*_ORDER)[:stop] if stop is not None else source.page.order_by(*_ORDER),
            )
            for source in self._sources
        ]
        return heapq.merge(*read, key=_key)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            if index < 0:
                raise IndexError("negative indexing is not supported")
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < 0) or index.step not in (None, 1):
            raise ValueError("only a forward slice is supported")
        if stop is not None and stop <= start:
            return []
        return list(islice(self._merged(stop), start, stop))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._merged(None)


def _sources(viewer: Any, operator_id: int | None, first: date, last: date) -> list[_Source]:
    visible = visible_contractor_check(viewer=viewer)
    rows = CaretakerAssignment.objects.all()
    if visible is not None:
        rows = rows.filter(visible)
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    return (
        _assignment_changes(rows, first, last)
        + _handover_changes(visible, operator_id, first, last)
        + _acting_source(visible, operator_id, first, last)
    )


def upcoming_rows(*, viewer: Any, filters: UpcomingFilters) -> UpcomingRows:
    """The changes within ``start`` … ``start + days`` (rows: dicts of FIELDS; ``acting``
    rows also ``stands_in_for`` and ``until``), by day, then kind, then contractor code;
    for the operator `whose` names, on the contractors the viewer may see. Six sources
    (starts, ends, handed in, handed out, acting begun by the first day, acting
    beginning later), each one query for a page and one for the count, whatever the
    number of rows."""
    operator_id = whose(viewer, filters.operator_id)
    first = filters.start or today()
    last = first + timedelta(days=filters.days)
    return UpcomingRows(_sources(viewer, operator_id, first, last))


def upcoming_changes(*, viewer: Any, filters: UpcomingFilters) -> list[dict[str, Any]]:
    """Every row of `upcoming_rows`, read at once (one operator's: the digest)."""
    return list(upcoming_rows(viewer=viewer, filters=filters))


def label_rows(rows: list[dict[str, Any]], names: dict[int, str]) -> None:
    """Give each row its ``label`` in the active language and ``operator_name``; an
    ``acting`` row's label names whom the operator stands in for, and until when."""
    for row in rows:
        row["operator_name"] = names.get(row["operator_id"], "")
        row["label"] = str(KIND_LABELS.get(row["kind"], row["kind"]))
        if row["kind"] == "acting":
            row["label"] = _("acts for %(name)s until %(date)s") % {
                "name": names.get(row["stands_in_for"], ""),
                "date": format_date(row["until"]),
            }


def upcoming_count(*, viewer: Any) -> int:
    """The top bar's badge: the viewer's own upcoming changes (what their digest says);
    a count query per source, no row read."""
    own = operator_of(viewer)
    if own is None:
        return 0
    return upcoming_rows(viewer=viewer, filters=UpcomingFilters(operator_id=own.pk)).count()


def upcoming_for_operator(
    *, operator_user: Any, start: date, days: int = DEFAULT_DAYS
) -> list[dict[str, Any]]:
    """An operator's own changes as they themselves may see them (the digest)."""
    own = operator_of(operator_user)
    if own is None:
        return []
    return upcoming_changes(
        viewer=operator_user, filters=UpcomingFilters(days=days, operator_id=own.pk, start=start)
    )
