"""Confirmation tokens for two-step changes (WARN previews, and any change that is
previewed before it is made).

A token signs a digest of who asks, what they ask and the state of every row the
change involves. Confirming recomputes the digest under the locks: if anything
involved changed in between, the digests differ and the confirmation is stale.
Tokens are valid for `MAX_AGE` seconds and for one purpose only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import signing

MAX_AGE = 60 * 60  # seconds a preview may be confirmed in


def state_digest(*, actor: Any, request: Mapping[str, Any], rows: Iterable[Iterable[Any]]) -> str:
    """A fingerprint of the caller, the request (JSON-able values) and the rows involved
    (each a sequence of values that identify its state)."""
    state = {
        "actor": getattr(actor, "pk", None),
        "request": request,
        "rows": [[str(value) for value in row] for row in rows],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"opiekun.confirm.{purpose}")


def issue_token(digest: str, *, purpose: str) -> str:
    """A token that confirms the state ``digest`` for ``purpose`` (e.g. "caretaker_add")."""
    return _signer(purpose).sign(digest)


def token_well_formed(token: object, *, purpose: str) -> bool:
    """Whether ``token`` is one this server signed for ``purpose``, expired or stale or
    not: garbage, another type, an empty or a truncated text, or a token of another
    purpose is not. A well-formed token that does not match is a stale preview (a fresh
    one answers it); one that is not well-formed is a wrong field (docs/api.md)."""
    if not isinstance(token, str) or not token:
        return False
    try:
        _signer(purpose).unsign(token)  # no max_age: an expired token is still ours
    except signing.BadSignature:
        return False
    return True


def token_matches(token: object, digest: str, *, purpose: str) -> bool:
    """Whether ``token`` was issued for ``digest`` and ``purpose`` and has not expired.
    Anything that is not such a token (garbage from a client included) does not match."""
    if not isinstance(token, str):
        return False
    try:
        signed = _signer(purpose).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    return signed == digest


class StateHasher:
    """`state_digest` fed a row at a time, for changes too large to hold their rows at
    once: the same caller, request and rows in the same order give the same digest."""

    def __init__(self, *, actor: Any, request: Mapping[str, Any]) -> None:
        self._hash = hashlib.sha256(
            json.dumps(
                {"actor": getattr(actor, "pk", None), "request": request}, sort_keys=True, default=str
            ).encode()
        )

    def add(self, row: Iterable[Any]) -> None:
        # One line per row; the values (ids, a type, dates) hold no tab and no newline.
        self._hash.update(("\t".join(map(str, row)) + "\n").encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
