"""`opiekun handover`: the preview as a table, the dry run, applying, and refusals."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(
    portfolio_of: Callable[[int], list[Contractor]], default_role: CaretakerRole
) -> list[Contractor]:
    return portfolio_of(4)


def _run(*args: str, language: str = "en") -> str:
    out = StringIO()
    call_command("handover", *args, "--language", language, stdout=out)
    return out.getvalue()


def _rows() -> list[tuple[Any, ...]]:
    return sorted(CaretakerAssignment.objects.values_list("id", "operator_id", "date_from", "date_to"))


def test_dry_run_prints_the_preview_and_writes_nothing(
    sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    before = _rows()
    out = _run("--from", "anna", "--to", "bob,cecylia", "--on", "2030-03-01", "--dry-run")
    lines = out.splitlines()
    assert lines[0] == "4 contractors, 4 assignments to hand over; 0 skipped."
    assert "recipient  contractors  assignments" in out
    assert any(line.split()[:3] == ["bob", "2", "2"] for line in lines)
    assert any(
        line.startswith(portfolio[0].code)
        and "To hand over" in line
        and "anna (Main): ends the day before: 2030-01-01 – … → 2030-01-01 – 2030-02-28" in line
        for line in lines
    )
    assert lines[-1] == "Dry run: nothing was written."
    assert _rows() == before and not Handover.objects.exists()


def test_the_preview_speaks_the_language_asked_for(
    sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    """Outcomes, kinds of change, types and dates in Polish, as the wizard shows them,
    not the API's codes."""
    out = _run("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--dry-run", language="pl")
    line = next(line for line in out.splitlines() if line.startswith(portfolio[0].code))
    assert "Do przekazania" in line
    cut = "anna (Główny): kończy się w przeddzień przekazania: 01.01.2030 – … → 01.01.2030 – 28.02.2030"
    assert cut in line
    assert "bob (Główny): nowe: 01.03.2030 – …" in line
    for code in (" added ", " cut ", " main ", " created "):
        assert code not in line


# Roles and branches as the import finds them: any letter case, a branch by code or name.
@pytest.mark.parametrize(("role", "branch_name"), [("Opiekun prawny", "KRK"), ("OPIEKUN prawny", "kraków")])
def test_applies_with_the_filters_given(
    actor: Any,
    sellers: list[Operator],
    portfolio: list[Contractor],
    legal_role: CaretakerRole,
    branch: Branch,
    role: str,
    branch_name: str,
) -> None:
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[0].pk],
        operator_id=sellers[0].pk,
        date_from="2030-01-01",
        role_id=legal_role.pk,
        branch_id=branch.pk,
        type="deputy",
    )
    out = _run(
        "--from",
        "anna",
        "--to",
        "bob",
        "--on",
        "2030-03-01",
        "--types",
        "deputy",
        "--roles",
        role,
        "--branches",
        branch_name,
        "--contractors",
        portfolio[0].code,
    )
    handover = Handover.objects.get()
    assert out.splitlines()[-1] == f"Handover #{handover.pk}: 1 contractors, 1 assignments handed over."
    (received,) = CaretakerAssignment.objects.filter(operator=sellers[1])
    assert (received.type, received.role_id, received.branch_id) == ("deputy", legal_role.pk, branch.pk)
    assert CaretakerAssignment.history.filter(history_change_reason=f"handover:{handover.pk}").count() == 2


def test_warn_with_conflicts_applies_nothing(
    actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[1].pk],
        operator_id=sellers[1].pk,
        date_from="2030-01-01",
        type="deputy",
    )
    before = _rows()
    with pytest.raises(CommandError, match="1 contractors have conflicts"):
        _run("--from", "anna", "--to", "bob", "--on", "2030-03-01")
    assert _rows() == before
    out = _run("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--on-overlap", "keep")
    assert "skipped" in out and Handover.objects.get().skipped == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "nobody", "--to", "bob", "--on", "2030-03-01"], "--from: no operator nobody"),
        (["--from", "anna", "--to", "anna", "--on", "2030-03-01"], "--to: An operator cannot hand over"),
        (["--from", "anna", "--to", "bob", "--on", "2030-02-30"], "--on: Enter a valid date"),
        (["--from", "anna", "--to", "bob", "--on", "2030-03-01", "--roles", "Nope"], "--roles: unknown Nope"),
        (
            ["--from", "anna", "--to", "bob", "--on", "2030-03-01", "--types", "boss"],
            "--types: Unknown value",
        ),
        (["--from", "anna", "--to", "bob", "--on", "2030-03-01", "--user", "ghost"], "--user: no user"),
    ],
)
def test_bad_input_is_refused_as_bad_usage(
    sellers: list[Operator], portfolio: list[Contractor], args: list[str], message: str
) -> None:
    """Exit code 2 as the import commands' bad usage; the message names the option
    given, not the API's field (``to_operator_ids``, ``date``)."""
    with pytest.raises(CommandError, match=message) as raised:
        _run(*args)
    assert raised.value.returncode == 2
    assert not Handover.objects.exists()


def test_nothing_to_hand_over_exits_1_without_a_field_name(
    sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    with pytest.raises(CommandError) as raised:
        _run("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--types", "deputy")
    assert raised.value.returncode == 1
    assert str(raised.value).startswith("Nothing to hand over")
    assert not Handover.objects.exists()


def test_a_user_without_the_permission_is_refused(
    make_operator: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    make_operator("clerk", can_assign=False)
    with pytest.raises(CommandError) as raised:
        _run("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--user", "clerk")
    assert raised.value.returncode == 2
    assert not Handover.objects.exists()


def test_messages_are_polish_by_default_and_in_one_language(
    sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    """The command's own words follow --language as the services' do (they were
    English beside Polish messages of the services)."""
    out = _run("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--dry-run", language="pl")
    assert out.splitlines()[0] == "Do przekazania kontrahentów: 4, przypisań: 4; pominięto: 0."
    assert out.splitlines()[-1] == "Próba: nic nie zapisano."
    with pytest.raises(CommandError, match="--from: nie ma operatora nobody"):
        _run("--from", "nobody", "--to", "bob", "--on", "2030-03-01", language="pl")
    with pytest.raises(CommandError, match="--to: Operator nie może przekazać klientów samemu sobie"):
        _run("--from", "anna", "--to", "anna", "--on", "2030-03-01", language="pl")
