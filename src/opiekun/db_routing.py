"""Reads from streaming replicas, writes to the primary (docs/operations.md, "Read replicas").

Active only when ``DATABASE_REPLICA_URLS`` names replicas (settings.py adds their
aliases to ``DATABASES``, this router to ``DATABASE_ROUTERS`` and the middleware in
front of the others). Views, selectors and services do not know about it:

- ``ReadYourWritesMiddleware`` decides, once per request, where that request reads:
  a replica for a safe request (GET, HEAD, OPTIONS, TRACE), the primary for every
  other one; and for ``REPLICA_STICKY_SECONDS`` after a request that wrote, the same
  client reads from the primary too — a signed, timestamped cookie says so, so any web
  process can tell and none keeps state. One replica serves the whole request, so a
  page and its count come from the same snapshot of the data.
- ``PrimaryReplicaRouter`` sends every write to the primary, and a read to where the
  request's context variable says — except inside a transaction on the primary
  (``atomic``, and so everything under ``select_for_update``), which always reads
  there: a service's reads and writes see one database. Once a request has written
  (even a GET), its later reads go to the primary too and its client gets the cookie.
- What decides who may come in is read from the primary always, so that it never lags:
  API tokens (a revoked token is refused at once) and django-axes' login attempts (a
  lockout holds in every process). Their writes are bookkeeping (a token's
  ``last_used_at``, a failed login): they do not keep the client on the primary.

Outside a request (management commands, the shell, tests) everything stays on the
primary.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

COOKIE = "opiekun_primary"
_SALT = "opiekun.db_routing.read-your-writes"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Where the current request reads; the primary unless the middleware chose a replica.
_read_alias: ContextVar[str] = ContextVar("opiekun_read_alias", default=DEFAULT_DB_ALIAS)
# Whether the current request has written (other than bookkeeping).
_wrote: ContextVar[bool] = ContextVar("opiekun_wrote", default=False)

# Read from the primary always; writing them is bookkeeping (see above).
PRIMARY_MODELS = frozenset({"operators.apitoken"})
PRIMARY_APPS = frozenset({"axes"})


def _on_primary_only(model: type[Any]) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS


def read_alias() -> str:
    """The database alias the request's reads go to (outside a transaction, before
    it writes)."""
    return _read_alias.get()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "REPLICA_DATABASES", []))


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads where the request reads, except
    inside a transaction on the primary, after the request's first write, and of the
    models that decide who may come in."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        alias = _read_alias.get()
        if alias == DEFAULT_DB_ALIAS:
            return alias
        if _wrote.get() or _on_primary_only(model) or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        if not _on_primary_only(model):
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas hold the primary's very rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _reads_back_on_primary(**kwargs: Any) -> None:
    # request_finished comes once the response is closed, so a streamed export reads
    # from the replica to its last row, and nothing after the request does.
    _read_alias.set(DEFAULT_DB_ALIAS)
    _wrote.set(False)


class ReadYourWritesMiddleware:
    """Choose the request's read database; after a write, keep its client on the
    primary for ``REPLICA_STICKY_SECONDS`` (a signed cookie holding the time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        request_finished.connect(_reads_back_on_primary, dispatch_uid="opiekun.db_routing")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        sticky = int(getattr(settings, "REPLICA_STICKY_SECONDS", 5))
        replicas = replica_aliases()
        writes = request.method not in SAFE_METHODS
        wrote_recently = (
            request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=sticky) is not None
        )
        _wrote.set(False)
        if writes or wrote_recently or not replicas:
            _read_alias.set(DEFAULT_DB_ALIAS)
        else:
            _read_alias.set(random.choice(replicas))
        response = self.get_response(request)
        if (writes or _wrote.get()) and sticky > 0:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=sticky,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
