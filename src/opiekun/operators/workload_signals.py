"""Single-row ORM writes of assignments (the admin, fixtures, a shell) and ORM
deletions (a contractor deleted with the ORM cascades to its assignments) keep the
workload steps (`operators.workload_steps`) right, as `coverage.signals` keeps the
coverage tables; a change of an operator's visibility builds or drops their pair
steps (`operators.workload_pairs`). The services never come here: their writer writes
with set-based SQL, which sends no signals, and calls
`workload_write.workload_steps_apply` itself."""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import Operator, Visibility
from opiekun.operators.workload_pairs_rebuild import pair_steps_build
from opiekun.operators.workload_steps import FIELDS, Interval, as_interval, row_interval
from opiekun.operators.workload_write import adjust_steps

_deleting = threading.local()  # rows an ORM deletion removes whose post_delete has not come yet


def _pending() -> dict[int, Interval]:
    pending: dict[int, Interval] | None = getattr(_deleting, "rows", None)
    if pending is None:
        pending = _deleting.rows = {}
    return pending


def _before_save(sender: Any, instance: CaretakerAssignment, raw: bool = False, **kwargs: Any) -> None:
    before = None
    if instance.pk is not None:
        before = CaretakerAssignment.objects.filter(pk=instance.pk).values_list(*FIELDS).first()
    instance._workload_before = before  # type: ignore[attr-defined]


def _saved(sender: Any, instance: CaretakerAssignment, **kwargs: Any) -> None:
    before = getattr(instance, "_workload_before", None)
    with transaction.atomic():
        adjust_steps([as_interval(*before)] if before else [], [row_interval(instance)], written=True)


def _before_delete(sender: Any, instance: CaretakerAssignment, **kwargs: Any) -> None:
    _pending()[instance.pk] = row_interval(instance)


def _deleted(sender: Any, instance: CaretakerAssignment, **kwargs: Any) -> None:
    # One deletion (a contractor's cascade, a queryset's) removes all its rows before
    # the first post_delete: each row is counted as removed from the rows still
    # pending, so that the steps add up to the rows' merged periods.
    pending = _pending()
    gone = pending.pop(instance.pk, None) or row_interval(instance)
    with transaction.atomic():
        adjust_steps([gone], [], written=True, extra=list(pending.values()))


def _operator_before_save(sender: Any, instance: Operator, raw: bool = False, **kwargs: Any) -> None:
    was = None
    if instance.pk is not None:
        was = Operator.objects.filter(pk=instance.pk).values_list("visibility", flat=True).first()
    instance._visibility_before = was  # type: ignore[attr-defined]


def _operator_saved(sender: Any, instance: Operator, **kwargs: Any) -> None:
    # The pair steps (`workload_pairs`) are kept for the own-only operators: built when
    # an operator becomes one, deleted when they stop being one.
    was_own = getattr(instance, "_visibility_before", None) == Visibility.OWN
    if was_own != (instance.visibility == Visibility.OWN):
        with transaction.atomic():
            pair_steps_build(instance.pk)


def connect_signals() -> None:
    """Called once, by the operators app when it is ready."""
    uid = "workload_steps"
    pre_save.connect(_before_save, sender=CaretakerAssignment, dispatch_uid=uid)
    post_save.connect(_saved, sender=CaretakerAssignment, dispatch_uid=uid)
    pre_delete.connect(_before_delete, sender=CaretakerAssignment, dispatch_uid=uid)
    post_delete.connect(_deleted, sender=CaretakerAssignment, dispatch_uid=uid)
    pre_save.connect(_operator_before_save, sender=Operator, dispatch_uid=uid)
    post_save.connect(_operator_saved, sender=Operator, dispatch_uid=uid)
