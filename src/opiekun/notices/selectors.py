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
digest one operator's `upcoming_changes` (every row). The queries: `notices.sources`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any, overload

from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.dates import format_date, today
from opiekun.notices import counts
from opiekun.notices.sources import FIELDS as FIELDS
from opiekun.notices.sources import ORDER, Source, merge_key, sources
from opiekun.operators.access import is_administrator, operator_of
from opiekun.operators.models import Visibility
from opiekun.paging import serial_plans

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


class UpcomingRows:
    """The changes of `upcoming_rows`, paged like a query set (Django's paginator, the
    API's `paginate`): ``count()`` is every source's rows per day (one statement; an
    own-only viewer's, one a source: ``together``); a slice after it reads only the
    sources, and their days, that the page shows (from the days' counts:
    `notices.counts.windows`), one before it each source in the page's order as far as
    its end (offset + limit rows, the sort done by the database); both merged.
    Iterating reads everything (the digest)."""

    def __init__(self, parts: list[Source], *, together: bool = True) -> None:
        self._sources, self._together = parts, together
        self._days: list[counts.Days] | None = None

    def count(self) -> int:
        if self._days is None:
            self._days = counts.by_day(self._sources, together=self._together)
        return sum(rows for each in self._days for _, rows in each)

    def __len__(self) -> int:
        return self.count()

    def _merged(self, stop: int | None) -> Iterator[dict[str, Any]]:
        pages = [
            source.page.order_by(*ORDER)[:stop] if stop is not None else source.page.order_by(*ORDER)
            for source in self._sources
        ]
        return self._read(list(zip(self._sources, pages, strict=True)))

    def _window(self, days: list[counts.Days], start: int, stop: int) -> list[dict[str, Any]]:
        """The rows ``start`` … ``stop`` from each source's part of them alone (a source
        with none is not read; the days before its part are not sorted)."""
        kinds = [source.kind for source in self._sources]
        pages = [
            (
                source,
                _days_of(source.page, window).order_by(*ORDER)[window.offset : window.offset + window.limit],
            )
            for source, window in zip(self._sources, counts.windows(days, kinds, start, stop), strict=True)
            if window is not None
        ]
        return list(islice(self._read(pages), stop - start))

    @staticmethod
    def _read(pages: list[tuple[Source, QuerySet[Any]]]) -> Iterator[dict[str, Any]]:
        with serial_plans({page.db for _, page in pages}):
            read = [list(map(source.shape, page)) for source, page in pages]
        return heapq.merge(*read, key=merge_key)

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
        if self._days is not None and stop is not None:
            return self._window(self._days, start, stop)
        return list(islice(self._merged(stop), start, stop))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._merged(None)


def _days_of(page: QuerySet[Any], window: counts.Window) -> QuerySet[Any]:
    return page.filter(u_day__gte=window.first, u_day__lte=window.last)


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
    parts = sources(viewer=viewer, operator_id=operator_id, first=first, last=last)
    # An own-only viewer's sources counted one by one (`counts.by_day`).
    return UpcomingRows(parts, together=is_manager(viewer))


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
    no row read. Its statements (one; an own-only viewer's, one a source) are the same
    for every day and operator, and for an own-only viewer's visibility of one day: built
    once per database, or per operator, visibility and day, and kept (`counts.Kept`)."""
    own = operator_of(viewer)
    if own is None:
        return 0
    manager = is_manager(viewer)
    alias = router.db_for_read(CaretakerAssignment)
    first = today()
    key = (alias,) if manager else (alias, own.pk, own.visibility, own.unassigned_access, first)
    if key not in _KEPT:
        if len(_KEPT) >= _KEEP_AT_MOST:
            _KEPT.clear()
        _KEPT[key] = counts.Kept.of(
            lambda v: sources(viewer=viewer, operator_id=v["operator"], first=v["first"], last=v["last"]),
            together=manager,
        )
    kept = _KEPT[key]
    if kept is None:
        return upcoming_rows(viewer=viewer, filters=UpcomingFilters(operator_id=own.pk)).count()
    values = {"first": first, "last": first + timedelta(days=DEFAULT_DAYS), "operator": own.pk}
    return sum(rows for each in kept.by_day(alias, values) for _, rows in each)


# The badge's statements, per database alias (and, of an own-only viewer, per operator,
# visibility and day); None: they could not be kept, built on every call.
_KEPT: dict[tuple[Any, ...], counts.Kept | None] = {}
_KEEP_AT_MOST = 1_000


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
