"""DESIGN.md, part two: "every new write is … available in the UI, the REST API and the
CLI". The CLI had `opiekun handover` and `opiekun import-assignments`, but no way to
cancel a handover nor to enter, change or delete an absence: `opiekun handover-cancel`
and `opiekun absence` add them, through the same services as the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.services import assignment_update, handover_create
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, Operator, Visibility

pytestmark = pytest.mark.django_db


def _run(command: str, *args: str, language: str = "en") -> str:
    out = StringIO()
    call_command(command, *args, "--language", language, stdout=out)
    return out.getvalue()


def _rows() -> list[tuple[object, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list(
            "id", "operator_id", "type", "date_from", "date_to", "priority"
        )
    )


# --- opiekun handover-cancel ------------------------------------------------------------


@pytest.fixture
def handed(
    actor: object,
    sellers: list[Operator],
    portfolio_of: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
) -> tuple[Handover, list[tuple[object, ...]]]:
    portfolio_of(3)
    before = _rows()
    body: dict[str, Any] = {
        "from_operator_id": sellers[0].pk,
        "to_operator_ids": [sellers[1].pk],
        "date": "2030-03-01",
    }
    preview = handover_create(actor=actor, **body)
    done = handover_create(actor=actor, confirm_token=preview.confirm_token, **body)
    assert done.handover is not None
    return done.handover, before


def test_handover_cancel_restores_every_row_and_is_audited(
    handed: tuple[Handover, list[tuple[object, ...]]],
) -> None:
    handover, before = handed
    assert _rows() != before
    out = _run("handover-cancel", str(handover.pk))
    assert out.strip() == f"Handover #{handover.pk} cancelled."
    assert _rows() == before
    handover.refresh_from_db()
    assert handover.cancelled_at is not None and handover.cancelled_by is None
    reasons = set(CaretakerAssignment.history.values_list("history_change_reason", flat=True))
    assert f"handover_cancel:{handover.pk}" in reasons


def test_handover_cancel_refused_names_the_rows_in_the_way_and_writes_nothing(
    actor: object, handed: tuple[Handover, list[tuple[object, ...]]], sellers: list[Operator]
) -> None:
    handover, _before = handed
    received = CaretakerAssignment.objects.filter(operator=sellers[1]).order_by("id").first()
    assert received is not None
    assignment_update(actor=actor, assignment_id=received.pk, date_to=date(2030, 6, 30))
    after_edit = _rows()
    with pytest.raises(CommandError) as refused:
        _run("handover-cancel", str(handover.pk))
    assert refused.value.returncode == 1
    assert f"Assignments in the way: {received.pk}." in str(refused.value)
    assert _rows() == after_edit
    handover.refresh_from_db()
    assert handover.cancelled_at is None


def test_handover_cancel_bad_usage(
    handed: tuple[Handover, list[tuple[object, ...]]], make_operator: Callable[..., Operator]
) -> None:
    handover, _before = handed
    for number in ("999999", "abc"):
        with pytest.raises(CommandError) as unknown:
            _run("handover-cancel", number)
        assert unknown.value.returncode == 2 and f"No handover #{number}." in str(unknown.value)
    make_operator("viewer", can_assign=False)
    with pytest.raises(CommandError) as denied:
        _run("handover-cancel", str(handover.pk), "--user", "viewer")
    assert denied.value.returncode == 2
    handover.refresh_from_db()
    assert handover.cancelled_at is None
    with pytest.raises(CommandError) as twice:
        _run("handover-cancel", str(handover.pk))
        _run("handover-cancel", str(handover.pk))
    assert twice.value.returncode == 1 and "already been cancelled" in str(twice.value)


# --- opiekun absence ------------------------------------------------------------------------


def test_absence_add_list_change_delete(make_operator: Callable[..., Operator]) -> None:
    make_operator("anna")
    out = _run("absence", "add", "--operator", "anna", "--from", "2030-07-01", "--to", "2030-07-10")
    absence = Absence.objects.get()
    assert out.strip() == f"Absence #{absence.pk} saved."
    assert (absence.date_from, absence.date_to, absence.kind, absence.note) == (
        date(2030, 7, 1),
        date(2030, 7, 10),
        "vacation",
        "",
    )
    listed = _run("absence", "list", "--from", "2030-07-10").splitlines()
    assert listed[0].split() == ["id", "operator", "date", "from", "date", "to", "kind", "note"]
    assert listed[1].split() == [str(absence.pk), "anna", "2030-07-01", "2030-07-10", "vacation"]
    assert _run("absence", "list", "--to", "2030-06-30").splitlines()[1:] == []
    _run("absence", "change", str(absence.pk), "--kind", "sick_leave", "--note", "L4", "--to", "2030-07-12")
    absence.refresh_from_db()
    assert (absence.date_to, absence.kind, absence.note) == (date(2030, 7, 12), "sick_leave", "L4")
    reasons = list(absence.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["absence_create", "absence_update"]
    assert _run("absence", "delete", str(absence.pk)).strip() == f"Absence #{absence.pk} deleted."
    assert not Absence.objects.exists()


def test_absence_refusals_write_nothing_with_their_exit_codes(make_operator: Callable[..., Operator]) -> None:
    make_operator("anna")
    _run("absence", "add", "--operator", "anna", "--from", "2030-07-01", "--to", "2030-07-10")
    cases = [
        (["add", "--operator", "anna", "--from", "2030-07-05", "--to", "2030-07-20"], 1, "--from: "),
        (["add", "--operator", "anna", "--from", "2030-08-05", "--to", "2030-08-01"], 1, "--to: "),
        (["add", "--operator", "nobody", "--from", "2030-08-01", "--to", "2030-08-02"], 2, "--operator: "),
        (["add", "--operator", "anna", "--from", "2030-02-30", "--to", "2030-08-02"], 2, "--from: "),
        (["change", "999999", "--note", "x"], 2, "No absence #999999."),
        (["delete", "abc"], 2, "No absence #abc."),
    ]
    for args, code, message in cases:
        with pytest.raises(CommandError) as refused:
            _run("absence", *args)
        assert refused.value.returncode == code, args
        assert message in str(refused.value), (args, str(refused.value))
    assert Absence.objects.count() == 1


def test_absence_rights_are_the_apis(make_operator: Callable[..., Operator]) -> None:
    """An operator enters their own; someone else's needs `can_manage_absences`; an
    own-only operator lists only the absences they may see."""
    make_operator("anna")
    make_operator("jan", visibility=Visibility.OWN, can_assign=False)
    _run("absence", "add", "--operator", "jan", "--from", "2030-07-01", "--to", "2030-07-02", "--user", "jan")
    with pytest.raises(CommandError) as denied:
        _run(
            "absence",
            "add",
            "--operator",
            "anna",
            "--from",
            "2030-07-01",
            "--to",
            "2030-07-02",
            "--user",
            "jan",
        )
    assert denied.value.returncode == 2
    _run("absence", "add", "--operator", "anna", "--from", "2030-09-01", "--to", "2030-09-02")
    mine = _run("absence", "list", "--user", "jan").splitlines()[1:]
    assert [line.split()[1] for line in mine] == ["jan"]
    assert len(_run("absence", "list").splitlines()[1:]) == 2
    assert Absence.objects.count() == 2


def test_the_messages_speak_polish(
    make_operator: Callable[..., Operator], handed: tuple[Handover, list[tuple[object, ...]]]
) -> None:
    make_operator("ola")
    out = _run(
        "absence", "add", "--operator", "ola", "--from", "2030-07-01", "--to", "2030-07-02", language="pl"
    )
    assert out.strip() == f"Zapisano nieobecność nr {Absence.objects.get().pk}."
    with pytest.raises(CommandError) as unknown:
        _run("absence", "delete", "999999", language="pl")
    assert str(unknown.value) == "Nie ma nieobecności nr 999999."
    handover, _before = handed
    assert _run("handover-cancel", str(handover.pk), language="pl").strip() == (
        f"Anulowano przekazanie nr {handover.pk}."
    )
