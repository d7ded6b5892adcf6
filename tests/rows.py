"""Assignments saved straight through the ORM, for the selectors' tests: a fixed world
written row by row as the test states it (no writer: nothing is merged or replaced, and
the database's own rules still apply). Used by `caretakers/test_selectors.py`,
`contractors/test_selectors.py`, `operators/test_selectors.py` and
`caretakers/test_selector_queries.py`."""

from __future__ import annotations

from datetime import date

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator


def assignment_row(
    contractor: Contractor,
    operator: Operator,
    start: date,
    end: date | None = None,
    *,
    kind: str = "main",
    role: CaretakerRole | None = None,
    branch: Branch | None = None,
) -> CaretakerAssignment:
    """`operator` caring for `contractor` from `start` to `end` (None: open) as `kind`,
    in `role` (the default role if None) and `branch`."""
    return CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        type=kind,
        date_from=start,
        date_to=end,
        role=role or CaretakerRole.objects.get(is_default=True),
        branch=branch,
    )
