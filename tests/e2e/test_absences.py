"""Absences in a real Chromium: an operator records their leave on Nieobecności, and
the contractors list names the deputy standing in, with the mark and until when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Absence, Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def office(transactional_db: Any, make_operator: Callable[..., Operator]) -> dict[str, Any]:
    role = CaretakerRole.objects.get(is_default=True)
    anna, piotr = make_operator("anna"), make_operator("piotr")
    for person, (first, last) in ((anna, ("Anna", "Nowak")), (piotr, ("Piotr", "Wiśniewski"))):
        person.user.first_name, person.user.last_name = first, last
        person.user.save()
    firm = Contractor.objects.create(code="K0001", name="Hurtownia Pod Lipą")
    start = today() - timedelta(days=30)
    # Through the service, as every writer: it keeps the coverage tables in step.
    for person, kind in ((anna, "main"), (piotr, "deputy")):
        caretaker_add(
            actor=anna.user,
            contractor_ids=[firm.pk],
            operator_id=person.pk,
            date_from=start,
            type=kind,
            role_id=role.pk,
        )
    return {"anna": anna, "piotr": piotr, "firm": firm}


def test_an_absence_added_on_the_page_makes_the_deputy_act_on_the_list(
    page: Page,
    live_server: Any,
    login: Callable[..., None],
    office: dict[str, Any],
    screenshot: Callable[[Page, str], None],
) -> None:
    login(page, live_server, "anna", PASSWORD)
    rows = page.locator("[data-testid=contractors] tbody tr")
    expect(rows.first.locator("[data-testid=acting]")).to_have_text("Anna Nowak")

    page.locator("[data-testid=nav-absences]").click()
    page.locator("[data-testid=add-absence]").click()
    until = today() + timedelta(days=6)
    form = page.locator("[data-testid=absence-form]")
    form.locator("input[name=date_from]").fill(today().strftime("%d.%m.%Y"))
    form.locator("input[name=date_to]").fill(until.strftime("%d.%m.%Y"))
    form.locator("select[name=kind]").select_option("vacation")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=absences] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=absences] tbody tr").first).to_contain_text("urlop")
    assert Absence.objects.get().operator == office["anna"]

    # An overlapping one is refused on its field, naming the other absence.
    page.locator("[data-testid=add-absence]").click()
    form.locator("input[name=date_from]").fill(until.strftime("%d.%m.%Y"))
    form.locator("input[name=date_to]").fill(until.strftime("%d.%m.%Y"))
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-field=date_from] .field-error")).to_contain_text("ma już wtedy nieobecność")
    assert Absence.objects.count() == 1

    page.goto(f"{live_server.url}/kontrahenci/")
    cell = page.locator("[data-testid=contractors] tbody tr").first.locator("[data-testid=acting]")
    expect(cell).to_contain_text("Piotr Wiśniewski")
    expect(cell.locator("[data-testid=acting-mark]")).to_have_text(
        f"zastępuje Anna Nowak do {until.strftime('%d.%m.%Y')}"
    )
    screenshot(page, "acting-mark")


def test_the_save_button_waits_for_the_answer_and_cannot_be_pressed_twice(
    page: Page, live_server: Any, login: Callable[..., None], office: dict[str, Any]
) -> None:
    """Saving an absence of a large portfolio takes seconds: until the answer comes, the
    button says so and is disabled. The save is cut off here (as a dropped connection
    would), so the page stays as it was while waiting."""
    login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server.url}/nieobecnosci/nowa/")
    sent: list[str] = []

    def cut_off(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.post_data or "")
        route.abort("aborted")

    page.route("**/nieobecnosci/nowa/", cut_off)
    form = page.locator("[data-testid=absence-form]")
    form.locator("input[name=date_from]").fill(today().strftime("%d.%m.%Y"))
    form.locator("input[name=date_to]").fill(today().strftime("%d.%m.%Y"))
    save = page.locator("[data-testid=absence-save]")
    expect(save).to_have_text("Zapisz")
    expect(save).to_be_enabled()
    save.click()
    expect(save).to_be_disabled()
    expect(save).to_have_text("Zapisywanie…")
    expect(form).to_have_attribute("aria-busy", "true")
    assert len(sent) == 1 and "date_from=" in sent[0]
    assert Absence.objects.count() == 0
    page.unroute("**/nieobecnosci/nowa/")
