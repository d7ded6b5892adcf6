"""What the browser alone shows of edge input: text without spaces, as long as its field
allows, wraps inside its column instead of pushing the rest of the table off screen."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from opiekun.caretakers.import_jobs import import_job_create, save
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import assignment_delete, caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"
LINES = (  # how many lines of text the element takes
    "e => { const r = document.createRange(); r.selectNodeContents(e); const tops = new Set();"
    " for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top)); return tops.size; }"
)


def test_a_name_without_spaces_wraps_inside_the_list(
    page: Page, live_server: Any, login: Any, make_operator: Callable[..., Operator], transactional_db: Any
) -> None:
    make_operator("boss", can_assign=True)
    Contractor.objects.create(code="LONG", name="Ż" * 250, city="Gdańsk", nip="5260250274")
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/?q=LONG")
    table = page.locator("[data-testid=contractors]")
    expect(table).to_contain_text("Gdańsk")
    widths = page.locator(".table-wrap").first.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert widths[0] <= widths[1]
    city = table.get_by_text("Gdańsk").bounding_box()
    assert city is not None and city["x"] + city["width"] <= page.viewport_size["width"]  # type: ignore[index]


def test_saving_a_dialog_whose_assignment_was_deleted_meanwhile_says_so(
    page: Page,
    live_server: Any,
    login: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Any,
    default_role: Any,
    transactional_db: Any,
) -> None:
    boss = make_operator("boss", can_assign=True)
    contractor = make_contractors(1)[0]
    caretaker_add(
        actor=boss.user,
        contractor_ids=[contractor.pk],
        operator_id=boss.pk,
        date_from="2025-01-01",
        on_overlap="keep",
    )
    assignment = CaretakerAssignment.objects.get()
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/{contractor.pk}/opiekunowie/")
    page.locator(f"[hx-get$='/opiekunowie/{assignment.pk}/edytuj/']").first.click()
    form = page.locator("[data-testid=assignment-form]")
    expect(form).to_be_visible()
    assignment_delete(actor=boss.user, assignment_id=assignment.pk)
    form.get_by_role("button", name="Zapisz").click()
    refused = page.locator("#modal [data-testid=dialog-refused]")
    expect(refused).to_contain_text("już nie istnieje")
    page.locator("#modal").get_by_role("button", name="Zamknij").last.click()
    expect(page.locator("#modal [role=dialog]")).to_have_count(0)
    assert not CaretakerAssignment.objects.exists()


def test_a_progress_whose_import_is_gone_says_so_once_and_stops_asking(
    page: Page,
    live_server: Any,
    login: Any,
    make_operator: Callable[..., Operator],
    transactional_db: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    boss = make_operator("boss", can_assign=True)
    upload = SimpleUploadedFile(
        "opiekunowie.csv", b"contractor_code;operator_login;date_from\n", content_type="text/csv"
    )
    job = import_job_create(user=boss.user, upload=upload, policy="keep")
    job.state = "checking"  # another tab checks it: this page follows the run every second
    save(job)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/panel/" in request.url else None)
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/opiekunowie/import/{job.id}/")
    expect(page.locator("[data-testid=import-panel]")).to_have_attribute("data-state", "checking")
    page.wait_for_timeout(1500)
    assert asked, "the page follows the run"
    shutil.rmtree(job.folder)  # swept meanwhile (IMPORT_KEEP_HOURS) or removed by hand
    refused = page.locator("#modal [data-testid=dialog-refused]")
    expect(refused).to_contain_text("już nie istnieje")
    polls = len(asked)
    page.wait_for_timeout(3000)
    assert len(asked) == polls
    page.locator("#modal").get_by_role("button", name="Zamknij").last.click()
    expect(page.locator("#modal [role=dialog]")).to_have_count(0)


def test_codes_and_numbers_stay_whole_in_a_narrow_list(
    page: Page, live_server: Any, login: Any, make_operator: Callable[..., Operator], transactional_db: Any
) -> None:
    """A long name shares the row with a NIP (a cell of class mono): the name wraps, the
    NIP does not (it broke into two lines once names could wrap anywhere)."""
    make_operator("boss", can_assign=True)
    Contractor.objects.create(code="LONG", name="Ż" * 250, city="Gdańsk", nip="5260250274")
    login(page, live_server, "boss", PASSWORD)
    page.set_viewport_size({"width": 700, "height": 900})
    page.goto(f"{live_server.url}/kontrahenci/?q=LONG")
    table = page.locator("[data-testid=contractors]")
    expect(table).to_contain_text("Gdańsk")
    assert table.get_by_role("link", name="Ż" * 250).evaluate(LINES) > 1  # the name wraps
    assert table.locator("td.mono", has_text="5260250274").evaluate(LINES) == 1
    assert table.get_by_role("link", name="LONG").evaluate(LINES) == 1


def test_ordinary_words_stay_whole_in_a_narrow_window(
    page: Page, live_server: Any, login: Any, make_operator: Callable[..., Operator], transactional_db: Any
) -> None:
    """At 1024 px no cell of Operatorzy breaks a word: a cell takes at most one line per
    word (when every cell could break anywhere, "kontrahenci" and "Lewandowska" split)."""
    boss = make_operator("boss", can_assign=True)
    for login_name, first, last in [
        ("m.lewandowska", "Magdalena", "Lewandowska"),
        ("j.kowalski", "Jan", "Kowalski"),
    ]:
        user = make_operator(login_name, visibility="own").user
        user.first_name, user.last_name = first, last
        user.save()
    login(page, live_server, boss.user.username, PASSWORD)
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{live_server.url}/operatorzy/")
    cells = page.locator("table.grid tbody td")
    expect(cells.first).to_be_visible()
    for index in range(cells.count()):
        cell = cells.nth(index)
        words = len(cell.inner_text().split())
        assert cell.evaluate(LINES) <= max(words, 1), cell.inner_text()
