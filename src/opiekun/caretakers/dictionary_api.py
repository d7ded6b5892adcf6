"""API: the caretaker role and branch dictionaries (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.caretakers.services import branch_save, role_save
from opiekun.schemas import DEFAULT_PAGE_SIZE, Input, Page, Paged, PageSize, Text, paginate, responses

router = Router()


class RoleOut(Schema):
    id: int
    name: str
    is_default: bool
    active: bool


class RoleIn(Input):
    name: Text = Field(min_length=1, max_length=100)
    is_default: bool = Field(False, description="Takes the default from the current one.")
    active: bool = True


class BranchOut(Schema):
    id: int
    code: str
    name: str
    active: bool


class BranchIn(Input):
    code: Text = Field(min_length=1, max_length=20)
    name: Text = Field(min_length=1, max_length=100)
    active: bool = True


class DictionaryQuery(Schema):
    active: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


@router.get("/roles", tags=["dictionaries"], response=responses({200: Paged[RoleOut]}, 401, 422))
def roles(request: HttpRequest, filters: Query[DictionaryQuery]) -> dict[str, Any]:
    """Caretaker roles (the dictionary), the default one marked; `active` filters."""
    items = role_list(active=filters.active)
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.post("/roles", tags=["dictionaries"], response=responses({201: RoleOut}, 401, 403, 422))
def role_new(request: HttpRequest, payload: RoleIn) -> Status[CaretakerRole]:
    """Needs the permission to manage dictionaries."""
    return Status(201, role_save(actor=request.user, **payload.model_dump()))


@router.get("/branches", tags=["dictionaries"], response=responses({200: Paged[BranchOut]}, 401, 422))
def branches(request: HttpRequest, filters: Query[DictionaryQuery]) -> dict[str, Any]:
    """Company branches (the dictionary); `active` filters."""
    items = branch_list(active=filters.active)
    return paginate(request, items, page=filters.page, page_size=filters.page_size)


@router.post("/branches", tags=["dictionaries"], response=responses({201: BranchOut}, 401, 403, 422))
def branch_new(request: HttpRequest, payload: BranchIn) -> Status[Branch]:
    """Needs the permission to manage dictionaries."""
    return Status(201, branch_save(actor=request.user, **payload.model_dump()))
