"""Python's cyclic garbage collector is paused around bulk work (a bulk write's objects
live until it ends: collections walk them again for nothing), and always turned back
on (opiekun/collector.py). Watched through public seams: the statements the writer
sends (`connection.execute_wrapper`) and a failing statement of the database."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError, connection

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services import caretaker_add
from opiekun.caretakers.services.writer import AssignmentValues, ChangeSet, write_changes
from opiekun.collector import collector_paused
from opiekun.contractors.models import Contractor
from opiekun.periods import Period

pytestmark = pytest.mark.django_db


def _changes(operator: Any, role: CaretakerRole) -> ChangeSet:
    contractor = Contractor.objects.create(code="GC", name="GC")
    values = AssignmentValues(
        contractor.pk, operator.pk, AssignmentType.MAIN, role.pk, None, Period(date(2025, 1, 1), None)
    )
    return ChangeSet(inserts=[values])


def _watching(seen: list[bool], *, fail_on: str | None = None) -> Callable[..., Any]:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(gc.isenabled())
        if fail_on is not None and sql.lstrip().startswith(fail_on):
            raise DatabaseError("refused")
        return execute(sql, params, many, context)

    return wrapper


def test_the_writer_sends_its_statements_with_the_collector_paused(
    make_operator: Any, default_role: CaretakerRole
) -> None:
    operator = make_operator()
    changes = _changes(operator, default_role)
    seen: list[bool] = []
    assert gc.isenabled()
    with connection.execute_wrapper(_watching(seen)):
        [pk] = write_changes(actor=operator.user, changes=changes, reason="test")
    assert pk and seen and not any(seen)
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_failed_write(
    make_operator: Any, default_role: CaretakerRole
) -> None:
    operator = make_operator()
    changes = _changes(operator, default_role)
    seen: list[bool] = []
    with connection.execute_wrapper(_watching(seen, fail_on="INSERT")), pytest.raises(DatabaseError):
        write_changes(actor=operator.user, changes=changes, reason="test")
    assert seen and not any(seen)
    assert gc.isenabled()


def test_caretaker_add_plans_and_writes_with_the_collector_paused(
    make_operator: Any, default_role: CaretakerRole
) -> None:
    operator = make_operator(can_assign=True)
    contractor = Contractor.objects.create(code="GC2", name="GC2")
    seen: list[bool] = []
    with connection.execute_wrapper(_watching(seen)):
        result = caretaker_add(
            actor=operator.user,
            contractor_ids=[contractor.pk],
            operator_id=operator.pk,
            date_from="2025-01-01",
        )
    assert result.applied and seen and not any(seen)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("broken")
    assert gc.isenabled()


def test_a_served_worker_freezes_the_loaded_app_so_full_collections_skip_it() -> None:
    from django.urls import clear_url_caches, get_resolver

    from opiekun.collector import app_frozen

    clear_url_caches()
    assert "url_patterns" not in vars(get_resolver())
    try:
        frozen = app_frozen()
        assert "url_patterns" in vars(get_resolver())  # every view was loaded before the freeze
        assert frozen == gc.get_freeze_count() > 10_000
        assert len(gc.get_objects()) < frozen  # a full collection now walks far fewer objects
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
