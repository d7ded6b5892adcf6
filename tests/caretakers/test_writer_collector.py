"""The writer pauses Python's cyclic garbage collector while it writes (a bulk write's
objects live until it ends: collections walk them again for nothing), and always
turns it back on."""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

import pytest

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services import writer
from opiekun.caretakers.services.writer import AssignmentValues, ChangeSet, write_changes
from opiekun.contractors.models import Contractor
from opiekun.periods import Period


def _changes(operator: Any, role: CaretakerRole) -> ChangeSet:
    contractor = Contractor.objects.create(code="GC", name="GC")
    values = AssignmentValues(
        contractor.pk, operator.pk, AssignmentType.MAIN, role.pk, None, Period(date(2025, 1, 1), None)
    )
    return ChangeSet(inserts=[values])


def _watch_insert(monkeypatch: pytest.MonkeyPatch, *, fail: bool) -> list[bool]:
    seen: list[bool] = []
    insert = writer._insert

    def watched(*args: Any, **kwargs: Any) -> list[int]:
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("broken")
        return insert(*args, **kwargs)

    monkeypatch.setattr(writer, "_insert", watched)
    return seen


def test_the_collector_is_paused_while_writing_and_on_again_after(
    make_operator: Any, default_role: CaretakerRole, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = make_operator()
    seen = _watch_insert(monkeypatch, fail=False)
    assert gc.isenabled()
    [pk] = write_changes(actor=operator.user, changes=_changes(operator, default_role), reason="test")
    assert seen == [False]
    assert gc.isenabled()
    assert pk


def test_the_collector_is_on_again_after_a_failed_write(
    make_operator: Any, default_role: CaretakerRole, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = make_operator()
    seen = _watch_insert(monkeypatch, fail=True)
    with pytest.raises(RuntimeError, match="broken"):
        write_changes(actor=operator.user, changes=_changes(operator, default_role), reason="test")
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(
    make_operator: Any, default_role: CaretakerRole, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = make_operator()
    gc.disable()
    try:
        write_changes(actor=operator.user, changes=_changes(operator, default_role), reason="test")
        assert not gc.isenabled()
    finally:
        gc.enable()
