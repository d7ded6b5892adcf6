"""Kontrahenci wg opiekuna in a real Chromium: an operator and a period, sorting,
a bad date, and the CSV export of the view downloaded and read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"
FIRMS = [
    ("K0001", "Alfa Handel sp. z o.o."),
    ("K0002", "Beta Serwis S.A."),
    ("K0003", "Gamma Logistyka sp.j."),
    ("K0004", "Delta Budownictwo s.c."),
    ("K0005", "Epsilon Software sp. z o.o."),
    ("K0006", "Zeta Meble sp.k."),
]


def _person(
    make_operator: Callable[..., Operator], username: str, first: str, last: str, **kwargs: Any
) -> Operator:
    operator = make_operator(username, **kwargs)
    operator.user.first_name, operator.user.last_name = first, last
    operator.user.save()
    return operator


@pytest.fixture
def history(transactional_db: Any, make_operator: Callable[..., Operator]) -> dict[str, Any]:
    """Anna Nowak cared for K0001-K0003 in the first half of 2024 and cares for K0004
    and K0005 since July; Piotr took over K0001-K0003; Anna is a legal deputy of K0006
    in Kraków. (A transactional test starts from empty tables: roles are made here.)"""
    boss = _person(make_operator, "boss", "Barbara", "Szef", can_manage_dictionaries=True)
    anna = _person(make_operator, "anna", "Anna", "Nowak")
    piotr = _person(make_operator, "piotr", "Piotr", "Wiśniewski")
    trade = CaretakerRole.objects.filter(is_default=True).first() or CaretakerRole.objects.create(
        name="Opiekun handlowy", is_default=True
    )
    legal = CaretakerRole.objects.create(name="Opiekun prawny")
    krakow = Branch.objects.create(code="KRK", name="Kraków")
    firms = {code: Contractor.objects.create(code=code, name=name) for code, name in FIRMS}

    def add(codes: list[str], operator: Operator, start: str, end: str | None = None, **kwargs: Any) -> None:
        caretaker_add(
            actor=boss.user,
            contractor_ids=[firms[c].pk for c in codes],
            operator_id=operator.pk,
            date_from=start,
            date_to=end,
            on_overlap="replace",
            **kwargs,
        )

    add(["K0001", "K0002", "K0003"], anna, "2024-01-01", "2024-06-30")
    add(["K0001", "K0002", "K0003"], piotr, "2024-07-01")
    add(["K0004", "K0005"], anna, "2024-07-01")
    add(["K0006"], anna, "2024-03-01", type="deputy", role_id=legal.pk, branch_id=krakow.pk)
    add(["K0006"], piotr, "2023-01-01", role_id=trade.pk)
    return {"boss": boss, "anna": anna, "piotr": piotr}


def _codes(page: Page) -> list[str]:
    return page.locator("[data-testid=report] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.contractor)"
    )


def test_operator_and_period_with_the_csv_export(
    page: Page,
    live_server: Any,
    login: Any,
    screenshot: Callable[[Page, str], None],
    history: dict[str, Any],
    tmp_path: Path,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("link", name="Kontrahenci wg opiekuna").click()
    expect(page.get_by_role("heading", name="Kontrahenci wg opiekuna")).to_be_visible()

    filters = page.locator("[data-testid=report-filters]")
    filters.get_by_label("Operator").select_option(label="Nowak Anna")
    filters.get_by_label("Data od").fill("01.06.2024")
    filters.get_by_label("Data do").fill("31.12.2024")
    filters.get_by_role("button", name="Pokaż").click()
    expect(page.locator("[data-testid=report] tbody tr")).to_have_count(6)

    page.locator("[data-testid=report] thead").get_by_role("link", name="Kontrahent").click()
    expect(page.locator("[data-testid=report] thead a.sorted")).to_contain_text("Kontrahent")
    assert _codes(page) == ["K0001", "K0002", "K0003", "K0004", "K0005", "K0006"]
    first = page.locator("[data-testid=report] tbody tr").first
    expect(first).to_contain_text("01.01.2024")  # the assignment's own dates, Polish format
    expect(first).to_contain_text("30.06.2024")
    screenshot(page, "by-caretaker")

    with page.expect_download() as info:
        page.locator("[data-testid=export-csv]").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    assert header[0] == "Kod kontrahenta"
    assert [(r[0], r[1], r[4], r[5] != "", r[8], r[9]) for r in rows] == [
        ("K0001", "Alfa Handel sp. z o.o.", "anna", True, "01.01.2024", "30.06.2024"),
        ("K0002", "Beta Serwis S.A.", "anna", True, "01.01.2024", "30.06.2024"),
        ("K0003", "Gamma Logistyka sp.j.", "anna", True, "01.01.2024", "30.06.2024"),
        ("K0004", "Delta Budownictwo s.c.", "anna", True, "01.07.2024", ""),
        ("K0005", "Epsilon Software sp. z o.o.", "anna", True, "01.07.2024", ""),
        ("K0006", "Zeta Meble sp.k.", "anna", True, "01.03.2024", ""),
    ]


def test_a_contractor_on_a_day_and_a_bad_date(
    page: Page, live_server: Any, login: Any, history: dict[str, Any]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/raporty/kontrahenci-wg-opiekuna/?operator=")
    filters = page.locator("[data-testid=report-filters]")
    filters.locator("[name=contractor]").fill("k0001")
    filters.locator("[name=on]").fill("15.03.2024")
    filters.get_by_role("button", name="Pokaż").click()
    rows = page.locator("[data-testid=report] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anna Nowak")

    filters.locator("[name=on]").fill("31.02.2024")
    filters.get_by_role("button", name="Pokaż").click()
    expect(page.locator("[data-field=on] .field-error")).to_be_visible()
    expect(page.locator("[data-testid=report]")).to_have_count(0)
