"""`coverage_refresh` for a write whose state before is known: the rows a write only
adds are inserted unread (see `refresh_changed`)."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from opiekun.bulk import insert_rows
from opiekun.coverage.compute import AssignmentFact, uncovered_of
from opiekun.coverage.models import ActingPeriod
from opiekun.coverage.new_contractors import without_rows
from opiekun.coverage.rows import (
    _absences_of,
    _coverage,
    _default_role_id,
    _make_equal,
    _tables,
    delete_rows,
    update_rows_by,
)
from opiekun.coverage.stand_ins import acting_periods_of, stand_ins_may_change
from opiekun.coverage.tables import KEYS, STAND_IN_FIELDS, Coverage, as_updates
from opiekun.coverage.untouched import gaps_in, rows_changed


def scope_of(fact: AssignmentFact) -> tuple[int, int, int | None]:
    return (fact.contractor_id, fact.role_id, fact.branch_id)


def refresh_changed(
    tables: tuple[list[int], list[int], list[int]],
    everyone: list[int],
    ids: list[int],
    inactive: list[int],
    facts: list[AssignmentFact],
    before: list[AssignmentFact],
    scopes: set[tuple[int, int, int | None]],
) -> None:
    """`coverage.services._refresh_tables` for a write whose state before is known
    (``before``, rebuilt by `untouched.before_write`; ``scopes``: those it wrote), for
    each table its own list of contractors (``tables``) of ``everyone`` (``ids``: those
    that exist, ``inactive`` among them; ``facts``: their assignments now). The tables hold the coverage
    of that state (every write keeps them in step), so each contractor's rows are
    computed as they were and as they must be and the difference is written, the stored
    rows neither read nor compared (`untouched.rows_changed`): one whose rows of a table
    stay needs nothing there, one whose rows the write only adds to (a deputy in a new
    scope, most of an import) needs them inserted, one whose rows change (a gap a new
    main splits in two) needs the rows it loses deleted by their values
    (`rows.delete_rows`) and the new ones inserted. The gap tables'
    rows of a scope the write did not touch stay, so only the written scopes are
    computed (a scope left out counts alike before and after: no difference). A
    contractor with no assignment before the write is read and compared all the same:
    one just inserted by a writer that leaves its coverage to it
    (`coverage.new_contractors`) has no rows stored yet."""
    gaps, uncovered, acting_ids = tables
    acting_only = not gaps and not uncovered
    default_role_id = _default_role_id()
    absences = _absences_of({f.operator_id for f in (*facts, *before)})
    unknown = set(everyone) - {f.contractor_id for f in before}
    # Contractors just inserted whose writer told they hold no rows yet: all their rows
    # are inserted, none read.
    fresh = unknown & without_rows()
    unknown -= fresh
    known = [c for c in ids if c not in unknown and c not in fresh]

    def written(state: list[AssignmentFact]) -> Coverage:
        main, acting = gaps_in(
            scopes,
            contractor_ids=known,
            assignments=state,
            absences=absences,
            default_role_id=default_role_id,
            inactive=inactive,
            acting_only=acting_only,
        )
        held = uncovered_of(contractor_ids=known, assignments=state, inactive=inactive) if uncovered else []
        return Coverage(main, held, acting, [])

    now, was = written(facts), written(before)
    plans: list[tuple[list[int], list[Any], list[Any]]] = []
    for (_, _, was_rows), (_, _, now_rows), table_ids in zip(
        _tables(was)[:3], _tables(now)[:3], tables, strict=True
    ):
        if plans and (table_ids, was_rows, now_rows) == (tables[0], was.gaps, now.gaps):
            # The acting gaps are the main gaps (nobody of the scopes away, `gaps_in`):
            # the same difference, compared once (its statements run on its own table).
            plans.append(plans[0])
            continue
        plans.append(
            rows_changed(table_ids, was_rows, now_rows, unknown=unknown) if table_ids else ([], [], [])
        )
    again = fresh | {c for compare, _, _ in plans for c in compare}
    full = Coverage([], [], [], [])
    if again:
        full = _coverage(
            [c for c in ids if c in again],
            [c for c in inactive if c in again],
            [f for f in facts if f.contractor_id in again],
            default_role_id,
            absences,
            acting_only=acting_only,
        )
    split: dict[tuple[int, int], Any] = {}  # `as_updates` of a plan (the acting gaps may share the gaps')
    for (model, fields, rows), plan, table_ids in zip(_tables(full)[:3], plans, tables, strict=True):
        compare, deletes, inserts = plan
        # Deletes, then updates (a start kept, an end moved), then inserts: no two rows
        # of a scope overlap between two statements (PostgreSQL refuses that).
        key = KEYS[model]
        if (id(plan), key) not in split:
            split[id(plan), key] = as_updates(deletes, inserts, key)
        updates, deletes, inserts = split[id(plan), key]
        delete_rows(model, fields, deletes)
        for changed, updated in updates.items():
            names = [*fields[:key], *(fields[i] for i in changed)]
            update_rows_by(model, names, key, list(map(itemgetter(*range(key), *changed), updated)))
        if compare:
            keep = set(compare)
            _make_equal(model, fields, compare, [r for r in rows if r.contractor_id in keep])  # type: ignore[attr-defined]
        if fresh and table_ids:
            listed = fresh.intersection(table_ids)
            inserts = [*inserts, *(r for r in rows if r.contractor_id in listed)]  # type: ignore[attr-defined]
        insert_rows(model, fields, [dict(zip(fields, row, strict=True)) for row in inserts])
    # The acting periods go with the acting gaps, but only the contractors in whose
    # scopes a main caretaker is away on a day the write touched can see them change
    # (`stand_ins_may_change`; none where nobody is away); those computed above
    # (``full``) are taken from there, the others computed, and all compared whole:
    # they exist only where a main caretaker is away, so there is little to read.
    if acting_ids:
        listed = set(acting_ids)
        changing = stand_ins_may_change(
            before=[f for f in before if f.contractor_id in listed],
            after=[f for f in facts if f.contractor_id in listed],
            absences=absences,
        )
        if changing:
            rest = changing - again
            stand_ins = [s for s in full.stand_ins if s.contractor_id in changing]
            if rest:
                stand_ins += acting_periods_of(
                    contractor_ids=rest,
                    assignments=[f for f in facts if f.contractor_id in rest],
                    absences=absences,
                )
            _make_equal(ActingPeriod, STAND_IN_FIELDS, sorted(changing), stand_ins)
