"""The set-up of the own-only tests, in one place: an own-only operator, a change of
what they may do with the contractors that have nobody today, and assignments added
through the writer as a user adds them (`caretaker_add`, replacing what overlaps).
Used by the own-only pages' and counts' tests (`operators/test_own_only_pages.py`,
`coverage/test_gaps_today_active.py`, `coverage/test_gaps.py`, `operators/test_selectors.py`,
`notices/test_upcoming.py`, …) and, for `assign`, the handover's
(`caretakers/test_handover_services.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility


def own_only_operator(
    make_operator: Callable[..., Operator],
    username: str | None = None,
    unassigned_access: str = UnassignedAccess.READ_ONLY,
) -> Operator:
    """An operator who sees their own contractors (`make_operator` of tests/conftest.py)."""
    return make_operator(username, visibility=Visibility.OWN, unassigned_access=unassigned_access)


def with_unassigned_access(operator: Operator, unassigned_access: str) -> Operator:
    """The operator, saved with another rule for the contractors that have nobody today
    (what a parametrised test changes of a world's own-only operator)."""
    operator.unassigned_access = unassigned_access
    operator.save()
    return operator


def assign(
    actor: Any,
    contractors: Iterable[Contractor],
    operator: Operator,
    start: date,
    end: date | None = None,
    on_overlap: str = "replace",
    **kw: Any,
) -> None:
    """Add `operator` to each of `contractors` from `start` to `end` (None: open) through
    the writer, replacing what overlaps unless `on_overlap` says otherwise; `kw` goes to
    `caretaker_add` (type, role_id, branch_id, …)."""
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=operator.pk,
        date_from=start,
        date_to=end,
        on_overlap=on_overlap,
        **kw,
    )
