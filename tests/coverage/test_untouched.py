"""`untouched.untouched_by`, the shortcut of `coverage_refresh`: a contractor it names
for a table really keeps that table's rows, for any assignments before and any change
that keeps the invariants; and the acting periods (`acting_periods_of`) against the
acting rule day by day. Pure: no database."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from opiekun.caretakers.acting_rules import ActingReason, Holder, acting_on
from opiekun.caretakers.rules import AssignmentType
from opiekun.coverage.acting import acting_gaps_of
from opiekun.coverage.compute import (
    SINCE_ALWAYS,
    UNTIL_FURTHER_NOTICE,
    Absences,
    AssignmentFact,
    Gap,
    Uncovered,
    coverage_of,
    uncovered_of,
)
from opiekun.coverage.stand_ins import StandIn, acting_periods_of
from opiekun.coverage.tables import as_updates
from opiekun.coverage.untouched import (
    Untouched,
    before_write,
    gaps_in,
    rows_changed,
    untouched_by,
)
from opiekun.periods import Period
from tests.budgets import examples

START = date(2025, 1, 1)
CONTRACTORS = [1, 2]
DEFAULT_ROLE = 1


def day(n: int) -> date:
    return START + timedelta(days=n)


def _end(fact: AssignmentFact) -> date:
    return fact.date_to or UNTIL_FURTHER_NOTICE


def _overlap(a: AssignmentFact, b: AssignmentFact) -> bool:
    return a.date_from <= _end(b) and b.date_from <= _end(a)


def _valid(facts: list[AssignmentFact]) -> bool:
    """§2: in one scope, mains never overlap, nor one operator's rows."""
    for i, a in enumerate(facts):
        for b in facts[i + 1 :]:
            same_scope = (a.contractor_id, a.role_id, a.branch_id) == (
                b.contractor_id,
                b.role_id,
                b.branch_id,
            )
            if same_scope and _overlap(a, b) and ((a.main and b.main) or a.operator_id == b.operator_id):
                return False
    return True


def _fact(
    contractor: int,
    role: int,
    branch: int | None,
    main: bool,
    operator: int,
    start: int,
    length: int | None,
    priority: int,
    pk: int,
) -> AssignmentFact:
    return AssignmentFact(
        contractor,
        role,
        branch,
        main,
        operator,
        day(start),
        None if length is None else day(start + length),
        priority,
        pk,
    )


def _drawn(raw: tuple[Any, ...], pk: int) -> AssignmentFact:
    contractor, role, branch, main, operator, start, length, priority = raw
    return _fact(contractor, role, branch, main, operator, start, length, priority, pk=pk)


rows = st.lists(
    st.tuples(
        st.sampled_from(CONTRACTORS),
        st.sampled_from([1, 2]),  # role
        st.sampled_from([None, 7]),  # branch
        st.booleans(),  # main
        st.integers(1, 4),  # operator
        st.integers(0, 40),  # first day
        st.one_of(st.none(), st.integers(0, 15)),  # length
        st.integers(0, 2),  # priority
    ),
    max_size=8,
)


def _absences(raw: list[tuple[int, int, int]]) -> Absences:
    found: Absences = {}
    for operator, start, length in sorted(raw):
        periods = found.setdefault(operator, [])
        if periods and periods[-1][1] >= day(start):
            continue  # one operator's absences never overlap
        periods.append((day(start), day(start + length)))
    return found


