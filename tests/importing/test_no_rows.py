"""A file with no row to import — a header alone (CSV or XLSX, blank rows below it or
not), nothing but blank lines, no bytes — through the screen, the API and the command:
each says so and offers nothing that cannot help (the screen offered "Check again" for a
header alone; the API answered 200, "applied", and the command exit code 0; a file of
blank lines was a header of no columns, three "missing column" errors)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.cli import main
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

HEADER = ["Kod kontrahenta", "Login", "Typ", "Data od", "Data do"]
NO_ROWS_EN = "The file has no rows below its header: there is nothing to import."
NO_ROWS_PL = "Plik nie ma wierszy pod nagłówkiem: nie ma czego importować."
EMPTY_EN = "The file is empty; its first row must name the columns."
EMPTY_PL = "Plik jest pusty; jego pierwszy wiersz musi nazywać kolumny."


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER_ONLY = {
    "header.csv": (";".join(HEADER) + "\n").encode(),
    "header-and-blank-rows.csv": (";".join(HEADER) + "\n\n;;;;\n  \n").encode(),
    "header.xlsx": _xlsx([HEADER]),
}
BLANK = {"blank-lines.csv": b"\n\n\n", "blank-cells.csv": b" ; ;\n\n", "blank.xlsx": _xlsx([["", ""]])}


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _written() -> int:
    return CaretakerAssignment.objects.count() + CaretakerAssignment.history.count()


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", ["true", "false"])
@pytest.mark.parametrize(
    ("name", "message"),
    [*((name, NO_ROWS_EN) for name in HEADER_ONLY), *((name, EMPTY_EN) for name in BLANK)],
)
def test_the_api_answers_422_on_file_and_writes_nothing(
    client_for: Callable[[Operator], Client], admin_op: Operator, name: str, message: str, dry_run: str
) -> None:
    body = {**HEADER_ONLY, **BLANK}[name]
    before = _written()
    response = client_for(admin_op).post(
        "/api/v1/caretakers/import", {"file": SimpleUploadedFile(name, body), "dry_run": dry_run}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", "file"], "msg": message, "type": "value_error"}]}
    assert _written() == before


# --- the screen ---------------------------------------------------------------------------


def _checked(client: Client, name: str, body: bytes) -> str:
    upload = SimpleUploadedFile(name, body)
    response = client.post(reverse("caretakers:import"), {"file": upload, "on_overlap": "keep"})
    assert response.status_code == 302, response.content
    job_id = response["Location"].rstrip("/").split("/")[-1]
    return client.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "check"}).content.decode()


@pytest.mark.parametrize("name", list(HEADER_ONLY))
def test_the_screen_says_a_header_alone_has_no_rows_and_offers_another_file_only(
    client: Client, admin_op: Operator, name: str
) -> None:
    client.force_login(admin_op.user)
    html = _checked(client, name, HEADER_ONLY[name])
    assert NO_ROWS_PL in html and 'data-testid="import-another"' in html
    for offered in ("Sprawdź ponownie", 'name="on_overlap"', "import-apply"):
        assert offered not in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = _checked(client, name, HEADER_ONLY[name])
    assert NO_ROWS_EN in html and "Check again" not in html and "Another file" in html


@pytest.mark.parametrize("name", list(BLANK))
def test_the_screen_says_a_file_of_blank_lines_is_empty(
    client: Client, admin_op: Operator, name: str
) -> None:
    """A CSV at upload (tests/importing/test_upload_refused.py); an XLSX, whose rows
    the upload does not read, by its dry run."""
    client.force_login(admin_op.user)
    if name.endswith(".csv"):
        upload = SimpleUploadedFile(name, BLANK[name])
        response = client.post(reverse("caretakers:import"), {"file": upload, "on_overlap": "keep"})
        assert response.status_code == 400
        html = response.content.decode().split('data-field="file"')[1].split("</div>")[0]
    else:
        html = _checked(client, name, BLANK[name])
    assert EMPTY_PL in html and "Brak wymaganej kolumny" not in html
    assert "Sprawdź ponownie" not in html and "import-apply" not in html


# --- the command --------------------------------------------------------------------------


def _run(*args: str) -> int:
    try:
        main([*args])
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("name", "message"),
    [*((name, NO_ROWS_EN) for name in HEADER_ONLY), *((name, EMPTY_EN) for name in BLANK)],
)
def test_the_command_exits_1_saying_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any, name: str, message: str, dry_run: bool
) -> None:
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / name
    path.write_bytes({**HEADER_ONLY, **BLANK}[name])
    before = _written()
    args = ["import-assignments", str(path), "--language", "en"] + (["--dry-run"] if dry_run else [])
    assert _run(*args) == 1
    assert message in capsys.readouterr().err
    assert _written() == before
