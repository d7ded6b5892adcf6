"""Przekazanie klientów as a record: who handed which contractors to whom from when,
and every row it changed, before and after, so that it can be cancelled exactly
(docs/semantics.md, "Handover"). Imported by `caretakers.models`."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.rules import AssignmentType, OverlapPolicy


class HandoverState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_FORCE = "in_force", _("In force")
    CANCELLED = "cancelled", _("Cancelled")


class Distribution(models.TextChoices):
    EVEN = "even", _("Even")


class Handover(models.Model):
    """One confirmed handover. Its state is derived: cancelled if cancelled, else
    planned while its date is after today, in force from that day on."""

    from_operator = models.ForeignKey(
        "operators.Operator", on_delete=models.PROTECT, related_name="+", verbose_name=_("from operator")
    )
    date = models.DateField(_("effective date"))
    distribution = models.CharField(max_length=10, choices=Distribution.choices, default=Distribution.EVEN)
    types = models.JSONField(default=list)  # ["main", "deputy"]
    role_ids = models.JSONField(null=True, blank=True)  # null: every role
    branch_ids = models.JSONField(null=True, blank=True)  # null: every branch and none
    contractor_ids = models.JSONField(null=True, blank=True)  # null: every contractor of the source
    on_overlap = models.CharField(max_length=10, choices=[(p.value, p.value) for p in OverlapPolicy])
    contractors = models.PositiveIntegerField(_("contractors"), default=0)
    assignments = models.PositiveIntegerField(_("assignments"), default=0)
    skipped = models.PositiveIntegerField(default=0)  # contractors skipped under KEEP
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["from_operator", "date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.from_operator_id}→ {self.date}"

    def state_on(self, day: datetime.date) -> HandoverState:
        if self.cancelled_at is not None:
            return HandoverState.CANCELLED
        return HandoverState.PLANNED if self.date > day else HandoverState.IN_FORCE

    @property
    def type_list(self) -> list[AssignmentType]:
        return [AssignmentType(t) for t in self.types]


class HandoverTarget(models.Model):
    """A target operator of a handover, in the order given, with what it received."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="targets")
    operator = models.ForeignKey("operators.Operator", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    contractors = models.PositiveIntegerField(default=0)
    assignments = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["handover", "position"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "operator"], name="handover_target_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.handover_id} → {self.operator_id}"


class HandoverChange(models.Model):
    """One assignment row a handover wrote: its state before (empty: inserted by the
    handover) and after (empty: deleted by it), as JSON text of the row's tracked
    values. Cancelling compares the row with ``after`` and puts ``before`` back.

    The ids are plain numbers, not foreign keys: the rows come and go."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="changes")
    assignment_id = models.BigIntegerField()
    contractor_id = models.BigIntegerField()
    target_id = models.BigIntegerField(null=True, blank=True)  # the operator it went to
    before = models.TextField(blank=True, default="")
    after = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["contractor_id", "handover"])]

    def __str__(self) -> str:
        return f"#{self.handover_id}: {self.assignment_id}"

    @staticmethod
    def encode(state: dict[str, Any] | None) -> str:
        return "" if state is None else json.dumps(state, cls=DjangoJSONEncoder, sort_keys=True)

    @staticmethod
    def decode(text: str) -> dict[str, Any] | None:
        return json.loads(text) if text else None
