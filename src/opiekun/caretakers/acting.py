"""The acting caretaker (docs/semantics.md, "Absences and the acting caretaker").

For a scope (contractor, role, branch) on day d: the main caretaker, unless absent
on d; then the first deputy of the scope on d who is not absent (deputies ordered by
priority, then date_from, then id); else nobody. A scope without a main caretaker
on d has nobody acting: deputies stand in for a main caretaker, not for no one.

One rule, used everywhere: `acting_on` is a pure function of plain values; the
selectors below load what it needs set-based (a fixed number of queries whatever
the number of scopes) and every screen, report and API endpoint goes through them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Q

from opiekun.bulk import id_list
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Absence
from opiekun.periods import Period

ONE_DAY = timedelta(days=1)


class ActingReason(StrEnum):
    MAIN = "main"  # the main caretaker acts: present on d
    MAIN_ABSENT = "main_absent"  # the main caretaker is absent; a deputy stands in
    NONE = "none"  # nobody acts: no main on d, or the main and every deputy absent


@dataclass(frozen=True)
class Holder:
    """An assignment as plain values: who holds the scope, how, when, in which order."""

    assignment_id: int
    operator_id: int
    type: AssignmentType
    period: Period
    priority: int = 0

    @property
    def deputy_order(self) -> tuple[int, date, int]:
        return (self.priority, self.period.start, self.assignment_id)


@dataclass(frozen=True)
class Acting:
    holder: Holder | None  # the acting caretaker's assignment, or None
    reason: ActingReason
    stands_in_for: int | None = None  # the absent main caretaker's operator id
    # When the main caretaker is absent on d: the last day of that absence (absences
    # that follow one another without a gap count as one).
    main_absent_until: date | None = None

    @property
    def until(self) -> date | None:
        """How long the deputy stands in: to the end of the main caretaker's absence."""
        return self.main_absent_until if self.reason == ActingReason.MAIN_ABSENT else None


def absent_until(periods: Sequence[Period], day: date) -> date | None:
    """The last day of the absence covering ``day`` and of every absence that follows
    it without a gap; None when ``day`` is not a day of absence. ``periods`` are one
    operator's absences (they never overlap), in any order."""
    end: date | None = None
    for period in sorted(periods):
        if end is None:
            if period.contains_day(day):
                end = period.end
        elif period.start - end == ONE_DAY:
            end = period.end
        elif period.start > end:
            break
    return end


def acting_on(
    main: Holder | None,
    deputies: Iterable[Holder],
    absences: Mapping[int, Sequence[Period]],
    day: date,
) -> Acting:
    """Who acts for a scope on ``day``. ``main`` and ``deputies`` are the scope's
    assignments in force on ``day``; ``absences`` the operators' absences by operator
    id (those of operators not in it are present)."""

    def absent(operator_id: int) -> bool:
        return any(p.contains_day(day) for p in absences.get(operator_id, ()))

    if main is None:
        return Acting(None, ActingReason.NONE)
    if not absent(main.operator_id):
        return Acting(main, ActingReason.MAIN)
    until = absent_until(absences.get(main.operator_id, ()), day)
    for deputy in sorted(deputies, key=lambda d: d.deputy_order):
        if not absent(deputy.operator_id):
            return Acting(deputy, ActingReason.MAIN_ABSENT, main.operator_id, until)
    return Acting(None, ActingReason.NONE, None, until)


