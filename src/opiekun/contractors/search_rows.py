"""A plain search of the contractors, counted and sorted by name from the table of
keys (PostgreSQL).

Counting a search's matches, or sorting them by name, needs each match's search key
and name key. In the contractors table they are spread over wide rows: the 50,000
contractors of one surname at a million lie on 33,513 pages. `models.SearchRow` holds
every contractor's code and keys, four columns wide and laid out in name order, so the
same matches are 822 pages (docs/performance.md, "A search sorted by name, from a
table of keys, 2026-11-30").

Laid out in name order, in runs of `CHUNK` rows placed in a scattered order (`fill`):
the matches of one name still lie together on few pages (928 for those 50,000), but a
search reads them in no order of names. A page is the top of a sort that keeps only its
best rows; read in name order, sorted backwards, every match was better than the worst
row kept and replaced it (57 ms of sorting for those matches, against 10 ms forwards).
Read in scattered runs, both directions cost the same (docs/performance.md, "A search
sorted backwards by name, and what the table of keys costs the writes, 2026-11-30").
`pack` writes the table again in that layout, as migration 0010 did; rows added later
are appended.

`SearchedContractors` is the contractors list of a search, of every contractor or of
the active (or inactive) ones only, by a viewer who sees every contractor or by an
own-only viewer (their sets of ids tested on the rows of keys), and nothing else. Its
``count()`` counts the matching rows of keys. Sorted by name (``by_keys``), it is every
contractor whose row of keys matches, and a slice (a page) is taken of the rows of keys,
sorted there; only that page's contractors are read, by id. Another filter makes it an
ordinary queryset again, and another order stops the paging by keys.

An own-only viewer's search is counted as its matches joined to the union of the
viewer's sets of ids (`joined_count`). Sorted by name, its
page is the top of those same visible matches: one statement gives the page and, as a
window, the count (`SearchedContractors.counted_page`). So does code order for a
viewer with one set (their own contractors only): the page would walk the code index
past every contractor not theirs. With two sets (those with nobody too) a page in code
order walks the code index and stops soon, and the joined count is cheaper than the
window, which keeps one process. Measured at a million contractors, a surname of
50,000 (93,332 visible contractors) and "transport" (62,500 matches, one set of
26,666): counted, then paged, by name 81 + 87 ms, in one statement 94-120 ms; the count
70-87 ms with the sets tested on each match, 46-63 ms joined; "transport" in code
order 50 + 46 ms, in one statement 50 ms. For a viewer who sees every contractor, the
page and the count are each read by parallel workers, and the window is slower (88 ms
against 29 + 25 for "transport"; docs/performance.md, "Own-only searches counted with
their page, 2026-11-30").
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet, Window
from django.db.models.sql.where import WhereNode

from opiekun.contractors.models import Contractor, SearchRow
from opiekun.paging import serial_plans

CHUNK = 512  # rows of one run: about eight pages
TABLE = SearchRow._meta.db_table
# The columns copied from each contractor: ``active`` since migration 0012, so that a
# search of active (or inactive) contractors is counted and paged here too.
COLUMNS = ("id", "search_key", "name_key", "code", "active")


def fill(columns: tuple[str, ...] = COLUMNS) -> str:
    """The INSERT that writes every contractor's row of keys, in name order by runs of
    `CHUNK` rows, the runs in the order of a hash of their number."""
    listed = ", ".join(columns)
    return (
        f"INSERT INTO {TABLE} ({listed}) SELECT {listed} FROM ("
        f" SELECT {listed}, row_number() OVER (ORDER BY name_key, code) AS place"
        f" FROM {Contractor._meta.db_table}) named ORDER BY hashint8(place / {CHUNK}), place"
    )


INDEX = f"CREATE INDEX contractor_searchrow_trgm ON {TABLE} USING gin (search_key gin_trgm_ops)"


def refill(connection: BaseDatabaseWrapper, columns: tuple[str, ...] = COLUMNS) -> None:
    """Write the table of keys again from the contractors, laid out as `fill` says
    (PostgreSQL); the trigram index is built once after the rows, not row by row.
    ``columns``: those the table has (a migration before 0012 passes the four it had)."""
    with connection.cursor() as cursor:
        for statement in (
            "DROP INDEX IF EXISTS contractor_searchrow_trgm",
            f"TRUNCATE {TABLE}",
            fill(columns),
            INDEX,
            f"ANALYZE {TABLE}",
        ):
            cursor.execute(statement)


def pack(using: str = DEFAULT_DB_ALIAS, columns: tuple[str, ...] = COLUMNS) -> int | None:
    """Refill the table of keys in one transaction; the rows written, or None without one (SQLite).

    Writes of contractors wait from the start (their triggers would wait for the table
    anyway), searches from its first statement on the table, until the end (28 s at a
    million on the benchmark machine, docs/operations.md).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Contractor._meta.db_table} IN SHARE MODE")
        refill(connection, columns)
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        (rows,) = cursor.fetchone()
    return int(rows)


