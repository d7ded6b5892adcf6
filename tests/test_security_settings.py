"""Deployment settings: `OPIEKUN_HTTPS=1` makes `check --deploy` clean and switches on
HSTS, secure cookies and the HTTPS redirect; the published secret key is refused when
DEBUG is off, and without OPIEKUN_SECRET_KEY each installation generates its own key;
every page carries a Content-Security-Policy that no template needs to loosen."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "templates"

HTTPS = {
    "OPIEKUN_HTTPS": "1",
    "OPIEKUN_ALLOWED_HOSTS": "crm.example.com",
    "OPIEKUN_CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
}

HEADERS = """
import django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="crm.example.com")
plain = client.get("/login/")
print("redirect", plain.status_code, plain.get("Location"))
page = client.get("/login/", headers={"x-forwarded-proto": "https"})
print("status", page.status_code)
print("hsts", page.get("Strict-Transport-Security"))
print("csp", page.get("Content-Security-Policy"))
print("secure", page.cookies["csrftoken"]["secure"])
"""


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    # As a deployment has it: none of the test run's own variables.
    left_out = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPIEKUN_") and k not in left_out}
    return env | {"OPIEKUN_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "opiekun.settings"} | extra


def _opiekun(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opiekun.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("key", ["given", "generated"])
def test_check_deploy_is_clean_with_https_on(tmp_path: Path, key: str) -> None:
    extra = HTTPS | ({"OPIEKUN_SECRET_KEY": secrets.token_urlsafe(50)} if key == "given" else {})
    done = _opiekun(_environment(tmp_path, **extra), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_without_https(tmp_path: Path) -> None:
    done = _opiekun(_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W004" in done.stderr  # no HSTS


def test_https_switches_on_hsts_secure_cookies_and_the_redirect(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HEADERS],
        env=_environment(tmp_path, **HTTPS),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert seen["redirect"] == "301 https://crm.example.com/login/"
    assert seen["status"] == "200"
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "upgrade-insecure-requests" in seen["csp"]
    assert seen["secure"] == "True"


def test_the_published_secret_key_is_refused_without_debug(tmp_path: Path) -> None:
    published = "opiekun-dev-secret-key-change-me-in-production"
    refused = _opiekun(_environment(tmp_path, OPIEKUN_SECRET_KEY=published), "check")
    assert refused.returncode != 0
    assert "OPIEKUN_SECRET_KEY is a published key" in refused.stderr
    debugging = _opiekun(_environment(tmp_path, OPIEKUN_SECRET_KEY=published, OPIEKUN_DEBUG="1"), "check")
    assert debugging.returncode == 0, debugging.stderr


def test_without_a_key_each_installation_generates_and_keeps_its_own(tmp_path: Path) -> None:
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    first, second = (
        _opiekun(_environment(tmp_path), "shell", "-v0", "-c", show).stdout.strip() for _ in range(2)
    )
    other = _opiekun(_environment(tmp_path / "other"), "shell", "-v0", "-c", show).stdout.strip()
    assert len(first) >= 50 and first == second != other
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy() -> None:
    policy = Client().get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on (evaluated script)"),
]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_needs_an_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == [], f"{template.relative_to(TEMPLATES)}: {found} (the CSP refuses them)"
