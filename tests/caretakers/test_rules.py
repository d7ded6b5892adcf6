"""The overlap policy (docs/semantics.md, "Dodaj opiekuna") on plain values: examples of every case, then
Hypothesis over random states built by `decide` itself.

A plan is applied to a state here the way the services apply it to the database
(deletes, shrinks, grows, inserts), one row at a time, and the invariants of §2
are checked after every single row: PostgreSQL checks its exclusion constraints
row by row, so the order of a plan matters.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opiekun.caretakers.rules import (
    AssignmentType,
    ChangeKind,
    Outcome,
    OverlapPolicy,
    Plan,
    Proposal,
    Slot,
    decide,
    is_conflict,
)
from opiekun.caretakers.rules_each import decide_each
from opiekun.periods import Period

MAIN, DEPUTY = AssignmentType.MAIN, AssignmentType.DEPUTY
KEEP, WARN, REPLACE = OverlapPolicy.KEEP, OverlapPolicy.WARN, OverlapPolicy.REPLACE
D = date(2025, 1, 1)
HORIZON = 80  # generated periods start within it; open ends are cut at LAST
LAST = D + timedelta(days=HORIZON + 40)


def day(n: int) -> date:
    return D + timedelta(days=n)


def p(start: int, end: int | None = None) -> Period:
    return Period(day(start), None if end is None else day(end))


def days_of(period: Period) -> set[date]:
    end = period.end or LAST
    return {period.start + timedelta(days=i) for i in range((end - period.start).days + 1)}


State = dict[int, Slot]
_ids = itertools.count(1000)


def check_invariants(slots: Iterable[Slot]) -> None:
    rows = list(slots)
    for a, b in itertools.combinations(rows, 2):
        if a.period.overlaps(b.period):
            assert not (a.type == MAIN and b.type == MAIN), f"two mains: {a} {b}"
            assert a.operator_id != b.operator_id, f"one operator twice: {a} {b}"


def apply(state: State, plan: Plan) -> State:
    """The state after ``plan``, checking the invariants after every row written."""
    result = dict(state)
    for slot_id in plan.deletes:
        del result[slot_id]
        check_invariants(result.values())
    for slot_id, period in (*plan.shrinks, *plan.grows):
        old = result[slot_id]
        result[slot_id] = Slot(old.id, old.operator_id, old.type, period)
        check_invariants(result.values())
    for new in plan.inserts:
        slot_id = next(_ids)
        result[slot_id] = Slot(slot_id, new.operator_id, new.type, new.period)
        check_invariants(result.values())
    return result


def add(state: State, proposal: Proposal, policy: OverlapPolicy = REPLACE) -> tuple[Plan, State]:
    plan = decide(state.values(), proposal, policy)
    return plan, apply(state, plan)


def build(*slots: tuple[int, AssignmentType, Period]) -> State:
    state: State = {}
    for operator_id, kind, period in slots:
        slot_id = next(_ids)
        state[slot_id] = Slot(slot_id, operator_id, kind, period)
    check_invariants(state.values())
    return state


def periods_of(state: State, operator_id: int, kind: AssignmentType) -> list[Period]:
    return sorted(s.period for s in state.values() if (s.operator_id, s.type) == (operator_id, kind))


def coverage(state: State) -> dict[tuple[int, AssignmentType], set[date]]:
    cover: dict[tuple[int, AssignmentType], set[date]] = {}
    for slot in state.values():
        cover.setdefault((slot.operator_id, slot.type), set()).update(days_of(slot.period))
    return cover


# --- examples: every case of §3 -----------------------------------------------------


def test_add_to_empty_scope() -> None:
    plan, state = add({}, Proposal(1, MAIN, p(0, 9)))
    assert plan.outcome == Outcome.ADDED and plan.holder_id is None
    assert [c.kind for c in plan.changes] == [ChangeKind.CREATED]
    assert periods_of(state, 1, MAIN) == [p(0, 9)]


def test_replace_trims_at_the_end() -> None:
    state = build((2, MAIN, p(0, 20)))
    plan, after = add(state, Proposal(1, MAIN, p(10, 30)))
    assert plan.outcome == Outcome.REPLACED
    assert periods_of(after, 2, MAIN) == [p(0, 9)] and periods_of(after, 1, MAIN) == [p(10, 30)]
    trimmed = [c for c in plan.changes if c.kind == ChangeKind.TRIMMED]
    assert len(trimmed) == 1 and trimmed[0].before == p(0, 20) and trimmed[0].after == (p(0, 9),)


def test_replace_trims_at_the_start() -> None:
    state = build((2, MAIN, p(10)))
    plan, after = add(state, Proposal(1, MAIN, p(0, 14)))
    assert plan.outcome == Outcome.REPLACED
    assert periods_of(after, 2, MAIN) == [p(15)]
    assert [c.kind for c in plan.changes] == [ChangeKind.CREATED, ChangeKind.TRIMMED]


def test_replace_splits() -> None:
    state = build((2, MAIN, p(0, 30)))
    plan, after = add(state, Proposal(1, MAIN, p(10, 19)))
    assert periods_of(after, 2, MAIN) == [p(0, 9), p(20, 30)]
    split = [c for c in plan.changes if c.kind == ChangeKind.SPLIT]
    assert split[0].after == (p(0, 9), p(20, 30))
    assert [n.is_proposal for n in plan.inserts] == [True, False]


def test_replace_splits_open_ended() -> None:
    state = build((2, MAIN, p(0)))
    _, after = add(state, Proposal(1, MAIN, p(10, 19)))
    assert periods_of(after, 2, MAIN) == [p(0, 9), p(20)]


def test_replace_removes_a_row_inside() -> None:
    state = build((2, MAIN, p(5, 8)))
    plan, after = add(state, Proposal(1, MAIN, p(0, 9)))
    assert periods_of(after, 2, MAIN) == []
    assert [c.kind for c in plan.changes] == [ChangeKind.CREATED, ChangeKind.REMOVED]


def test_open_ended_proposal_replaces_everything_after_its_start() -> None:
    state = build((2, MAIN, p(0, 9)), (3, MAIN, p(10, 19)), (4, MAIN, p(20)))
    _, after = add(state, Proposal(1, MAIN, p(5)))
    assert periods_of(after, 2, MAIN) == [p(0, 4)]
    assert periods_of(after, 3, MAIN) == [] and periods_of(after, 4, MAIN) == []
    assert periods_of(after, 1, MAIN) == [p(5)]


def test_merge_adjacent() -> None:
    state = build((1, MAIN, p(0, 9)))
    plan, after = add(state, Proposal(1, MAIN, p(10, 19)))
    assert plan.outcome == Outcome.MERGED and plan.holder_id in state
    assert periods_of(after, 1, MAIN) == [p(0, 19)]
    assert [c.kind for c in plan.changes] == [ChangeKind.EXTENDED]


def test_merge_overlapping_and_bridging_two_rows() -> None:
    state = build((1, MAIN, p(0, 9)), (1, MAIN, p(15, 20)))
    plan, after = add(state, Proposal(1, MAIN, p(5, 16)))
    assert plan.outcome == Outcome.MERGED
    assert periods_of(after, 1, MAIN) == [p(0, 20)]
    assert [c.kind for c in plan.changes] == [ChangeKind.EXTENDED, ChangeKind.ABSORBED]


def test_not_merged_across_a_gap() -> None:
    state = build((1, MAIN, p(0, 8)))
    plan, after = add(state, Proposal(1, MAIN, p(10, 19)))
    assert plan.outcome == Outcome.ADDED
    assert periods_of(after, 1, MAIN) == [p(0, 8), p(10, 19)]


def test_unchanged_when_already_covered() -> None:
    state = build((1, MAIN, p(0)))
    plan = decide(state.values(), Proposal(1, MAIN, p(5, 9)), KEEP)
    assert plan.outcome == Outcome.UNCHANGED and not plan.writes and not plan.changes
    assert plan.holder_id in state


def test_deputies_of_other_operators_do_not_conflict() -> None:
    state = build((2, MAIN, p(0)), (3, DEPUTY, p(0)))
    plan, after = add(state, Proposal(1, DEPUTY, p(0)), KEEP)
    assert plan.outcome == Outcome.ADDED and not plan.conflicts
    assert periods_of(after, 2, MAIN) == [p(0)]


def test_main_does_not_conflict_with_another_operators_deputy() -> None:
    state = build((2, DEPUTY, p(0)))
    plan, _ = add(state, Proposal(1, MAIN, p(0)), KEEP)
    assert plan.outcome == Outcome.ADDED


def test_same_operator_other_type_conflicts() -> None:
    state = build((1, DEPUTY, p(0, 30)))
    assert decide(state.values(), Proposal(1, MAIN, p(10, 19)), KEEP).outcome == Outcome.SKIPPED
    plan, after = add(state, Proposal(1, MAIN, p(10, 19)))
    assert plan.outcome == Outcome.REPLACED
    assert periods_of(after, 1, DEPUTY) == [p(0, 9), p(20, 30)]
    assert periods_of(after, 1, MAIN) == [p(10, 19)]


def test_main_vs_deputy_replace_keeps_other_deputies() -> None:
    state = build((2, MAIN, p(0)), (1, DEPUTY, p(0)))
    plan, after = add(state, Proposal(1, MAIN, p(5, 9)))
    assert periods_of(after, 2, MAIN) == [p(0, 4), p(10)]
    assert periods_of(after, 1, DEPUTY) == [p(0, 4), p(10)]
    assert {s.operator_id for s in plan.conflicts} == {1, 2}


def test_keep_lists_conflicts_and_writes_nothing() -> None:
    state = build((2, MAIN, p(0, 9)))
    plan = decide(state.values(), Proposal(1, MAIN, p(5, 20)), KEEP)
    assert plan.outcome == Outcome.SKIPPED and not plan.writes and not plan.changes
    assert [s.operator_id for s in plan.conflicts] == [2]


def test_single_day_proposal_splits_and_merges() -> None:
    state = build((2, MAIN, p(0, 10)))
    _, after = add(state, Proposal(1, MAIN, p(5, 5)))
    assert periods_of(after, 2, MAIN) == [p(0, 4), p(6, 10)]
    plan, after = add(after, Proposal(1, MAIN, p(6, 6)))
    assert plan.outcome == Outcome.REPLACED
    assert periods_of(after, 1, MAIN) == [p(5, 6)] and periods_of(after, 2, MAIN) == [p(0, 4), p(7, 10)]


def test_replace_and_merge_at_once() -> None:
    state = build((1, MAIN, p(0, 9)), (2, MAIN, p(10, 19)))
    plan, after = add(state, Proposal(1, MAIN, p(5, 14)))
    assert plan.outcome == Outcome.REPLACED
    assert periods_of(after, 1, MAIN) == [p(0, 14)] and periods_of(after, 2, MAIN) == [p(15, 19)]


def test_same_start_open_and_closed_slots_sort() -> None:
    state = build((2, DEPUTY, p(0)), (3, DEPUTY, p(0, 5)))
    plan = decide(state.values(), Proposal(1, DEPUTY, p(0, 3)), KEEP)
    assert plan.outcome == Outcome.ADDED


def test_extreme_dates() -> None:
    end = Period(date(9999, 12, 1), date.max)
    state = build((2, MAIN, Period(date(2000, 1, 1))))
    _, after = add(state, Proposal(1, MAIN, end))
    assert periods_of(after, 2, MAIN) == [Period(date(2000, 1, 1), date(9999, 11, 30))]
    plan, _ = add(after, Proposal(1, MAIN, Period(date(9999, 11, 1), date(9999, 11, 30))))
    assert plan.outcome == Outcome.REPLACED


# --- properties ---------------------------------------------------------------------


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(st.integers(0, HORIZON))
    if draw(st.integers(0, 3)) == 0:
        return p(start)
    return p(start, start + draw(st.integers(0, 25)))


proposals = st.builds(Proposal, st.integers(1, 4), st.sampled_from(AssignmentType), periods())
policies = st.sampled_from(OverlapPolicy)


@st.composite
def states(draw: st.DrawFn) -> State:
    """A valid state, reached from nothing by random adds through `decide`."""
    state: State = {}
    for proposal, policy in draw(st.lists(st.tuples(proposals, policies), max_size=10)):
        _, state = add(state, proposal, policy)
    return state


@given(st.lists(st.tuples(proposals, policies), max_size=15))
def test_invariants_hold_after_any_sequence_of_adds(steps: list[tuple[Proposal, OverlapPolicy]]) -> None:
    state: State = {}
    for proposal, policy in steps:
        _, state = add(state, proposal, policy)  # apply() checks after every row
    check_invariants(state.values())


def expected_coverage(
    before: dict[tuple[int, AssignmentType], set[date]], proposal: Proposal, applied: bool
) -> dict[tuple[int, AssignmentType], set[date]]:
    new = days_of(proposal.period)
    other = DEPUTY if proposal.type == MAIN else MAIN
    expected = {key: set(days) for key, days in before.items()}
    if not applied:
        return expected
    expected.setdefault((proposal.operator_id, proposal.type), set()).update(new)
    for (operator_id, kind), days in expected.items():
        if (operator_id, kind) == (proposal.operator_id, other) or (
            operator_id != proposal.operator_id and kind == MAIN == proposal.type
        ):
            days -= new
    return expected


@given(states(), proposals, policies)
def test_days_covered_are_exactly_what_section_3_says(
    state: State, proposal: Proposal, policy: OverlapPolicy
) -> None:
    plan, after = add(state, proposal, policy)
    applied = plan.outcome != Outcome.SKIPPED
    expected = {k: v for k, v in expected_coverage(coverage(state), proposal, applied).items() if v}
    assert coverage(after) == expected


@given(states(), proposals, st.sampled_from([REPLACE, WARN]))
def test_replace_changes_only_days_inside_the_new_period(
    state: State, proposal: Proposal, policy: OverlapPolicy
) -> None:
    _, after = add(state, proposal, policy)
    inside = days_of(proposal.period)
    before, now = coverage(state), coverage(after)
    for key in before.keys() | now.keys():
        assert before.get(key, set()) - inside == now.get(key, set()) - inside, key


@given(states(), proposals)
def test_keep_writes_nothing_for_a_conflict(state: State, proposal: Proposal) -> None:
    plan = decide(state.values(), proposal, KEEP)
    conflicts = {s.id for s in state.values() if is_conflict(s, proposal)}
    assert {s.id for s in plan.conflicts} == conflicts
    if conflicts:
        assert plan.outcome == Outcome.SKIPPED
        assert not plan.writes and not plan.changes and plan.holder_id is None
    else:
        assert plan.outcome != Outcome.SKIPPED


@given(states(), proposals)
def test_warn_plans_what_replace_plans(state: State, proposal: Proposal) -> None:
    assert decide(state.values(), proposal, WARN) == decide(state.values(), proposal, REPLACE)


@given(states(), proposals, policies, policies)
def test_adding_twice_is_unchanged(
    state: State, proposal: Proposal, first: OverlapPolicy, second: OverlapPolicy
) -> None:
    plan, after = add(state, proposal, first)
    if plan.outcome == Outcome.SKIPPED:
        return
    again = decide(after.values(), proposal, second)
    assert again.outcome == Outcome.UNCHANGED
    assert not again.writes and not again.conflicts and again.holder_id in after


@given(states(), proposals, policies)
def test_merge_yields_one_row_spanning_the_union(
    state: State, proposal: Proposal, policy: OverlapPolicy
) -> None:
    plan, after = add(state, proposal, policy)
    if plan.outcome == Outcome.SKIPPED:
        return
    touching = [
        s
        for s in state.values()
        if (s.operator_id, s.type) == (proposal.operator_id, proposal.type)
        and s.period.touches(proposal.period)
    ]
    union = days_of(proposal.period).union(*(days_of(s.period) for s in touching))
    holders = [
        s
        for s in after.values()
        if (s.operator_id, s.type) == (proposal.operator_id, proposal.type)
        and s.period.overlaps(proposal.period)
    ]
    assert len(holders) == 1
    assert days_of(holders[0].period) == union
    if touching:
        assert plan.holder_id == holders[0].id
        assert plan.outcome in (Outcome.MERGED, Outcome.UNCHANGED, Outcome.REPLACED)
    elif plan.outcome != Outcome.REPLACED:
        assert plan.outcome == Outcome.ADDED


@given(states(), proposals, policies)
def test_outcome_matches_the_plan(state: State, proposal: Proposal, policy: OverlapPolicy) -> None:
    plan = decide(state.values(), proposal, policy)
    if plan.conflicts:
        expected = Outcome.SKIPPED if policy == KEEP else Outcome.REPLACED
        assert plan.outcome == expected
    assert (plan.outcome in (Outcome.UNCHANGED, Outcome.SKIPPED)) == (not plan.writes)
    for change in plan.changes:
        if change.kind == ChangeKind.TRIMMED:
            assert len(change.after) == 1
        elif change.kind == ChangeKind.SPLIT:
            assert len(change.after) == 2
        elif change.kind in (ChangeKind.REMOVED, ChangeKind.ABSORBED):
            assert change.after == ()


@pytest.mark.parametrize("policy", list(OverlapPolicy))
def test_all_policies_agree_without_conflicts(policy: OverlapPolicy) -> None:
    state = build((2, DEPUTY, p(0)), (1, MAIN, p(0, 4)))
    plan = decide(state.values(), Proposal(1, MAIN, p(5, 9)), policy)
    assert plan.outcome == Outcome.MERGED


@given(
    st.lists(st.tuples(st.integers(1, 6), states()), max_size=6),
    st.lists(st.integers(1, 8)),
    proposals,
    policies,
    st.randoms(use_true_random=False),
)
def test_decide_each_plans_what_decide_plans(
    scopes: list[tuple[int, State]],
    listed: list[int],
    proposal: Proposal,
    policy: OverlapPolicy,
    order: random.Random,
) -> None:
    """The fast path of a selection (KEEP's skips found without the other rows' slots,
    one shared plan of an empty scope) equals `decide` per contractor: the same plans,
    conflicts in the same order, for contractors with rows, without, and not in order,
    whatever the order of the rows (the services read them unordered)."""
    state_of = dict(scopes)
    ids = list(dict.fromkeys([*listed, *state_of]))
    rows = [
        (s.id, cid, s.operator_id, s.type, s.period)
        for cid, state in state_of.items()
        for s in state.values()
    ]
    order.shuffle(rows)
    plans = decide_each(ids, rows, proposal, policy)
    assert list(plans) == ids
    for cid in ids:
        assert plans[cid] == decide(state_of.get(cid, {}).values(), proposal, policy), cid
