"""The dialogs and fields of issue 9 in a real Chromium: every way of closing a
dialog that changed data shows the change, focus stays in an open dialog and comes
back to its opener, date fields take short forms and have a calendar, the timeline
never clips or overlaps its labels, and read-only fields look read-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
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
    return [
        Contractor.objects.create(code=f"K{i:04d}", name=name)
        for i, name in enumerate(["Alfa Handel", "Beta Serwis", "Gamma Logistyka"], 1)
    ]


def _cares_for(boss: Operator, operator: Operator, firm: Contractor, start: str = "2024-01-01") -> None:
    caretaker_add(
        actor=boss.user,
        contractor_ids=[firm.pk],
        operator_id=operator.pk,
        date_from=start,
        on_overlap="replace",
    )


def _add_boss_from_the_list(page: Page, code: str) -> None:
    page.get_by_role("checkbox", name=code).check()
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    form = page.locator("[data-testid=add-form]")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_label("Zmień opiekuna bez ostrzeżeń").check()
    form.get_by_role("button", name="Zapisz").click()
    expect(page.locator("[data-testid=summary] [data-outcome=replaced]")).to_contain_text("1")


def _close(page: Page, how: str) -> None:
    if how == "x":
        page.locator(".modal-x").click()
    elif how == "escape":
        page.keyboard.press("Escape")
    else:  # a click on the dimmed page beside the dialog
        page.locator(".modal-backdrop").click(position={"x": 10, "y": 10})


@pytest.mark.parametrize("how", ["x", "escape", "backdrop"])
def test_every_way_of_closing_the_summary_refreshes_the_list(
    page: Page,
    live_server: Any,
    login: Any,
    boss: Operator,
    anna: Operator,
    firms: list[Contractor],
    how: str,
) -> None:
    _cares_for(boss, anna, firms[1])
    login(page, live_server, "boss", PASSWORD)
    row = page.locator("[data-testid=contractors] tbody tr", has_text="K0002")
    expect(row).to_contain_text("Anna Tester")
    _add_boss_from_the_list(page, "K0002")
    _close(page, how)
    expect(page.locator("#modal")).to_be_empty()
    expect(row).to_contain_text("Boss Tester")
    expect(row).not_to_contain_text("Anna Tester")


def test_closing_the_summary_with_x_refreshes_the_crm_tab(
    page: Page, live_server: Any, login: Any, boss: Operator, anna: Operator, firms: list[Contractor]
) -> None:
    firm = firms[0]
    _cares_for(boss, anna, firm)
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/{firm.pk}/opiekunowie/")
    history = page.locator("[data-testid=history] tbody tr")
    expect(history).to_have_count(1)
    page.locator("[data-testid=add-caretaker]").click()
    form = page.locator("[data-testid=add-form]")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    form.get_by_label("Zmień opiekuna bez ostrzeżeń").check()
    form.get_by_role("button", name="Zapisz").click()
    expect(page.locator("[data-testid=summary]")).to_be_visible()
    page.locator(".modal-x").click()
    expect(history).to_have_count(2)
    expect(page.locator("[data-testid=current-caretakers]")).to_contain_text("Boss Tester")
    expect(page.locator("[data-testid=audit]")).to_contain_text("Boss Tester")


def _focus_in_dialog(page: Page) -> bool:
    return bool(page.evaluate("() => !!document.activeElement.closest('#modal [role=dialog]')"))


def test_tab_stays_in_the_dialog_and_focus_returns_to_the_opener(
    page: Page, live_server: Any, login: Any, boss: Operator, anna: Operator, firms: list[Contractor]
) -> None:
    firm = firms[0]
    _cares_for(boss, anna, firm)
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/{firm.pk}/opiekunowie/")
    edit = page.locator("[data-testid=history] tbody tr").first.get_by_role("button", name="Edytuj")
    edit.click()
    dialog = page.locator("[data-testid=assignment-form]")
    expect(dialog).to_be_visible()
    assert _focus_in_dialog(page)
    stops = 25  # more than the dialog has controls: the focus must wrap around inside
    seen = set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        assert _focus_in_dialog(page)
        seen.add(page.evaluate("() => document.activeElement.outerHTML.slice(0, 60)"))
    assert len(seen) >= 8  # the ×, the fields, the calendar buttons, Anuluj, Zapisz
    for _ in range(stops):
        page.keyboard.press("Shift+Tab")
        assert _focus_in_dialog(page)

    dialog.get_by_role("button", name="Anuluj").click()
    expect(page.locator("#modal")).to_be_empty()
    expect(edit).to_be_focused()

    edit.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#modal")).to_be_empty()
    expect(edit).to_be_focused()


def test_focus_returns_to_the_menu_that_opened_the_dialog(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("checkbox", name="K0001").check()
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    expect(page.locator("[data-testid=add-form]")).to_be_visible()
    assert _focus_in_dialog(page)
    page.locator("[data-testid=add-form]").get_by_role("button", name="Anuluj").click()
    expect(page.locator("[data-testid=actions-menu] summary")).to_be_focused()


def test_dates_typed_short_and_picked_from_the_calendar(
    page: Page, live_server: Any, login: Any, boss: Operator, firms: list[Contractor]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "boss", PASSWORD)
    page.get_by_role("checkbox", name="K0001").check()
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    form = page.locator("[data-testid=add-form]")
    form.locator("select[name=operator_id]").select_option(label="Tester Boss")
    expect(form.locator("input[name=date_from]")).to_have_value(today().strftime("%d.%m.%Y"))

    # The calendar: the browser's own picker, opened by the button beside the field;
    # a day chosen in it is written into the field as dd.mm.rrrr.
    calendar = form.get_by_role("button", name="Wybierz datę z kalendarza")
    expect(calendar).to_have_count(2)
    form.locator("[data-picker-for=date_to]").click()
    form.locator("[data-field=date_to] input[type=date]").evaluate(
        "(el) => { el.value = '2026-12-31'; el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    expect(form.locator("input[name=date_to]")).to_have_value("31.12.2026")
    expect(form.locator("input[name=date_to]")).to_be_focused()

    form.locator("input[name=date_from]").fill("1.1.26")
    form.get_by_role("button", name="Zapisz").click()
    expect(page.locator("[data-testid=summary] [data-outcome=added]")).to_contain_text("1")
    row = CaretakerAssignment.objects.get()
    assert (row.date_from.isoformat(), row.date_to and row.date_to.isoformat()) == (
        "2026-01-01",
        "2026-12-31",
    )
    assert errors == []


def test_the_timeline_never_clips_or_overlaps_a_label(
    page: Page,
    live_server: Any,
    login: Any,
    boss: Operator,
    make_operator: Callable[..., Operator],
    firms: list[Contractor],
) -> None:
    firm = firms[0]
    michal = make_operator("michal")
    michal.user.first_name, michal.user.last_name = "Michał", "Zieliński"
    michal.user.save()
    day = today()
    _cares_for(boss, boss, firm, (day - timedelta(days=730)).isoformat())
    for start, length in ((-400, 12), (-20, 3), (30, 14)):
        caretaker_add(
            actor=boss.user,
            contractor_ids=[firm.pk],
            operator_id=michal.pk,
            date_from=day + timedelta(days=start),
            date_to=day + timedelta(days=start + length),
            type="deputy",
        )
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/{firm.pk}/opiekunowie/")
    svg = page.locator("[data-testid=timeline] svg")
    expect(svg).to_be_visible()

    # Every bar: the full name on hover; any text inside its bar.
    bars = page.locator("[data-testid=timeline] g.bar")
    expect(bars).to_have_count(4)
    for index in range(4):
        bar = bars.nth(index)
        assert (bar.locator("title").text_content() or "").startswith(bar.get_attribute("data-label") or "?")
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=timeline] g.bar')].flatMap(g => {
            const text = g.querySelector('text'); if (!text) return [];
            const t = text.getBBox(), r = g.querySelector('rect').getBBox();
            return (t.x < r.x || t.x + t.width > r.x + r.width) ? [text.textContent] : [];
        })"""
    )
    assert overflow == []
    shown = page.locator("[data-testid=timeline] g.bar text").all_text_contents()
    assert all(text in ("Boss Tester", "Michał Zieliński", "BT", "MZ") for text in shown), shown

    # The axis: today's date and the months never touch; no line runs through a label.
    collisions = page.evaluate(
        """() => {
            const svg = document.querySelector('[data-testid=timeline] svg');
            const labels = [...svg.querySelectorAll('.tick-label, .today-label')].map(t => t.getBBox());
            const lines = [...svg.querySelectorAll('line.tick')].map(l => l.getBBox());
            const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width
                && a.y < b.y + b.height && b.y < a.y + a.height;
            let n = 0;
            labels.forEach((a, i) => labels.forEach((b, j) => { if (i < j && hit(a, b)) n++; }));
            labels.forEach(a => lines.forEach(l => { if (hit(a, l)) n++; }));
            return n;
        }"""
    )
    assert collisions == 0
    expect(page.locator(".today-label")).to_have_count(1)

    # The same facts as text beside the picture, named by the picture.
    listing = page.locator("[data-testid=timeline-list]")
    expect(listing).to_contain_text("Michał Zieliński")
    expect(listing.locator("li li")).to_have_count(4)
    assert svg.get_attribute("aria-describedby") == "timeline-list"


