"""The pure handover plan (caretakers/handover_rules.py): examples, then Hypothesis over
random worlds of two contractors, two roles, a branch and four operators.

A world is handed over the way the service does it (select the source's rows,
distribute, plan per contractor, write deletes, shrinks, grows, inserts), with the
invariants of §2 checked after every single row written; then it is cancelled.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opiekun.caretakers.handover_cancel_rules import Recorded, Refusal, Restore, collisions, plan_cancel
from opiekun.caretakers.handover_distribution import distribute
from opiekun.caretakers.handover_rules import (
    ContractorPlan,
    HandoverKind,
    Row,
    Selection,
    handed_rows,
    plan_contractor,
)
from opiekun.caretakers.rules import AssignmentType, Outcome, OverlapPolicy
from opiekun.periods import Period
from tests.budgets import examples

MAIN, DEPUTY = AssignmentType.MAIN, AssignmentType.DEPUTY
KEEP, WARN, REPLACE = OverlapPolicy.KEEP, OverlapPolicy.WARN, OverlapPolicy.REPLACE
BASE = date(2025, 1, 1)
HORIZON = 60
LAST = BASE + timedelta(days=HORIZON + 30)  # open ends are read up to here
SOURCE, TARGET, TARGET2, OTHER = 1, 2, 3, 4
ROLE, LEGAL, BRANCH = 10, 11, 50


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def p(start: int, end: int | None = None) -> Period:
    return Period(day(start), None if end is None else day(end))


def row(
    i: int,
    operator: int,
    kind: AssignmentType,
    period: Period,
    *,
    contractor: int = 1,
    role: int = ROLE,
    branch: int | None = None,
) -> Row:
    return Row(i, contractor, operator, kind, role, branch, period)


# --- the handover, applied as the service applies it --------------------------------


@dataclass
class Run:
    world: dict[int, Row]
    plans: list[ContractorPlan]
    recorded: list[Recorded]


_new_ids = itertools.count(10_000)


def check(rows: Iterable[Row]) -> None:
    assert not collisions(rows), "an invariant of §2 is broken"


def hand_over(
    world: dict[int, Row],
    *,
    day_: date,
    targets: Sequence[int],
    policy: OverlapPolicy,
    selection: Selection | None = None,
) -> Run:
    rows = list(world.values())
    handed = handed_rows(rows, source_id=SOURCE, day=day_, selection=selection or Selection())
    contractors = sorted({r.contractor_id for r in handed})
    on_day = {(r.operator_id, r.contractor_id) for r in rows if r.period.contains_day(day_)}
    counts = {t: len({c for (o, c) in on_day if o == t}) for t in targets}
    chosen = distribute([(c, f"K{c:03}") for c in contractors], targets, counts=counts, already=on_day)
    plans = [
        plan_contractor(
            contractor_id=c,
            handed=[r for r in handed if r.contractor_id == c],
            scope_rows=[r for r in rows if r.contractor_id == c],
            target_id=chosen[c],
            day=day_,
            policy=policy,
        )
        for c in contractors
    ]
    state = dict(world)
    recorded: list[Recorded] = []
    deletes = [i for plan in plans for i in plan.deletes]
    updates = [u for plan in plans for u in plan.updates]
    for i in deletes:
        recorded.append(Recorded(i, state.pop(i), None))
    shrinks = [(i, q) for i, q in updates if state[i].period.covers(q)]
    grows = [(i, q) for i, q in updates if not state[i].period.covers(q)]
    # As the writer does: every shrinking update first (each leaves a valid state), then
    # the other updates as one statement, checked once they are all applied.
    for i, period in shrinks:
        before = state[i]
        state[i] = replace(before, period=period)
        recorded.append(Recorded(i, before, state[i]))
        check(state.values())
    for i, period in grows:
        before = state[i]
        state[i] = replace(before, period=period)
        recorded.append(Recorded(i, before, state[i]))
    check(state.values())
    for plan in plans:
        for new in plan.inserts:
            added = Row(
                next(_new_ids),
                new.contractor_id,
                new.operator_id,
                new.type,
                new.role_id,
                new.branch_id,
                new.period,
            )
            state[added.id] = added
            recorded.append(Recorded(added.id, None, added))
            check(state.values())
    return Run(state, plans, recorded)


def cancel(world: dict[int, Row], recorded: Sequence[Recorded]) -> dict[int, Row] | Refusal:
    plan = plan_cancel(recorded, world.values())
    if isinstance(plan, Refusal):
        return plan
    assert isinstance(plan, Restore)
    state = dict(world)
    for i in plan.deletes:
        del state[i]
    for restored in (*plan.updates, *plan.restores):
        state[restored.id] = restored
    check(state.values())
    return state


def holders(
    world: dict[int, Row], scope: tuple[int, int, int | None], d: date
) -> set[tuple[int, AssignmentType]]:
    return {(r.operator_id, r.type) for r in world.values() if r.scope == scope and r.period.contains_day(d)}


# --- examples: every case of the rules -----------------------------------------------


def test_a_row_starting_before_d_ends_on_d_minus_1_and_the_target_gets_the_rest() -> None:
    world = {1: row(1, SOURCE, MAIN, p(0, 40))}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=WARN)
    assert sorted((r.operator_id, r.period) for r in run.world.values()) == [
        (SOURCE, p(0, 9)),
        (TARGET, p(10, 40)),
    ]
    assert run.world[1].period == p(0, 9)  # the source keeps its row and its id
    (plan,) = run.plans
    assert plan.outcome == Outcome.ADDED and plan.handed == 1
    assert plan.changes[0].kind == HandoverKind.CUT


def test_a_row_starting_on_or_after_d_moves_whole_and_open_ends_stay_open() -> None:
    world = {1: row(1, SOURCE, DEPUTY, p(10)), 2: row(2, SOURCE, MAIN, p(20, 30), contractor=2)}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=WARN)
    assert 1 not in run.world and 2 not in run.world
    assert sorted((r.contractor_id, r.operator_id, r.type, r.period) for r in run.world.values()) == [
        (1, TARGET, DEPUTY, p(10)),
        (2, TARGET, MAIN, p(20, 30)),
    ]
    assert {c.kind for plan in run.plans for c in plan.changes} >= {HandoverKind.MOVED}


def test_rows_that_ended_before_d_stay_with_the_source() -> None:
    world = {1: row(1, SOURCE, MAIN, p(0, 9)), 2: row(2, OTHER, MAIN, p(10))}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=REPLACE)
    assert run.world == world and run.plans == []


def test_the_handed_days_merge_with_the_targets_adjacent_row() -> None:
    world = {1: row(1, TARGET, MAIN, p(0, 9)), 2: row(2, SOURCE, MAIN, p(10, 30))}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=KEEP)
    assert run.world == {1: row(1, TARGET, MAIN, p(0, 30))}  # the target's older row grows
    assert run.plans[0].outcome == Outcome.MERGED


def test_a_target_that_is_a_deputy_and_receives_the_main_role_conflicts() -> None:
    world = {1: row(1, SOURCE, MAIN, p(0)), 2: row(2, TARGET, DEPUTY, p(5, 20))}
    keep = hand_over(world, day_=day(10), targets=[TARGET], policy=KEEP)
    assert keep.world == world  # skipped: the source keeps the contractor
    assert keep.plans[0].outcome == Outcome.SKIPPED and keep.plans[0].conflicts == (world[2],)
    for policy in (WARN, REPLACE):
        run = hand_over(world, day_=day(10), targets=[TARGET], policy=policy)
        assert run.plans[0].outcome == Outcome.REPLACED
        assert sorted((r.operator_id, r.type, r.period) for r in run.world.values()) == [
            (SOURCE, MAIN, p(0, 9)),
            (TARGET, DEPUTY, p(5, 9)),
            (TARGET, MAIN, p(10)),
        ]


def test_under_keep_one_conflict_skips_every_scope_of_the_contractor() -> None:
    world = {
        1: row(1, SOURCE, MAIN, p(0)),
        2: row(2, SOURCE, MAIN, p(0), role=LEGAL),
        3: row(3, TARGET, DEPUTY, p(0), role=LEGAL),
        4: row(4, SOURCE, MAIN, p(0), contractor=2),
    }
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=KEEP)
    assert run.world[1] == world[1] and run.world[2] == world[2]  # contractor 1 skipped entirely
    assert run.world[4].period == p(0, 9)  # contractor 2 handed over
    assert [plan.outcome for plan in run.plans] == [Outcome.SKIPPED, Outcome.ADDED]


def test_the_target_already_a_deputy_beside_the_source_deputy_is_unchanged() -> None:
    world = {1: row(1, SOURCE, DEPUTY, p(0)), 2: row(2, TARGET, DEPUTY, p(0))}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=WARN)
    assert run.world == {1: row(1, SOURCE, DEPUTY, p(0, 9)), 2: world[2]}
    assert run.plans[0].outcome == Outcome.UNCHANGED


def test_selection_by_type_role_branch_and_contractor() -> None:
    world = {
        1: row(1, SOURCE, MAIN, p(0)),
        2: row(2, SOURCE, DEPUTY, p(0), role=LEGAL),
        3: row(3, SOURCE, MAIN, p(0), branch=BRANCH),
        4: row(4, SOURCE, MAIN, p(0), contractor=2),
    }
    cases = [
        (Selection(types=frozenset({DEPUTY})), {2}),
        (Selection(role_ids=frozenset({ROLE})), {1, 3, 4}),
        (Selection(branch_ids=frozenset({BRANCH})), {3}),
        (Selection(contractor_ids=frozenset({2})), {4}),
    ]
    for selection, cut in cases:
        run = hand_over(world, day_=day(5), targets=[TARGET], policy=WARN, selection=selection)
        assert {i for i in world if run.world[i] != world[i]} == cut


def test_even_distribution_balances_counts_on_d_by_code() -> None:
    contractors = [(7, "K007"), (3, "K003"), (5, "K005"), (9, "K009")]
    assert distribute(contractors, [TARGET, TARGET2], counts={TARGET: 2, TARGET2: 0}) == {
        3: TARGET2,
        5: TARGET2,
        7: TARGET,  # 2:2 after two, ties go to the first target
        9: TARGET2,
    }
    # A target that already cares for the contractor on D does not grow by it.
    assert distribute([(3, "A"), (5, "B")], [TARGET, TARGET2], counts={}, already={(TARGET, 3)}) == {
        3: TARGET,
        5: TARGET,
    }


def test_several_source_rows_in_one_scope_go_to_the_target_in_order() -> None:
    world = {
        1: row(1, SOURCE, DEPUTY, p(0, 15)),
        2: row(2, SOURCE, MAIN, p(16, 25)),
        3: row(3, SOURCE, MAIN, p(26)),
        4: row(4, TARGET, MAIN, p(0, 12)),
    }
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=REPLACE)
    mine = sorted((r.type, r.period) for r in run.world.values() if r.operator_id == TARGET)
    assert mine == [(DEPUTY, p(10, 15)), (MAIN, p(0, 9)), (MAIN, p(16))]  # the received deputy days win


def test_cancel_restores_and_refuses_when_a_row_changed_or_a_new_one_is_in_the_way() -> None:
    world = {1: row(1, SOURCE, MAIN, p(0)), 2: row(2, SOURCE, MAIN, p(12), contractor=2)}
    run = hand_over(world, day_=day(10), targets=[TARGET], policy=WARN)
    assert cancel(run.world, run.recorded) == world
    touched = next(r for r in run.world.values() if r.operator_id == TARGET and r.contractor_id == 1)
    edited = {**run.world, touched.id: replace(touched, period=p(10, 20))}
    assert cancel(edited, run.recorded) == Refusal((touched.id,))
    # The source made a deputy since: its main, restored, would overlap it.
    blocker = row(99, SOURCE, DEPUTY, p(15, 16))
    assert cancel({**run.world, 99: blocker}, run.recorded) == Refusal((99,))


# --- Hypothesis ------------------------------------------------------------------------

operators = st.sampled_from([SOURCE, SOURCE, TARGET, TARGET2, OTHER])
types = st.sampled_from([MAIN, DEPUTY])
periods = st.builds(
    lambda start, length: p(start, None if length is None else start + length),
    st.integers(0, HORIZON),
    st.none() | st.integers(0, 25),
)
candidates = st.tuples(
    st.sampled_from([1, 2]),
    st.sampled_from([ROLE, LEGAL]),
    st.sampled_from([None, BRANCH]),
    operators,
    types,
    periods,
)


@st.composite
def worlds(draw: st.DrawFn) -> dict[int, Row]:
    """Valid worlds: candidates are taken in order unless they break an invariant."""
    world: dict[int, Row] = {}
    for i, (contractor, role, branch, operator, kind, period) in enumerate(
        draw(st.lists(candidates, max_size=14)), 1
    ):
        new = Row(i, contractor, operator, kind, role, branch, period)
        if not collisions([*world.values(), new]):
            world[i] = new
    return world


def optional_subset(values: list[object]) -> st.SearchStrategy[frozenset[object] | None]:
    return st.none() | st.frozensets(st.sampled_from(values), min_size=1)


selections = st.builds(
    Selection,
    types=st.sampled_from([frozenset({MAIN, DEPUTY}), frozenset({MAIN}), frozenset({DEPUTY})]),
    role_ids=optional_subset([ROLE, LEGAL]),
    branch_ids=optional_subset([BRANCH]),
    contractor_ids=optional_subset([1, 2]),
)
target_lists = st.sampled_from([[TARGET], [TARGET, TARGET2], [TARGET2, TARGET]])
policies = st.sampled_from([KEEP, WARN, REPLACE])
PURE = settings(max_examples=examples(2), deadline=None)  # pure and quick


def window() -> list[date]:
    return [BASE + timedelta(days=i) for i in range((LAST - BASE).days + 1)]


@PURE
@given(worlds(), st.integers(0, HORIZON), target_lists, policies, selections)
def test_a_handover_moves_exactly_the_sources_selected_days_from_d(
    world: dict[int, Row], d: int, targets: list[int], policy: OverlapPolicy, selection: Selection
) -> None:
    start = day(d)
    run = hand_over(world, day_=start, targets=targets, policy=policy, selection=selection)
    check(run.world.values())
    handed = handed_rows(world.values(), source_id=SOURCE, day=start, selection=selection)
    plans = {plan.contractor_id: plan for plan in run.plans}
    scopes = {r.scope for r in world.values()} | {r.scope for r in run.world.values()}
    for scope in scopes:
        plan = plans.get(scope[0])
        for when in window():
            before, after = holders(world, scope, when), holders(run.world, scope, when)
            if when < start or plan is None or plan.skipped:
                assert after == before, (scope, when)
                continue
            given_types = {r.type for r in handed if r.scope == scope and r.period.contains_day(when)}
            target = plan.target_id
            # The source loses exactly its selected days and keeps the rest.
            kept = {(o, t) for (o, t) in before if o == SOURCE and t not in given_types}
            assert {h for h in after if h[0] == SOURCE} == kept
            # The target holds what it received; its other type on those days is gone.
            mine = {h for h in before if h[0] == target}
            if given_types:
                mine = {(target, t) for t in given_types}
            assert {h for h in after if h[0] == target} == mine
            # Everyone else keeps their days, except a main the target's new main replaced.
            others = {h for h in before if h[0] not in (SOURCE, target)}
            if MAIN in given_types:
                assert policy != KEEP or not any(t == MAIN for _, t in others)
                others = {h for h in others if h[1] != MAIN}
            assert {h for h in after if h[0] not in (SOURCE, target)} == others


@settings(max_examples=examples(10), deadline=None)
@given(worlds(), st.integers(0, HORIZON), st.sampled_from([TARGET, TARGET2, SOURCE]), policies, selections)
def test_the_plain_case_plans_what_the_general_plan_does(
    world: dict[int, Row], d: int, target: int, policy: OverlapPolicy, selection: Selection
) -> None:
    """`plan_contractor` takes a shortcut for one handed row that meets nothing; its
    plan must be the general one's, whatever the world (the target included: the
    source itself, a merge, a conflict, an adjacent row of either type)."""
    start = day(d)
    rows = list(world.values())
    handed = handed_rows(rows, source_id=SOURCE, day=start, selection=selection)
    for contractor in sorted({r.contractor_id for r in handed}):
        arguments = {
            "contractor_id": contractor,
            "handed": [r for r in handed if r.contractor_id == contractor],
            "scope_rows": [r for r in rows if r.contractor_id == contractor],
            "target_id": target,
            "day": start,
            "policy": policy,
        }
        assert plan_contractor(**arguments) == plan_contractor(**arguments, plain=False)  # type: ignore[arg-type]


@PURE
@given(worlds(), st.integers(0, HORIZON), target_lists, policies, selections)
def test_cancelling_restores_the_state_before_the_handover(
    world: dict[int, Row], d: int, targets: list[int], policy: OverlapPolicy, selection: Selection
) -> None:
    run = hand_over(world, day_=day(d), targets=targets, policy=policy, selection=selection)
    assert cancel(run.world, run.recorded) == world


@PURE
@given(worlds(), st.integers(0, HORIZON), policies, st.data())
def test_cancel_is_refused_naming_a_row_changed_since(
    world: dict[int, Row], d: int, policy: OverlapPolicy, data: st.DataObject
) -> None:
    run = hand_over(world, day_=day(d), targets=[TARGET], policy=policy)
    alive = sorted(r.assignment_id for r in run.recorded if r.after is not None)
    if not alive:
        return
    victim = run.world[data.draw(st.sampled_from(alive))]
    shorter = Period(victim.period.start, victim.period.start)
    changed = dict(run.world)
    if shorter == victim.period:
        del changed[victim.id]
    else:
        changed[victim.id] = replace(victim, period=shorter)
    assert cancel(changed, run.recorded) == Refusal((victim.id,))


@PURE
@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.text("ABC", min_size=1, max_size=3)),
        unique_by=lambda c: c[0],
        max_size=30,
    ),
    st.dictionaries(st.sampled_from([TARGET, TARGET2, OTHER]), st.integers(0, 5)),
)
def test_even_distribution_is_deterministic_and_balanced(
    contractors: list[tuple[int, str]], counts: dict[int, int]
) -> None:
    targets = [TARGET, TARGET2, OTHER]
    chosen = distribute(contractors, targets, counts=counts)
    assert chosen == distribute(list(reversed(contractors)), targets, counts=counts)
    final = {t: counts.get(t, 0) + sum(1 for c in chosen.values() if c == t) for t in targets}
    receivers = [t for t in targets if t in chosen.values()]
    # A target that received anything was at the lowest load when it did: none ends
    # more than one above another target.
    for t in receivers:
        assert all(final[t] <= final[u] + 1 for u in targets)


def test_a_row_given_another_priority_since_refuses_the_cancel() -> None:
    received = Row(7, 1, 2, AssignmentType.DEPUTY, 1, None, Period(date(2030, 3, 1), None))
    recorded = [Recorded(7, None, received, after_priority=0)]
    assert plan_cancel(recorded, [received], {7: 3}) == Refusal((7,))
    assert plan_cancel(recorded, [received], {7: 0}) == Restore(deletes=(7,))
    assert plan_cancel(recorded, [received]) == Restore(deletes=(7,))  # no priorities: rows only
