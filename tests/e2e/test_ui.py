"""The main flow in a real Chromium: log in, filter, select, add a caretaker under
each policy, read the summary, open the caretaker tab, end and delete, switch the
language, and an own-only operator's view. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def boss(make_operator: Callable[..., Operator], transactional_db: Any) -> Operator:
    return make_operator("boss", can_assign=True)


@pytest.fixture
def anna(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("anna")


@pytest.fixture
def firms(transactional_db: Any) -> list[Contractor]:
    names = [
        "Alfa Handel sp. z o.o.",
        "Beta Serwis SA",
        "Gamma Logistyka",
        "Delta Budownictwo",
        "Epsilon Software",
        "Zeta Meble",
    ]
    return [
        Contractor.objects.create(
            code=f"K{i:04d}", name=name, city="Kraków" if i % 2 else "Warszawa", nip=f"52{i}0250274"[:10]
        )
        for i, name in enumerate(names, 1)
    ]


def _anna_cares_for(boss: Operator, anna: Operator, contractors: list[Contractor]) -> None:
    caretaker_add(
        actor=boss.user,
        contractor_ids=[c.pk for c in contractors],
        operator_id=anna.pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )


def _open_add_dialog(page: Page) -> None:
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    expect(page.locator("[data-testid=add-form]")).to_be_visible()


def _tick(page: Page, *codes: str) -> None:
    for code in codes:
        page.get_by_role("checkbox", name=code).check()


def test_login_filter_and_add_with_keep(
    page: Page,
    live_server: Any,
    login_form: Any,
    screenshot: Any,
    boss: Operator,
    anna: Operator,
    firms: list[Contractor],
) -> None:
    _anna_cares_for(boss, anna, firms[:1])
    page.goto(f"{live_server.url}/kontrahenci/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "login")
    login_form(page, live_server, "boss", PASSWORD)
    expect(page.locator("h1")).to_have_text("Kontrahenci")
    screenshot(page, "contractors-list")

    page.get_by_role("searchbox").fill("Gamma")
    page.get_by_role("button", name="Filtruj").click()
    rows = page.locator("[data-testid=contractors] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("K0003")
    page.get_by_role("link", name="Wyczyść").click()

    _tick(page, "K0001", "K0002")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    _open_add_dialog(page)
    form = page.locator("[data-testid=add-form]")
    expect(form).to_contain_text("Zaznaczono 2 kontrahentów")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_label("Nie zamieniaj operatora").check()
    screenshot(page, "add-dialog")
    form.get_by_role("button", name="Zapisz").click()

    summary = page.locator("[data-testid=summary]")
    expect(summary.locator("[data-outcome=added]")).to_contain_text("1")
    expect(summary.locator("[data-outcome=skipped]")).to_contain_text("1")
    skipped = summary.locator("[data-testid=summary-rows] tr[data-row-outcome=skipped]")
    expect(skipped).to_contain_text("K0001")
    expect(skipped).to_contain_text("Anna Tester")
    screenshot(page, "summary")
    summary.get_by_role("button", name="Zamknij").click()
    expect(page.locator("[data-testid=contractors] tbody tr").nth(1)).to_contain_text("Boss Tester")
    assert CaretakerAssignment.objects.filter(operator=boss).count() == 1


def test_field_errors_in_the_dialog(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    _tick(page, "K0001")
    _open_add_dialog(page)
    form = page.locator("[data-testid=add-form]")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.locator("input[name=date_from]").fill("31.02.2025")
    form.get_by_role("button", name="Zapisz").click()
    expect(page.locator("[data-field=date_from] .field-error")).to_be_visible()
    assert not CaretakerAssignment.objects.exists()


def test_warn_cancel_then_confirm(
    page: Page,
    live_server: Any,
    login: Any,
    screenshot: Any,
    boss: Operator,
    anna: Operator,
    firms: list[Contractor],
) -> None:
    _anna_cares_for(boss, anna, firms[:3])
    login(page, live_server, "boss", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    for attempt in ("cancel", "confirm"):
        _tick(page, "K0001", "K0002", "K0003")
        _open_add_dialog(page)
        form = page.locator("[data-testid=add-form]")
        form.locator("select[name=operator_id]").select_option(label="Tester Boss")
        form.get_by_label("Ostrzegaj o zmianie").check()
        form.get_by_role("button", name="Zapisz").click()
        warn = page.locator("[data-testid=warn-form]")
        expect(warn.locator("[data-testid=warn-changes] tbody tr")).to_have_count(3)
        expect(warn).to_contain_text("Anna Tester")
        expect(warn).to_contain_text("01.01.2024 – …")
        if attempt == "cancel":
            screenshot(page, "warn-dialog")
            warn.get_by_role("button", name="Anuluj").click()
            expect(page.locator("#modal")).to_be_empty()
            assert not CaretakerAssignment.objects.filter(operator=boss).exists()
            page.reload()
        else:
            warn.get_by_role("button", name="Potwierdź").click()
            expect(page.locator("[data-testid=summary] [data-outcome=replaced]")).to_contain_text("3")
    assert CaretakerAssignment.objects.filter(operator=boss).count() == 3


def test_replace_on_all_matching(
    page: Page, live_server: Any, login: Any, boss: Operator, anna: Operator, make_contractors: Any
) -> None:
    many = make_contractors(70, prefix="M")
    _anna_cares_for(boss, anna, many[:5])
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("searchbox").fill("M")
    page.get_by_role("button", name="Filtruj").click()
    page.locator("[data-check-page]").check()
    page.locator("[data-select-all-matching]").click()
    expect(page.locator("[data-selected-count]")).to_have_text("70")
    _open_add_dialog(page)
    form = page.locator("[data-testid=add-form]")
    expect(form).to_contain_text("70")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_label("Zmień opiekuna bez ostrzeżeń").check()
    form.get_by_role("button", name="Zapisz").click()
    summary = page.locator("[data-testid=summary]")
    expect(summary.locator("[data-outcome=added]")).to_contain_text("65")
    expect(summary.locator("[data-outcome=replaced]")).to_contain_text("5")


def test_warn_shows_totals_and_more_on_demand(
    page: Page, live_server: Any, login: Any, boss: Operator, anna: Operator, make_contractors: Any
) -> None:
    many = make_contractors(70, prefix="W")
    _anna_cares_for(boss, anna, many[:60])
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("searchbox").fill("W")
    page.get_by_role("button", name="Filtruj").click()
    page.locator("[data-check-page]").check()
    page.locator("[data-select-all-matching]").click()
    _open_add_dialog(page)
    form = page.locator("[data-testid=add-form]")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_label("Ostrzegaj o zmianie").check()
    form.get_by_role("button", name="Zapisz").click()
    warn = page.locator("[data-testid=warn-form]")
    expect(warn.locator("[data-testid=warn-totals] [data-outcome=replaced]")).to_contain_text("60")
    expect(warn.locator("[data-testid=warn-totals] [data-outcome=added]")).to_contain_text("10")
    rows = warn.locator("[data-testid=warn-change]")
    expect(rows).to_have_count(50)
    warn.get_by_role("button", name="Pokaż więcej").click()
    expect(rows).to_have_count(60)
    expect(warn.get_by_role("button", name="Pokaż więcej")).to_have_count(0)
    assert not CaretakerAssignment.objects.filter(operator=boss).exists()
    warn.get_by_role("button", name="Potwierdź").click()
    summary = page.locator("[data-testid=summary]")
    expect(summary.locator("[data-outcome=replaced]")).to_contain_text("60")
    assert CaretakerAssignment.objects.filter(operator=boss).count() == 70


def test_caretaker_tab_end_and_delete(
    page: Page,
    live_server: Any,
    login: Any,
    screenshot: Any,
    boss: Operator,
    anna: Operator,
    firms: list[Contractor],
) -> None:
    firm = firms[0]
    _anna_cares_for(boss, anna, [firm])
    caretaker_add(
        actor=boss.user, contractor_ids=[firm.pk], operator_id=boss.pk, date_from="2024-03-01", type="deputy"
    )
    caretaker_add(
        actor=boss.user,
        contractor_ids=[firm.pk],
        operator_id=boss.pk,
        date_from="2025-01-01",
        on_overlap="replace",
    )
    login(page, live_server, "boss", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=firm.name).click()
    page.locator("[data-testid=caretaker-tab]").click()
    expect(page.locator("[data-testid=current-caretakers]")).to_contain_text("Boss Tester")
    expect(page.locator("[data-testid=timeline] svg")).to_be_visible()
    expect(page.locator("[data-testid=timeline] .today")).to_have_count(1)
    history = page.locator("[data-testid=history] tbody tr")
    expect(history).to_have_count(3)
    expect(page.locator("[data-testid=audit]")).to_contain_text("01.01.2024 – 31.12.2024")
    screenshot(page, "caretaker-tab")

    anna_row = page.locator("[data-testid=history] tr", has_text="Anna Tester")
    deputy_row = page.locator("[data-testid=history] tr", has_text="Zastępca")
    deputy_row.get_by_role("button", name="Zakończ").click()
    dialog = page.locator("[data-testid=assignment-form]")
    dialog.locator("input[name=date_to]").fill("30.06.2024")
    dialog.get_by_role("button", name="Zakończ").click()
    expect(deputy_row).to_contain_text("30.06.2024")

    anna_row.get_by_role("button", name="Usuń").click()
    page.locator("[data-testid=assignment-form]").get_by_role("button", name="Anuluj").click()
    expect(history).to_have_count(3)
    anna_row.get_by_role("button", name="Usuń").click()
    page.locator("[data-testid=assignment-form]").get_by_role("button", name="Usuń").click()
    expect(history).to_have_count(2)
    assert not CaretakerAssignment.objects.filter(operator=anna).exists()


def test_language_switch(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("h1")).to_have_text("Contractors")
    expect(page.locator(".mainnav")).to_contain_text("Contractors by caretaker")
    page.get_by_role("button", name="PL").click()
    expect(page.locator("h1")).to_have_text("Kontrahenci")


def test_own_only_operator_sees_own_contractors(
    page: Page,
    live_server: Any,
    login: Any,
    boss: Operator,
    make_operator: Callable[..., Operator],
    firms: list[Contractor],
) -> None:
    own = make_operator(
        "ola", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED, can_assign=False
    )
    caretaker_add(actor=boss.user, contractor_ids=[firms[1].pk], operator_id=own.pk, date_from="2024-01-01")
    login(page, live_server, "ola", PASSWORD)
    rows = page.locator("[data-testid=contractors] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(firms[1].code)
    expect(page.locator("[data-testid=actions-menu]")).to_have_count(0)
    page.get_by_role("link", name=firms[1].name).click()
    page.locator("[data-testid=caretaker-tab]").click()
    expect(page.locator("[data-testid=history]")).to_contain_text("Ola Tester")
    expect(page.get_by_role("button", name="Usuń")).to_have_count(0)
    response = page.goto(f"{live_server.url}/kontrahenci/{firms[0].pk}/")
    assert response is not None and response.status == 404