@st.composite
def changes(draw: Any) -> tuple[list[AssignmentFact], list[AssignmentFact], list[AssignmentFact], Absences]:
    """Assignments before, the rows a write removes, the rows it adds; absences."""
    before: list[AssignmentFact] = []
    for pk, raw in enumerate(draw(rows), start=1):
        fact = _drawn(raw, pk)
        if _valid([*before, fact]):
            before.append(fact)
    assume(before)
    removed: list[AssignmentFact] = []
    added: list[AssignmentFact] = []
    pk = 100
    for row in before:
        kind = draw(st.sampled_from(["keep", "split", "split", "hand", "cut", "drop", "move"]))
        pk += 3
        end = _end(row)
        length = None if row.date_to is None else (end - row.date_from).days
        if kind == "keep":
            continue
        if kind == "drop":
            removed.append(row)
            continue
        if kind == "move":  # any other values
            removed.append(row)
            new = draw(rows.filter(bool))[0]
            added.append(_drawn(new, pk))
            continue
        cut = draw(st.integers(1, 20))  # days kept by the row's own operator
        if length is not None and cut > length:
            continue
        first = row.date_from + timedelta(days=cut)
        other = draw(st.integers(1, 4))
        removed.append(row)
        added.append(row._replace(date_to=first - timedelta(days=1)))
        if kind == "hand":  # the rest to another operator
            added.append(row._replace(operator_id=other, date_from=first, assignment_id=pk))
        elif kind == "split":  # a newcomer inside, the rest back to the row's operator
            inside = draw(st.integers(0, 10))
            back = first + timedelta(days=inside + 1)
            added.append(
                row._replace(
                    operator_id=other, date_from=first, date_to=back - timedelta(days=1), assignment_id=pk
                )
            )
            if back <= end:
                added.append(row._replace(date_from=back, assignment_id=pk + 1))
    after = [f for f in before if f not in removed] + added
    assume(_valid(after))
    # Absences starting on the days where rows start or end, where a mistake would show.
    edges = sorted(
        {(f.date_from - START).days for f in [*before, *added]}
        | {(f.date_to - START).days + 1 for f in [*before, *added] if f.date_to}
    )
    starts = st.one_of(st.sampled_from(edges), st.integers(0, 40))
    operators = st.sampled_from(sorted({f.operator_id for f in [*before, *added]}))
    raw = draw(st.lists(st.tuples(operators, starts, st.integers(0, 10)), max_size=6))
    return before, removed, added, _absences(raw)


def _of(contractor: int, rows: list[Any]) -> list[Any]:
    return [r for r in rows if r.contractor_id == contractor]


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(change=changes(), inactive=st.sets(st.sampled_from(CONTRACTORS)))
def test_a_contractor_named_untouched_keeps_its_rows(change: Any, inactive: set[int]) -> None:
    before, removed, added, absences = change
    after = [f for f in before if f not in removed] + added

    def gaps(facts: list[AssignmentFact]) -> tuple[list[Gap], list[Uncovered], list[Gap], list[StandIn]]:
        main, uncovered = coverage_of(
            contractor_ids=CONTRACTORS, assignments=facts, default_role_id=DEFAULT_ROLE, inactive=inactive
        )
        acting = acting_gaps_of(
            contractor_ids=CONTRACTORS,
            assignments=facts,
            absences=absences,
            default_role_id=DEFAULT_ROLE,
            inactive=inactive,
        )
        stand_ins = acting_periods_of(contractor_ids=CONTRACTORS, assignments=facts, absences=absences)
        return main, uncovered, acting, stand_ins

    gaps_before, uncovered_before, acting_before, stand_ins_before = gaps(before)
    gaps_after, uncovered_after, acting_after, stand_ins_after = gaps(after)
    same = untouched_by(removed=removed, added=added, absences=absences)
    touched = {f.contractor_id for f in [*removed, *added]}
    assert same.gaps | same.uncovered | same.acting <= touched
    for contractor in same.gaps:
        assert _of(contractor, gaps_before) == _of(contractor, gaps_after)
    for contractor in same.uncovered:
        assert _of(contractor, uncovered_before) == _of(contractor, uncovered_after)
    for contractor in same.acting:
        assert _of(contractor, acting_before) == _of(contractor, acting_after)
        # the acting periods go with the acting gaps (`coverage_refresh`)
        assert _of(contractor, stand_ins_before) == _of(contractor, stand_ins_after)


def _named(same: Untouched) -> tuple[set[int], set[int], set[int]]:
    return set(same.gaps), set(same.uncovered), set(same.acting)


