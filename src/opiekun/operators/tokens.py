"""API bearer tokens: issued, checked and revoked here, and nowhere else.

A token is shown once, when it is issued; the database keeps only its SHA-256, so a
leaked database does not leak usable tokens. The first characters are kept in clear
(``prefix``) so that an operator can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from opiekun.operators.access import operator_of
from opiekun.operators.models import ApiToken

TOKEN_PREFIX = "opk_"
PREFIX_LENGTH = 12
# last_used_at is refreshed at most this often, so that a busy client does not turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def may_use_api(user: Any) -> bool:
    """Only active operators (and active superusers) may hold or use a token."""
    if user is None or not user.is_active:
        return False
    return bool(user.is_superuser) or operator_of(user) is not None


def token_issue(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the raw token (shown only now)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:PREFIX_LENGTH], digest=_digest(raw)
    )
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw``, its user still allowed to use the API; else None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(digest=_digest(raw), revoked_at__isnull=True).first()
    )
    if token is None or not may_use_api(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> None:
    """Revoke a token for good; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
