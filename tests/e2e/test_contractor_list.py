"""The contractor list in a real Chromium: ticked rows kept across pages (with a visible
count and "clear selection"), page sizes 25/50/100/200, the selection sent by POST to
the dialog, and a request too large for the server answered in the dialog."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def boss(make_operator: Callable[..., Operator], transactional_db: Any) -> Operator:
    return make_operator("boss", can_assign=True)


@pytest.fixture
def firms(make_contractors: Any, transactional_db: Any) -> list[Contractor]:
    return make_contractors(60, prefix="F")


def _status(page: Page) -> Any:
    return page.locator("[data-selection-status]")


def test_ticked_rows_are_kept_across_pages_and_acted_on(
    page: Page, live_server: Any, login: Any, screenshot: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    size = page.get_by_label("Wierszy na stronie")
    expect(size.locator("option")).to_have_text(["25", "50", "100", "200"])
    size.select_option("25")  # applied at once, no button to press
    expect(page).to_have_url(re.compile(r"page_size=25"))
    expect(page.locator("[data-testid=contractors] tbody tr")).to_have_count(25)

    page.get_by_role("checkbox", name=firms[0].code).check()
    page.get_by_role("checkbox", name=firms[1].code).check()
    expect(_status(page)).to_be_visible()
    expect(page.locator("[data-selection-total]")).to_have_text("2")

    page.get_by_role("link", name="Następna ›").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("[data-selection-total]")).to_have_text("2")  # still there
    for contractor in firms[25:28]:
        page.get_by_role("checkbox", name=contractor.code).check()
    expect(page.locator("[data-selection-total]")).to_have_text("5")
    expect(page.locator("[data-selected-count]")).to_have_text("5")
    expect(page.locator("[data-selection-elsewhere]")).to_be_visible()
    screenshot(page, "contractors-selection")

    page.get_by_role("link", name="‹ Poprzednia").click()
    expect(page.get_by_role("checkbox", name=firms[0].code)).to_be_checked()
    expect(page.get_by_role("checkbox", name=firms[1].code)).to_be_checked()
    expect(page.get_by_role("checkbox", name=firms[2].code)).not_to_be_checked()

    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    form = page.locator("[data-testid=add-form]")
    expect(form.locator("[data-testid=selected-count]")).to_have_text("Zaznaczono 5 kontrahentów")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_role("button", name="Zapisz").click()
    expect(page.locator("[data-testid=summary] [data-outcome=added]")).to_contain_text("5")
    chosen = {firms[i].pk for i in (0, 1, 25, 26, 27)}
    assert set(CaretakerAssignment.objects.values_list("contractor_id", flat=True)) == chosen
    # Done: the selection has served and is cleared.
    page.locator("[data-testid=summary]").get_by_role("button", name="Zamknij").click()
    expect(page.get_by_role("checkbox", name=firms[0].code)).not_to_be_checked()
    expect(_status(page)).to_be_hidden()


def test_clear_selection_and_a_new_filter_start_afresh(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("checkbox", name=firms[0].code).check()
    page.goto(f"{live_server.url}/kontrahenci/?page=2")
    page.get_by_role("checkbox", name=firms[55].code).check()
    expect(page.locator("[data-selection-total]")).to_have_text("2")
    page.get_by_role("button", name="Wyczyść zaznaczenie").click()
    expect(_status(page)).to_be_hidden()
    expect(page.locator("[data-selected-count]")).to_be_hidden()
    expect(page.locator("[data-needs-selection]")).to_be_disabled()
    page.reload()
    expect(page.get_by_role("checkbox", name=firms[55].code)).not_to_be_checked()
    page.goto(f"{live_server.url}/kontrahenci/?page=1")
    expect(page.get_by_role("checkbox", name=firms[0].code)).not_to_be_checked()

    # A selection belongs to its filter: filtering again starts a new one.
    page.get_by_role("checkbox", name=firms[0].code).check()
    page.get_by_role("searchbox").fill("F")
    page.get_by_role("button", name="Filtruj").click()
    expect(page.get_by_role("checkbox", name=firms[0].code)).not_to_be_checked()
    expect(_status(page)).to_be_hidden()


def test_a_selection_too_large_for_the_server_gets_a_message_in_the_dialog(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("checkbox", name=firms[0].code).check()
    # More ticked ids than a form may carry (as if ticked on thousands of pages).
    page.evaluate(
        """() => {
            const state = JSON.parse(sessionStorage.getItem("opiekun.contractors.selection"));
            for (let i = 0; i < 110000; i++) state.ids.push(String(10000000 + i));
            sessionStorage.setItem("opiekun.contractors.selection", JSON.stringify(state));
        }"""
    )
    page.reload()
    # Grouped as Polish writes it (a no-break space).
    expect(page.locator("[data-selection-total]")).to_have_text(re.compile(r"^110\s001$"))
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    message = page.locator("#modal [data-testid=too-large]")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Zaznacz najwyżej 100")
    assert not CaretakerAssignment.objects.exists()
