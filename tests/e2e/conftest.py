"""Browser fixtures: the system Chromium (never a downloaded browser) and a login helper.

Every browser test is marked `pytest.mark.e2e` and talks to pytest-django's
`live_server`, so the database must be transactional: the server thread sees
only committed rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Page, expect

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# `make test` runs both engines' suites at once, several workers each, with their
# databases and browsers, on a two-CPU machine: a step of a wizard once took more than
# Playwright's default 5 s to answer there (the handover's preview). An assertion waits
# up to 15 s; one that fails still fails, only later.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: the browser tests cannot run in CI")
        pytest.skip(f"SKIPPED: {CHROMIUM} is missing; the browser tests did not run")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A Polish office's browser: Polish first, Warsaw time, a desktop screen."""
    return {
        **browser_context_args,
        "locale": "pl-PL",
        "timezone_id": "Europe/Warsaw",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture(autouse=True)
def default_role_after_flush(transactional_db: Any) -> None:
    """A transactional test ends by flushing every table, taking the default role
    that migration 0003 made with it; put it back, as a fresh install has it."""
    from opiekun.caretakers.models import CaretakerRole

    if not CaretakerRole.objects.filter(is_default=True).exists():
        CaretakerRole.objects.create(name="Opiekun handlowy", is_default=True)


@pytest.fixture
def login_form(transactional_db: Any) -> Callable[[Page, Any, str, str], None]:
    """Log in through the real form, and wait for the page it leads to."""

    def do_login(page: Page, live_server: Any, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form.login-form button[type=submit]").click()
        expect(page.locator("[data-testid=current-user]")).to_be_visible()

    return do_login


@pytest.fixture
def login(transactional_db: Any) -> Callable[[Page, Any, str, str], None]:
    """Log in as the tests that are not about logging in need it, and wait for the
    contractors list: the user's password checked, a session made by Django's own
    login (`Client.force_login`: the `user_logged_in` signal, the session's row) and
    its cookie given to the browser, which then opens the home page. The login form
    itself is what `login_form` goes through (the main flow of test_ui.py, and the
    login tests of the test client); this saves each browser test the login page and
    its POST (docs/architecture.md, "tst6")."""

    def do_login(page: Page, live_server: Any, username: str, password: str) -> None:
        user = User.objects.get(username=username)
        assert user.check_password(password) and user.is_active
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        session = client.cookies[name].value
        page.context.add_cookies([{"name": name, "value": session, "url": live_server.url}])
        page.goto(f"{live_server.url}/")
        expect(page.locator("[data-testid=current-user]")).to_be_visible()

    return do_login


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Page, str], None]:
    """Take a full-page screenshot of a main screen. `make screenshots` (which sets
    OPIEKUN_SCREENSHOTS=1) writes them into docs/screenshots/ for the README; an
    ordinary test run keeps them out of the work tree."""
    folder = SCREENSHOTS if os.environ.get("OPIEKUN_SCREENSHOTS") == "1" else tmp_path

    def take(page: Page, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0

    return take
