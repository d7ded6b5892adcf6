"""A page of an ordered list whose rows are shown with their related rows
(``select_related``): the rows before the page are skipped as ids only.

An OFFSET makes the database produce every row it skips, joins included: page 2,000
of Kontrahenci wg opiekuna over a million assignments joined each of the 100,000
skipped rows to its contractor, operator, user and role (2.6 s). Read as ids, the
skipped rows need only the joins their ordering needs; the page's own rows are then
read by id, with everything shown (docs/performance.md, "A far page of assignments").

A list that counts its rows with a page (``counted_page(bottom, top)``: an own-only
viewer's search by name, or in code order with one set of ids; `contractors.search_rows`)
is read by it: one statement for the page and the count.

A long filtered list is not counted on a page: past ``settings.COUNT_ESTIMATE_FROM``
rows by the PostgreSQL planner's estimate, the page shows that estimate as "about N"
(`EstimatingPaginator`), and what the page read finds corrects it (docs/semantics.md,
"Counts of long lists").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import DatabaseError, connections
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property

M = TypeVar("M", bound=Model)

# Below this many skipped rows one query is cheaper than two.
IDS_FIRST_FROM = 1_000
# The last page number a list that counts with its page asks for in one statement: no
# list here holds rows so far (2,147,483,647 pages), and a larger number would overflow
# the database's OFFSET. A number past it is answered as Django does: counted, the last
# page shown.
FARTHEST_PAGE = 2**31 - 1


def page_rows(rows: QuerySet[M], bottom: int, top: int, *, ids_first_from: int | None = None) -> list[M]:
    """``rows[bottom:top]``, in the queryset's order; the ids first from
    ``ids_first_from`` skipped rows (default `IDS_FIRST_FROM`)."""
    query = rows.query
    least = IDS_FIRST_FROM if ids_first_from is None else ids_first_from
    plain = not (query.distinct or query.combinator or query.values_select or query.annotation_select)
    if bottom < least or not plain or top <= bottom:
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    found = {row.pk: row for row in rows.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]  # one deleted in between is left out


if TYPE_CHECKING:  # generic in the type stubs only
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class IdsFirstPaginator(_Paginator):
    """Django's paginator, reading a far page by `page_rows` (for a queryset), from
    ``ids_first_from`` skipped rows (None: `IDS_FIRST_FROM`; 0 for an order that must
    sort every row, where even the first page's rows are best joined after the sort)."""

    ids_first_from: int | None = None

    def page(self, number: Any) -> Page[Any]:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(
            page_rows(self.object_list, bottom, top, ids_first_from=self.ids_first_from), number, self
        )


def planned_rows(rows: QuerySet[Any]) -> int | None:
    """The PostgreSQL planner's estimate of the number of ``rows`` (its EXPLAIN: a
    plan, no row read); None on another database."""
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = rows.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a query that can hold nothing (none(), an empty IN)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    plan = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def about(number: int) -> int:
    """``number`` to two significant digits (1,308,413 → 1,300,000): an estimate
    shown no more precisely than it is."""
    places = len(str(abs(number))) - 2
    return number if places <= 0 else round(number, -places)


class EstimatingPaginator(IdsFirstPaginator):
    """`IdsFirstPaginator` that does not count a queryset of at least ``estimate_from``
    rows (None: always count) by the planner's estimate: the count is then that
    estimate, rounded (`about`), and `estimated` is true. Each page read corrects it:
    one row more than the page is read, so a page that ends the list makes the count
    exact; a page past either end of the estimate (a page number beyond it, rows after
    the estimated last one, or no row where it promised some) is answered by counting."""

    def __init__(self, object_list: Any, per_page: int, *, estimate_from: int | None) -> None:
        super().__init__(object_list, per_page)
        self.estimate_from = estimate_from
        self.estimated = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        if self.estimate_from is None:
            return self.object_list.count()
        planned = planned_rows(self.object_list)
        if planned is not None and planned >= self.estimate_from:
            self.estimated = True
            return about(planned)
        return self.object_list.count()

    def _queryset(self) -> QuerySet[Any]:
        assert isinstance(self.object_list, QuerySet)  # only a queryset is estimated
        return self.object_list

    def _correct(self, count: int, *, estimated: bool) -> None:
        self.__dict__["count"] = count
        self.__dict__.pop("num_pages", None)  # cached from the count
        self.estimated = estimated

    @property
    def counts_with_page(self) -> bool:
        """Whether the list counts its rows with a page (`get_page` then needs no count first)."""
        return bool(getattr(self.object_list, "counts_with_page", False))

    def _counted(self, number: int) -> tuple[list[Any], int] | None:
        """Page ``number``'s rows and the list's length, from one statement of a list
        that counts with a page; None otherwise, or for a page with no rows."""
        counted_page = getattr(self.object_list, "counted_page", None)
        if counted_page is None or not self.counts_with_page:
            return None
        bottom = (number - 1) * self.per_page
        counted: tuple[list[Any], int] | None = counted_page(bottom, bottom + self.per_page)
        return counted

    def get_page(self, number: Any) -> Page[Any]:
        """Django's; a list that counts with a page is read by `_counted` first, its
        count then that statement's (a page with no rows: counted, as Django does)."""
        if "count" not in self.__dict__ and self.counts_with_page:
            try:
                wanted = int(number)
            except (TypeError, ValueError):
                wanted = 1
            counted = self._counted(wanted) if 1 <= wanted <= FARTHEST_PAGE else None
            if counted is not None:
                self._correct(counted[1], estimated=False)
                return Page(counted[0], wanted, self)
        return super().get_page(number)

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            if not self.estimated or int(number) < 1:
                raise
        self._correct(self._queryset().count(), estimated=False)  # past an estimate too low: count
        return super().validate_number(number)

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        counted = self._counted(number)
        if counted is not None:  # the statement's count, exact
            self._correct(counted[1], estimated=False)
            return Page(counted[0], number, self)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = page_rows(
            self._queryset(), bottom, bottom + self.per_page + 1, ids_first_from=self.ids_first_from
        )
        if len(rows) > self.per_page:  # more rows follow this page
            if bottom + len(rows) > self.count:  # more than estimated: count (the "»" of a low one)
                self._correct(self._queryset().count(), estimated=False)
            rows = rows[: self.per_page]
        elif rows or number == 1:  # this page ends the list
            self._correct(bottom + len(rows), estimated=False)
        else:  # past the end of a list shorter than estimated
            self._correct(self._queryset().count(), estimated=False)
            return super().page(self.num_pages)
        return Page(rows, number, self)


@contextmanager
def serial_plans(aliases: set[str]) -> Iterator[None]:
    """The statements inside read without parallel workers on the databases ``aliases``
    (PostgreSQL), the setting reset after them. For a page that a parallel plan reads at
    a loss: Nadchodzące zmiany's sources, walks in the page's order that stop at its end,
    where a Gather Merge of two workers read several times the rows one walk needs
    (62 ms instead of 17 ms at a million contractors; docs/performance.md, "Own-only
    pages and Nadchodzące, 2026-11-29 (own3)"), and an own-only viewer's search counted
    with its page (`contractors.search_rows`), whose hashed sets each worker would build
    again."""
    with ExitStack() as stack:
        for alias in sorted(aliases):
            if connections[alias].vendor == "postgresql":
                stack.enter_context(_serial(alias))
        yield


@contextmanager
def _serial(alias: str) -> Iterator[None]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    except BaseException:
        # In a failed transaction the reset fails too (and the rollback resets it).
        with suppress(DatabaseError):
            _reset(alias)
        raise
    _reset(alias)


def _reset(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
