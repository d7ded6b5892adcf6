"""An own-only operator's visible contractors as sets of contractor ids, and the two
ways a query tests them: hashed whole, or probed row by row (docs/performance.md,
"The own-only list (unassigned visible)" and "Own-only pages and Nadchodzące,
2026-11-29 (own3)"). Read through `operators.access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Exists, Expression, OuterRef, Q, QuerySet, Sum

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import contractors_estimated
from opiekun.coverage.models import UncoveredPeriod
from opiekun.operators.models import ANY_TYPE, Operator, UnassignedAccess, Visibility, WorkloadPairStep

# The longest walk of the contractors, in the list's order, for which the page tests
# each contractor by index probes into the sets rather than hashing them whole; and
# what a walked contractor's probes cost against a hashed id (measured at a million
# contractors: 581 contractors probed in 3-4 ms, 92,636 ids hashed in about 30 ms).
PROBED_WALK = 20_000
PROBE_COST = 10


@dataclass(frozen=True)
class OwnSets:
    """An own-only operator's visible contractors as sets of ids, each one index range:
    ``theirs`` (an assignment of theirs today, main or deputy, any scope) and, when
    they may see the contractors with nobody today, ``nobody``. Disjoint: a contractor
    that is theirs today has a caretaker today."""

    theirs: QuerySet[Any]
    nobody: QuerySet[Any] | None
    # Whose ``theirs`` (of ``day``) it is, when it is their whole set (not one
    # contractor's): `count` reads their number from the pair steps.
    operator_id: int | None = None
    day: date | None = None
    # What `count` found (shared by every clone of the list's query): the visible
    # contractors, and the planner's estimate of all of them (PostgreSQL).
    counted: dict[str, float] = field(default_factory=dict, compare=False)

    def condition(self, column: str = "pk") -> Q:
        # Two uncorrelated INs, OR-ed: the planner hashes each set once and walks the
        # contractors in the list's order, stopping at the page's end. (One IN over
        # their UNION makes PostgreSQL join and sort the whole set for every page.)
        condition = Q(**{f"{column}__in": self.theirs})
        if self.nobody is not None:
            condition |= Q(**{f"{column}__in": self.nobody})
        return condition

    def ids(self) -> tuple[QuerySet[Any], ...]:
        """The sets themselves (each a ``contractor_id`` column), disjoint."""
        return (self.theirs,) if self.nobody is None else (self.theirs, self.nobody)

    def page_condition(self) -> Q:
        """`condition` for the contractors' own list: with both sets (an OR, which
        PostgreSQL always answers by hashing both, 30 ms at a million contractors
        whatever the page), a short walk tests each contractor by two index probes
        instead (`ProbedOrHashed`)."""
        if self.nobody is None:
            return self.condition()  # one IN: the planner itself probes or hashes
        probed = Q(Probed(self.theirs.filter(contractor_id=OuterRef("pk")))) | Q(
            Probed(self.nobody.filter(contractor_id=OuterRef("pk")))
        )
        return Q(ProbedOrHashed(self, hashed=self.condition(), probed=probed))

    def count(self) -> int:
        """How many contractors the sets hold: ``theirs`` from the steps the writers
        keep (`operators.workload_pairs`), else counted in its index; ``nobody`` in its
        index; touching no contractor (each id is a contractor's: foreign keys), one
        set at a time (they are disjoint). A contractor's uncovered periods never overlap (they
        are the holes between its assignments), so ``nobody`` holds each id once."""
        if self.nobody is not None and connections[self.nobody.db].vendor == "postgresql":
            # The planner's estimate of all contractors (-1 before the table's first
            # ANALYZE): with the count, how far a page's walk goes (`short_walk`).
            self.counted["all"] = contractors_estimated(self.nobody.db)
        if self.operator_id is not None and self.day is not None:
            # Kept by the writers (`operators.workload_pairs`): no index range to read.
            count = workload_own_count(viewer_id=self.operator_id, on=self.day)
        else:
            count = self.theirs.distinct().count()
        if self.nobody is not None:
            count += self.nobody.count()
        self.counted["visible"] = count
        return count

    def matched(self, rows: int) -> None:
        """The list holds ``rows`` of these contractors, as counted elsewhere (a search's
        matches they see, from the table of keys): `short_walk` reckons a page's walk
        from them as from `count`'s."""
        if self.nobody is not None and connections[self.nobody.db].vendor == "postgresql":
            self.counted["all"] = contractors_estimated(self.nobody.db)
        self.counted["visible"] = rows

    def short_walk(self, query: Any) -> bool:
        """Whether the page ``query`` asks for ends within a short walk of the
        contractors: the rows up to its end divided by the visible share, as `count`
        found it (the list counts before it reads a page): at most `PROBED_WALK`, and
        cheaper probed than the visible ids hashed (`PROBE_COST`)."""
        visible, everyone = self.counted.get("visible"), self.counted.get("all", -1.0)
        if query.high_mark is None or not visible or everyone <= 0:
            return False
        walk: float = query.high_mark * max(everyone, visible) / visible
        return walk <= PROBED_WALK and walk * PROBE_COST <= visible