def test_read_only_fields_look_read_only(
    page: Page,
    live_server: Any,
    login: Any,
    boss: Operator,
    make_operator: Callable[..., Operator],
    firms: list[Contractor],
) -> None:
    reader = make_operator(
        "ola", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY, can_assign=False
    )
    _cares_for(boss, reader, firms[0])
    login(page, live_server, "ola", PASSWORD)

    def look(url: str) -> dict[str, str]:
        page.goto(url)
        return page.locator("input[name=name]").evaluate(
            "el => { const s = getComputedStyle(el); return {bg: s.backgroundColor, border: s.borderTopColor,"
            " disabled: String(el.disabled)}; }"
        )

    editable = look(f"{live_server.url}/kontrahenci/{firms[0].pk}/")
    read_only = look(f"{live_server.url}/kontrahenci/{firms[1].pk}/")
    assert editable["disabled"] == "false" and read_only["disabled"] == "true"
    assert read_only["bg"] != editable["bg"]
    assert read_only["border"] != editable["border"]


def test_a_dialog_opened_by_its_address_is_a_styled_page_and_closing_it_goes_home(
    page: Page, live_server: Any, login: Any, boss: Operator
) -> None:
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/operatorzy/przekazania/nowe/")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("el => getComputedStyle(el.closest('.modal-backdrop')).position") == "fixed"
    expect(page).to_have_title("Przekaż klientów · Opiekun")
    # Next, as from the list: the second step comes in the same dialog (htmx).
    page.get_by_role("button", name="Dalej").click()
    expect(page.locator("[data-field=from_operator_id] .field-error")).to_be_visible()
    page.locator("[data-close]").first.click()
    expect(page).to_have_url(f"{live_server.url}/kontrahenci/")
    expect(page.get_by_role("dialog")).to_have_count(0)
