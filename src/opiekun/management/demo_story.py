"""The demo's part two: portfolios handed over as handovers, a handover planned, deputies
with priorities and absences, so that every screen of part two has something to show on
the first login (Przekazania klientów, Nieobecności, the acting mark on the contractors
list, Klienci bez opiekuna with absences considered, Nadchodzące zmiany).

Everything goes through the services, as a user's actions would (the audit trail carries
each handover's id); `opiekun demo` calls it once, inside its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from opiekun.caretakers.services import caretaker_add, handover_create
from opiekun.operators.absences import absence_create
from opiekun.operators.models import AbsenceKind, Operator


def hand_over(actor: Any, source: Operator, target: Operator, day: date, **scope: Any) -> None:
    """A handover as the wizard makes it: previewed, then confirmed with the preview's token."""
    arguments = {
        "actor": actor,
        "from_operator_id": source.pk,
        "to_operator_ids": [target.pk],
        "date": day,
        "on_overlap": "replace",
        **scope,
    }
    preview = handover_create(**arguments)
    done = handover_create(**arguments, confirm_token=preview.confirm_token)
    assert done.applied, "the demo's handover must apply"


def absences_and_deputies(
    actor: Any, operators: dict[str, Operator], groups: dict[str, list[int]], day: date
) -> None:
    """Piotr is on sick leave from two days ago: Magdalena (first) and Michał (second) are
    deputies of some of his clients and act for them; the rest of his clients have nobody
    acting meanwhile. Tomasz goes on holiday in three weeks, while Anna is his deputy."""
    piotr = groups["piotr.wisniewski"]
    start, end = day - timedelta(days=2), day + timedelta(days=3)
    _deputy(actor, operators["magdalena.lewandowska"], piotr[:15], start, end, priority=0)
    _deputy(actor, operators["michal.zielinski"], piotr[:5], start, end, priority=1)
    absence_create(
        actor=actor,
        operator_id=operators["piotr.wisniewski"].pk,
        date_from=start,
        date_to=end,
        kind=AbsenceKind.SICK_LEAVE.value,
        note="L4",
    )
    absence_create(
        actor=actor,
        operator_id=operators["tomasz.kaminski"].pk,
        date_from=day + timedelta(days=20),
        date_to=day + timedelta(days=34),
        kind=AbsenceKind.VACATION.value,
        note="Urlop wypoczynkowy",
    )


def _deputy(
    actor: Any, operator: Operator, contractors: Sequence[int], start: date, end: date, *, priority: int
) -> None:
    caretaker_add(
        actor=actor,
        contractor_ids=list(contractors),
        operator_id=operator.pk,
        date_from=start,
        date_to=end,
        on_overlap="keep",
        type="deputy",
        priority=priority,
    )
