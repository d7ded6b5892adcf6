"""Settings read from the environment that take more than a line, for settings.py
(docs/operations.md): the trusted reverse proxies, and the e-mail of the daily digest
(`opiekun notify`).

``OPIEKUN_EMAIL_URL``, e.g. ``smtp://user:password@mail.example.com:587?tls=1`` (or
``?ssl=1``, or ``smtps://``); or ``OPIEKUN_EMAIL_HOST`` / ``_PORT`` / ``_USER`` /
``_PASSWORD`` / ``_USE_TLS`` / ``_USE_SSL``; neither: messages are printed to the console."""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TOKEN_DAYS_MAX = 36_500  # an API token's longest lifetime, a hundred years (`opiekun token --days`)


def env_number(name: str, default: int, *, low: int, high: int | None = None, whole: bool = True) -> Any:
    """The number in the variable ``name`` (``default`` when unset), from ``low`` to
    ``high``: anything else is named in one line (ImproperlyConfigured, which the
    `opiekun` command prints without a traceback), not a ValueError of ``int()``
    raised while the settings load, or an overflow when the value is used."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    value: float | None
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= (high if high is not None else value) or value != value:
        kind = "a whole number" if whole else "a number"
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ImproperlyConfigured(f"{name}: {text!r} is not {kind} {bounds}")
    return value


def trusted_proxies() -> list[str]:
    """``OPIEKUN_TRUSTED_PROXIES``: comma-separated addresses or networks."""
    networks = []
    for entry in os.environ.get("OPIEKUN_TRUSTED_PROXIES", "").split(","):
        if entry.strip():
            try:
                networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
            except ValueError as error:
                raise ImproperlyConfigured(f"OPIEKUN_TRUSTED_PROXIES: {error}") from error
    return networks


def email_settings() -> dict[str, object]:
    """The e-mail settings from the environment (see the module's docstring), with the
    sender (``OPIEKUN_EMAIL_FROM``)."""
    return {
        "EMAIL_TIMEOUT": 30,
        "DEFAULT_FROM_EMAIL": os.environ.get("OPIEKUN_EMAIL_FROM", "opiekun@localhost"),
        **_backend(),
    }


def _backend() -> dict[str, object]:
    url = os.environ.get("OPIEKUN_EMAIL_URL", "")
    host = os.environ.get("OPIEKUN_EMAIL_HOST", "")
    truthy = {"1", "true", "yes", "on"}
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ImproperlyConfigured(
                f"OPIEKUN_EMAIL_URL: unknown scheme {parts.scheme!r} (use smtp:// or smtps://)"
            )
        try:
            port = parts.port
        except ValueError as error:
            raise ImproperlyConfigured(f"OPIEKUN_EMAIL_URL: {error}") from error
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "") in truthy,
            "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "") in truthy,
        }
    if host:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": host,
            "EMAIL_PORT": _port(os.environ.get("OPIEKUN_EMAIL_PORT", "25")),
            "EMAIL_HOST_USER": os.environ.get("OPIEKUN_EMAIL_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("OPIEKUN_EMAIL_PASSWORD", ""),
            "EMAIL_USE_TLS": os.environ.get("OPIEKUN_EMAIL_USE_TLS", "").lower() in truthy,
            "EMAIL_USE_SSL": os.environ.get("OPIEKUN_EMAIL_USE_SSL", "").lower() in truthy,
        }
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise ImproperlyConfigured(f"OPIEKUN_EMAIL_PORT: not a port number: {text!r}")
    return port
