"""Coverage gaps (Klienci bez opiekuna): reads, through the viewer's visibility.

A gap is a period of a scope (contractor, role, branch) with no main caretaker.
The default scope's gaps are stored for every contractor (`models.CoverageGap`), so
"who has nobody on day d" and its count are one index range over the gaps joined
to the visible, active contractors. Any other scope's gaps are stored only where
the scope has assignments; a contractor with none in that scope has a gap on
every day, which the query adds with an anti-join (slower: see
docs/performance.md).

With ``consider_absences`` a gap is a period with no *acting* caretaker
(docs/semantics.md, "Absences and the acting caretaker"): the days with no main
caretaker, and the days the main caretaker is absent and no deputy of the scope is
present to act. Those are stored too (`models.ActingGap`, kept by the assignments'
writer and by every write of an absence) and read exactly as the main caretaker's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    DateField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext as _

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import default_role_id
from opiekun.contractors.models import Contractor
from opiekun.coverage.compute import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE
from opiekun.coverage.models import ActingGap, CoverageGap
from opiekun.dates import today
from opiekun.operators.access import own_contractor_sets, visible_contractor_filter, visible_contractors
from opiekun.operators.models import Operator

DEFAULT_WINDOW_DAYS = 90

ORDERINGS: dict[str, tuple[str | OrderBy, ...]] = {
    "contractor": ("code", "gap_from"),
    "-contractor": ("-code", "-gap_from"),
    "name": ("name", "code", "gap_from"),
    "-name": ("-name", "-code", "-gap_from"),
    "date_from": ("gap_from", "code"),
    "-date_from": ("-gap_from", "-code"),
    "date_to": ("gap_to", "code"),
    "-date_to": ("-gap_to", "-code"),
    "last_operator": (F("gap_last_operator_name").asc(nulls_last=True), "code", "gap_from"),
    "-last_operator": (F("gap_last_operator_name").desc(nulls_last=True), "-code", "-gap_from"),
}


# The same orderings on rows of the gap table, whose contractor is a relation.
_ON_GAPS = {
    "code": "contractor__code",
    "-code": "-contractor__code",
    "name": "contractor__name",
    "-name": "-contractor__name",
}


@dataclass(frozen=True)
class Window:
    """Days ``[start, end]``; ``end`` is `UNTIL_FURTHER_NOTICE` for an open window."""

    start: date
    end: date

    @property
    def open_ended(self) -> bool:
        return self.end == UNTIL_FURTHER_NOTICE


def window_of(
    *, on: date | None = None, date_from: date | None = None, date_to: date | None = None
) -> Window:
    """The window asked for: one day (``on``); or ``date_from`` … ``date_to`` (without
    ``date_to``: open-ended; without ``date_from``: from today); or, with neither,
    today … today + 90 days. Contradictions are field errors."""
    if on is not None:
        if date_from is not None or date_to is not None:
            raise ValidationError({"on": [_("Give either a date or a period, not both.")]})
        return Window(on, on)
    if date_from is None and date_to is None:
        start = today()
        return Window(start, start + timedelta(days=DEFAULT_WINDOW_DAYS))
    start = date_from if date_from is not None else today()
    end = date_to if date_to is not None else UNTIL_FURTHER_NOTICE
    if end < start:
        raise ValidationError({"date_to": [_("Date to cannot be earlier than date from.")]})
    return Window(start, end)


@dataclass(frozen=True)
class GapFilters:
    window: Window
    role_id: int | None = None  # None: the default role
    branch_id: int | None = None  # None: no branch
    last_operator_id: int | None = None
    consider_absences: bool = False
    ordering: str = "contractor"


def _known(filters: GapFilters) -> int:
    """The role asked for (or the default), after checking that role, branch and last operator exist."""
    errors: dict[str, list[str]] = {}
    role_id = filters.role_id if filters.role_id is not None else default_role_id()
    if role_id is None or not CaretakerRole.objects.filter(pk=role_id).exists():
        errors["role_id"] = [_("Unknown role %(id)s.") % {"id": filters.role_id}]
    if filters.branch_id is not None and not Branch.objects.filter(pk=filters.branch_id).exists():
        errors["branch_id"] = [_("Unknown branch %(id)s.") % {"id": filters.branch_id}]
    if (
        filters.last_operator_id is not None
        and not Operator.objects.filter(pk=filters.last_operator_id).exists()
    ):
        errors["last_operator_id"] = [_("Unknown operator %(id)s.") % {"id": filters.last_operator_id}]
    if errors:
        raise ValidationError(errors)
    assert role_id is not None
    return role_id


def gap_list(*, viewer: Any, filters: GapFilters, with_names: bool = False) -> QuerySet[Any]:
    """One row per gap inside the window, of a visible, active contractor: with
    ``contractor_pk``, ``code``, ``name``, ``nip``, ``gap_role_id``, ``gap_branch_id``,
    ``gap_from`` / ``gap_to`` (clipped to the window; ``gap_to`` is
    `UNTIL_FURTHER_NOTICE` when the clipped gap has no end), ``gap_since`` /
    ``gap_until`` (the gap's own first and last day, sentinels for "always" and "for
    good") and ``gap_last_operator_id`` (who cared last: the main caretaker, or with
    ``consider_absences`` who acted; with ``with_names`` also ``gap_code``,
    ``gap_name``, ``gap_nip`` and ``gap_last_operator_first_name`` / ``_last_name`` /
    ``_username``, for the export).

    The default scope is read from the gap table itself (stored for every
    contractor, with the contractor's ``active`` flag beside it): its count touches
    no contractor row. Any other scope starts from the contractors, to add those
    without any assignment in it."""
    role_id = _known(filters)
    if filters.branch_id is None and role_id == default_role_id():
        qs = _stored_gaps(viewer, filters, role_id)
    else:
        qs = _gaps_of_any_scope(viewer, filters, role_id)
    if with_names or filters.ordering.lstrip("-") == "last_operator":
        # Only when asked: computed for every gap before the page is cut from them.
        qs = qs.annotate(gap_last_operator_name=_last_operator("user__last_name"))
    if with_names:
        on_gaps = qs.model is not Contractor
        qs = qs.annotate(
            gap_code=F("contractor__code" if on_gaps else "code"),
            gap_name=F("contractor__name" if on_gaps else "name"),
            gap_nip=F("contractor__nip" if on_gaps else "nip"),
            gap_last_operator_first_name=_last_operator("user__first_name"),
            gap_last_operator_last_name=F("gap_last_operator_name"),
            gap_last_operator_username=_last_operator("user__username"),
        )
    ordering = ORDERINGS.get(filters.ordering, ORDERINGS["contractor"])
    if qs.model is not Contractor:
        ordering = tuple(_ON_GAPS.get(key, key) if isinstance(key, str) else key for key in ordering)
    return qs.order_by(*ordering)


def _last_operator(field: str) -> Subquery:
    return Subquery(Operator.objects.filter(pk=OuterRef("gap_last_operator_id")).values(field)[:1])


def _clipped(qs: QuerySet[Any], window: Window, since: Any, until: Any) -> QuerySet[Any]:
    clipped: QuerySet[Any] = qs.annotate(
        gap_since=since,
        gap_until=until,
        gap_from=Greatest(since, Value(window.start), output_field=DateField()),
        gap_to=Least(until, Value(window.end), output_field=DateField()),
    )
    return clipped


def _stored_gaps(viewer: Any, filters: GapFilters, role_id: int) -> QuerySet[Any]:
    window = filters.window
    model: type[CoverageGap | ActingGap] = ActingGap if filters.consider_absences else CoverageGap
    gaps: QuerySet[Any] = model.objects.filter(
        role_id=role_id,
        branch__isnull=True,
        # "IN (true)" rather than "= true": SQLite writes the latter as a bare column,
        # which it cannot match against the index.
        active__in=[True],
        date_to__gte=window.start,
        date_from__lte=window.end,
    )
    if filters.last_operator_id is not None:
        gaps = gaps.filter(last_operator_id=filters.last_operator_id)
    # The viewer's sets of ids tested against the gap's own contractor column: through
    # the contractors table, PostgreSQL tests every gap's contractor against them (a
    # second for an own-only operator's "Bez opiekuna: N" on 50,000 gaps today). The
    # gaps of today alone (no main caretaker today in this scope): a contractor is
    # theirs through a row that is not main in this scope, so only those rows are read.
    day = today()
    only_today = window.start == window.end == day and not filters.consider_absences
    visible = visible_contractor_filter(viewer=viewer, without_main_in=role_id if only_today else None)
    if visible is not None:
        gaps = gaps.filter(visible)
    # The contractor comes by select_related (the page's rows only): an annotation of
    # its code would keep the join in the count.
    gaps = gaps.select_related("contractor").annotate(
        contractor_pk=F("contractor_id"),
        gap_role_id=F("role_id"),
        gap_branch_id=F("branch_id"),
        gap_last_operator_id=F("last_operator_id"),
    )
    return _clipped(gaps, window, F("date_from"), F("date_to"))


def _gaps_of_any_scope(viewer: Any, filters: GapFilters, role_id: int) -> QuerySet[Any]:
    window = filters.window
    table = "acting_gaps" if filters.consider_absences else "coverage_gaps"
    in_scope = Q(**{f"{table}__role_id": role_id}) & Q(**{f"{table}__date_to__gte": window.start})
    in_scope &= Q(**{f"{table}__date_from__lte": window.end})
    if filters.branch_id is None:
        in_scope &= Q(**{f"{table}__branch__isnull": True})
    else:
        in_scope &= Q(**{f"{table}__branch_id": filters.branch_id})
    if filters.last_operator_id is not None:
        in_scope &= Q(**{f"{table}__last_operator_id": filters.last_operator_id})
    qs = visible_contractors(viewer=viewer).filter(active=True)
    qs = qs.annotate(gap=FilteredRelation(table, condition=in_scope))
    # A scope without any assignment has no stored gaps: it is one gap.
    assigned = CaretakerAssignment.objects.filter(contractor_id=OuterRef("pk"), role_id=role_id)
    if filters.branch_id is None:
        assigned = assigned.filter(branch__isnull=True)
    else:
        assigned = assigned.filter(branch_id=filters.branch_id)
    if filters.last_operator_id is not None:
        qs = qs.filter(gap__isnull=False)  # a scope never cared for has nobody who cared last
    else:
        qs = qs.filter(Q(gap__isnull=False) | ~Exists(assigned))
    qs = qs.annotate(
        contractor_pk=F("pk"),
        gap_role_id=Value(role_id, output_field=IntegerField()),
        gap_branch_id=Value(filters.branch_id, output_field=IntegerField()),
        gap_last_operator_id=F("gap__last_operator_id"),
    )
    since = Coalesce(F("gap__date_from"), Value(SINCE_ALWAYS), output_field=DateField())
    until = Coalesce(F("gap__date_to"), Value(UNTIL_FURTHER_NOTICE), output_field=DateField())
    return _clipped(qs, window, since, until)


def gaps_today_count(*, viewer: Any) -> int:
    """ "Bez opiekuna: N": visible active contractors with no main caretaker today in
    the default scope.

    For an own-only viewer, two counts of disjoint sets (docs/performance.md, "The
    own-only list's count of contractors without a caretaker, 2026-11-29 (gap5)"):
    today's gaps of their own contractors (`own_contractor_sets`, without those they
    are main caretaker of there), and, when they may see them, the active contractors
    with nobody today — one index range of the uncovered periods, which carry the
    contractor's flag. A contractor with nobody today has no main caretaker today, so
    its default scope has a gap today (stored for every contractor, one a day); one of
    theirs has a caretaker today, so it is not among those with nobody."""
    day = today()
    role_id = default_role_id()
    if role_id is None:
        return 0
    sets = own_contractor_sets(viewer=viewer, without_main_in=role_id)
    if sets is None:  # sees everyone, or no operator (then nothing: the filter's empty set)
        return gap_list(viewer=viewer, filters=GapFilters(window=Window(day, day))).count()
    theirs, nobody = sets
    gaps = CoverageGap.objects.filter(
        role_id=role_id, branch__isnull=True, active__in=[True], date_to__gte=day, date_from__lte=day
    )
    count = gaps.filter(contractor_id__in=theirs).count()
    if nobody is not None:
        count += nobody.filter(active__in=[True]).count()
    return count


def open_end(day: date) -> date | None:
    """A stored or clipped end as the API and the screens show it: None for "for good"."""
    return None if day == UNTIL_FURTHER_NOTICE else day


def open_start(day: date) -> date | None:
    return None if day == SINCE_ALWAYS else day
