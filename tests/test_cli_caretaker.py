"""`opiekun caretaker`: Dodaj opiekuna, an assignment's change, end and deletion, and the
list, from the command line, through the same services as the API (their checks,
rights and audit reasons), with the exit codes of the other commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db


def _run(*args: str, language: str = "en") -> str:
    out = StringIO()
    call_command("caretaker", *args, "--language", language, stdout=out)
    return out.getvalue()


def _refused(*args: str, language: str = "en") -> CommandError:
    with pytest.raises(CommandError) as refused:
        _run(*args, language=language)
    return refused.value


def _rows() -> list[tuple[object, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list(
            "id", "contractor__code", "operator__user__username", "type", "branch_id", "date_from", "date_to"
        )
    )


@pytest.fixture
def held(portfolio_of: Callable[[int], list[Contractor]], default_role: CaretakerRole) -> list[Contractor]:
    """Two contractors of anna's since 2030-01-01 (open-ended), and one with nobody."""
    return [*portfolio_of(2), Contractor.objects.create(code="FREE", name="Nikogo")]


def test_add_under_warn_with_conflicts_applies_nothing_and_says_why(
    held: list[Contractor], sellers: list[Operator]
) -> None:
    before = _rows()
    codes = ",".join(c.code for c in held)
    refused = _refused(
        "add", "--operator", "bob", "--from", "2030-03-01", "--to", "2030-03-31", "--contractors", codes
    )
    assert refused.returncode == 1 and "2 contractors have conflicts" in str(refused)
    assert _rows() == before


def test_add_under_warn_prints_the_preview_of_each_contractor(
    held: list[Contractor], sellers: list[Operator]
) -> None:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "caretaker", "add", "--operator", "bob", "--from", "2030-03-01", "--to", "2030-03-31",
            "--contractors", ",".join(c.code for c in held), "--language", "en", stdout=out,
        )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0] == "Added: 1, Replaced: 2"
    first = next(line for line in lines if line.startswith(held[0].code))
    assert "anna (Main): split: 2030-01-01 – … → 2030-01-01 – 2030-02-28, 2030-04-01 – …" in first
    assert first.rstrip().endswith("anna (Main, 2030-01-01 – …)")  # the conflict


def test_add_under_replace_writes_every_contractor_with_its_audit_reason(
    held: list[Contractor], sellers: list[Operator]
) -> None:
    codes = ",".join(c.code for c in held)
    out = _run(
        "add", "--operator", "bob", "--from", "2030-03-01", "--to", "2030-03-31", "--contractors", codes,
        "--on-overlap", "replace",
    )  # fmt: skip
    assert out.splitlines()[0] == "Added: 1, Replaced: 2"
    first = CaretakerAssignment.objects.filter(contractor=held[0]).order_by("date_from")
    assert list(first.values_list("operator__user__username", "type", "date_from", "date_to")) == [
        ("anna", "main", date(2030, 1, 1), date(2030, 2, 28)),
        ("bob", "main", date(2030, 3, 1), date(2030, 3, 31)),
        ("anna", "main", date(2030, 4, 1), None),
    ]
    new = CaretakerAssignment.objects.get(contractor=held[2])
    assert (new.operator.user.username, new.date_from, new.date_to) == (
        "bob",
        date(2030, 3, 1),
        date(2030, 3, 31),
    )
    assert new.history.get().history_change_reason == "caretaker_add"


