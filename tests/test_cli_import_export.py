"""`opiekun export` and `opiekun import`: files read back, imports all or nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

VALID_NIPS = ("5260250274", "7740001454", "1234563218")


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def history(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> dict[str, Any]:
    ewa, adam = make_operator("ewa"), make_operator("adam")
    first, second, third = make_contractors(3)
    caretaker_add(
        actor=actor,
        contractor_ids=[first.pk, second.pk],
        operator_id=ewa.pk,
        date_from="2024-01-01",
        date_to="2024-12-31",
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[third.pk],
        operator_id=adam.pk,
        date_from="2023-01-01",
        on_overlap="replace",
    )
    return {"ewa": ewa, "adam": adam, "contractors": (first, second, third)}


def test_export_assignments_of_an_operator_in_a_period_to_csv(history: Any, tmp_path: Path) -> None:
    out = tmp_path / "ewa.csv"
    call_command(
        "export",
        "assignments",
        "--operator",
        "ewa",
        "--from",
        "01.06.2024",
        "--to",
        "2024-06-30",
        "-o",
        str(out),
    )
    header, *body = _read_csv(out)
    first, second, _ = history["contractors"]
    assert header[0] == "Kod kontrahenta", "the site's language (Polish) unless --language says otherwise"
    assert sorted((r[0], r[4], r[8], r[9]) for r in body) == [
        (first.code, "ewa", "01.01.2024", "31.12.2024"),
        (second.code, "ewa", "01.01.2024", "31.12.2024"),
    ]


def test_export_in_english_writes_iso_dates_and_english_headers(history: Any, tmp_path: Path) -> None:
    out = tmp_path / "adam.csv"
    call_command("export", "assignments", "--operator", "adam", "--language", "en", "-o", str(out))
    header, *body = _read_csv(out)
    assert header[0] == "Contractor code"
    assert [(r[8], r[9]) for r in body] == [("2023-01-01", "")]


def test_export_assignments_to_xlsx(history: Any, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    call_command("export", "assignments", "--on", "2025-02-01", "-o", str(out))
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))[1:]
    assert [(r[0], r[4], r[8], r[9]) for r in rows] == [
        (history["contractors"][2].code, "adam", datetime(2023, 1, 1), None)
    ]


def test_export_as_a_user_holds_only_what_they_may_see(
    history: Any, make_operator: Callable[..., Operator], tmp_path: Path
) -> None:
    make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    out = tmp_path / "own.csv"
    call_command("export", "contractors", "--user", "own", "-o", str(out))
    assert _read_csv(out)[1:] == []
    call_command("export", "contractors", "-o", str(out))
    assert len(_read_csv(out)[1:]) == 3


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "32.13.2024"],
        ["--operator", "nobody"],
        ["--user", "nobody"],
        ["--contractor", "NOPE"],
    ],
)
def test_export_bad_options_are_a_clear_error(history: Any, args: list[str]) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("export", "assignments", *args)
    assert raised.value.returncode == 2  # bad usage, as the import commands


@pytest.mark.parametrize(
    ("args", "polish", "english"),
    [
        (["--from", "32.13.2024"], "--from: Podaj poprawną datę", "--from: Enter a valid date"),
        (["--on", "jutro"], "--on: Podaj poprawną datę", "--on: Enter a valid date"),
        (
            ["--from", "2024-05-01", "--to", "2024-01-01"],
            "--to: Data do nie może",
            "--to: Date to cannot be earlier than date from.",
        ),
    ],
)
def test_export_bad_dates_are_named_in_the_chosen_language(
    history: Any, tmp_path: Path, args: list[str], polish: str, english: str
) -> None:
    """A period whose end is before its start exported every assignment; a bad date's
    message was English whatever the language."""
    target = tmp_path / "x.csv"
    with pytest.raises(CommandError, match=re.escape(polish)) as raised:
        call_command("export", "assignments", "--output", str(target), *args)
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match=re.escape(english)):
        call_command("export", "assignments", "--output", str(target), "--language", "en", *args)
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--operator", "anna"],
        ["--contractor", "K1"],
        ["--from", "2024-01-01"],
        ["--on", "x"],
        ["--type", "main"],
    ],
)
def test_a_contractors_export_refuses_the_filters_of_assignments(
    history: Any, tmp_path: Path, args: list[str]
) -> None:
    """It ignored them and wrote every contractor: a file holding more than was asked."""
    target = tmp_path / "x.csv"
    with pytest.raises(CommandError, match=f"^{args[0]}: ten filtr działa tylko przy eksporcie") as raised:
        call_command("export", "contractors", "--output", str(target), *args)
    assert raised.value.returncode == 2
    message = f"^{args[0]}: only an export of assignments takes this filter$"
    with pytest.raises(CommandError, match=message):
        call_command("export", "contractors", "--output", str(target), "--language", "en", *args)
    assert not target.exists()


@pytest.mark.parametrize("name", ["x.pdf", "x"])
def test_export_to_a_file_of_an_unknown_format_is_refused(history: Any, tmp_path: Path, name: str) -> None:
    """It wrote CSV into x.pdf without a word."""
    target = tmp_path / name
    with pytest.raises(CommandError, match=r"format wynika z rozszerzenia pliku, \.csv lub \.xlsx") as raised:
        call_command("export", "assignments", "--output", str(target))
    with pytest.raises(
        CommandError, match=r"follows the file's suffix, \.csv or \.xlsx \(given: (\.pdf|no suffix)\)"
    ):
        call_command("export", "assignments", "--output", str(target), "--language", "en")
    assert raised.value.returncode == 2
    assert not target.exists()
    call_command("export", "assignments", "--output", str(target), "--format", "csv")
    assert target.read_bytes().startswith("\ufeff".encode())


def test_export_to_a_file_that_cannot_be_written_is_a_clear_error(history: Any, tmp_path: Path) -> None:
    """It was a FileNotFoundError traceback."""
    target = tmp_path / "no-such-folder" / "x.csv"
    with pytest.raises(CommandError, match=f"--output: cannot write {target}: No such file") as raised:
        call_command("export", "assignments", "--output", str(target), "--language", "en")
    with pytest.raises(CommandError, match=f"--output: nie można zapisać {target}"):
        call_command("export", "assignments", "--output", str(target))
    assert raised.value.returncode == 2


def test_export_csv_to_standard_output(history: Any) -> None:
    out = io.StringIO()
    call_command("export", "assignments", "--operator", "adam", stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    assert history["contractors"][2].code in text


def test_exported_contractors_import_back(actor: Any, history: Any, tmp_path: Path) -> None:
    out = tmp_path / "contractors.xlsx"
    call_command("export", "contractors", "-o", str(out))
    Contractor.objects.all().delete()
    call_command("import", "contractors", str(out), "--user", actor.username, stdout=io.StringIO())
    assert sorted(Contractor.objects.values_list("code", flat=True)) == sorted(
        c.code for c in history["contractors"]
    )


def test_import_csv_creates_every_row_through_the_service(actor: Any, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "in.csv",
        [
            ["Code", "name", "NIP", "active"],
            ["A1", "Alfa sp. z o.o.", "526-025-02-74", "tak"],
            ["A2", "Beta S.A.", "", "nie"],
        ],
    )
    out = io.StringIO()
    call_command("import", "contractors", str(path), "--user", actor.username, "--language", "en", stdout=out)
    assert [line.split() for line in out.getvalue().splitlines() if "Added" in line] == [
        ["│", "Added", "│", "2", "│"]
    ]
    assert list(Contractor.objects.order_by("code").values_list("code", "nip", "active")) == [
        ("A1", "5260250274", True),
        ("A2", "", False),
    ]
    # contractor_create made the importing operator the main caretaker (a setting, on)
    assert CaretakerAssignment.objects.filter(operator__user=actor).count() == 2


def test_import_with_a_bad_row_writes_nothing_and_names_every_bad_field(actor: Any, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "in.csv",
        [
            ["code", "name", "nip", "email"],
            ["A1", "Alfa", VALID_NIPS[0], "a@example.com"],
            ["A2", "Beta", "1234567890", ""],
            ["A3", "Gamma", "", "not-an-e-mail"],
            ["A1", "Duplicate", "", ""],
            ["", "", "", ""],
        ],
    )
    with pytest.raises(CommandError) as raised:
        call_command("import", "contractors", str(path), "--user", actor.username, "--language", "en")
    message = str(raised.value)
    assert "row 3: nip:" in message
    assert "row 4: email:" in message
    assert "row 5: code: The code A1 is also in row 2." in message
    assert "row 2: code: The code A1 is also in row 5." in message
    assert not Contractor.objects.exists()
    assert not CaretakerAssignment.objects.exists()


def test_import_xlsx_with_numbers_typed_by_excel(actor: Any, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Code", "Name", "NIP", "Active"])
    sheet.append(["X1", "Excel firma", int(VALID_NIPS[1]), True])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    call_command("import", "contractors", str(path), "--user", actor.username, stdout=io.StringIO())
    assert Contractor.objects.get(code="X1").nip == VALID_NIPS[1]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"code;name;colour\nA;B;red\n", "Unknown column colour"),
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "Cannot read"),
        (b"\xff\xfe\x00broken", "Cannot read"),
    ],
)
def test_import_of_a_bad_file_is_a_clear_error(
    actor: Any, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / ("in.xlsx" if content.startswith(b"PK") else "in.csv")
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected):
        call_command("import", "contractors", str(path), "--user", actor.username, "--language", "en")
    assert not Contractor.objects.exists()


def test_import_by_a_user_who_is_not_an_operator_is_refused(django_user_model: Any, tmp_path: Path) -> None:
    django_user_model.objects.create_user(username="plain", password="x-secret-1")
    path = _write_csv(tmp_path / "in.csv", [["code", "name"], ["A1", "Alfa"]])
    with pytest.raises(CommandError):
        call_command("import", "contractors", str(path), "--user", "plain")
    assert not Contractor.objects.exists()
