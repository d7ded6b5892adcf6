"""API bearer tokens: issued, checked and revoked here, and nowhere else.

A token is shown once, when it is issued; the database keeps only its SHA-256, so a
leaked database does not leak usable tokens. The first characters are kept in clear
(``prefix``) so that an operator can tell their tokens apart.

A token works until it expires (``settings.API_TOKEN_LIFETIME`` after it was issued,
90 days by default), until it is revoked, or until its user's password changes.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opiekun import joined
from opiekun.operators.access import operator_of
from opiekun.operators.models import ApiToken, Operator

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "opk_"
PREFIX_LENGTH = 12
# last_used_at is refreshed at most this often, so that a busy client does not turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long recording a token's use may wait for the database's write lock before it
# gives up (it is tried again on the next call): a read never queues behind a writer.
LAST_USED_LOCK_WAIT_MS = 50


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def may_use_api(user: Any) -> bool:
    """Only active operators (and active superusers) may hold or use a token."""
    if user is None or not user.is_active:
        return False
    return bool(user.is_superuser) or operator_of(user) is not None


def token_issue(*, user: Any, name: str = "", lifetime: timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the raw token (shown only now)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:PREFIX_LENGTH],
        digest=_digest(raw),
        expires_at=now + (lifetime or settings.API_TOKEN_LIFETIME),
    )
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw``, its user still allowed to use the API; else None."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = _live_token(_digest(raw), now)
    if token is None or not may_use_api(token.user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _record_use(token, now)
    return token


def _token_query(connection: BaseDatabaseWrapper) -> tuple[joined.Columns, str]:
    token, user, operator = ApiToken._meta, get_user_model()._meta, Operator._meta
    found = joined.columns(connection, [(ApiToken, "t"), (get_user_model(), "u"), (Operator, "o")])
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {found.sql} FROM {quote(token.db_table)} t "
        f"INNER JOIN {quote(user.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(operator.db_table)} o ON o.user_id = u.id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
    )
    return found, sql


_token_queries = joined.PerConnection(_token_query)
_TOKEN_USER = ApiToken._meta.get_field("user")
_OPERATOR_USER = Operator._meta.get_field("user")


def _live_token(digest: str, now: datetime) -> ApiToken | None:
    """The live token of ``digest`` with its user and the user's operator profile
    (None cached if it has none), as ``select_related("user__operator")`` reads them
    — in one query through the digest's unique index, written once rather than
    compiled by the ORM on every request: `may_use_api` and every visibility check
    of the request read them. Always from the primary (db_routing: a revoked token
    is refused at once)."""
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    found, sql = _token_queries(connection)
    rows = joined.fetch(connection, found, sql, [digest, connection.ops.adapt_datetimefield_value(now)])
    if not rows:
        return None
    token_span, user_span, operator_span = found.spans
    token = token_span.build(alias, rows[0])
    user = user_span.build(alias, rows[0])
    operator = operator_span.build(alias, rows[0]) if rows[0][operator_span.start] is not None else None
    _TOKEN_USER.set_cached_value(token, user)
    _OPERATOR_USER.remote_field.set_cached_value(user, operator)
    if operator is not None:
        _OPERATOR_USER.set_cached_value(operator, user)
    return token  # type: ignore[no-any-return]


@contextmanager
def _short_lock_wait(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within this block, a statement waiting for a lock gives up after
    LAST_USED_LOCK_WAIT_MS with an OperationalError."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {LAST_USED_LOCK_WAIT_MS}")
        try:
            with transaction.atomic(using=connection.alias):
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")
    else:
        with transaction.atomic(using=connection.alias):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LAST_USED_LOCK_WAIT_MS}ms'")
            yield


def _record_use(token: ApiToken, now: datetime) -> None:
    """Set ``last_used_at``, unless the database is busy with a writer: then skip it.
    The column is bookkeeping; the request it belongs to may be a plain read."""
    connection = connections[router.db_for_write(ApiToken)]
    try:
        with _short_lock_wait(connection):
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
    except OperationalError as error:
        logger.info("last_used_at of API token %s not recorded, the database is busy: %s", token.pk, error)
        return
    token.last_used_at = now


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Revoke a token for good; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def token_revoke_all(*, user: Any) -> int:
    """Revoke every live token of ``user``; the number revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


class RevokeTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for Django's ``password_changed`` hook, which
    runs after any password change that goes through ``set_password`` (the admin,
    ``opiekun changepassword``, a password form) — and not when Django merely re-hashes
    the same password at login. It accepts every password."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            token_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("Changing the password revokes all API tokens of the account.")
