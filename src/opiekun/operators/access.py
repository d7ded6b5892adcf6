"""Who may see and change which contractors, and who may do what (docs/semantics.md,
"Visibility").

Every list, search, export, detail page and API endpoint goes through
`visible_contractors` / `contractor_access`; a rule that cannot be evaluated
(no operator profile, an inactive operator or user) denies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied
from django.db import connections
from django.db.models import BooleanField, Exists, Expression, OuterRef, Q, QuerySet

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import UncoveredPeriod
from opiekun.dates import today
from opiekun.messages import NO_ASSIGN_PERMISSION
from opiekun.operators.models import Operator, UnassignedAccess, Visibility


class Access(StrEnum):
    EDIT = "edit"
    READ = "read"
    NONE = "none"


def is_administrator(user: Any) -> bool:
    """An active superuser: may do everything. An inactive one may do nothing."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def operator_of(user: Any) -> Operator | None:
    """The active operator behind an active user, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        operator = user.operator
    except Operator.DoesNotExist:
        return None
    return operator if operator.active else None


def _sees_all(user: Any) -> bool:
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.visibility == Visibility.ALL


# The longest walk of the contractors, in the list's order, for which the page tests
# each contractor by index probes into the sets rather than hashing them whole; and
# what a walked contractor's probes cost against a hashed id (measured at a million
# contractors: 581 contractors probed in 3-4 ms, 92,636 ids hashed in about 30 ms).
_PROBED_WALK = 20_000
_PROBE_COST = 10


@dataclass(frozen=True)
class _OwnSets:
    """An own-only operator's visible contractors as sets of ids, each one index range:
    ``theirs`` (an assignment of theirs today, main or deputy, any scope) and, when
    they may see the contractors with nobody today, ``nobody``. Disjoint: a contractor
    that is theirs today has a caretaker today."""

    theirs: QuerySet[Any]
    nobody: QuerySet[Any] | None
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

    def page_condition(self) -> Q:
        """`condition` for the contractors' own list: with both sets (an OR, which
        PostgreSQL always answers by hashing both, 30 ms at a million contractors
        whatever the page), a short walk tests each contractor by two index probes
        instead (`_ProbedOrHashed`)."""
        if self.nobody is None:
            return self.condition()  # one IN: the planner itself probes or hashes
        probed = Q(_Probed(self.theirs.filter(contractor_id=OuterRef("pk")))) | Q(
            _Probed(self.nobody.filter(contractor_id=OuterRef("pk")))
        )
        return Q(_ProbedOrHashed(self, hashed=self.condition(), probed=probed))

    def count(self) -> int:
        """How many contractors the sets hold: counted in the sets' own indexes,
        touching no contractor (each id is a contractor's: foreign keys), one set at a
        time (they are disjoint). A contractor's uncovered periods never overlap (they
        are the holes between its assignments), so ``nobody`` holds each id once."""
        if self.nobody is not None and connections[self.nobody.db].vendor == "postgresql":
            # The planner's estimate of all contractors (-1 before the table's first
            # ANALYZE): with the count, how far a page's walk goes (`short_walk`).
            with connections[self.nobody.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Contractor._meta.db_table]
                )
                row = cursor.fetchone()
            self.counted["all"] = float(row[0]) if row else -1.0
        count = self.theirs.distinct().count()
        if self.nobody is not None:
            count += self.nobody.count()
        self.counted["visible"] = count
        return count

    def short_walk(self, query: Any) -> bool:
        """Whether the page ``query`` asks for ends within a short walk of the
        contractors: the rows up to its end divided by the visible share, as `count`
        found it (the list counts before it reads a page): at most `_PROBED_WALK`, and
        cheaper probed than the visible ids hashed (`_PROBE_COST`)."""
        visible, everyone = self.counted.get("visible"), self.counted.get("all", -1.0)
        if query.high_mark is None or not visible or everyone <= 0:
            return False
        walk: float = query.high_mark * max(everyone, visible) / visible
        return walk <= _PROBED_WALK and walk * _PROBE_COST <= visible


class _Probed(Exists):
    """EXISTS tested row by row: "OFFSET 0" keeps PostgreSQL from turning it into a
    hashed set (which it does to an EXISTS it can simplify, however few rows the outer
    query will test). PostgreSQL only."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


class _ProbedOrHashed(Expression):
    """A condition written one of two ways, chosen when the query is compiled: on
    PostgreSQL, ``probed`` for a page that ends within a short walk of the contractors
    (`_OwnSets.short_walk`), else ``hashed``. The same rows either way."""

    conditional = True

    def __init__(self, sets: _OwnSets, *, hashed: Any, probed: Any) -> None:
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
    ) -> _ProbedOrHashed:
        resolved = self.copy()
        resolved.hashed = self.hashed.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        resolved.probed = self.probed.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        probe = connection.vendor == "postgresql" and self.sets.short_walk(compiler.query)
        sql, params = compiler.compile(self.probed if probe else self.hashed)
        return f"({sql})", params


def _own_sets(
    operator: Operator,
    *,
    editable: bool,
    day: date,
    only: int | None = None,
    without_main_in: int | None = None,
) -> _OwnSets:
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
    return _OwnSets(
        theirs.values("contractor_id"),
        nobody.values("contractor_id") if operator.unassigned_access in allowed else None,
    )


class VisibleContractors(QuerySet[Contractor]):
    """An own-only operator's contractors. Its ``count()``, while nothing but the
    visibility filters it (the list's first question, before any search), counts the
    two sets of ids instead of testing every contractor against them: at a million
    contractors that is tens of milliseconds instead of most of a second
    (docs/performance.md, "The own-only list (unassigned visible)")."""

    def count(self) -> int:
        shortcut: tuple[_OwnSets, str | None] | None = getattr(self.query, "own_sets", None)
        if self._result_cache is None and shortcut is not None:
            sets, filters = shortcut
            if filters is not None and _filters_of(self) == filters:
                return sets.count()
        return super().count()


