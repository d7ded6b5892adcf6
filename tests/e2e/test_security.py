"""In a real Chromium: the Content-Security-Policy is in force and no screen breaks it
(no inline script, handler or style is refused), and a user revokes an API token on
the "Tokeny API" screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_authenticate, token_issue

pytestmark = pytest.mark.e2e

PASSWORD = "secret-pass-1"


@pytest.fixture
def boss(make_operator: Callable[..., Operator], transactional_db: Any) -> Operator:
    return make_operator("boss", can_assign=True, can_manage_dictionaries=True)


def test_no_screen_breaks_the_content_security_policy(
    page: Page, live_server: Any, login: Callable[..., None], boss: Operator, transactional_db: Any
) -> None:
    for i in range(3):
        Contractor.objects.create(code=f"K{i:04d}", name=f"Firma {i}")
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    login(page, live_server, "boss", PASSWORD)
    header = page.request.get(f"{live_server.url}/kontrahenci/").headers["content-security-policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header

    first = Contractor.objects.order_by("pk").first()
    assert first is not None
    screens = [
        *(
            reverse(name)
            for name in [
                "contractors:list",
                "operators:list",
                "operators:tokens",
                "reports:by_caretaker",
                "absences:list",
                "absences:calendar",
                "coverage:gaps",
                "notices:upcoming",
                "caretakers:import",
                "handovers:list",
                "handovers:new",
            ]
        ),
        reverse("contractors:caretakers", args=[first.pk]),
        reverse("contractors:edit", args=[first.pk]),
    ]
    for url in screens:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + reverse("dictionaries:roles"))
    page.goto(live_server.url + reverse("dictionaries:role_add"))

    page.goto(live_server.url + reverse("contractors:list"))
    page.get_by_role("checkbox", name="K0001").check()
    page.locator("[data-testid=actions-menu] summary").click()
    page.locator("[data-testid=add-caretaker]").click()
    expect(page.locator("[data-testid=add-form]")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert refused == []


def test_a_user_revokes_a_token_on_the_tokens_screen(
    page: Page, live_server: Any, login: Callable[..., None], boss: Operator
) -> None:
    token, raw = token_issue(user=boss.user, name="skrypt")
    login(page, live_server, "boss", PASSWORD)
    page.locator("[data-testid=my-tokens]").click()
    row = page.locator(f"[data-token='{token.prefix}']")
    expect(row).to_contain_text("skrypt")
    expect(row.locator("[data-status]")).to_have_text("aktywny")
    row.get_by_role("button", name="Unieważnij").click()
    expect(page.locator(".messages")).to_contain_text("unieważniony")
    expect(row.locator("[data-status]")).to_have_text("unieważniony")
    assert token_authenticate(raw) is None
