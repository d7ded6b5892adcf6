"""Import opiekunów: a file the reader cannot read is refused at upload, on the file
field, with the reader's own message, nothing kept — it was taken, and only the dry run
of its job said it could not be read (docs/import.md, "The screen"). What cannot be
told without reading the rows (an XLSX's sheets) is still the dry run's to say."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import Operator
from tests.clients import logged_in

pytestmark = pytest.mark.django_db

HEADER = "Kod kontrahenta;Login;Typ;Data od;Data do\n"
NEITHER = {
    "pl": "Nie można odczytać pliku: to nie jest ani CSV, ani XLSX.",
    "en": "Cannot read the file: it is neither CSV nor XLSX.",
}
EMPTY = {
    "pl": "Plik jest pusty; jego pierwszy wiersz musi nazywać kolumny.",
    "en": "The file is empty; its first row must name the columns.",
}
OLD_EXCEL = {
    "pl": "Stare pliki Excela (.xls) nie są czytane; zapisz arkusz jako XLSX lub CSV.",
    "en": "Old Excel files (.xls) are not read; save the sheet as XLSX or CSV.",
}


def _zip(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


REFUSED: dict[str, tuple[str, bytes, dict[str, str]]] = {
    "no bytes": ("opiekunowie.csv", b"", EMPTY),
    "blank lines": ("opiekunowie.csv", b"\r\n\n  \n", EMPTY),
    "blank cells": ("opiekunowie.txt", b" ; ;\n;;\n", EMPTY),
    "old Excel": ("opiekunowie.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, OLD_EXCEL),
    "an image": ("opiekunowie.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), NEITHER),
    "NUL past the first line": ("opiekunowie.csv", HEADER.encode() + b"K1;ewa\x00;main\n", NEITHER),
    "in no encoding read": ("opiekunowie.csv", b"Kod\x81;Login\x98\nK1;ewa\n", NEITHER),
    "UTF-16 cut in half": ("opiekunowie.csv", b"\xff\xfeK\x00o\x00d\x00\x00\xd8", NEITHER),
    "a broken zip": ("opiekunowie.xlsx", b"PK\x03\x04 broken", NEITHER),
    "a zip of no workbook": ("opiekunowie.xlsx", _zip(**{"notes.txt": b"hello"}), NEITHER),
    "a Word document": (
        "opiekunowie.xlsx",
        _zip(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        NEITHER,
    ),
}


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return Path(settings.IMPORT_DIR)


def _upload(client: Client, name: str, body: bytes) -> Any:
    upload = SimpleUploadedFile(name, body, content_type="application/octet-stream")
    return client.post(reverse("caretakers:import"), {"file": upload, "on_overlap": "keep"})


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_an_unreadable_file_is_refused_at_upload_on_the_file_field(
    admin_op: Operator, import_dir: Path, case: str, language: str
) -> None:
    name, body, message = REFUSED[case]
    response = _upload(logged_in(admin_op, language), name, body)
    assert response.status_code == 400, case
    html = response.content.decode()
    field = html.split('data-field="file"')[1].split("</div>")[0]
    errors = re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', field)
    assert errors == [message[language]], case
    assert not import_dir.exists() or list(import_dir.iterdir()) == [], case  # nothing kept
    assert not CaretakerAssignment.objects.exists()


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("opiekunowie.csv", HEADER.encode()),
        ("opiekunowie.csv", ("\ufeff" + HEADER).encode()),
        ("opiekunowie.txt", HEADER.encode("utf-16")),
        ("opiekunowie.csv", (HEADER + "K1;Łukasz;Główny;01.01.2025;\n").encode("cp1250")),
    ],
)
def test_a_readable_file_is_taken_and_its_dry_run_follows(
    admin_op: Operator, import_dir: Path, name: str, body: bytes
) -> None:
    response = _upload(logged_in(admin_op, "en"), name, body)
    assert response.status_code == 302, response.content
    assert len(list(import_dir.iterdir())) == 1


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_api_says_the_same_of_each(api: Client, case: str) -> None:
    """The API reads the file in its request: the screen's upload now matches it."""
    name, body, message = REFUSED[case]
    response = api.post("/api/v1/caretakers/import", {"file": SimpleUploadedFile(name, body)})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "file"], "msg": message["en"], "type": "value_error"}
    ]
