"""What the browser alone shows of edge input: text without spaces, as long as its field
allows, wraps inside its column instead of pushing the rest of the table off screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


def test_a_name_without_spaces_wraps_inside_the_list(
    page: Page, live_server: Any, login: Any, make_operator: Callable[..., Operator], transactional_db: Any
) -> None:
    make_operator("boss", can_assign=True)
    Contractor.objects.create(code="LONG", name="Ż" * 250, city="Gdańsk", nip="5260250274")
    login(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}/kontrahenci/?q=LONG")
    table = page.locator("[data-testid=contractors]")
    expect(table).to_contain_text("Gdańsk")
    widths = page.locator(".table-wrap").first.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert widths[0] <= widths[1]
    city = table.get_by_text("Gdańsk").bounding_box()
    assert city is not None and city["x"] + city["width"] <= page.viewport_size["width"]  # type: ignore[index]