def _filters_of(qs: QuerySet[Any]) -> str | None:
    """The SQL of the queryset's WHERE, or None if anything else (a slice, DISTINCT,
    a join, an annotation) could change what it counts."""
    query = qs.query
    if query.is_sliced or query.distinct or query.combinator or query.annotations or query.extra:
        return None
    if len(query.alias_map) != 1 or query.group_by is not None:
        return None
    try:
        sql, params = query.where.as_sql(query.get_compiler(using=qs.db), connections[qs.db])
    except (EmptyResultSet, FullResultSet):  # e.g. pk__in=[]: Django's own count knows
        return None
    return f"{sql} {params!r}"


def visible_contractors(*, viewer: Any, editable: bool = False) -> QuerySet[Contractor]:
    """The contractors ``viewer`` may see (or, with ``editable``, change)."""
    return _visible(viewer, editable=editable)


def _visible(viewer: Any, *, editable: bool, only: int | None = None) -> QuerySet[Contractor]:
    qs = Contractor.objects.all()
    if _sees_all(viewer):
        return qs
    operator = operator_of(viewer)
    if operator is None:
        return qs.none()
    sets = _own_sets(operator, editable=editable, day=today(), only=only)
    visible = VisibleContractors(model=Contractor).filter(sets.page_condition())
    # Carried by every clone of the query (`Query.clone` copies its attributes).
    visible.query.own_sets = (sets, _filters_of(visible))  # type: ignore[attr-defined]
    return visible


def visible_contractor_filter(
    *, viewer: Any, column: str = "contractor_id", without_main_in: int | None = None
) -> Q | None:
    """What the viewer may see, as a condition on another table's contractor column
    (e.g. an assignment's ``contractor_id``); None when the viewer sees every
    contractor. The column is tested against the own-only sets of ids themselves,
    not through the contractors table, which PostgreSQL would read whole (half a
    second at a million contractors, on every page: the top bar's upcoming changes).

    ``without_main_in`` (a role id), for rows of contractors that have no main
    caretaker *today* in that role's scope without a branch (the gaps of today): such a
    contractor is theirs only through another of their rows, so the viewer's rows that
    are main in that scope are left out of the set — the same answer on those rows,
    from a fraction of the set (6,666 of 26,666 contractors for a caretaker who is
    mostly main; docs/performance.md, "Own-only pages and Nadchodzące, 2026-11-29
    (own3)")."""
    if _sees_all(viewer):
        return None
    operator = operator_of(viewer)
    if operator is None:
        return Q(**{f"{column}__in": []})
    return _own_sets(operator, editable=False, day=today(), without_main_in=without_main_in).condition(column)


def own_contractor_sets(*, viewer: Any) -> tuple[QuerySet[Any], QuerySet[Any] | None] | None:
    """An own-only viewer's visible contractors as the subqueries of ids (values of
    ``contractor_id``) that `visible_contractor_filter` tests: theirs today, and, when
    they may see them, those with nobody today (else None). None for a viewer who sees
    every contractor or who has no active operator."""
    if _sees_all(viewer):
        return None
    operator = operator_of(viewer)
    if operator is None:
        return None
    sets = _own_sets(operator, editable=False, day=today())
    return sets.theirs, sets.nobody


def visible_contractor_check(
    *, viewer: Any, column: str = "contractor_id", assignments: bool = False
) -> Q | None:
    """What `visible_contractor_filter` says, correlated: each row's contractor looked up
    in the own-only sets (an index probe a row) instead of the sets read whole and
    hashed (a tenth of a second each at a million contractors). For queries that test
    few rows, such as one operator's upcoming changes (the top bar's badge).

    ``assignments``: the rows are assignments, and one of the viewer's own in force
    today is theirs without a look-up (most of an operator's own changes: the ends of
    the coming days)."""
    if _sees_all(viewer):
        return None
    operator = operator_of(viewer)
    if operator is None:
        return Q(**{f"{column}__in": []})
    day = today()
    sets = _own_sets(operator, editable=False, day=day)
    # Probed row by row even where the database could hash the set ("OFFSET 0"): the
    # rows tested are few, the set tens of thousands.
    condition = Q(_Probed(sets.theirs.filter(contractor_id=OuterRef(column))))
    if sets.nobody is not None:
        condition |= Q(_Probed(sets.nobody.filter(contractor_id=OuterRef(column))))
    if assignments:
        in_force = Q(date_from__lte=day) & (Q(date_to__isnull=True) | Q(date_to__gte=day))
        condition = (Q(operator_id=operator.pk) & in_force) | condition
    return condition


def contractor_access(*, viewer: Any, contractor_id: int) -> Access:
    if _visible(viewer, editable=True, only=contractor_id).filter(pk=contractor_id).exists():
        return Access.EDIT
    if _visible(viewer, editable=False, only=contractor_id).filter(pk=contractor_id).exists():
        return Access.READ
    return Access.NONE


def can_assign(user: Any) -> bool:
    """The separate permission to add, change and remove caretakers."""
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_assign


def require_assign(user: Any) -> None:
    """Refuse (PermissionDenied, a 403 on a page or in the API) a user without
    `can_assign`: every writer of caretakers and every page that changes them asks."""
    if not can_assign(user):
        raise PermissionDenied(str(NO_ASSIGN_PERMISSION))


def can_manage_dictionaries(user: Any) -> bool:
    if is_administrator(user):
        return True
    operator = operator_of(user)
    return operator is not None and operator.can_manage_dictionaries
