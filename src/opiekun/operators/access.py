"""Who may see and change which contractors, and who may do what (docs/semantics.md,
"Visibility").

Every list, search, export, detail page and API endpoint goes through
`visible_contractors` / `contractor_access`; a rule that cannot be evaluated
(no operator profile, an inactive operator or user) denies.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied
from django.db import connections
from django.db.models import OuterRef, Q, QuerySet

from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.messages import NO_ASSIGN_PERMISSION
from opiekun.operators.models import Operator, Visibility
from opiekun.operators.own_sets import OwnSets, Probed, own_sets


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


def count_estimate_from(viewer: Any) -> int | None:
    """From how many rows a list on a page may show the planner's estimate instead of a
    count (paging.EstimatingPaginator): ``settings.COUNT_ESTIMATE_FROM`` for a viewer who
    sees every contractor. An own-only viewer's lists are counted (None): the visibility's
    subqueries make the estimate unreliable (750,000 for 93,332 rows at a million
    contractors; docs/semantics.md, "Counts of long lists")."""
    return settings.COUNT_ESTIMATE_FROM if _sees_all(viewer) else None


class VisibleContractors(QuerySet[Contractor]):
    """An own-only operator's contractors. Its ``count()``, while nothing but the
    visibility filters it (the list's first question, before any search), counts the
    two sets of ids instead of testing every contractor against them: at a million
    contractors that is tens of milliseconds instead of most of a second
    (docs/performance.md, "The own-only list (unassigned visible)")."""

    def count(self) -> int:
        sets = own_sets_alone(self) if self._result_cache is None else None
        return sets.count() if sets is not None else super().count()


def own_sets_alone(qs: QuerySet[Contractor]) -> OwnSets | None:
    """The own-only sets of ``qs`` when it is `visible_contractors` of an own-only
    viewer and nothing else filters it; None otherwise (a viewer who sees every
    contractor, one who sees none, another filter)."""
    shortcut: tuple[OwnSets, str | None] | None = getattr(qs.query, "own_sets", None)
    if shortcut is None:
        return None
    sets, filters = shortcut
    return sets if filters is not None and _filters_of(qs) == filters else None


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
    sets = own_sets(operator, editable=editable, day=today(), only=only)
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
    return own_sets(operator, editable=False, day=today(), without_main_in=without_main_in).condition(column)


def own_contractor_sets(
    *, viewer: Any, without_main_in: int | None = None
) -> tuple[QuerySet[Any], QuerySet[Any] | None] | None:
    """An own-only viewer's visible contractors as the subqueries of ids (values of
    ``contractor_id``) that `visible_contractor_filter` tests: theirs today, and, when
    they may see them, those with nobody today (else None). None for a viewer who sees
    every contractor or who has no active operator. ``without_main_in``: as for
    `visible_contractor_filter` (theirs for rows of contractors with no main caretaker
    today in that role's scope without a branch)."""
    if _sees_all(viewer):
        return None
    operator = operator_of(viewer)
    if operator is None:
        return None
    sets = own_sets(operator, editable=False, day=today(), without_main_in=without_main_in)
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
    sets = own_sets(operator, editable=False, day=day)
    # Probed row by row even where the database could hash the set ("OFFSET 0"): the
    # rows tested are few, the set tens of thousands.
    condition = Q(Probed(sets.theirs.filter(contractor_id=OuterRef(column))))
    if sets.nobody is not None:
        condition |= Q(Probed(sets.nobody.filter(contractor_id=OuterRef(column))))
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
