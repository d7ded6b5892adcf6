"""A header of many unknown columns is one error of row 1 — the first ten named, the
rest counted, the known columns listed once — in both imports, through the services
(the API: tests/api/test_import.py), in the user's language. One unknown column keeps
its own message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import assignments_import
from opiekun.contractors.importing import contractors_import
from opiekun.contractors.models import Contractor

pytestmark = pytest.mark.django_db

UNKNOWN = [f"extra{i}" for i in range(20_000)]
MESSAGES = {
    "en": ("Unknown columns (20000): ", "extra9 and 19990 more; known: ", "Unknown column extra0; known: "),
    "pl": (
        "Nieznane kolumny (20000): ",
        "extra9 i 19990 innych; znane: ",
        "Nieznana kolumna extra0; znane: ",
    ),
}


def _write(path: Path, header: list[str], row: list[str]) -> Path:
    path.write_text(";".join(header) + "\n" + ";".join(row) + "\n", encoding="utf-8")
    return path


def _check_one_header_error(errors: list[Any], language: str, known: str) -> None:
    start, middle, _one = MESSAGES[language]
    [error] = [e for e in errors if e.row == 1]
    assert error.column is None
    assert error.message.startswith(start + ", ".join(UNKNOWN[:10]) + " ")
    assert middle in error.message and "extra10" not in error.message
    assert error.message.count(known) == 1 and len(error.message) < 1000


@pytest.mark.parametrize("language", ["en", "pl"])
def test_twenty_thousand_unknown_columns_are_one_error_of_the_header(
    actor: Any, tmp_path: Path, default_role: Any, make_operator: Any, make_contractors: Any, language: str
) -> None:
    make_operator("ewa")
    [contractor] = make_contractors(1)
    people = _write(
        tmp_path / "a.csv",
        ["contractor_code", "operator_login", "date_from", *UNKNOWN],
        [contractor.code, "ewa", "2030-01-01"],
    )
    firms = _write(tmp_path / "c.csv", ["code", "name", *UNKNOWN, "name"], ["Z1", "Zet", "", "Zet"])
    with translation.override(language):
        assignments = assignments_import(actor=actor, path=people, filename="a.csv")
        contractors = contractors_import(actor=actor, path=firms, filename="c.csv")
    _check_one_header_error(assignments.errors, language, "operator_login")
    twice = [e for e in contractors.errors if e.row == 1 and e.column is not None]
    assert [e.column for e in twice] == ["name"]  # the repeated column, once
    _check_one_header_error([e for e in contractors.errors if e not in twice], language, "city")
    assert not CaretakerAssignment.objects.exists() and not Contractor.objects.filter(code="Z1").exists()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_one_unknown_column_keeps_its_own_message_and_column(
    actor: Any, tmp_path: Path, language: str
) -> None:
    path = _write(tmp_path / "c.csv", ["code", "name", "extra0"], ["Z1", "Zet", "x"])
    with translation.override(language):
        [error] = contractors_import(actor=actor, path=path, filename="c.csv").errors
    assert (error.row, error.column) == (1, "extra0") and error.message.startswith(MESSAGES[language][2])