def acting_periods(
    holders: Iterable[Holder], absences: Mapping[int, Sequence[Period]], window: Period
) -> list[tuple[Period, Acting]]:
    """Who acted for one scope on each day of ``window`` (bounded), as maximal periods
    of one acting caretaker and reason, from `acting_on` evaluated wherever anything
    changes (an assignment or an absence starts or ends)."""
    assert window.end is not None, "the window must be bounded"
    rows = list(holders)
    edges = {window.start}
    for period in [h.period for h in rows] + [p for ps in absences.values() for p in ps]:
        edges.add(period.start)
        if period.end is not None and period.end < date.max:
            edges.add(period.end + ONE_DAY)
    starts = sorted(d for d in edges if window.start <= d <= window.end)
    result: list[tuple[Period, Acting]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else window.end
        on = [h for h in rows if h.period.contains_day(start)]
        main = next((h for h in on if h.type == AssignmentType.MAIN), None)
        acting = acting_on(main, [h for h in on if h.type == AssignmentType.DEPUTY], absences, start)
        key = (acting.holder, acting.reason, acting.stands_in_for)
        if result and (result[-1][1].holder, result[-1][1].reason, result[-1][1].stands_in_for) == key:
            result[-1] = (Period(result[-1][0].start, end), result[-1][1])
        else:
            result.append((Period(start, end), acting))
    return result


# --- set-based selectors ---------------------------------------------------------------


def holder_of(row: CaretakerAssignment) -> Holder:
    return Holder(row.pk, row.operator_id, AssignmentType(row.type), row.period, row.priority)


def absences_of(
    operator_ids: Iterable[int], *, since: date, until: date | None = None
) -> dict[int, list[Period]]:
    """The absences of the operators that end on or after ``since`` (and start on or
    before ``until``, if given), by operator id, in order: one query."""
    wanted = sorted(set(operator_ids))
    if not wanted:
        return {}
    qs = Absence.objects.filter(operator_id__in=id_list(wanted), date_to__gte=since)
    if until is not None:
        qs = qs.filter(date_from__lte=until)
    found: dict[int, list[Period]] = defaultdict(list)
    for operator_id, start, end in qs.order_by("operator_id", "date_from").values_list(
        "operator_id", "date_from", "date_to"
    ):
        found[operator_id].append(Period(start, end))
    return dict(found)


@dataclass(frozen=True)
class ScopeDay:
    """A question: who cares for this scope on this day?"""

    contractor_id: int
    role_id: int
    branch_id: int | None
    on: date


@dataclass
class Resolution:
    """The answer for one `ScopeDay`."""

    main: Holder | None = None
    deputies: list[Holder] = field(default_factory=list)  # in deputy order
    acting: Acting = field(default_factory=lambda: Acting(None, ActingReason.NONE))
    absent: frozenset[int] = frozenset()  # operators of main/deputies absent on the day


def resolve_scopes(questions: Sequence[ScopeDay]) -> list[Resolution]:
    """Main, deputies and the acting caretaker for every question, in order. Two
    queries whatever their number (the assignments of the contractors asked about in
    the days asked about, and the absences of their caretakers); no visibility here:
    callers ask only about contractors the viewer may see."""
    if not questions:
        return []
    first = min(q.on for q in questions)
    last = max(q.on for q in questions)
    contractor_ids = sorted({q.contractor_id for q in questions})
    rows = (
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(contractor_ids), date_from__lte=last)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=first))
        .values_list(
            "id",
            "contractor_id",
            "role_id",
            "branch_id",
            "operator_id",
            "type",
            "date_from",
            "date_to",
            "priority",
        )
    )
    by_scope: dict[tuple[int, int, int | None], list[Holder]] = defaultdict(list)
    for pk, contractor_id, role_id, branch_id, operator_id, kind, start, end, priority in rows:
        holder = Holder(pk, operator_id, AssignmentType(kind), Period(start, end), priority)
        by_scope[(contractor_id, role_id, branch_id)].append(holder)
    absences = absences_of({h.operator_id for hs in by_scope.values() for h in hs}, since=first)
    answers = []
    for q in questions:
        on = [
            h
            for h in by_scope.get((q.contractor_id, q.role_id, q.branch_id), ())
            if h.period.contains_day(q.on)
        ]
        main = next((h for h in on if h.type == AssignmentType.MAIN), None)
        deputies = sorted((h for h in on if h.type == AssignmentType.DEPUTY), key=lambda h: h.deputy_order)
        absent = frozenset(
            h.operator_id for h in on if any(p.contains_day(q.on) for p in absences.get(h.operator_id, ()))
        )
        answers.append(Resolution(main, deputies, acting_on(main, deputies, absences, q.on), absent))
    return answers


@dataclass(frozen=True)
class ActedFor:
    """A period in which ``operator_id``, a deputy, acted for the absent main caretaker
    ``stands_in_for`` of a scope."""

    contractor_id: int
    role_id: int
    branch_id: int | None
    assignment_id: int  # the deputy's assignment
    operator_id: int
    stands_in_for: int
    period: Period