class SearchedContractors(QuerySet[Contractor]):
    """Contractors whose search key contains ``search_text``, in the order ``order``."""

    @classmethod
    def of(
        cls,
        search_text: str,
        *,
        order: tuple[str, ...],
        by_keys: bool,
        using: str,
        active: bool | None = None,
        visible: tuple[QuerySet[Contractor], Q, tuple[QuerySet[Any], ...]] | None = None,
    ) -> SearchedContractors:
        """``active``: only the active (True) or inactive (False) contractors among
        them. ``visible``: only those an own-only viewer sees, as their visible
        contractors (filtered by nothing else), the same condition on the rows of
        keys' ids, and their disjoint sets of ids (each a ``contractor_id`` column)."""
        alike = {"search_key__contains": search_text}
        if active is not None:
            alike["active"] = active  # type: ignore[assignment]
        rows = matched = SearchRow.objects.using(using).filter(**alike)
        shown = None if visible is None else visible[0].query.chain()  # their contractors
        base = cls(model=Contractor, query=shown, using=using)
        if visible is not None:  # the same condition on the rows of keys
            rows = rows.filter(visible[1])
        if by_keys:  # the order is the name's, which the rows of keys have too
            rows = rows.order_by(*order)
            qs = base.filter(pk__in=rows.values("pk")).order_by(*order)
        else:
            qs = base.filter(**alike).order_by(*order)
        qs.query.search_rows = (rows, qs.query.order_by if by_keys else None)  # type: ignore[attr-defined]
        # An own-only viewer's search by name reads every match to count and to sort; in
        # code order too, with one set of ids (counted as cheaply with the page).
        first = order[0].lstrip("-")
        one_set = visible is not None and len(visible[2]) == 1
        paged = visible is not None and (first == "name_key" or (first == "code" and one_set))
        qs.query.search_page = (rows, tuple(order)) if paged else None  # type: ignore[attr-defined]
        qs.query.search_sets = None if visible is None else (matched, visible[2])  # type: ignore[attr-defined]
        return qs

    def _rows(self) -> tuple[QuerySet[SearchRow], tuple[Any, ...] | None] | None:
        """The rows of keys and the order they page in, while nothing else filters this."""
        kept: tuple[QuerySet[SearchRow], tuple[Any, ...] | None] | None = getattr(
            self.query, "search_rows", None
        )
        return None if kept is None or self.query.is_sliced else kept

    def filter(self, *args: Any, **kwargs: Any) -> SearchedContractors:
        clone = super().filter(*args, **kwargs)
        # The keys' rows alone no longer say which.
        clone.query.search_rows = clone.query.search_page = clone.query.search_sets = None  # type: ignore[attr-defined]
        return clone

    def exclude(self, *args: Any, **kwargs: Any) -> SearchedContractors:
        clone = super().exclude(*args, **kwargs)
        clone.query.search_rows = clone.query.search_page = clone.query.search_sets = None  # type: ignore[attr-defined]
        return clone

    @property
    def counts_with_page(self) -> bool:
        """Whether `counted_page` may read this list's pages (an own-only viewer's
        search by name, or in code order with one set, filtered by nothing else)."""
        return getattr(self.query, "search_page", None) is not None and not self.query.is_sliced

    def counted_page(self, bottom: int, top: int) -> tuple[list[Contractor], int] | None:
        """``self[bottom:top]`` and the number of all its rows, from one reading of the
        rows of keys (a window count beside the page's ids); None when this list is not
        an own-only viewer's search paged so (`counts_with_page`), or when the page is
        empty (its rows hold no count: past the end, or an empty list). A far page
        costs a sort that keeps every row up to its end, at most every visible match:
        what a page sorted from the rows of keys costs anyway."""
        kept: tuple[QuerySet[SearchRow], tuple[str, ...]] | None = getattr(self.query, "search_page", None)
        if kept is None or self.query.is_sliced or self._result_cache is not None:
            return None
        if self.query.order_by != kept[1] or not 0 <= bottom < top:
            return None
        rows, order = kept
        counted = rows.annotate(every=Window(Count("*"))).order_by(*order)
        # One process: a parallel plan has each worker build the viewer's hashed sets
        # again (139-166 ms against 94-118 ms serial for "kowalski"), and the planner
        # chose one after an ANALYZE whose sample put the matches at 80,808 for 50,000.
        with serial_plans({rows.db}):
            found = list(counted.values_list("pk", "every")[bottom:top])
        if not found:
            return None
        page = self.all()
        page.query.where = WhereNode()  # the page's ids replace the condition
        read = {c.pk: c for c in page.filter(pk__in=[pk for pk, _ in found])}
        return [read[pk] for pk, _ in found if pk in read], found[0][1]

    def __getitem__(self, k: Any) -> Any:
        kept = self._rows()
        if kept is None or kept[1] is None or self.query.order_by != kept[1]:
            return super().__getitem__(k)
        if not isinstance(k, slice) or k.step is not None:
            return super().__getitem__(k)
        page = self.all()
        page.query.where = WhereNode()  # the page's ids replace the condition, not narrow it
        return page.filter(pk__in=kept[0].values("pk")[k])

    def count(self) -> int:
        kept = self._rows()
        if kept is None or self._result_cache is not None:
            return super().count()
        sets: tuple[QuerySet[SearchRow], tuple[QuerySet[Any], ...]] | None = getattr(
            self.query, "search_sets", None
        )
        if sets is not None:  # an own-only viewer's: joined to their sets
            return joined_count(*sets)
        return kept[0].order_by().count()  # one row of keys a contractor


def joined_count(matched: QuerySet[SearchRow], sets: tuple[QuerySet[Any], ...]) -> int:
    """How many of the rows of keys ``matched`` are in one of the disjoint ``sets`` of
    contractor ids: the matches joined to the sets' union, each contractor counted once
    (an operator may hold two assignments of one). The same number as the sets tested
    on each match (`OwnSets.condition`), which PostgreSQL answers by hashing both sets
    in one process: 70-87 ms against 46-63 ms joined (60-68 ms without parallel
    workers) for a surname of 50,000 and 93,332 visible contractors at a million
    (docs/performance.md, "Own-only searches counted with their page, 2026-11-30")."""
    rows_sql, params = matched.order_by().values_list("pk").query.sql_with_params()
    union = []
    for ids in sets:
        sql, more = ids.order_by().query.sql_with_params()
        union.append(f"({sql})")
        params += more
    statement = (
        f"SELECT count(DISTINCT k.id) FROM ({rows_sql}) k(id)"
        f" JOIN ({' UNION ALL '.join(union)}) v(contractor_id) ON v.contractor_id = k.id"
    )
    with connections[matched.db].cursor() as cursor:
        cursor.execute(statement, params)
        (count,) = cursor.fetchone()
    return int(count)
