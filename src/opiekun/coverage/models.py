"""Derived coverage data, kept in step with the assignments (docs/semantics.md,
"Coverage gaps"; docs/architecture.md, "Derived coverage").

Four tables, pure functions of the assignments (and, for `ActingGap`, of the
operators' absences; see `opiekun.coverage.compute`):

- `CoverageGap`: per scope, the periods with no main caretaker. Stored for the
  default scope (default role, no branch) of every contractor and for every scope
  that has at least one assignment. "Who has nobody on day d" in the default scope
  is one index range.
- `ActingGap`: the same scopes' periods with no *acting* caretaker (no main
  caretaker, or the main one absent and no deputy present): what "consider
  absences" reads. Refreshed also by every write of an absence (`coverage.signals`).
- `UncoveredPeriod`: per contractor, the periods with no caretaker at all (main or
  deputy, in any scope), with the contractor's `active` flag. Visibility's "no
  caretaker today" (operators/access.py) reads it instead of probing every
  contractor's assignments; "Bez opiekuna: N" counts its active rows of today.
- `ActingPeriod`: per scope, the periods in which a deputy acts for its absent main
  caretaker (`caretakers.acting_rules`): what Kontrahenci wg opiekuna "acted for"
  (`caretakers.acted_for`) reads. A function of the same assignments and absences as
  `ActingGap`, refreshed by the same writes for the same contractors.

Unbounded ends are sentinel days (`compute.SINCE_ALWAYS`, `compute.UNTIL_FURTHER_NOTICE`).
Written only by `opiekun.coverage.services` (called by the one assignment writer,
`caretakers.services.writer.write_changes`, and on every write of an absence) and by
the database triggers that give a new contractor its rows (migrations 0001, 0003; a new
contractor has no assignment, hence no acting period).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q

if TYPE_CHECKING:
    from opiekun.contractors.models import Contractor


class _Gap(models.Model):
    """What both kinds of gap hold, besides their contractor (each its own reverse name)."""

    # No index of its own: `_gap_meta`'s `…_scope_day` leads with the role (every written gap
    # paid for one more index; docs/performance.md, "The write path against its SQL").
    role = models.ForeignKey(
        "caretakers.CaretakerRole", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    branch = models.ForeignKey(
        "caretakers.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    # The contractor's own `active` flag, kept equal to it by a database trigger, so
    # that the report of active contractors' gaps and its count read this table only.
    active = models.BooleanField(default=True)
    # Who cared (for `ActingGap`: who acted) the day before the gap; null when the
    # gap opens the scope's history.
    last_operator = models.ForeignKey(
        "operators.Operator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contractor: Contractor  # each kind's own foreign key
    contractor_id: int
    role_id: int
    branch_id: int | None

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.contractor_id}/{self.role_id}/{self.branch_id} {self.date_from}…{self.date_to}"

    # A gap read as a report row answers for its contractor (`coverage.selectors`).
    @property
    def code(self) -> str:
        return self.contractor.code

    @property
    def name(self) -> str:
        return self.contractor.name

    @property
    def nip(self) -> str:
        return self.contractor.nip


def _gap_meta(prefix: str) -> tuple[list[models.BaseConstraint], list[models.Index]]:
    """The constraints and indexes of a gap table, named with ``prefix``."""
    constraints: list[models.BaseConstraint] = [
        models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name=f"{prefix}_dates_in_order"),
    ]
    indexes = [
        # "gaps in the scope on day d / in a window": date_to >= start, date_from <= end.
        models.Index(
            fields=["role", "branch", "active", "date_to", "date_from", "contractor"],
            name=f"{prefix}_scope_day",
        ),
        models.Index(fields=["contractor", "role", "branch", "date_from"], name=f"{prefix}_contractor"),
    ]
    return constraints, indexes


class CoverageGap(_Gap):
    """Per scope, a period with no main caretaker."""

    contractor = models.ForeignKey(  # indexed by `_gap_meta`'s `…_contractor`, which leads with it
        "contractors.Contractor", on_delete=models.CASCADE, related_name="coverage_gaps", db_index=False
    )

    class Meta:
        constraints, indexes = _gap_meta("coverage_gap")


class ActingGap(_Gap):
    """As `CoverageGap`, for the acting caretaker."""

    contractor = models.ForeignKey(  # indexed by `_gap_meta`'s `…_contractor`, which leads with it
        "contractors.Contractor", on_delete=models.CASCADE, related_name="acting_gaps", db_index=False
    )

    class Meta:
        constraints, indexes = _gap_meta("acting_gap")


class UncoveredPeriod(models.Model):
    contractor = models.ForeignKey(  # indexed by `uncovered_contractor`, which leads with it
        "contractors.Contractor", on_delete=models.CASCADE, related_name="uncovered_periods", db_index=False
    )
    date_from = models.DateField()
    date_to = models.DateField()
    # The contractor's own `active` flag, kept equal to it by the database trigger that
    # keeps the gaps' (migration 0009): "Bez opiekuna: N" of an own-only viewer counts
    # the active contractors with nobody today as one index range of this table.
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="uncovered_dates_in_order"),
        ]
        indexes = [
            models.Index(fields=["date_to", "date_from", "contractor"], name="uncovered_day"),
            models.Index(fields=["active", "date_to", "date_from"], name="uncovered_active_day"),
            models.Index(fields=["contractor", "date_from"], name="uncovered_contractor"),
        ]

    def __str__(self) -> str:
        return f"{self.contractor_id} {self.date_from}…{self.date_to}"


class ActingPeriod(models.Model):
    """Days ``[date_from, date_to]`` in which ``operator``, a deputy of the scope through
    the assignment ``assignment``, acts for the absent main caretaker ``stands_in_for``:
    a maximal run of days with that deputy's assignment acting for that main caretaker
    (the acting rule, `caretakers.acting_rules.acting_on`; `stand_ins.acting_periods_of`).
    Always bounded: a deputy acts only while a main caretaker is absent, and absences end."""

    contractor = models.ForeignKey(
        "contractors.Contractor", on_delete=models.CASCADE, related_name="acting_periods"
    )
    role = models.ForeignKey("caretakers.CaretakerRole", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        "caretakers.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The deputy's assignment. No database constraint: the writer deletes assignments
    # with set-based SQL and refreshes this table right after, in the same transaction.
    assignment = models.ForeignKey(
        "caretakers.CaretakerAssignment", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    operator = models.ForeignKey("operators.Operator", on_delete=models.CASCADE, related_name="+")
    stands_in_for = models.ForeignKey("operators.Operator", on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="acting_period_dates_in_order"
            ),
        ]
        indexes = [
            # "the operator's periods overlapping a window, by start": date_to >= start,
            # date_from <= end; with every column the page orders by and shows, so that
            # PostgreSQL reads the index alone.
            models.Index(
                fields=[
                    "operator",
                    "date_to",
                    "date_from",
                    "contractor",
                    "role",
                    "assignment",
                    "branch",
                    "stands_in_for",
                ],
                name="acting_period_operator",
            ),
            models.Index(
                fields=["contractor", "role", "branch", "date_from"], name="acting_period_contractor"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.contractor_id}/{self.role_id}/{self.branch_id} {self.operator_id} for "
            f"{self.stands_in_for_id} {self.date_from}…{self.date_to}"
        )
