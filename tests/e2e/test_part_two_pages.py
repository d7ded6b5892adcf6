"""Faults a new user met on the pages of part two in a real Chromium: the handover
wizard on a phone, and the operators' counts after a handover from today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def team(transactional_db: Any, make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    """Anna cares for three contractors; Piotr for none."""
    people = {name: make_operator(name) for name in ("boss", "anna", "piotr")}
    for name, (first, last) in {"anna": ("Anna", "Nowak"), "piotr": ("Piotr", "Wiśniewski")}.items():
        user = people[name].user
        user.first_name, user.last_name = first, last
        user.save()
    firms = Contractor.objects.bulk_create(
        Contractor(code=f"K{i:04d}", name=f"Firma {i}") for i in range(1, 4)
    )
    caretaker_add(
        actor=people["boss"].user,
        contractor_ids=[f.pk for f in firms],
        operator_id=people["anna"].pk,
        date_from=(today() - timedelta(days=30)).isoformat(),
    )
    return people


def _open_wizard(page: Page, live_server: Any, login: Any) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/operatorzy/")
    page.locator("tr[data-operator=anna] [data-testid=hand-over]").click()
    expect(page.locator("[data-testid=handover-form]")).to_have_attribute("data-step", "what")


def test_the_wizard_fits_a_phone(page: Page, live_server: Any, login: Any, team: dict[str, Operator]) -> None:
    """At 375 px every field of the wizard stays inside the dialog."""
    page.set_viewport_size({"width": 375, "height": 740})
    _open_wizard(page, live_server, login)
    for step in ("what", "whom"):
        expect(page.locator("[data-testid=handover-form]")).to_have_attribute("data-step", step)
        overflow = page.evaluate(
            """() => {
                const box = document.querySelector('#modal .modal').getBoundingClientRect();
                return [...document.querySelectorAll('#modal input, #modal select, #modal textarea')]
                    .filter(e => e.type !== 'hidden' && e.getBoundingClientRect().right > box.right + 0.5)
                    .map(e => e.name);
            }"""
        )
        assert overflow == [], step
        page.get_by_role("button", name="Dalej").click()


def test_closing_the_done_dialog_shows_the_new_counts(
    page: Page, live_server: Any, login: Any, team: dict[str, Operator]
) -> None:
    """A handover from today moves the counts of Operatorzy; closing the dialog shows them."""
    _open_wizard(page, live_server, login)
    anna = page.locator("tr[data-operator=anna] [data-count=main]")
    piotr = page.locator("tr[data-operator=piotr] [data-count=main]")
    expect(anna).to_have_text("3")
    page.get_by_role("button", name="Dalej").click()
    # Step two starts from today, with "Ostrzegaj o zmianie".
    expect(page.locator("#id_date")).to_have_value(today().strftime("%d.%m.%Y"))
    expect(page.get_by_label("Ostrzegaj o zmianie")).to_be_checked()
    page.get_by_label("Piotr Wiśniewski").check()
    page.get_by_role("button", name="Dalej").click()
    page.get_by_test_id("handover-confirm").click()
    expect(page.get_by_test_id("handover-done")).to_be_visible()
    page.locator("[data-testid=handover-done] .btn-primary").click()
    expect(anna).to_have_text("0")
    expect(piotr).to_have_text("3")


def test_the_focus_goes_to_the_wrong_codes(
    page: Page, live_server: Any, login: Any, team: dict[str, Operator]
) -> None:
    """After an unknown code the focus lands in the codes box, where the error is."""
    _open_wizard(page, live_server, login)
    page.locator("#id_contractor_codes").fill("K0001 NOPE")
    page.get_by_role("button", name="Dalej").click()
    expect(page.locator("[data-field=contractor_codes] .field-error")).to_have_text(
        "Nieznani kontrahenci: NOPE."
    )
    expect(page.locator("#id_contractor_codes")).to_be_focused()


def test_a_refused_absence_puts_the_focus_on_its_field(
    page: Page, live_server: Any, login: Any, team: dict[str, Operator]
) -> None:
    """A page form sent back with an error (here an overlap) focuses the wrong field."""
    anna = team["anna"]
    start = today() + timedelta(days=10)
    absence_create(actor=anna.user, operator_id=anna.pk, date_from=start, date_to=start + timedelta(days=4))
    login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server.url}/nieobecnosci/nowa/")
    form = page.locator("[data-testid=absence-form]")
    form.locator("input[name=date_from]").fill((start + timedelta(days=2)).strftime("%d.%m.%Y"))
    form.locator("input[name=date_to]").fill((start + timedelta(days=8)).strftime("%d.%m.%Y"))
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-field=date_from] .field-error")).to_contain_text("ma już wtedy nieobecność")
    expect(form.locator("input[name=date_from]")).to_be_focused()