class Probed(Exists):
    """EXISTS tested row by row: "OFFSET 0" keeps PostgreSQL from turning it into a
    hashed set (which it does to an EXISTS it can simplify, however few rows the outer
    query will test). PostgreSQL only."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


class ProbedOrHashed(Expression):
    """A condition written one of two ways, chosen when the query is compiled: on
    PostgreSQL, ``probed`` for a page that ends within a short walk of the contractors
    (`OwnSets.short_walk`), else ``hashed``. The same rows either way."""

    conditional = True

    def __init__(self, sets: OwnSets, *, hashed: Any, probed: Any) -> None:
        super().__init__(output_field=BooleanField())
        self.sets, self.hashed, self.probed = sets, hashed, probed

    def get_source_expressions(self) -> list[Any]:
        return [self.hashed, self.probed]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.hashed, self.probed = exprs

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> ProbedOrHashed:
        resolved = self.copy()
        resolved.hashed = self.hashed.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        resolved.probed = self.probed.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        probe = connection.vendor == "postgresql" and self.sets.short_walk(compiler.query)
        sql, params = compiler.compile(self.probed if probe else self.hashed)
        return f"({sql})", params


def own_sets(
    operator: Operator,
    *,
    editable: bool,
    day: date,
    only: int | None = None,
    without_main_in: int | None = None,
) -> OwnSets:
    """The own-only operator's visible (or editable) contractors; ``only``: of these,
    the one contractor (a check of one contractor reads its own rows, not the sets);
    ``without_main_in`` (a role): see `visible_contractor_filter`."""
    theirs = CaretakerAssignment.objects.on(day).filter(operator=operator).order_by()
    if without_main_in is not None:
        theirs = theirs.exclude(type=AssignmentType.MAIN.value, role_id=without_main_in, branch__isnull=True)
    # "No caretaker today" (main or deputy, in any scope) is read from the derived
    # table of uncovered periods, kept by the assignments' writer.
    nobody = UncoveredPeriod.objects.filter(date_from__lte=day, date_to__gte=day).order_by()
    if only is not None:
        theirs = theirs.filter(contractor_id=only)
        nobody = nobody.filter(contractor_id=only)
    allowed = [UnassignedAccess.ALLOWED]
    if not editable:
        allowed.append(UnassignedAccess.READ_ONLY)
    whole = only is None and without_main_in is None and operator.visibility == Visibility.OWN
    return OwnSets(
        theirs.values("contractor_id"),
        nobody.values("contractor_id") if operator.unassigned_access in allowed else None,
        operator_id=operator.pk if whole else None,
        day=day if whole else None,
    )


def workload_own_count(*, viewer_id: int, on: date) -> int:
    """The number of distinct contractors that the own-only operator ``viewer_id``
    cares for on ``on`` (any type, any scope): the sum of their steps of type "any"
    up to that day, which the writers keep (`operators.workload_pairs`)."""
    total = WorkloadPairStep.objects.filter(
        viewer_id=viewer_id, operator_id=viewer_id, type=ANY_TYPE, day__lte=on
    ).aggregate(total=Sum("delta"))["total"]
    return int(total or 0)
