"""The import of assignments, planning: rows of the file that contradict each other,
then every valid row decided contractor by contractor, in chunks, against the
database's state and the rows before it (and, when importing, written)."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

import opiekun.bulk  # noqa: F401  (the ``in_list`` look-up)
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType, Outcome, OverlapPolicy, Proposal, Slot, decide
from opiekun.caretakers.services.importing_names import ValidRow
from opiekun.caretakers.services.writer import (
    AssignmentRow,
    AssignmentValues,
    ChangeSet,
    Update,
    write_changes,
)
from opiekun.importing import Errors, Header, Progress
from opiekun.periods import Period, touching_window

MAX_PARTNERS = 5  # conflicting rows named per row


# --- rows of the file that contradict each other ----------------------------------


# A row's scope, (contractor_id, role_id, branch_id), as `operator.itemgetter` takes it
# (C speed, once per row of the file).
_scope: Callable[[ValidRow], tuple[int, int, int | None]] = itemgetter(1, 4, 5)


def file_conflicts(rows: Sequence[ValidRow], header: Header, errors: Errors) -> None:
    """Two rows of one scope that the invariants forbid together (two mains of
    different operators, or one operator as main and deputy, on a common day) are
    both errors, each naming the other. Rows of one operator and type that overlap
    are not: they merge."""
    # Most scopes hold one row: counted at C speed, only the others grouped.
    shared = {scope for scope, count in Counter(map(_scope, rows)).items() if count > 1}
    scopes: dict[tuple[int, int, int | None], list[ValidRow]] = defaultdict(list)
    if shared:
        for row in rows:
            if (scope := _scope(row)) in shared:
                scopes[scope].append(row)
    column = header.titles.get("date_from")
    partners: Counter[int] = Counter()
    for group in scopes.values():
        group = sorted(group, key=lambda r: r.period)
        for i, first in enumerate(group):
            for second in itertools.islice(group, i + 1, None):
                if first.period.end is not None and second.period.start > first.period.end:
                    break
                if not _clash(first, second):
                    continue
                for this, other in ((first, second), (second, first)):
                    partners[this.number] += 1
                    if partners[this.number] <= MAX_PARTNERS:
                        errors.add(this.number, column, _clash_message(this, other))


def _clash(a: ValidRow, b: ValidRow) -> bool:
    if a.operator_id == b.operator_id:
        return a.type != b.type
    return a.type == AssignmentType.MAIN and b.type == AssignmentType.MAIN


def _clash_message(this: ValidRow, other: ValidRow) -> str:
    if this.operator_id == other.operator_id:
        return _("Conflicts with row %(row)s: the same operator as main and deputy on the same days.") % {
            "row": other.number
        }
    return _("Conflicts with row %(row)s: two main caretakers on the same days.") % {"row": other.number}


# --- planning (and writing) contractor by contractor ------------------------------


# Every column the writer needs of a loaded row (priority included: a deputy's rank
# must reach the audit trail and a row written anew), as `AssignmentRow` takes them.
_ROW_FIELDS = AssignmentRow.LOADED[:-1]


@dataclass
class _ScopeState:
    """One scope's assignments as the rows of the file leave them: existing rows by
    their id (as loaded: plain values, made model instances only if they change),
    new ones by negative ids."""

    initial: dict[int, tuple[Any, ...]]
    slots: dict[int, Slot]


# A scope's state: its assignments and the rows before (`_ScopeState`), or, for a scope
# with no assignment met by one row so far (most rows of a large import), that row
# with the id its slot would have: made a `_ScopeState` only if a second row comes.
_State = _ScopeState | tuple[int, ValidRow]
_States = dict[tuple[int, int, int | None], _State]


def plan_rows(
    rows: Sequence[ValidRow],
    policy: OverlapPolicy,
    *,
    actor: Any,
    reason: str | None,
    chunk_size: int,
    progress: Progress,
) -> Counter[str]:
    """Decide every row; with a ``reason``, write each chunk's changes too."""
    # Contractor by contractor, each one's rows in file order (the sort is stable).
    ordered = sorted(rows, key=itemgetter(1))  # by contractor_id
    outcomes: Counter[str] = Counter()
    new_ids = itertools.count(-1, -1)
    done = 0
    progress("plan", 0, len(ordered))
    for chunk_rows in _chunks(ordered, chunk_size):
        states = _load(chunk_rows)
        added = 0
        for row in chunk_rows:
            scope = _scope(row)
            state = states.get(scope)
            if state is None:
                # Nothing to meet: `_decide` would add the row as it is.
                states[scope] = (next(new_ids), row)
                added += 1
                continue
            if isinstance(state, tuple):
                slot_id, first = state
                state = states[scope] = _ScopeState({}, {slot_id: _slot(slot_id, first)})
            outcomes[_decide(state, row, policy, new_ids)] += 1
        outcomes[Outcome.ADDED.value] += added
        if reason is not None:
            changes = _changes(states)
            if changes:
                write_changes(actor=actor, changes=changes, reason=reason)
        done += len(chunk_rows)
        progress("plan", done, len(ordered))
    return outcomes


