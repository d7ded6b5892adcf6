"""Single-row ORM writes of assignments (the admin, fixtures, a shell) keep the
coverage tables right too. The services never come here: their writer writes with
set-based SQL, which sends no signals, and refreshes coverage itself
(`caretakers.services.writer.write_changes`). QuerySet.update(), bulk_create() and
raw SQL send no signals either: after such a write, call `coverage_refresh` or run
`opiekun coverage-rebuild`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.coverage.services import coverage_refresh


@receiver(post_save, sender=CaretakerAssignment)
def _saved(sender: Any, instance: CaretakerAssignment, **kwargs: Any) -> None:
    with transaction.atomic():
        coverage_refresh(contractor_ids=[instance.contractor_id])


@receiver(post_delete, sender=CaretakerAssignment)
def _deleted(sender: Any, instance: CaretakerAssignment, origin: Any = None, **kwargs: Any) -> None:
    if isinstance(origin, Contractor):  # the contractor goes too; its coverage rows with it
        return
    with transaction.atomic():
        coverage_refresh(contractor_ids=[instance.contractor_id])
