"""Przekazanie klientów in a real Chromium: from Operatorzy through the wizard's three
steps to the confirmation, then the handover's page and its cancelling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def team(transactional_db: Any, make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    """Anna cares for six contractors; Piotr is a deputy of one of them."""
    people = {name: make_operator(name) for name in ("boss", "anna", "piotr", "kasia")}
    for name, (first, last) in {
        "anna": ("Anna", "Nowak"),
        "piotr": ("Piotr", "Wiśniewski"),
        "kasia": ("Katarzyna", "Wójcik"),
    }.items():
        user = people[name].user
        user.first_name, user.last_name = first, last
        user.save()
    firms = Contractor.objects.bulk_create(
        Contractor(code=f"K{i:04d}", name=f"Firma {i}") for i in range(1, 7)
    )
    start = (today() - timedelta(days=90)).isoformat()
    boss = people["boss"].user
    caretaker_add(
        actor=boss, contractor_ids=[f.pk for f in firms], operator_id=people["anna"].pk, date_from=start
    )
    caretaker_add(
        actor=boss,
        contractor_ids=[firms[2].pk],
        operator_id=people["piotr"].pk,
        date_from=start,
        type="deputy",
    )
    return people


def test_hand_over_through_the_wizard_then_cancel(
    page: Page,
    live_server: Any,
    login: Any,
    screenshot: Callable[[Page, str], None],
    team: dict[str, Operator],
) -> None:
    anna, piotr, kasia = team["anna"], team["piotr"], team["kasia"]
    before = sorted(
        CaretakerAssignment.objects.values_list("id", "operator_id", "type", "date_from", "date_to")
    )
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Operatorzy").click()
    page.locator("tr[data-operator=anna] [data-testid=hand-over]").click()

    # 1. What: every type, role and branch of Anna's, every contractor.
    form = page.locator("[data-testid=handover-form]")
    expect(form).to_have_attribute("data-step", "what")
    expect(page.locator("#id_from_operator_id")).to_have_value(str(anna.pk))
    screenshot(page, "handover-what")
    page.get_by_role("button", name="Dalej").click()

    # 2. To whom and when: Piotr and Kasia, from the first day of next month.
    expect(form).to_have_attribute("data-step", "whom")
    page.get_by_role("button", name="Dalej").click()
    expect(page.locator("[data-field=to_operator_ids] .field-error")).to_have_text("To pole jest wymagane.")
    page.get_by_label("Piotr Wiśniewski").check()
    page.get_by_label("Katarzyna Wójcik").check()
    first_of_next_month = (today().replace(day=1) + timedelta(days=32)).replace(day=1)
    page.locator("#id_date").fill(first_of_next_month.strftime("%d.%m.%Y"))
    page.get_by_label("Zmień opiekuna bez ostrzeżeń").check()
    page.get_by_role("button", name="Dalej").click()

    # 3. Preview: per recipient, then per contractor; nothing written yet.
    expect(form).to_have_attribute("data-step", "preview")
    expect(page.locator("[data-testid=handover-totals]")).to_contain_text("6 kontrahentów")
    targets = page.locator("[data-testid=handover-targets] tbody tr")
    expect(targets).to_have_count(2)
    expect(targets.nth(0)).to_contain_text("Piotr Wiśniewski")
    expect(targets.nth(0)).to_contain_text("3")
    rows = page.locator("[data-testid=handover-preview] tbody tr")
    expect(rows).to_have_count(6)
    # Piotr, a deputy of K0003, receives its main role: his deputy days give way.
    expect(page.locator("[data-testid=handover-preview] tr[data-outcome=replaced]")).to_contain_text("K0003")
    assert not Handover.objects.exists()
    screenshot(page, "handover-preview")
    page.get_by_test_id("handover-confirm").click()

    expect(page.locator("[data-testid=handover-done]")).to_be_visible()
    handover = Handover.objects.get()
    assert handover.contractors == 6
    assert (
        CaretakerAssignment.objects.filter(
            operator=anna, date_to=first_of_next_month - timedelta(days=1)
        ).count()
        == 6
    )
    assert sorted(
        CaretakerAssignment.objects.filter(date_from=first_of_next_month).values_list(
            "operator_id", flat=True
        )
    ) == sorted([piotr.pk] * 3 + [kasia.pk] * 3)

    # The handover's page, then cancel: everything as it was.
    page.get_by_test_id("handover-open").click()
    expect(page.get_by_test_id("handover-state")).to_have_attribute("data-state", "planned")
    expect(page.locator("[data-testid=handover-changes] tbody tr")).to_have_count(
        13
    )  # 6 cut, 6 new, 1 deputy trimmed
    page.get_by_test_id("handover-cancel").click()
    page.get_by_test_id("cancel-confirm").click()
    expect(page.get_by_test_id("handover-state")).to_have_attribute("data-state", "cancelled")
    expect(page.locator(".messages")).to_contain_text(f"Przekazanie nr {handover.pk} anulowano.")
    assert (
        sorted(CaretakerAssignment.objects.values_list("id", "operator_id", "type", "date_from", "date_to"))
        == before
    )

    # The list of handovers shows it cancelled.
    page.get_by_role("link", name="Przekazania klientów").click()
    expect(
        page.locator(f"[data-testid=handovers] tr[data-handover='{handover.pk}'] [data-state]")
    ).to_have_text("Anulowane")
