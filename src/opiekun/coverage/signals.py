"""Single-row ORM writes of assignments (the admin, fixtures, a shell) keep the
coverage tables right too. The services never come here: their writer writes with
set-based SQL, which sends no signals, and refreshes coverage itself
(`caretakers.services.writer.write_changes`). QuerySet.update(), bulk_create() and
raw SQL send no signals either: after such a write, call `coverage_refresh` or run
`opiekun coverage-rebuild`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.coverage.services import absences_changed, coverage_refresh
from opiekun.operators.models import Absence


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


# Absences: the acting gaps depend on them. Every write of an absence (the services
# of operators/absences.py, the admin, a shell) refreshes the acting gaps of the
# contractors its operator cares for on its days, as they were and as they are.


@receiver(pre_save, sender=Absence)
def _absence_before(sender: Any, instance: Absence, **kwargs: Any) -> None:
    before = None
    if instance.pk is not None:
        before = (
            Absence.objects.filter(pk=instance.pk).values_list("operator_id", "date_from", "date_to").first()
        )
    instance._coverage_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Absence)
def _absence_saved(sender: Any, instance: Absence, **kwargs: Any) -> None:
    periods = [(instance.operator_id, instance.date_from, instance.date_to)]
    before = getattr(instance, "_coverage_before", None)
    if before is not None:
        periods.append(before)
    with transaction.atomic():
        absences_changed(periods=periods)


@receiver(post_delete, sender=Absence)
def _absence_deleted(sender: Any, instance: Absence, **kwargs: Any) -> None:
    with transaction.atomic():
        absences_changed(periods=[(instance.operator_id, instance.date_from, instance.date_to)])
