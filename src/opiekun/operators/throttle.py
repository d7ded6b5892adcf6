"""Password guessing is slowed down: after too many failed logins for one username
from one address, both the web login and `POST /api/v1/auth/token` refuse further
attempts for a while, right or wrong.

Counts live in Django's cache. The default cache is per process; a deployment with
several web processes configures a shared cache (docs/operations.md).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(request: HttpRequest, username: str) -> str:
    # Hashed: any text may arrive as a username, and cache keys must stay plain ASCII.
    who = f"{request.META.get('REMOTE_ADDR', '')}|{username.strip().lower()}"
    digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()
    return f"opiekun:login-failures:{digest}"


def login_blocked(request: HttpRequest, username: str) -> bool:
    return int(cache.get(_key(request, username), 0)) >= MAX_FAILURES


def login_failed(request: HttpRequest, username: str) -> None:
    key = _key(request, username)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def login_succeeded(request: HttpRequest, username: str) -> None:
    cache.delete(_key(request, username))