def test_the_usual_bulk_writes_are_named_untouched() -> None:
    """A newcomer's period inside an open-ended main (caretaker_add REPLACE) and a
    handover of an open-ended main leave all three tables; a new main where nobody
    was changes them, and so does an absent newcomer the acting gaps."""
    main = _fact(1, 1, None, True, 1, 0, None, 0, pk=1)
    split = [
        main._replace(date_to=day(9)),
        main._replace(operator_id=2, date_from=day(10), date_to=day(19)),
        main._replace(date_from=day(20)),
    ]
    same = untouched_by(removed=[main], added=split, absences={})
    assert _named(same) == ({1}, {1}, {1})
    handover = [main._replace(date_to=day(9)), main._replace(operator_id=2, date_from=day(10))]
    same = untouched_by(removed=[main], added=handover, absences={3: [(day(0), day(5))]})
    assert _named(same) == ({1}, {1}, {1})
    same = untouched_by(removed=[main], added=split, absences={2: [(day(12), day(13))]})
    assert _named(same) == ({1}, {1}, set())
    same = untouched_by(removed=[], added=[main], absences={})
    assert _named(same) == (set(), set(), set())
    # A main that ends where the newcomer's ends: who cared last before the next gap changes.
    ended = main._replace(date_to=day(30))
    same = untouched_by(
        removed=[ended],
        added=[ended._replace(date_to=day(9)), ended._replace(operator_id=2, date_from=day(10))],
        absences={},
    )
    assert _named(same) == (set(), {1}, set())
    # A deputy handed over while the main is away: the new deputy, away too, cannot act.
    deputy = _fact(1, 1, None, False, 2, 0, None, 0, pk=2)
    handed = [deputy._replace(date_to=day(9)), deputy._replace(operator_id=3, date_from=day(10))]
    away = {1: [(day(12), day(14))], 3: [(day(12), day(14))]}
    before, after = [main, deputy], [main, *handed]
    assert acting_gaps_of(contractor_ids=[1], assignments=before, absences=away, default_role_id=1) != (
        acting_gaps_of(contractor_ids=[1], assignments=after, absences=away, default_role_id=1)
    )
    same = untouched_by(removed=[deputy], added=handed, absences=away)
    assert _named(same) == ({1}, {1}, set())
    # The main away in the tail they keep: who acts there does not change...
    same = untouched_by(removed=[main], added=split, absences={1: [(day(25), day(27))]})
    assert _named(same) == ({1}, {1}, {1})
    # ...but away on the day the newcomer's period ends, the gap then opening names who acted last.
    away = {1: [(day(20), day(22))]}
    assert acting_gaps_of(contractor_ids=[1], assignments=[main], absences=away, default_role_id=1) != (
        acting_gaps_of(contractor_ids=[1], assignments=split, absences=away, default_role_id=1)
    )
    same = untouched_by(removed=[main], added=split, absences=away)
    assert _named(same) == ({1}, {1}, set())


