"""Caretaker assignments and their dictionaries (docs/semantics.md, "Invariants").

The invariants live in the database as well as in the services: see migration
0002_invariants (PostgreSQL exclusion constraints, SQLite triggers).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.periods import Period

TYPE_LABELS = {AssignmentType.MAIN: _("Main"), AssignmentType.DEPUTY: _("Deputy")}
TYPE_CHOICES = [(kind.value, label) for kind, label in TYPE_LABELS.items()]
POLICY_CHOICES = [
    (OverlapPolicy.KEEP.value, _("Keep the current caretaker")),
    (OverlapPolicy.WARN.value, _("Warn about the change")),
    (OverlapPolicy.REPLACE.value, _("Replace without warning")),
]


def type_label(kind: str) -> str:
    """The type as the user reads it: Główny / Zastępca."""
    return str(TYPE_LABELS[AssignmentType(kind)])


class RoleQuerySet(models.QuerySet["CaretakerRole"]):
    def default(self) -> RoleQuerySet:
        """The role used when none is chosen: exactly one (or none before the first)."""
        return self.filter(is_default=True)


class CaretakerRole(models.Model):
    """Editable dictionary (opiekun handlowy, prawny…); exactly one is the default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("caretaker role")
        verbose_name_plural = _("caretaker roles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_role"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company branch")
        verbose_name_plural = _("company branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AssignmentQuerySet(models.QuerySet["CaretakerAssignment"]):
    def on(self, day: date) -> AssignmentQuerySet:
        return self.filter(Q(date_to__isnull=True) | Q(date_to__gte=day), date_from__lte=day)

    def overlapping(self, start: date | None, end: date | None) -> AssignmentQuerySet:
        """Assignments sharing a day with ``[start, end]`` (either end open)."""
        qs = self
        if end is not None:
            qs = qs.filter(date_from__lte=end)
        if start is not None:
            qs = qs.filter(Q(date_to__isnull=True) | Q(date_to__gte=start))
        return qs


class CaretakerAssignment(models.Model):
    # No single-column indexes on the foreign keys: the composite indexes below lead with
    # the contractor and the operator, and the rest (role, branch, the users) are only
    # looked up when such a row is deleted, which is rare; every written row would pay
    # for them (docs/performance.md, "The assignment table's indexes").
    contractor = models.ForeignKey(
        "contractors.Contractor",
        db_index=False,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("contractor"),
    )
    operator = models.ForeignKey(
        "operators.Operator",
        db_index=False,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("operator"),
    )
    type = models.CharField(_("type"), max_length=6, choices=TYPE_CHOICES)
    role = models.ForeignKey(
        CaretakerRole, db_index=False, on_delete=models.PROTECT, related_name="+", verbose_name=_("role")
    )
    branch = models.ForeignKey(
        Branch,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    date_from = models.DateField(_("date from"))
    date_to = models.DateField(_("date to"), null=True, blank=True)
    # Deputies only: the order in which they stand in for an absent main caretaker,
    # lower first (docs/semantics.md, "Absences and the acting caretaker").
    priority = models.SmallIntegerField(_("priority"), default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The audit trail is read by assignment (id) and by contractor, newest first; its
    # other foreign keys are not searched, so they carry no index.
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at"],
        no_db_index=["operator", "role", "branch", "created_by", "updated_by"],
    )
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("caretaker")
        verbose_name_plural = _("caretakers")
        ordering = ["-date_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="assignment_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(type__in=[t.value for t in AssignmentType]),
                name="assignment_type_known",
            ),
        ]
        # The two "period" indexes hold every column their queries read, so "who is
        # current today" and "one caretaker's period" are index-only scans
        # (docs/performance.md).
        indexes = [
            models.Index(fields=["contractor", "role", "branch", "date_from"]),
            models.Index(
                fields=["operator", "date_from", "date_to", "contractor"], name="assignment_operator_period"
            ),
            models.Index(fields=["contractor", "date_from", "date_to"], name="assignment_contractor_period"),
            # Rows starting in a window; in the report's default order, newest first
            # then by id, a far page walks this index alone (migration 0011).
            models.Index(fields=["date_from", "id", "date_to"], name="assignment_starts"),
            # Nadchodzące zmiany: the rows ending in a window, everyone's (in the order of
            # the day) and one operator's (the badge: found in the index; migration 0012).
            models.Index(
                fields=["date_to", "operator"], name="assignment_ends", condition=Q(date_to__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id}→{self.contractor_id} {self.type} {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.date_from, self.date_to)


# Przekazanie klientów: its own module, registered with this app.
from opiekun.caretakers.handover_models import (  # noqa: E402
    Handover as Handover,
)
from opiekun.caretakers.handover_models import (  # noqa: E402
    HandoverChange as HandoverChange,
)
from opiekun.caretakers.handover_models import (  # noqa: E402
    HandoverState as HandoverState,
)
from opiekun.caretakers.handover_models import (  # noqa: E402
    HandoverTarget as HandoverTarget,
)
