"""A page of an ordered list whose rows are shown with their related rows
(``select_related``): the rows before the page are skipped as ids only.

An OFFSET makes the database produce every row it skips, joins included: page 2,000
of Kontrahenci wg opiekuna over a million assignments joined each of the 100,000
skipped rows to its contractor, operator, user and role (2.6 s). Read as ids, the
skipped rows need only the joins their ordering needs; the page's own rows are then
read by id, with everything shown (docs/performance.md, "A far page of assignments").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Below this many skipped rows one query is cheaper than two.
IDS_FIRST_FROM = 1_000


def page_rows(rows: QuerySet[M], bottom: int, top: int, *, ids_first_from: int | None = None) -> list[M]:
    """``rows[bottom:top]``, in the queryset's order; the ids first from
    ``ids_first_from`` skipped rows (default `IDS_FIRST_FROM`)."""
    query = rows.query
    least = IDS_FIRST_FROM if ids_first_from is None else ids_first_from
    plain = not (query.distinct or query.combinator or query.values_select or query.annotation_select)
    if bottom < least or not query.select_related or not plain or top <= bottom:
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    found = {row.pk: row for row in rows.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]  # one deleted in between is left out


if TYPE_CHECKING:  # generic in the type stubs only
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class IdsFirstPaginator(_Paginator):
    """Django's paginator, reading a far page by `page_rows` (for a queryset)."""

    def page(self, number: Any) -> Page[Any]:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_rows(self.object_list, bottom, top), number, self)
