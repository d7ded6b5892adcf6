"""A search sorted by name, read from the table of keys (PostgreSQL).

Sorting a search's matches by name needs each match's name key. In the contractors
table they are spread over wide rows: 50,000 matches of a surname at a million
contractors visited 33,513 pages. `models.SearchRow` holds every contractor's code and
keys, four columns wide and laid out in name order, so the same matches are 822 pages
(docs/performance.md, "A search sorted by name, from a table of keys").

`NameSortedSearch` is the contractors list for such a search: unsliced it is every
contractor whose row of keys matches; sliced (a page), the slice is taken of the keys'
rows, sorted there, and only that page's contractors are read, by id. Nothing else may
filter it: another filter, or another order, makes it an ordinary queryset again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode

from opiekun.contractors.models import Contractor, SearchRow


class NameSortedSearch(QuerySet[Contractor]):
    """Contractors whose keys' row matches ``search_text`` (a substring of the search
    key), in name order (descending with ``descending``)."""

    @classmethod
    def of(cls, search_text: str, *, descending: bool, using: str) -> NameSortedSearch:
        order = ("-name_key", "-code") if descending else ("name_key", "code")
        rows = SearchRow.objects.using(using).filter(search_key__contains=search_text).order_by(*order)
        qs = cls(model=Contractor, using=using).filter(pk__in=rows.values("pk")).order_by(*order)
        qs.query.search_rows = (rows, qs.query.order_by)  # type: ignore[attr-defined]  # kept by clones
        return qs

    def _sorted_rows(self) -> QuerySet[SearchRow] | None:
        """The keys' rows, sorted, while this is still the search in its own order."""
        kept: tuple[QuerySet[SearchRow], tuple[Any, ...]] | None = getattr(self.query, "search_rows", None)
        if kept is None or self.query.order_by != kept[1] or self.query.is_sliced:
            return None
        return kept[0]

    def filter(self, *args: Any, **kwargs: Any) -> NameSortedSearch:
        clone = super().filter(*args, **kwargs)
        clone.query.search_rows = None  # type: ignore[attr-defined]  # the keys' rows alone no longer say which
        return clone

    def exclude(self, *args: Any, **kwargs: Any) -> NameSortedSearch:
        clone = super().exclude(*args, **kwargs)
        clone.query.search_rows = None  # type: ignore[attr-defined]
        return clone

    def __getitem__(self, k: Any) -> Any:
        rows = self._sorted_rows()
        if rows is None or not isinstance(k, slice) or k.step is not None:
            return super().__getitem__(k)
        page = self.all()
        page.query.where = WhereNode()  # the page's ids replace the condition, not narrow it
        return page.filter(pk__in=rows.values("pk")[k])

    def count(self) -> int:
        rows = self._sorted_rows()
        if rows is None or self._result_cache is not None:
            return super().count()
        return rows.count()  # one row of keys a contractor
