"""`opiekun handover`'s contractors: any code can be named — ``--contractor`` (whole, a
comma in it too, repeatable) and ``--contractors-file`` (one code a line) beside the
comma-separated ``--contractors`` (which split "K,1" into "K" and "1")."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from opiekun.caretakers.models import Branch, CaretakerRole, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
BASE = ("--from", "anna", "--to", "bob", "--on", "2030-03-01", "--language", "en")


@pytest.fixture
def codes(actor: Any, sellers: list[Operator], default_role: CaretakerRole) -> list[str]:
    """Four of anna's contractors, two with a comma in their code."""
    contractors = [
        Contractor.objects.create(code=code, name=f"Firma {code}") for code in ("K,1", "K 2", "K3", "K,4")
    ]
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=sellers[0].pk,
        date_from="2030-01-01",
    )
    return [c.code for c in contractors]


def _handed(*args: str) -> list[str]:
    out = StringIO()
    call_command("handover", *BASE, *args, stdout=out)
    ids = Handover.objects.get().changes.values_list("contractor_id", flat=True)
    return sorted(Contractor.objects.filter(pk__in=ids).values_list("code", flat=True))


def test_a_code_with_a_comma_is_named_with_contractor(codes: list[str]) -> None:
    assert _handed("--contractor", "K,1", "--contractor", "K 2") == ["K 2", "K,1"]


def test_a_file_names_one_code_a_line(codes: list[str], tmp_path: Path) -> None:
    listed = tmp_path / "codes.txt"
    listed.write_text("\ufeffK,1\r\n\n  K,4  \nK3\nK,1\n", encoding="utf-8")  # BOM, CRLF, blanks, a repeat
    assert _handed("--contractors-file", str(listed)) == ["K,1", "K,4", "K3"]


def test_the_file_may_be_standard_input(codes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("K,4\n"))
    assert _handed("--contractors-file", "-") == ["K,4"]


def test_the_forms_combine_and_contractors_may_be_repeated(codes: list[str], tmp_path: Path) -> None:
    listed = tmp_path / "codes.txt"
    listed.write_text("K,4\n", encoding="utf-8")
    args = (
        "--contractors",
        "K3",
        "--contractors",
        "K 2",
        "--contractor",
        "K,1",
        "--contractors-file",
        str(listed),
    )
    assert _handed(*args) == ["K 2", "K,1", "K,4", "K3"]


def test_contractors_still_splits_on_commas(codes: list[str]) -> None:
    with pytest.raises(CommandError, match="--contractors: unknown K, 1") as refused:
        _handed("--contractors", "K,1")
    assert refused.value.returncode == 2 and not Handover.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--contractors-file", "missing.txt"), "--contractors-file: cannot read missing.txt"),
        (("--contractors-file", "EMPTY"), "--contractors-file: no contractor code given"),
        (("--contractor", " "), "--contractor: no contractor code given"),
        (("--contractor", "K,9"), "--contractor: unknown K,9"),
    ],
)
def test_bad_contractors_are_bad_usage_and_write_nothing(
    codes: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EMPTY").write_text("\n \n", encoding="utf-8")
    with pytest.raises(CommandError, match=message) as refused:
        _handed(*args)
    assert refused.value.returncode == 2 and not Handover.objects.exists()


def test_a_role_or_branch_with_a_comma_is_named_with_role_and_branch(
    actor: Any, sellers: list[Operator], default_role: CaretakerRole
) -> None:
    """Roles and branches alike: --role and --branch take one name whole, any case."""
    export = CaretakerRole.objects.create(name="Opiekun, eksport")
    north = Branch.objects.create(code="N,1", name="Północ, Gdańsk")
    firm = Contractor.objects.create(code="K9", name="Firma K9")
    for role, branch in ((export, north), (default_role, None)):
        caretaker_add(
            actor=actor,
            contractor_ids=[firm.pk],
            operator_id=sellers[0].pk,
            date_from="2030-01-01",
            role_id=role.pk,
            branch_id=branch.pk if branch else None,
        )
    with pytest.raises(CommandError, match="--roles: unknown Opiekun, eksport"):
        _handed("--roles", "Opiekun, eksport")
    assert _handed("--role", "opiekun, EKSPORT", "--branch", "północ, gdańsk") == ["K9"]
    handover = Handover.objects.get()
    assert (handover.role_ids, handover.branch_ids) == ([export.pk], [north.pk])
