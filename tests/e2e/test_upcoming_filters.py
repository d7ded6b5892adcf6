"""The screens' filter rows in a real Chromium: an error under a field (which
wraps in the field's width) does not move the labels, the inputs or the button of the
row — in both languages and at a laptop's width as at a desktop's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

FORM = "[data-testid=upcoming-filters]"
WRONG = ["days=99999", "operator=99999999", "days=99999&operator=99999999"]


def _positions(page: Page) -> dict[str, list[float]]:
    """The top of every label, input and button of the filter row, in page pixels."""

    def tops(selector: str, count: int) -> list[float]:
        found = page.locator(f"{FORM} {selector}")
        expect(found).to_have_count(count)
        boxes = [found.nth(i).bounding_box() for i in range(count)]
        return [round(box["y"], 1) for box in boxes if box]

    return {"labels": tops("label", 2), "inputs": tops(":is(input, select)", 2), "button": tops("button", 1)}


@pytest.mark.parametrize(("language", "width"), [("pl", 1024), ("en", 1280)])
def test_an_error_under_a_filter_does_not_move_the_labels(
    page: Page,
    live_server: Any,
    login: Any,
    make_operator: Callable[..., Operator],
    language: str,
    width: int,
) -> None:
    make_operator("kierownik")
    page.set_viewport_size({"width": width, "height": 800})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    login(page, live_server, "kierownik", "secret-pass-1")
    url = f"{live_server.url}/nadchodzace-zmiany/"
    page.goto(url)
    expect(page.locator(f"{FORM} .field-error")).to_have_count(0)
    clean = _positions(page)
    assert len(set(clean["labels"])) == 1, clean  # the two labels side by side
    assert abs(clean["button"][0] - clean["inputs"][0]) < 1, clean  # the button level with the inputs
    for query in WRONG:
        page.goto(f"{url}?{query}")
        errors = page.locator(f"{FORM} .field-error")
        expect(errors.first).to_be_visible()
        tall = max(errors.nth(i).bounding_box()["height"] for i in range(errors.count()))  # type: ignore[index]
        assert tall > 25, "the error should wrap to two lines or more, or the test proves nothing"
        assert _positions(page) == clean, query


# Every other screen's filter row, with a wrong date under a field of its first line.
OTHER_ROWS = [
    ("/raporty/klienci-bez-opiekuna/", "gap-filters", "date_from=xx"),
    ("/raporty/kontrahenci-wg-opiekuna/", "report-filters", "date_from=31.02.2026"),
    ("/nieobecnosci/", "absence-filters", "date_from=zz"),
]


@pytest.mark.parametrize(("path", "testid", "query"), OTHER_ROWS)
def test_an_error_moves_no_label_of_its_line_on_any_filter_row(
    page: Page,
    live_server: Any,
    login: Any,
    make_operator: Callable[..., Operator],
    path: str,
    testid: str,
    query: str,
) -> None:
    """The rows aligned their fields' bottoms: a wrapped error under Data od of
    Kontrahenci wg opiekuna moved every other label of its line two lines down."""
    make_operator("kierownik")
    page.set_viewport_size({"width": 1024, "height": 800})
    login(page, live_server, "kierownik", "secret-pass-1")

    def first_line() -> dict[str, float]:
        labels = page.locator(f"[data-testid={testid}] .field > label")
        tops = {labels.nth(i).inner_text(): labels.nth(i).bounding_box()["y"] for i in range(labels.count())}  # type: ignore[index]
        line = min(tops.values())
        return {text: round(y, 1) for text, y in tops.items() if y < line + 1}

    page.goto(f"{live_server.url}{path}")
    clean = first_line()
    assert len(clean) >= 3, clean
    page.goto(f"{live_server.url}{path}?{query}")
    error = page.locator(f"[data-testid={testid}] .field-error")
    expect(error).to_have_count(1)
    assert error.bounding_box()["height"] > 25, "the error should wrap, or the test proves nothing"  # type: ignore[index]
    assert first_line() == clean


def test_buttons_that_wrap_onto_a_line_of_their_own_leave_no_gap_above_them(
    page: Page, live_server: Any, login: Any, make_operator: Callable[..., Operator]
) -> None:
    """At a laptop's width the contractors list's buttons wrap below its fields; they
    kept a label's height of empty space above them (they were padded to be level with
    the inputs even with no input beside them)."""
    make_operator("kierownik")
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, "kierownik", "secret-pass-1")
    page.goto(f"{live_server.url}/kontrahenci/")
    row = page.locator("form.filters")
    search = row.locator("input[name=q]").bounding_box()
    button = row.locator(".buttons button").first.bounding_box()
    assert search and button
    assert button["y"] > search["y"] + search["height"], (
        "the buttons should wrap here, or the test proves nothing"
    )
    gap = button["y"] - (search["y"] + search["height"])
    assert gap < 20, gap  # the field's own margin (.8rem), no label's height more
