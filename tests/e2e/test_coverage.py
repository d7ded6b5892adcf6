"""Klienci bez opiekuna and Nadchodzące zmiany in a real Chromium: the link from the
contractors list, today's gaps, the window and sorting, absences considered, a bad
date, the CSV export; the top bar's badge and the upcoming page of an operator, with
a handover to her and a colleague's absence she stands in for."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.services import caretaker_add
from opiekun.caretakers.services.handover import handover_create
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def world(make_operator: Callable[..., Operator]) -> dict[str, Any]:
    boss = make_operator("kierownik", can_assign=True)
    ewa = make_operator("ewa", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    ewa.user.first_name, ewa.user.last_name = "Ewa", "Nowak"
    ewa.user.save()
    day = today()
    firms = {
        code: Contractor.objects.create(code=code, name=name)
        for code, name in [
            ("K0001", "Alfa Handel sp. z o.o."),
            ("K0002", "Beta Serwis S.A."),
            ("K0003", "Gamma Logistyka sp.j."),
            ("K0004", "Delta Budownictwo s.c."),
            ("K0005", "Epsilon Doradztwo sp. z o.o."),
            ("K0006", "Zeta Energia S.A."),
        ]
    }

    def add(code: str, start: int, end: int | None, who: Operator = ewa, type: str = "main") -> None:
        caretaker_add(
            actor=boss.user,
            contractor_ids=[firms[code].pk],
            operator_id=who.pk,
            date_from=day + timedelta(days=start),
            date_to=None if end is None else day + timedelta(days=end),
            type=type,
        )

    add("K0001", -30, None)  # covered
    add("K0002", -30, 6)  # nobody from day 7
    add("K0003", -30, -1)  # nobody since today
    add("K0004", 3, None)  # nobody until day 2
    # Jan cares for K0005 (Ewa his deputy) and K0006 (alone); he is away on days 4-8:
    # Ewa acts for K0005, nobody acts for K0006. From day 10 K0006 is handed to Ewa.
    jan = make_operator("jan")
    jan.user.first_name, jan.user.last_name = "Jan", "Kowalski"
    jan.user.save()
    add("K0005", -30, None, jan)
    add("K0005", -30, None, ewa, "deputy")
    add("K0006", -30, None, jan)
    absence_create(
        actor=jan.user, operator_id=jan.pk, date_from=day + timedelta(days=4), date_to=day + timedelta(days=8)
    )
    handover: dict[str, Any] = dict(
        actor=boss.user,
        from_operator_id=jan.pk,
        to_operator_ids=[ewa.pk],
        date=day + timedelta(days=10),
        contractor_ids=[firms["K0006"].pk],
    )
    result = handover_create(**handover)
    assert handover_create(**handover, confirm_token=result.confirm_token).applied
    return {"boss": boss, "ewa": ewa, "jan": jan, "firms": firms}


def test_gaps_report_from_the_contractors_list(
    page: Page, live_server: Any, login: Any, world: dict[str, Any], screenshot: Any, tmp_path: Path
) -> None:
    login(page, live_server, "kierownik", PASSWORD)
    link = page.get_by_test_id("gaps-link")
    expect(link).to_have_text("Bez opiekuna: 2")
    link.click()
    expect(page.get_by_role("heading", name="Klienci bez opiekuna")).to_be_visible()
    rows = page.locator("[data-testid=gaps] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-contractor", "K0003")
    expect(rows.nth(1)).to_have_attribute("data-contractor", "K0004")
    expect(page.get_by_test_id("gap-total")).to_have_text("2 luki")

    # The default window (90 days), sorted by the gap's start, newest first.
    page.locator("input[name=on]").fill("")
    page.get_by_role("button", name="Pokaż").click()
    expect(rows).to_have_count(3)
    page.get_by_role("link", name="Bez głównego opiekuna od").click()
    page.get_by_role("link", name="Bez głównego opiekuna od ▲").click()
    expect(rows.nth(0)).to_have_attribute("data-contractor", "K0002")

    # Absences considered: K0006 has nobody to act for it while Jan is away; K0005 has
    # Ewa standing in.
    page.get_by_test_id("consider-absences").check()
    page.get_by_role("button", name="Pokaż").click()
    expect(rows).to_have_count(4)
    expect(page.locator("[data-testid=gaps] tbody tr[data-contractor=K0006]")).to_have_count(1)
    expect(page.locator("[data-testid=gaps] tbody tr[data-contractor=K0005]")).to_have_count(0)
    screenshot(page, "coverage-gaps")

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    path = tmp_path / "gaps.csv"
    download.value.save_as(path)
    lines = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert [line[0] for line in lines[1:]] == ["K0002", "K0006", "K0004", "K0003"]  # the view's sorting

    page.locator("input[name=date_from]").fill("31.02.2026")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator(".field-error, .errorlist").first).to_be_visible()
    # The message on the field and no rows (the answer is a 400), in either language.
    expect(page.locator("[data-testid=gaps]")).to_have_count(0)
    expect(page.get_by_role("alert").last).to_have_text(
        "Popraw zaznaczone powyżej filtry, aby zobaczyć raport."
    )
    page.get_by_role("button", name="EN", exact=True).click()
    page.locator("input[name=date_to]").fill("2020-01-01")
    page.locator("input[name=date_from]").fill("2020-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-field=date_to] .field-error")).to_have_text(
        "Date to cannot be earlier than date from."
    )
    expect(page.locator("[data-testid=gaps]")).to_have_count(0)


def test_upcoming_changes_from_the_top_bar(
    page: Page, live_server: Any, login: Any, world: dict[str, Any], screenshot: Any
) -> None:
    login(page, live_server, "ewa", PASSWORD)
    badge = page.get_by_test_id("upcoming-badge")
    # K0004 starts on day 3, Ewa acts for K0005 from day 4, K0002 ends on day 6. K0006,
    # handed to her on day 10, is not hers today: an own-only operator sees it from then.
    expect(badge).to_have_text("3")
    page.get_by_test_id("upcoming-link").click()
    rows = page.locator("[data-testid=upcoming] tbody tr")
    expect(rows).to_have_count(3)
    kinds = [("starts", "K0004"), ("acting", "K0005"), ("ends", "K0002")]
    for index, (kind, code) in enumerate(kinds):
        expect(rows.nth(index)).to_have_attribute("data-kind", kind)
        expect(rows.nth(index)).to_have_attribute("data-contractor", code)
    expect(rows.nth(1)).to_contain_text("zastępuje Jan Kowalski do")
    page.locator("input[name=days]").fill("2")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.get_by_text("W tym okresie nic się nie zmienia.")).to_be_visible()
    page.locator("input[name=days]").fill("14")
    page.get_by_role("button", name="Pokaż").click()
    expect(rows).to_have_count(3)
    screenshot(page, "upcoming-changes")


def test_a_manager_sees_the_handover_both_ways(
    page: Page, live_server: Any, login: Any, world: dict[str, Any]
) -> None:
    login(page, live_server, "kierownik", PASSWORD)
    page.get_by_test_id("upcoming-link").click()
    rows = page.locator("[data-testid=upcoming] tbody tr[data-contractor=K0006]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-kind", "handover_in")
    expect(rows.nth(0)).to_contain_text("przejęcie (przekazanie)")
    expect(rows.nth(1)).to_have_attribute("data-kind", "handover_out")
