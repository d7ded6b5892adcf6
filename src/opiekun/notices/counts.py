"""The counts of the upcoming changes (`notices.selectors`): every source's rows per day,
in one statement (`by_day`), and which of a source's rows a page of the merged order
holds (`windows`), so that a page reads only the sources, and the days, it shows.

The badge counts the same statement for one operator on every page of the screens:
for a viewer who sees every contractor its SQL, the same whatever the operator and the
day, is built once per database and kept (`Kept`); building and compiling the six
sources' querysets cost more than the database's answer (docs/performance.md,
"Nadchodzące zmiany and its count at a million, 2026-11-30")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from opiekun.notices.sources import Source

Days = list[tuple[date, int]]  # a source's (day, rows) by day


def _compiled(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def _member(index: int, source: Source) -> tuple[str, list[Any]]:
    """The source's days and their rows (of each of its ``counted``, + or -), tagged
    with its index."""
    members, params = [], []
    for rows, sign in source.counted:
        sql, values = _compiled(rows.annotate(u_day=source.day).values_list("u_day"))
        count = "COUNT(*)" if sign > 0 else "-COUNT(*)"
        members.append(f'SELECT {index}, q."u_day", {count} FROM ({sql}) q GROUP BY q."u_day"')
        params += values
    return " UNION ALL ".join(members), params


def statement(parts: Sequence[Source]) -> tuple[str, list[Any]]:
    """One statement: for each source (its index), its days and their rows."""
    members, params = [], []
    for index, source in enumerate(parts):
        sql, values = _member(index, source)
        members.append(sql)
        params += values
    return " UNION ALL ".join(members), params


def run(alias: str, sql: str, params: Sequence[Any], sources: int) -> list[Days]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    totals: list[dict[date, int]] = [{} for _ in range(sources)]
    for index, day, rows in found:
        # SQLite answers a date as its ISO text.
        day = date.fromisoformat(day) if isinstance(day, str) else day
        totals[index][day] = totals[index].get(day, 0) + rows
    return [sorted((day, rows) for day, rows in each.items() if rows) for each in totals]


def statements(parts: Sequence[Source], *, together: bool = True) -> list[tuple[str, list[Any]]]:
    """Each source's rows per day: in one statement, or (``together`` False) one a
    source. An own-only viewer's are counted apart: their visibility's subqueries make
    the planner's estimate of the six together cross `jit_above_cost`, and PostgreSQL
    spent 18 ms compiling a statement it ran in under a millisecond."""
    if together:
        return [statement(parts)]
    return [_member(0, source) for source in parts]


def by_day(parts: Sequence[Source], *, together: bool = True) -> list[Days]:
    return _run_all(parts[0].rows.db, statements(parts, together=together), len(parts))


def _run_all(alias: str, found: Sequence[tuple[str, Sequence[Any]]], sources: int) -> list[Days]:
    if len(found) == 1:
        return run(alias, *found[0], sources)
    days: list[Days] = []
    for sql, params in found:
        days += run(alias, sql, params, 1)
    return days


Slots = tuple[tuple[str | None, bool, Any], ...]


@dataclass(frozen=True)
class Kept:
    """Statements kept with their parameters as slots: a name of ``values`` (``iso``: as
    its ISO text, as SQLite takes a date) or a constant."""

    statements: tuple[tuple[str, Slots], ...]
    sources: int

    @staticmethod
    def params(slots: Slots, values: dict[str, Any]) -> list[Any]:
        return [
            constant if name is None else values[name].isoformat() if iso else values[name]
            for name, iso, constant in slots
        ]

    def by_day(self, alias: str, values: dict[str, Any]) -> list[Days]:
        return _run_all(
            alias, [(sql, self.params(slots, values)) for sql, slots in self.statements], self.sources
        )

    @classmethod
    def of(cls, build: Callable[[dict[str, Any]], Sequence[Source]], *, together: bool = True) -> Kept | None:
        """The `statements` of the sources ``build`` makes of ``values`` (names of dates
        and ids), with every parameter that is one of the values kept as its name. Built
        from two sets of unlikely values: None unless the second's statements are the
        first's with the second's values (a value the SQL computes from one, or left in
        its text, would be caught here and never kept)."""
        one = {"first": date(1001, 1, 1), "last": date(1001, 1, 15), "operator": -100_001}
        two = {"first": date(1002, 2, 2), "last": date(1002, 2, 16), "operator": -100_002}
        parts = build(one)
        named: dict[Any, tuple[str, bool]] = {}
        for name, value in one.items():
            named[value] = (name, False)
            if isinstance(value, date):
                named[value.isoformat()] = (name, True)
        kept = cls(
            tuple(
                (
                    sql,
                    tuple(
                        (*named[p], None) if _plain(p) and p in named else (None, False, p) for p in params
                    ),
                )
                for sql, params in statements(parts, together=together)
            ),
            len(parts),
        )
        again = statements(build(two), together=together)
        expected = [(sql, cls.params(slots, two)) for sql, slots in kept.statements]
        return kept if again == expected else None


def _plain(value: Any) -> bool:
    # A bool equals 1 and 0: never taken for an id.
    return not isinstance(value, bool) and isinstance(value, (int, date, str))


@dataclass(frozen=True)
class Window:
    """The rows a page takes of one source: those of ``first`` … ``last`` (days),
    from ``offset``, ``limit`` of them, in the page's order."""

    first: date
    last: date
    offset: int
    limit: int


def windows(days: Sequence[Days], kinds: Sequence[str], start: int, stop: int) -> list[Window | None]:
    """For the rows ``start`` … ``stop`` of the merged order (by day, then kind; each
    source's rows of a day have one kind, and no two sources share a day and kind), each
    source's part of them (None: none of its rows)."""
    groups = sorted((day, kinds[index], index, rows) for index, each in enumerate(days) for day, rows in each)
    low, high = [0] * len(days), [0] * len(days)
    position = 0
    for _, _, index, rows in groups:
        low[index] += max(0, min(rows, start - position))
        high[index] += max(0, min(rows, stop - position))
        position += rows
    return [_window(each, low[index], high[index]) for index, each in enumerate(days)]


def _window(days: Days, low: int, high: int) -> Window | None:
    """The days of a source's rows ``low`` … ``high - 1`` (in its order), and where they
    begin within those days."""
    if high <= low:
        return None
    before = seen = 0  # the source's rows before the window's first day; up to a day
    first = last = None
    for day, rows in days:
        seen += rows
        if seen <= low:
            before = seen
            continue
        first = first or day
        last = day
        if seen >= high:
            break
    assert first is not None and last is not None
    return Window(first, last, low - before, high - low)
