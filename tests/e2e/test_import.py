"""Import opiekunów in a real Chromium: a file uploaded, the dry run with its progress,
summary and first errors, the error report downloaded, then the valid rows imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def people(
    transactional_db: Any, make_operator: Callable[..., Operator], settings: Any, tmp_path: Path
) -> Any:
    settings.IMPORT_DIR = tmp_path / "imports"
    CaretakerRole.objects.get_or_create(is_default=True, defaults={"name": "Opiekun handlowy"})
    boss = make_operator("boss")
    make_operator("anna")
    for code, name in (("K0001", "Alfa sp. z o.o."), ("K0002", "Beta S.A."), ("K0003", "Gamma s.c.")):
        Contractor.objects.create(code=code, name=name)
    return boss


def test_upload_dry_run_error_report_and_import(
    page: Page,
    live_server: Any,
    login: Any,
    people: Any,
    tmp_path: Path,
    screenshot: Callable[[Page, str], None],
) -> None:
    source = tmp_path / "opiekunowie.csv"
    lines = [
        "Kod kontrahenta;Login;Typ;Rola;Data od;Data do",
        "K0001;anna;Główny;Opiekun handlowy;01.01.2025;",
        "K0002;anna;Zastępca;;2025-02-01;bezterminowo",
        "K0404;anna;Główny;;01.01.2025;",
        "K0003;anna;Główny;;31.02.2025;",
    ]
    source.write_bytes(("\n".join(lines) + "\n").encode("cp1250"))  # as a Polish Excel saves CSV

    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("link", name="Import opiekunów").click()
    expect(page.get_by_role("heading", name="Import opiekunów")).to_be_visible()
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(source))
    form.get_by_label("Zmień opiekuna bez ostrzeżeń").check()
    with page.expect_response(
        lambda r: r.request.method == "GET" and "/opiekunowie/import/" in r.url
    ) as job_page:
        form.get_by_role("button", name="Sprawdź plik").click()
    assert 'data-testid="import-progress"' in job_page.value.text()  # the run shows progress while it works

    panel = page.locator("[data-testid=import-panel]")
    expect(panel).to_have_attribute("data-state", "checked")
    expect(page.locator("[data-testid=import-file]")).to_have_text("opiekunowie.csv")
    summary = page.locator("[data-testid=import-summary]")
    expect(summary.locator("[data-outcome=rows] strong")).to_have_text("4")
    expect(summary.locator("[data-outcome=added] strong")).to_have_text("2")
    expect(summary.locator("[data-outcome=errors] strong")).to_have_text("2")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.first).to_contain_text("Nieznany kontrahent K0404.")
    assert not CaretakerAssignment.objects.exists()
    screenshot(page, "import")

    with page.expect_download() as info:
        page.locator("[data-testid=import-error-report]").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Wiersz", "Kolumna", "Komunikat"]
    assert [r[0] for r in rows[1:]] == ["4", "5"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=import-apply-valid]").click()
    expect(panel).to_have_attribute("data-state", "applied")
    expect(page.locator("[data-testid=import-done]")).to_be_visible()
    assert sorted(CaretakerAssignment.objects.values_list("contractor__code", "type")) == [
        ("K0001", "main"),
        ("K0002", "deputy"),
    ]
    page.goto("about:blank")  # no request of the page may still be running when the server stops


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_header_alone_says_there_are_no_rows_and_offers_another_file(
    page: Page, live_server: Any, login: Any, people: Any, tmp_path: Path, language: str
) -> None:
    """It offered Check again (Sprawdź ponownie) and a policy, which cannot help."""
    source = tmp_path / "naglowek.csv"
    source.write_text("Kod kontrahenta;Login;Typ;Data od;Data do\n", encoding="utf-8")
    login(page, live_server, "boss", PASSWORD)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    page.goto(f"{live_server.url}/opiekunowie/import/")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(source))
    form.locator("button[type=submit]").click()
    panel = page.locator("[data-testid=import-panel]")
    expect(panel).to_have_attribute("data-state", "checked")
    empty = {
        "pl": "Plik nie ma wierszy pod nagłówkiem: nie ma czego importować.",
        "en": "The file has no rows below its header: there is nothing to import.",
    }
    expect(page.locator("[data-testid=import-empty]")).to_have_text(empty[language])
    expect(panel.get_by_role("button")).to_have_count(0)  # neither Check again nor Import
    expect(panel.locator("select")).to_have_count(0)
    panel.locator("[data-testid=import-another]").click()
    expect(page.locator("[data-testid=import-form]")).to_be_visible()
    assert not CaretakerAssignment.objects.exists()
    page.goto("about:blank")