def acted_for(
    *, viewer: Any, operator_id: int, date_from: date | None = None, date_to: date | None = None
) -> list[ActedFor]:
    """Kontrahenci wg opiekuna, "acted for": the periods in ``[date_from, date_to]``
    (either end open) in which the operator acted for an absent main caretaker, on
    contractors the viewer may see; by start, then contractor. Four queries."""
    deputy_rows = CaretakerAssignment.objects.filter(
        operator_id=operator_id, type=AssignmentType.DEPUTY.value
    ).overlapping(date_from, date_to)
    visible = visible_contractors(viewer=viewer)
    if visible.query.has_filters():
        deputy_rows = deputy_rows.filter(contractor__in=visible.values("pk"))
    scopes = set(deputy_rows.values_list("contractor_id", "role_id", "branch_id"))
    if not scopes:
        return []
    rows = (
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(sorted({s[0] for s in scopes})))
        .overlapping(date_from, date_to)
        .values_list(
            "id",
            "contractor_id",
            "role_id",
            "branch_id",
            "operator_id",
            "type",
            "date_from",
            "date_to",
            "priority",
        )
    )
    by_scope: dict[tuple[int, int, int | None], list[Holder]] = defaultdict(list)
    for pk, contractor_id, role_id, branch_id, holder_operator, kind, start, end, priority in rows:
        if (contractor_id, role_id, branch_id) in scopes:
            holder = Holder(pk, holder_operator, AssignmentType(kind), Period(start, end), priority)
            by_scope[(contractor_id, role_id, branch_id)].append(holder)
    absences = absences_of(
        {h.operator_id for hs in by_scope.values() for h in hs}, since=date_from or date.min, until=date_to
    )
    found: list[ActedFor] = []
    for scope, holders in by_scope.items():
        # A deputy acts only while a main caretaker is absent: the main caretakers'
        # absences bound the days to look at.
        away = [p for h in holders if h.type == AssignmentType.MAIN for p in absences.get(h.operator_id, ())]
        if not away:
            continue
        start = max(date_from or date.min, min(p.start for p in away))
        end = min(date_to or date.max, max(p.end or date.max for p in away))
        if end < start:
            continue
        for period, acting in acting_periods(holders, absences, Period(start, end)):
            deputy = acting.holder
            if (
                deputy is None
                or acting.reason != ActingReason.MAIN_ABSENT
                or deputy.operator_id != operator_id
            ):
                continue
            assert acting.stands_in_for is not None
            found.append(
                ActedFor(
                    *scope,
                    deputy.assignment_id,
                    operator_id,
                    acting.stands_in_for,
                    period,
                )
            )
    found.sort(key=lambda a: (a.period.start, a.contractor_id, a.role_id, a.assignment_id))
    return found


@dataclass(frozen=True)
class ResolveItem:
    contractor_id: int
    on: date
    role_id: int | None = None  # None: the default role
    branch_id: int | None = None  # None: no branch, a scope of its own


def unknown_dictionary_ids(role_ids: Iterable[int], branch_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """The roles and branches among those asked for that do not exist: two queries."""
    roles, branches = set(role_ids), set(branch_ids)
    known_roles = set(
        CaretakerRole.objects.filter(pk__in=id_list(sorted(roles))).values_list("pk", flat=True)
    )
    known_branches = set(Branch.objects.filter(pk__in=id_list(sorted(branches))).values_list("pk", flat=True))
    return roles - known_roles, branches - known_branches


def resolve(*, viewer: Any, items: Sequence[ResolveItem]) -> list[tuple[ScopeDay, Resolution] | None]:
    """POST /caretakers/resolve: each item's scope and its main, deputies and acting
    caretaker, in the order asked; None for an item whose contractor the viewer may
    not see (or that does not exist). A fixed number of queries whatever the number of
    items: the visible contractors asked about, the default role, then `resolve_scopes`."""
    ids = sorted({item.contractor_id for item in items})
    visible = set(visible_contractors(viewer=viewer).filter(pk__in=id_list(ids)).values_list("pk", flat=True))
    default_role = CaretakerRole.objects.default().values_list("pk", flat=True).first()
    questions: list[ScopeDay | None] = []
    for item in items:
        role_id = item.role_id if item.role_id is not None else default_role
        if item.contractor_id not in visible:
            questions.append(None)
        elif role_id is None:  # no default role yet: nobody can care for this scope
            questions.append(ScopeDay(item.contractor_id, 0, item.branch_id, item.on))
        else:
            questions.append(ScopeDay(item.contractor_id, role_id, item.branch_id, item.on))
    answers = iter(resolve_scopes([q for q in questions if q is not None]))
    return [None if q is None else (q, next(answers)) for q in questions]