def test_add_dry_run_under_keep_lists_the_skipped_and_writes_nothing(
    held: list[Contractor], sellers: list[Operator]
) -> None:
    before = _rows()
    out = _run(
        "add", "--operator", "bob", "--from", "2030-03-01", "--contractor", held[0].code,
        "--contractor", "FREE", "--on-overlap", "keep", "--dry-run",
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "Added: 1, Skipped: 1" and lines[-1] == "Dry run: nothing was written."
    assert _rows() == before


def test_add_without_conflicts_applies_under_warn_and_twice_is_unchanged(
    held: list[Contractor], sellers: list[Operator], branch: Branch
) -> None:
    args = ["add", "--operator", "cecylia", "--from", "2030-05-01", "--contractor", "FREE"]
    args += ["--type", "deputy", "--branch", "krk", "--priority", "3"]
    assert _run(*args).splitlines()[0] == "Added: 1"
    row = CaretakerAssignment.objects.get(contractor=held[2])
    assert (row.type, row.branch_id, row.priority, row.date_to) == ("deputy", branch.pk, 3, None)
    assert _run(*args).splitlines()[0] == "Unchanged: 1"
    assert CaretakerAssignment.objects.filter(contractor=held[2]).count() == 1


def test_change_end_and_delete_go_through_the_services(
    held: list[Contractor], sellers: list[Operator]
) -> None:
    row = CaretakerAssignment.objects.get(contractor=held[0])
    assert _run("change", str(row.pk), "--type", "deputy", "--priority", "2").strip() == (
        f"Assignment #{row.pk} saved."
    )
    _run("change", str(row.pk), "--operator", "bob", "--to", "2030-06-30")
    row.refresh_from_db()
    assert (row.operator.user.username, row.type, row.priority, row.date_to) == (
        "bob",
        "deputy",
        2,
        date(2030, 6, 30),
    )
    _run("change", str(row.pk), "--open")
    row.refresh_from_db()
    assert row.date_to is None
    _run("end", str(row.pk), "--on", "2030-09-30")
    row.refresh_from_db()
    assert row.date_to == date(2030, 9, 30)
    assert _run("delete", str(row.pk)).strip() == f"Assignment #{row.pk} deleted."
    assert not CaretakerAssignment.objects.filter(pk=row.pk).exists()
    reasons = [
        h.history_change_reason for h in CaretakerAssignment.history.filter(id=row.pk).order_by("history_id")
    ]
    assert reasons == ["caretaker_add", *["assignment_update"] * 4, "assignment_delete"]


def test_refusals_write_nothing_with_their_exit_codes(
    held: list[Contractor], sellers: list[Operator], make_operator: Callable[..., Operator]
) -> None:
    row = CaretakerAssignment.objects.get(contractor=held[0])
    other = CaretakerAssignment.objects.get(contractor=held[1])
    _run(
        "add",
        "--operator",
        "bob",
        "--from",
        "2031-01-01",
        "--contractor",
        held[0].code,
        "--on-overlap",
        "replace",
    )
    before = _rows()
    make_operator("viewer", can_assign=False)
    make_operator("jan", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    cases = [
        (["change", str(row.pk), "--to", "2031-06-30"], 1, "Collides with the assignment of"),
        (["change", str(row.pk), "--to", "2029-01-01"], 2, "--to: "),
        (["change", str(row.pk), "--from", "2030-02-30"], 2, "--from: "),
        (["change", str(row.pk), "--operator", "nobody"], 2, "--operator: no operator nobody"),
        (["change", str(row.pk), "--role", "nieznana"], 2, "--role: unknown nieznana"),
        (["end", "999999", "--on", "2030-12-31"], 2, "No assignment #999999."),
        (["delete", "abc"], 2, "No assignment #abc."),
        (["delete", str(other.pk), "--user", "viewer"], 2, "permission"),
        (["delete", str(other.pk), "--user", "jan"], 2, f"No assignment #{other.pk}."),
        (["add", "--operator", "bob", "--from", "2030-03-01"], 2, "Name the contractors"),
        (
            ["add", "--operator", "bob", "--from", "2030-03-01", "--contractor", "NOPE"],
            2,
            "--contractor: unknown NOPE",
        ),
        (
            [
                "add",
                "--operator",
                "bob",
                "--from",
                "2030-03-01",
                "--to",
                "2030-02-01",
                "--contractor",
                "FREE",
            ],
            2,
            "--to: ",
        ),
        (["list", "--contractor", "NOPE"], 2, "--contractor: unknown NOPE"),
    ]
    for args, code, message in cases:
        refused = _refused(*args)
        assert refused.returncode == code, (args, str(refused))
        assert message in str(refused), (args, str(refused))
    assert _rows() == before


def test_list_shows_what_the_user_may_see_and_at_most_the_limit(
    held: list[Contractor], sellers: list[Operator], make_operator: Callable[..., Operator], actor: User
) -> None:
    lines = _run("list", "--operator", "anna").splitlines()
    assert lines[0].split() == [
        "id",
        "contractor",
        "operator",
        "type",
        "role",
        "branch",
        "date",
        "from",
        "date",
        "to",
        "priority",
    ]
    assert sorted(line.split()[1] for line in lines[1:]) == sorted(c.code for c in held[:2])
    assert lines[1].split()[2:5] == ["anna", "Main", "Opiekun"]
    limited = _run("list", "--limit", "1").splitlines()
    assert len(limited) == 3 and limited[-1].startswith("… more not listed")
    assert _run("list", "--contractor", held[0].code, "--on", "2029-12-31").splitlines()[1:] == []
    make_operator("jan", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assert _run("list", "--user", "jan").splitlines()[1:] == []  # he cares for nobody
    assert _refused("list", "--limit", "-1").returncode != 0


def test_messages_in_polish(held: list[Contractor], sellers: list[Operator]) -> None:
    refused = _refused("delete", "999999", language="pl")
    assert str(refused) == "Nie ma przypisania nr 999999."
    out = _run("add", "--operator", "bob", "--from", "2030-03-01", "--contractor", "FREE", language="pl")
    assert out.splitlines()[0] == "Dodano: 1"
