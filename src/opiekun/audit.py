"""The audit trail (django-simple-history tables), written set-based for bulk paths.

Single-object writes through the ORM are recorded by simple-history itself; bulk
writes go through `record`, which inserts every historical row in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from django.db import models

from opiekun.bulk import insert_rows

CREATED, CHANGED, DELETED = "+", "~", "-"


class Reason(StrEnum):
    """Why a row of the trail was written: the service that wrote it. A later detail
    (a handover's id, an import file's name) follows after a colon, see `reason`."""

    CARETAKER_ADD = "caretaker_add"
    ASSIGNMENT_UPDATE = "assignment_update"
    ASSIGNMENT_DELETE = "assignment_delete"
    CONTRACTOR_CREATE = "contractor_create"
    CONTRACTOR_UPDATE = "contractor_update"
    CONTRACTOR_DELETE = "contractor_delete"
    HANDOVER = "handover"
    HANDOVER_CANCEL = "handover_cancel"
    IMPORT = "import"


def reason(kind: Reason, detail: object = None) -> str:
    """The reason recorded in the trail: ``kind``, or ``kind:detail``."""
    return str(kind) if detail is None else f"{kind}:{detail}"


@cache
def _tracked_fields(model: type[models.Model]) -> list[Any]:
    # Cached: ``model.history`` builds a new manager class on every access, which cost
    # more than the whole database write when paid once per row of a bulk change.
    history_model = model.history.model  # type: ignore[attr-defined]
    return [f for f in history_model._meta.concrete_fields if not f.name.startswith("history_")]


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The tracked values of a row, keyed by attribute name."""
    return {f.attname: getattr(instance, f.attname) for f in _tracked_fields(type(instance))}


def record(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    history_type: str,
    user: Any,
    when: datetime,
    reason: str,
) -> None:
    """Append one historical row per snapshot in ``rows`` (state after the change;
    for deletions, the state that was deleted)."""
    rows = list(rows)
    if not rows:
        return
    tracked = _tracked_fields(model)
    names = [f.attname for f in tracked]
    user_id = getattr(user, "pk", None)
    history_rows = [
        {
            **{name: row[name] for name in names},
            "history_date": when,
            "history_type": history_type,
            "history_user_id": user_id,
            "history_change_reason": reason,
        }
        for row in rows
    ]
    insert_rows(
        model.history.model,  # type: ignore[attr-defined]
        [*names, "history_date", "history_type", "history_user_id", "history_change_reason"],
        history_rows,
    )