def _chunks(rows: Sequence[ValidRow], size: int) -> Iterator[Sequence[ValidRow]]:
    """The rows (sorted by contractor) in chunks of about ``size`` contractors, never
    splitting one contractor's rows: each chunk ends after the rows of every
    ``size``-th contractor (found by bisection, not row by row)."""
    ids = list(map(itemgetter(1), rows))
    distinct = list(dict.fromkeys(ids))  # in order: the rows are sorted
    step = max(1, size)
    ends = distinct[step - 1 :: step]
    if len(distinct) % step:
        ends.append(distinct[-1])
    start = 0
    for last in ends:
        end = bisect_right(ids, last)
        yield rows[start:end]
        start = end


def _slot(slot_id: int, row: ValidRow) -> Slot:
    return Slot(slot_id, row.operator_id, row.type, row.period)


def _load(rows: Sequence[ValidRow]) -> _States:
    """The existing assignments the rows may meet: in the rows' scopes (contractor,
    role, branch), touching the span of the periods the rows ask for; one query."""
    wanted = set(map(_scope, rows))
    # One condition per role the rows name, on that role's contractors (an array each:
    # PostgreSQL probes the index (contractor, role, …) for each, a bitmap OR), so the
    # rows of the chunk's contractors in other roles are not read; the branches are
    # dropped below. (An OR over ``IN (SELECT unnest(…))`` subqueries could use no index
    # and read the whole table once per chunk: docs/performance.md, "Imports".)
    # SQLite keeps the one condition on the chunk's contractors (measured: 14 s of CPU
    # for the benchmark's apply at 200,000 contractors with it, 21.5 s with the OR).
    by_role: dict[int, set[int]] = defaultdict(set)
    for contractor_id, role_id, _branch_id in wanted:
        by_role[role_id].add(contractor_id)
    if connection.vendor == "postgresql":
        in_roles = Q()
        for role_id, ids in sorted(by_role.items()):
            in_roles |= Q(role_id=role_id, contractor_id__in_list=sorted(ids))
    else:
        in_roles = Q(contractor_id__in_list=sorted(set(map(itemgetter(1), rows))))
    condition = in_roles & _touching(rows)
    states: _States = {}
    kinds = {kind.value: kind for kind in AssignmentType}
    periods: dict[tuple[Any, Any], Period] = {}  # the same few periods, one object each
    for values in CaretakerAssignment.objects.filter(condition).order_by("id").values_list(*_ROW_FIELDS):
        pk, contractor_id, operator_id, kind, role_id, branch_id, start, end = values[:8]
        key = (contractor_id, role_id, branch_id)
        if key not in wanted:
            continue
        state = states.get(key)
        if state is None:
            state = states[key] = _ScopeState({}, {})
        assert isinstance(state, _ScopeState)
        state.initial[pk] = values
        period = periods.get((start, end))
        if period is None:
            period = periods[(start, end)] = Period(start, end)
        state.slots[pk] = Slot(pk, operator_id, kinds[kind], period)
    return states


