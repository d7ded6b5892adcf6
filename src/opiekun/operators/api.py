"""API: operators and the bearer tokens of the API itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from opiekun.operators.selectors import operator_list, token_list
from opiekun.operators.throttle import login_succeeded
from opiekun.operators.tokens import may_use_api, token_issue, token_revoke
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Id,
    Input,
    Page,
    Paged,
    PageSize,
    Text,
    paginate,
    responses,
)

router = Router(tags=["operators"])


class OperatorOut(Schema):
    id: int
    username: str
    name: str
    active: bool
    visibility: str
    unassigned_access: str
    can_assign: bool
    can_manage_dictionaries: bool
    can_manage_absences: bool

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.get_username())

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return bool(obj.active and obj.user.is_active)


class OperatorQuery(Schema):
    active: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


@router.get("/operators", response=responses({200: Paged[OperatorOut]}, 401, 422))
def operators(request: HttpRequest, filters: Query[OperatorQuery]) -> dict[str, Any]:
    """Operators, the people who may be caretakers (for `operator_id`)."""
    return paginate(
        request,
        operator_list(active=filters.active),
        page=filters.page,
        page_size=filters.page_size,
    )


class TokenIn(Input):
    username: Text = Field(max_length=150)
    password: Text = Field(max_length=4096)
    name: Text = Field("", max_length=100, description="A label to tell tokens apart.")


class TokenOut(Schema):
    id: int
    token: str = Field(description="Shown only now; the server keeps only its SHA-256.")
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime


class TokenInfo(Schema):
    """One of the caller's tokens, without the token itself."""

    id: int
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(description="Recorded at most once a minute.")
    revoked_at: datetime | None
    live: bool = Field(description="Neither revoked nor expired.")
    current: bool = Field(description="The token this request was made with.")

    @staticmethod
    def resolve_live(obj: Any) -> bool:
        return obj.revoked_at is None and obj.expires_at > timezone.now()

    @staticmethod
    def resolve_current(obj: Any, context: Any) -> bool:
        return bool(obj.pk == context["request"].api_token.pk)


class TokenQuery(Schema):
    live: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


@router.post(
    "/auth/token",
    auth=None,
    tags=["auth"],
    response=responses({201: TokenOut}, 401, 422, 429),
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Exchange a username and password for a bearer token. After 10 failed attempts
    for one username from one address, answers 429 (with `Retry-After`) for 15 minutes."""
    # The body was JSON: no form fields for django-axes to record (nor a malformed
    # multipart body for it to trip over).
    request.POST = QueryDict()
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": "Too many failed attempts; try again later."})
    if user is None or not may_use_api(user):
        return Status(401, {"detail": "Wrong username or password, or not an active operator."})
    login_succeeded(request, payload.username)
    token, raw = token_issue(user=user, name=payload.name)
    return Status(
        201,
        {
            "id": token.pk,
            "token": raw,
            "prefix": token.prefix,
            "name": token.name,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        },
    )


@router.delete("/auth/token", tags=["auth"], response=responses({204: None}, 401))
def token_delete(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    token_revoke(token=request.api_token)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/auth/tokens", tags=["auth"], response=responses({200: Paged[TokenInfo]}, 401, 422))
def tokens(request: HttpRequest, filters: Query[TokenQuery]) -> dict[str, Any]:
    """The caller's own tokens, newest first, revoked and expired ones included
    (`live=true` for only the usable ones)."""
    return paginate(
        request,
        token_list(user=request.user, live=filters.live),
        page=filters.page,
        page_size=filters.page_size,
    )


@router.delete("/auth/tokens/{id}", tags=["auth"], response=responses({204: None}, 401, 404))
def token_remove(request: HttpRequest, id: Path[Id]) -> Status[None]:
    """Revoke one of the caller's own tokens (404 for anyone else's)."""
    token = token_list(user=request.user).get(pk=id)
    token_revoke(token=token)
    return Status(204, None)
