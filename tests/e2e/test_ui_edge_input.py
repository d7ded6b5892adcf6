"""What the browser alone shows of edge input: text without spaces, as long as its field
allows, wraps inside its column instead of pushing the rest of the table off screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import assignment_delete, caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


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
