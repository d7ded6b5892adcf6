"""The one writer of caretaker assignments: locks, set-based writes, the audit trail.

Every use case (adding caretakers, editing one assignment, a contractor's creation and
deletion, and any later bulk change) plans its changes as a `ChangeSet` and hands it to
`write_changes`, which applies it in the caller's transaction with a constant number of
statements, whatever the mix of contractors, operators, types, roles and branches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opiekun import audit
from opiekun.bulk import Beside, delete_ids, id_list, insert_rows, update_rows
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services.changes import (
    INSERT_FIELDS,
    STAMP_FIELDS,
    VALUE_FIELDS,
    AssignmentRow,
    AssignmentValues,
    ChangeSet,
    StoredAssignment,
    Update,
)
from opiekun.caretakers.services.inputs import short_list
from opiekun.caretakers.services.stored_rows import StoredRows, contractors_touched
from opiekun.collector import collector_paused
from opiekun.contractors.models import Contractor
from opiekun.coverage.delta import coverage_delta
from opiekun.coverage.services import coverage_refresh
from opiekun.coverage.writer_rows import coverage_refreshed_by_the_writer
from opiekun.operators.workload_write import KnownRows, workload_steps_apply

__all__ = [
    "AssignmentRow",
    "AssignmentValues",
    "ChangeSet",
    "KnownRows",
    "Update",
    "collision",
    "lock_contractor_codes",
    "lock_contractors",
    "write_changes",
]

logger = logging.getLogger(__name__)


def lock_contractors(contractor_ids: Sequence[int]) -> None:
    """Lock the contractors in primary-key order (PostgreSQL), so that concurrent
    writers on overlapping selections queue up instead of deadlocking. On SQLite the
    IMMEDIATE transaction already holds the database's write lock. Every writer of a
    contractor's assignments takes this lock before it reads what it will change.

    A contractor deleted since the caller validated the selection is a field error,
    found here, under the lock, before anything is written."""
    _lock(contractor_ids, "pk")


def lock_contractor_codes(contractor_ids: Sequence[int]) -> dict[int, str]:
    """`lock_contractors`, answering the locked contractors' codes by id (read by the
    same statement: a caller that needs them saves a query)."""
    return dict(_lock(contractor_ids, "pk", "code"))


def _lock(contractor_ids: Sequence[int], *fields: str) -> list[Any]:
    locked = list(
        Contractor.objects.select_for_update()
        .filter(pk__in=id_list(contractor_ids))
        .order_by("pk")
        .values_list(*fields, flat=len(fields) == 1)
    )
    found = set(locked) if len(fields) == 1 else {row[0] for row in locked}
    gone = [pk for pk in contractor_ids if pk not in found]
    if gone:
        raise ValidationError(
            {"contractor_ids": [_("Unknown contractors: %(ids)s.") % {"ids": short_list(gone)}]}
        )
    return locked


# What a caller writes beside each bulk statement of the writer, from the rows it
# wrote (PostgreSQL), by the statement's kind (`audit.DELETED`, `CHANGED`, `CREATED`).
BesideWrites = Callable[[str], Sequence[Beside]]
Besides = Sequence[Beside]


def write_changes(
    *,
    actor: object,
    changes: ChangeSet,
    reason: str,
    beside: BesideWrites | None = None,
    known: KnownRows | None = None,
) -> list[int]:
    """Apply ``changes`` in the caller's transaction and record each row in the audit
    trail with ``reason``; returns the ids of the inserted rows, in order.
    ``beside`` (PostgreSQL only): rows the caller writes from the rows written, by the
    same statements (a handover's record); not the restores'.
    ``known``: rows the caller read under the lock (`operators.workload_write.KnownRows`),
    which the Operatorzy page's steps take instead of reading them again where they suffice.

    The order is deletes, shrinking updates, other updates, inserts, restores: so no statement
    meets a row that the invariants would refuse on its way to a valid end state. A
    change set whose end state breaks an invariant is refused by the database; that
    refusal is raised as a plain `ValidationError` (see `collision`).

    Data derived from the assignments is kept in step here, in the same savepoint:
    the coverage tables (`opiekun.coverage`) of every contractor the change set
    touches are recomputed from their assignments as written. So the rows written here
    queue none of PostgreSQL's commit-time checks of that (`coverage.writer_rows`)."""
    with collector_paused():
        return _write_changes(actor=actor, changes=changes, reason=reason, beside=beside, known=known)


def _write_changes(
    *, actor: object, changes: ChangeSet, reason: str, beside: BesideWrites | None, known: KnownRows | None
) -> list[int]:
    now = timezone.now()
    also = beside or (lambda kind: ())
    touched = contractors_touched(changes)
    delta = coverage_delta(changes)  # before the writes: an update rewrites its row in place
    # The touched contractors' rows, read once for the steps and the coverage (`stored_rows`).
    stored = StoredRows()
    try:
        with transaction.atomic():  # a savepoint: a refused write leaves the caller's transaction usable
            # Operatorzy's counts, before an update rewrites its row.
            workload_steps_apply(changes, known, stored.read)
            _delete(changes.deletes, actor=actor, when=now, reason=reason, beside=also(audit.DELETED))
            shrinking: list[Update] = []
            other: list[Update] = []
            for u in changes.updates:
                (shrinking if u.shrinks else other).append(u)
            # The rows written here need no commit-time check: their coverage is refreshed below.
            with coverage_refreshed_by_the_writer():
                _update(shrinking, actor=actor, when=now, reason=reason, beside=also(audit.CHANGED))
                _update(other, actor=actor, when=now, reason=reason, beside=also(audit.CHANGED))
                inserted = _insert(
                    changes.inserts, actor=actor, when=now, reason=reason, beside=also(audit.CREATED)
                )
                _restore(changes.restores, actor=actor, when=now, reason=reason)
            stored.written(changes, inserted)
            coverage_refresh(contractor_ids=touched, delta=delta, stored=stored.facts)
            return inserted
    except IntegrityError as error:  # only a bug or a foreign write could get here
        raise collision(error) from error


def collision(error: IntegrityError) -> ValidationError:
    """What the user sees if the database refuses a write the service let through:
    a plain message (the database's own text goes to the log, not to the screen)."""
    logger.warning("The database refused a caretaker write: %s", error)
    return ValidationError(
        {NON_FIELD_ERRORS: [_("The caretakers changed while saving; nothing was saved. Try again.")]}
    )


def _set_values(row: StoredAssignment, values: AssignmentValues) -> None:
    row.contractor_id, row.operator_id, row.type = values.contractor_id, values.operator_id, values.type.value
    row.role_id, row.branch_id = values.role_id, values.branch_id
    row.date_from, row.date_to = values.period.start, values.period.end
    row.priority = values.priority


def _insert(
    inserts: Sequence[AssignmentValues], *, actor: object, when: datetime, reason: str, beside: Besides = ()
) -> list[int]:
    if not inserts:
        return []
    actor_id = getattr(actor, "pk", None)
    # Plain dicts, not model instances: an import inserts a hundred thousand rows, and
    # building an instance costs more than writing the row.
    rows = [
        {
            "contractor_id": values.contractor_id,
            "operator_id": values.operator_id,
            "type": values.type.value,
            "role_id": values.role_id,
            "branch_id": values.branch_id,
            "date_from": values.period.start,
            "date_to": values.period.end,
            "priority": values.priority,
            "created_by_id": actor_id,
            "created_at": when,
            "updated_by_id": actor_id,
            "updated_at": when,
        }
        for values in inserts
    ]
    trail = audit.trail(CaretakerAssignment, history_type=audit.CREATED, user=actor, when=when, reason=reason)
    ids = insert_rows(CaretakerAssignment, INSERT_FIELDS, rows, trail=trail, beside=beside)
    if trail is None:  # SQLite: copied from the rows as inserted
        audit.copy(CaretakerAssignment, ids, history_type=audit.CREATED, user=actor, when=when, reason=reason)
    return ids


def _restore(rows: Sequence[StoredAssignment], *, actor: object, when: datetime, reason: str) -> None:
    if not rows:
        return
    for row in rows:
        row.updated_by_id, row.updated_at = getattr(actor, "pk", None), when
    names = ["id", *INSERT_FIELDS]
    insert_rows(CaretakerAssignment, names, [{n: getattr(r, n) for n in names} for r in rows])
    audit.record(
        CaretakerAssignment,
        [audit.snapshot(r, CaretakerAssignment) for r in rows],
        history_type=audit.CREATED,
        user=actor,
        when=when,
        reason=reason,
    )


def _update(
    updates: Sequence[Update], *, actor: object, when: datetime, reason: str, beside: Besides = ()
) -> None:
    if not updates:
        return
    changed: set[int] = set()
    for u in updates:
        old, new = _row_values(u.row), u.new.flat()
        changed.update(i for i in range(len(VALUE_FIELDS)) if old[i] != new[i])
    fields = [name for i, name in enumerate(VALUE_FIELDS) if i in changed] + STAMP_FIELDS
    actor_id = getattr(actor, "pk", None)
    rows = []
    for u in updates:
        _set_values(u.row, u.new)
        u.row.updated_by_id, u.row.updated_at = actor_id, when
        rows.append(u.row)
    values = attrgetter("pk", *fields)
    trail = audit.trail(CaretakerAssignment, history_type=audit.CHANGED, user=actor, when=when, reason=reason)
    update_rows(
        CaretakerAssignment,
        fields,
        [dict(zip(["id", *fields], values(r), strict=True)) for r in rows],
        trail=trail,
        beside=beside,
    )
    if trail is None:  # SQLite: copied from the rows as updated
        audit.copy(
            CaretakerAssignment,
            [r.pk for r in rows],
            history_type=audit.CHANGED,
            user=actor,
            when=when,
            reason=reason,
        )


# A row's values in the order of `VALUE_FIELDS` (its type as stored, a plain string).
_row_values = attrgetter(*VALUE_FIELDS)


def _delete(
    rows: Sequence[StoredAssignment], *, actor: object, when: datetime, reason: str, beside: Besides = ()
) -> None:
    if not rows:
        return
    # PostgreSQL: the trail as the rows were, read by the delete itself (they are locked:
    # as loaded); SQLite: copied from the rows (as loaded: they are locked), before they go.
    trail = audit.trail(CaretakerAssignment, history_type=audit.DELETED, user=actor, when=when, reason=reason)
    if trail is None:
        audit.copy(
            CaretakerAssignment,
            [row.pk for row in rows],
            history_type=audit.DELETED,
            user=actor,
            when=when,
            reason=reason,
        )
    delete_ids(CaretakerAssignment, [row.pk for row in rows], trail=trail, beside=beside)