def _touching(rows: Sequence[ValidRow]) -> Q:
    """Assignments sharing a day with, or adjacent to, the span of the rows' periods."""
    # A few distinct periods, each one object shared by its rows: told apart by identity
    # (C speed; hashing a period calls Python), equal ones left in change nothing.
    every = list(map(attrgetter("period"), rows))
    periods = iter(dict(zip(map(id, every), every, strict=True)).values())
    span = next(periods)
    for period in periods:
        span = span.span(period)
    window = touching_window(span)
    condition = Q(date_to__isnull=True) | Q(date_to__gte=window.start)
    if window.end is not None:
        condition &= Q(date_from__lte=window.end)
    return condition


def _decide(state: _ScopeState, row: ValidRow, policy: OverlapPolicy, new_ids: Iterator[int]) -> str:
    """The row's outcome; the scope's state moves on as the row would leave it."""
    slots = state.slots
    near = [s for s in slots.values() if s.period.touches(row.period)] if slots else []
    if not near:
        # Nothing to meet (a new scope, most rows of a large import): `decide` adds
        # the row as it is, with no other change.
        slot_id = next(new_ids)
        slots[slot_id] = _slot(slot_id, row)
        return Outcome.ADDED.value
    for slot in near:
        if slot.operator_id == row.operator_id and slot.type == row.type and slot.period == row.period:
            return Outcome.UNCHANGED.value
    plan = decide(near, Proposal(row.operator_id, row.type, row.period), policy)
    for slot_id in plan.deletes:
        del slots[slot_id]
    for slot_id, period in (*plan.shrinks, *plan.grows):
        slot = slots[slot_id]  # `dataclasses.replace(slot, period=period)`, built directly
        slots[slot_id] = Slot(slot.id, slot.operator_id, slot.type, period)
    for new in plan.inserts:
        slot_id = next(new_ids)
        slots[slot_id] = Slot(slot_id, new.operator_id, new.type, new.period)
    return plan.outcome.value


def _changes(states: Mapping[tuple[int, int, int | None], _State]) -> ChangeSet:
    """The difference between each scope's state before and after the rows, as one
    change set. A row that only lost days is a shrinking update, one that only gained
    days a growing one; a row that did both is deleted and inserted anew, so that no
    statement meets a state the invariants refuse (every state on the way holds a
    subset of the days of the state before or after)."""
    changes = ChangeSet()
    inserts = changes.inserts
    for (contractor_id, role_id, branch_id), state in states.items():
        if isinstance(state, tuple):  # one row in a scope with nothing else
            only = state[1]
            inserts.append(
                AssignmentValues(contractor_id, only.operator_id, only.type, role_id, branch_id, only.period)
            )
            continue
        for pk, values in state.initial.items():
            slot = state.slots.get(pk)
            period = Period(values[6], values[7])
            if slot is not None and slot.period == period:
                continue
            row = AssignmentRow(*values)
            if slot is None:
                changes.deletes.append(row)
            elif period.covers(slot.period) or slot.period.covers(period):
                changes.updates.append(Update(row, AssignmentValues.of(row).with_period(slot.period)))
            else:
                changes.deletes.append(row)
                changes.inserts.append(
                    AssignmentValues(
                        contractor_id,
                        slot.operator_id,
                        slot.type,
                        role_id,
                        branch_id,
                        slot.period,
                        row.priority,
                    )
                )
        for slot_id, slot in state.slots.items():
            if slot_id < 0:
                changes.inserts.append(
                    AssignmentValues(
                        contractor_id, slot.operator_id, slot.type, role_id, branch_id, slot.period
                    )
                )
    return changes