@st.composite
def staffed(draw: Any) -> tuple[list[AssignmentFact], Absences]:
    """Scopes with mains one after another and deputies of any priority, their
    operators away now and then: where deputies stand in."""
    facts: list[AssignmentFact] = []
    pk = 0
    for contractor, role in draw(st.sets(st.sampled_from([(1, 1), (1, 2), (2, 1)]), min_size=1)):
        start = draw(st.integers(0, 5))
        while start < 50:  # the mains, one after another (or after a gap)
            length = draw(st.one_of(st.none(), st.integers(0, 25)))
            pk += 1
            facts.append(_fact(contractor, role, None, True, draw(st.integers(1, 5)), start, length, 0, pk))
            if length is None:
                break
            start += length + 1 + draw(st.sampled_from([0, 0, 0, 3]))
        for operator in draw(st.sets(st.integers(1, 5), max_size=3)):
            pk += 1
            first, length = draw(st.integers(0, 40)), draw(st.one_of(st.none(), st.integers(0, 40)))
            facts.append(
                _fact(contractor, role, None, False, operator, first, length, draw(st.integers(0, 2)), pk)
            )
    raw = draw(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 60), st.integers(0, 12)), max_size=10))
    return facts, _absences(raw)


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(world=staffed())
def test_the_acting_periods_are_the_runs_of_days_a_deputy_stands_in(
    world: tuple[list[AssignmentFact], Absences],
) -> None:
    """`acting_periods_of` against the acting rule evaluated day by day (`acting_on`):
    each maximal run of days on which one deputy's assignment stands in for one main
    caretaker is one row."""
    facts, absences = world
    away = {o: [Period(start, end) for start, end in periods] for o, periods in absences.items()}
    holders: dict[tuple[int, int, int | None], list[Holder]] = {}
    for f in facts:
        kind = AssignmentType.MAIN if f.main else AssignmentType.DEPUTY
        holder = Holder(f.assignment_id, f.operator_id, kind, Period(f.date_from, f.date_to), f.priority)
        holders.setdefault((f.contractor_id, f.role_id, f.branch_id), []).append(holder)
    expected: list[StandIn] = []
    for (c, role, branch), hs in holders.items():
        for n in range(-1, 80):  # every absence ends by day 72
            d = day(n)
            on = [h for h in hs if h.period.contains_day(d)]
            main = next((h for h in on if h.type == AssignmentType.MAIN), None)
            acting = acting_on(main, [h for h in on if h.type == AssignmentType.DEPUTY], away, d)
            if acting.reason != ActingReason.MAIN_ABSENT or acting.holder is None:
                continue
            assert acting.stands_in_for is not None
            row = StandIn(
                c,
                role,
                branch,
                acting.holder.assignment_id,
                acting.holder.operator_id,
                acting.stands_in_for,
                d,
                d,
            )
            last = expected[-1] if expected else None
            if last is not None and last[:6] == row[:6] and last.date_to + timedelta(days=1) == d:
                expected[-1] = last._replace(date_to=d)
            else:
                expected.append(row)
    expected.sort(key=lambda r: (r.contractor_id, r.role_id, r.branch_id or 0, r.date_from, r.assignment_id))
    event(f"rows: {min(len(expected), 3)}")
    assert acting_periods_of(contractor_ids=CONTRACTORS, assignments=facts, absences=absences) == expected


def _tables(facts: list[AssignmentFact], absences: Absences, inactive: set[int]) -> list[list[Any]]:
    gaps, uncovered = coverage_of(
        contractor_ids=CONTRACTORS, assignments=facts, default_role_id=DEFAULT_ROLE, inactive=inactive
    )
    acting = acting_gaps_of(
        contractor_ids=CONTRACTORS,
        assignments=facts,
        absences=absences,
        default_role_id=DEFAULT_ROLE,
        inactive=inactive,
    )
    return [gaps, uncovered, acting]


