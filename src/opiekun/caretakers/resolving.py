"""Who cares for a scope on a day, set-based: the loaders of assignments and absences
the acting rule (`caretakers.acting_rules`) needs, and the answers to many questions at
once, for the contractors list and `POST /caretakers/resolve` (docs/performance.md,
"Resolving caretakers in bulk"). Public through `caretakers.acting`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db.models import Q

from opiekun.bulk import id_list
from opiekun.caretakers.acting_rules import Acting, ActingReason, Holder, acting_on, with_later_rows
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.dates import today
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Absence
from opiekun.periods import Period


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
    the roles and days asked about, and the absences of their caretakers); no
    visibility here: callers ask only about contractors the viewer may see.

    Up to 10,000 questions at a time (`POST /caretakers/resolve`), so the per-question
    work is kept to lookups: each scope's rows are grouped and put in deputy order
    once, and whether an operator is absent is computed once per operator and day."""
    if not questions:
        return []
    first = min(q.on for q in questions)
    last = max(q.on for q in questions)
    contractor_ids = sorted({q.contractor_id for q in questions})
    role_ids = sorted({q.role_id for q in questions})
    rows = (
        CaretakerAssignment.objects.filter(
            contractor_id__in=id_list(contractor_ids), role_id__in=role_ids, date_from__lte=last
        )
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=first))
        .order_by()  # grouped and ordered below
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
    periods: dict[tuple[date, date | None], Period] = {}  # rows share their periods
    kinds = {kind.value: kind for kind in AssignmentType}
    for pk, contractor_id, role_id, branch_id, operator_id, kind, start, end, priority in rows:
        period = periods.get((start, end))
        if period is None:
            period = periods[(start, end)] = Period(start, end)
        holder = Holder(pk, operator_id, kinds[kind], period, priority)
        by_scope[(contractor_id, role_id, branch_id)].append(holder)
    for holders in by_scope.values():
        holders.sort(key=_holder_order)  # the main first, then the deputies in order
    absences = absences_of({h.operator_id for hs in by_scope.values() for h in hs}, since=first)
    away: dict[tuple[int, date], bool] = {}

    def absent_on(operator_id: int, day: date) -> bool:
        known = away.get((operator_id, day))
        if known is None:
            known = away[(operator_id, day)] = any(p.contains_day(day) for p in absences.get(operator_id, ()))
        return known

    main_type = AssignmentType.MAIN
    answers = []
    for q in questions:
        day = q.on
        main = None
        deputies = []
        for h in by_scope.get((q.contractor_id, q.role_id, q.branch_id), ()):
            if h.period.start <= day and (h.period.end is None or day <= h.period.end):
                if h.type is not main_type:
                    deputies.append(h)
                elif main is None:
                    main = h
        if main is None and not deputies:
            answers.append(Resolution())
            continue
        absent = frozenset(
            h.operator_id for h in (main, *deputies) if h is not None and absent_on(h.operator_id, day)
        )
        answers.append(Resolution(main, deputies, acting_on(main, deputies, absences, day), absent))
    asked = [
        (q, [h for h in (a.main, *a.deputies) if h is not None], a.acting)
        for q, a in zip(questions, answers, strict=True)
    ]
    for answer, acting in zip(
        answers, stand_in_ends(asked, absences, loaded=by_scope, loaded_to=last), strict=True
    ):
        answer.acting = acting
    return answers


Scope = tuple[int, int, int | None]


def resolved_today(contractor_ids: Sequence[int], *, role_id: int | None = None) -> list[Resolution]:
    """`resolve_scopes` for each of ``contractor_ids`` today, in ``role_id`` (None: the
    default role), without a branch: a page of a contractors list. Empty when no role
    is given and none is the default."""
    role = role_id or CaretakerRole.objects.default().values_list("pk", flat=True).first()
    if role is None:
        return []
    day = today()
    return resolve_scopes([ScopeDay(pk, role, None, day) for pk in contractor_ids])


def stand_in_ends(
    asked: Sequence[tuple[ScopeDay, Sequence[Holder], Acting]],
    absences: dict[int, list[Period]],
    *,
    loaded: Mapping[Scope, Sequence[Holder]] | None = None,
    loaded_to: date | None = None,
) -> list[Acting]:
    """Each question's `acting_on` answer (from the scope's rows in force on its day),
    a deputy's `until` made the last day of that stand-in from every row of the scope
    (`with_later_rows`): the rows that start later, up to the end of the main's absence,
    are those of ``loaded`` (the scope's rows already read, every one that starts up to
    ``loaded_to``) and those read here — one query, and one for the absences of their
    operators not known yet, only when a deputy stands in past ``loaded_to``. Without
    them a deputy ahead whose row starts during the absence was not seen, and `until`
    was late (docs/semantics.md, "The acting caretaker")."""
    standing = [
        (q, a.main_absent_until)
        for q, _, a in asked
        if a.reason == ActingReason.MAIN_ABSENT and a.main_absent_until is not None
    ]
    if not standing:
        return [a for _, _, a in asked]
    later: dict[Scope, list[Holder]] = defaultdict(list)
    for scope, holders in (loaded or {}).items():
        later[scope].extend(holders)
    since = loaded_to or min(q.on for q, _ in standing)
    horizon = max(until for _, until in standing if until is not None)
    if horizon > since:
        starting = CaretakerAssignment.objects.filter(
            contractor_id__in=id_list(sorted({q.contractor_id for q, _ in standing})),
            role_id__in=sorted({q.role_id for q, _ in standing}),
            date_from__gt=since,
            date_from__lte=horizon,
        ).order_by()
        known = {h.operator_id for hs in later.values() for h in hs} | {
            h.operator_id for _, hs, _ in asked for h in hs
        }
        fresh: set[int] = set()
        for row in starting:
            later[(row.contractor_id, row.role_id, row.branch_id)].append(holder_of(row))
            fresh.add(row.operator_id)
        if fresh - known:
            absences = {**absences, **absences_of(fresh - known, since=min(q.on for q, _ in standing))}
    answers = []
    for q, rows_of_day, acting in asked:
        scope_rows = later.get((q.contractor_id, q.role_id, q.branch_id), ())
        answers.append(with_later_rows(acting, rows_of_day, scope_rows, absences, q.on))
    return answers


def _holder_order(holder: Holder) -> tuple[bool, int, date, int]:
    return (holder.type is not AssignmentType.MAIN, *holder.deputy_order)


class Question(Protocol):
    """An item of `POST /caretakers/resolve`: a `ResolveItem`, or the API's own model."""

    @property
    def contractor_id(self) -> int: ...
    @property
    def on(self) -> date: ...
    @property
    def role_id(self) -> int | None: ...
    @property
    def branch_id(self) -> int | None: ...


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


def resolve(*, viewer: Any, items: Sequence[Question]) -> list[tuple[ScopeDay, Resolution] | None]:
    """POST /caretakers/resolve: each item's scope and its main, deputies and acting
    caretaker, in the order asked; None for an item whose contractor the viewer may
    not see (or that does not exist). A fixed number of queries whatever the number of
    items: the visible contractors asked about, the default role, then `resolve_scopes`."""
    ids = sorted({item.contractor_id for item in items})
    # Unordered: the model's ordering (by code) made PostgreSQL read every row for
    # its code, where the primary key's index alone answers (docs/performance.md).
    visible = set(
        visible_contractors(viewer=viewer).filter(pk__in=id_list(ids)).order_by().values_list("pk", flat=True)
    )
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
