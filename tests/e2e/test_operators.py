"""The operators screen in a real Chromium: today's counts and the workload chart."""

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
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.operators.views import PLOT_WIDTH

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"
# username, first name, last name, contractors as main today, as deputy today
TEAM = [
    ("anna", "Anna", "Nowak", 14, 2),
    ("piotr", "Piotr", "Wiśniewski", 9, 5),
    ("kasia", "Katarzyna", "Wójcik", 6, 0),
    ("tomek", "Tomasz", "Kamiński", 3, 4),
]


@pytest.fixture
def team(transactional_db: Any, make_operator: Callable[..., Operator]) -> dict[str, Operator]:
    boss = make_operator("boss")
    boss.user.first_name, boss.user.last_name = "Barbara", "Szef"
    boss.user.save()
    if not CaretakerRole.objects.filter(is_default=True).exists():
        CaretakerRole.objects.create(name="Opiekun handlowy", is_default=True)
    firms = Contractor.objects.bulk_create(
        Contractor(code=f"K{i:04d}", name=f"Firma {i}") for i in range(1, 41)
    )
    start = (today() - timedelta(days=60)).isoformat()
    people: dict[str, Operator] = {"boss": boss}
    taken = 0
    for username, first, last, mains, deputies in TEAM:
        person = make_operator(username, visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
        person.user.first_name, person.user.last_name = first, last
        person.user.save()
        caretaker_add(
            actor=boss.user,
            contractor_ids=[f.pk for f in firms[taken : taken + mains]],
            operator_id=person.pk,
            date_from=start,
            on_overlap="replace",
        )
        if deputies:  # deputies stand in at the end of the list, nobody's own mains
            caretaker_add(
                actor=boss.user,
                contractor_ids=[f.pk for f in firms[-deputies:]],
                operator_id=person.pk,
                date_from=start,
                on_overlap="replace",
                type="deputy",
            )
        taken += mains
        people[username] = person
    return people


def _counts(page: Page, username: str) -> tuple[str, str]:
    row = page.locator(f"[data-testid=operators] tr[data-operator={username}]")
    return (row.locator("[data-count=main]").inner_text(), row.locator("[data-count=deputy]").inner_text())


def test_operators_page_with_the_workload_chart(
    page: Page,
    live_server: Any,
    login: Any,
    screenshot: Callable[[Page, str], None],
    team: dict[str, Operator],
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Operatorzy").click()
    expect(page.get_by_role("heading", name="Operatorzy", exact=True)).to_be_visible()

    for username, _first, _last, mains, deputies in TEAM:
        assert _counts(page, username) == (str(mains), str(deputies))
    chart = page.locator("[data-testid=workload-chart] svg")
    expect(chart).to_be_visible()
    names = chart.locator("g.bar").evaluate_all("bars => bars.map(b => b.dataset.operator)")
    assert names[:4] == [
        "Anna Nowak",
        "Piotr Wiśniewski",
        "Tomasz Kamiński",
        "Katarzyna Wójcik",
    ]  # the busiest first
    anna = chart.locator("g.bar[data-operator='Anna Nowak']")
    widths = [float(anna.locator(f"rect.{kind}").get_attribute("width") or 0) for kind in ("main", "deputy")]
    assert widths == [PLOT_WIDTH * 14 / 16, PLOT_WIDTH * 2 / 16]  # the busiest fills the plot
    screenshot(page, "operators")

    # A count links to the report of exactly those contractors.
    page.locator("[data-testid=operators] tr[data-operator=kasia] [data-count=main] a").click()
    expect(page.locator("[data-testid=report] tbody tr")).to_have_count(6)


def test_own_only_operator_sees_counts_of_their_contractors_only(
    page: Page, live_server: Any, login: Any, team: dict[str, Operator]
) -> None:
    login(page, live_server, "tomek", PASSWORD)
    page.goto(f"{live_server.url}/operatorzy/")
    # Tomek sees only his 3 main and 4 deputy contractors: none of Anna's mains, but
    # both contractors Anna is a deputy of, and 4 of Piotr's 5 (he is deputy there too).
    assert _counts(page, "tomek") == ("3", "4")
    assert _counts(page, "anna") == ("0", "2")
    assert _counts(page, "piotr") == ("0", "4")
    expect(page.locator("[data-testid=workload-chart] svg")).to_be_visible()