@settings(max_examples=examples(4), deadline=None)  # pure and quick
@given(change=changes(), inactive=st.sets(st.sampled_from(CONTRACTORS)))
def test_the_rows_a_write_adds_make_the_tables_right(change: Any, inactive: set[int]) -> None:
    """`before_write` rebuilds the assignments before a write from those after it and
    what the write told (an inserted row without its id), to the same derived rows; and
    the table as it was, with the rows `rows_changed` inserts and the rows of the
    contractors it names read and compared anew, is the table as it must be."""
    before, removed, added, absences = change
    after = [f for f in before if f not in removed] + added
    told = [f._replace(assignment_id=0) for f in added]
    rebuilt = before_write(after, removed=removed, added=told)
    assert rebuilt is not None
    was_tables = _tables(before, absences, inactive)
    assert _tables(rebuilt, absences, inactive) == was_tables
    unknown = set(CONTRACTORS) - {f.contractor_id for f in rebuilt}
    # The gap tables computed for the written scopes alone tell the same difference
    # (coverage.changed.refresh_changed); the uncovered rows come from all rows.
    scopes = {(f.contractor_id, f.role_id, f.branch_id) for f in [*removed, *added]}

    def written(facts: list[AssignmentFact]) -> list[list[Any]]:
        main, acting = gaps_in(
            scopes,
            contractor_ids=CONTRACTORS,
            assignments=facts,
            absences=absences,
            default_role_id=DEFAULT_ROLE,
            inactive=inactive,
        )
        return [main, uncovered_of(contractor_ids=CONTRACTORS, assignments=facts, inactive=inactive), acting]

    was_part, now_part = written(rebuilt), written(after)
    now_tables = _tables(after, absences, inactive)
    for index, (was, now) in enumerate(zip(was_tables, now_tables, strict=True)):
        compare, deletes, inserts = rows_changed(CONTRACTORS, was, now, unknown=unknown)
        # The same contractors to compare and the same rows to delete and insert; the
        # rows' order is the order the scopes were computed in, which writing does not
        # depend on.
        part = rows_changed(CONTRACTORS, was_part[index], now_part[index], unknown=unknown)
        assert (part[0], Counter(part[1]), Counter(part[2])) == (compare, Counter(deletes), Counter(inserts))
        assert set(compare) == unknown
        # The table as it was, less the rows deleted, with the rows inserted, and the
        # rows of the contractors compared made equal to what they must be.
        stored = Counter(r for r in was if r.contractor_id not in compare)
        assert all(stored[r] == 1 for r in deletes)
        stored -= Counter(deletes)
        stored += Counter(inserts)
        stored += Counter(r for r in now if r.contractor_id in compare)
        assert stored == Counter(now)
        # The same, as `as_updates` writes it: a row deleted and one inserted under the
        # same name (the table's key) become one update of the values that change.
        key = (4, 2, 4)[index]
        updates, gone, added = as_updates(deletes, inserts, key)
        table = {r[:key]: r for r in was if r.contractor_id not in compare}
        assert len(table) == len([r for r in was if r.contractor_id not in compare])
        for r in gone:
            del table[r[:key]]
        for changed, rows in updates.items():
            for r in rows:
                old = table[r[:key]]
                assert changed and all((old[i] == r[i]) == (i not in changed) for i in range(key, len(r)))
                table[r[:key]] = r
        for r in added:
            assert r[:key] not in table
            table[r[:key]] = r
        assert Counter(table.values()) + Counter(r for r in now if r.contractor_id in compare) == Counter(now)


def test_a_deputy_in_a_new_scope_is_inserted_unread() -> None:
    """The import's usual row, a deputy in a role the contractor had nobody in: its
    scope's gap rows are inserted without reading the contractor's stored rows; a
    contractor covered on its days keeps its uncovered rows; a row the write told of
    but not found, or a contractor with no assignment before, is not guessed at."""
    main = _fact(1, 1, None, True, 1, 0, None, 0, pk=1)
    deputy = _fact(1, 2, None, False, 2, 5, 10, 0, pk=2)
    before, after = [main], [main, deputy]
    rebuilt = before_write(after, removed=[], added=[deputy._replace(assignment_id=0)])
    assert rebuilt == before
    was, now = _tables(before, {}, set()), _tables(after, {}, set())
    compare, deletes, inserts = rows_changed([1], was[0], now[0])
    assert compare == deletes == [] and inserts == [Gap(1, 2, None, SINCE_ALWAYS, UNTIL_FURTHER_NOTICE, None)]
    assert rows_changed([1], was[1], now[1]) == ([], [], [])
    assert before_write(after, removed=[], added=[deputy._replace(date_to=day(11))]) is None
    assert rows_changed([1], was[0], now[0], unknown=[1]) == ([1], [], [])
    # A main that ended extended without end: its gap goes, deleted by its values, unread.
    ended = _tables([main._replace(date_to=day(30))], {}, set())
    assert rows_changed([1], ended[0], was[0]) == (
        [],
        [Gap(1, 1, None, day(31), UNTIL_FURTHER_NOTICE, 1)],
        [],
    )
