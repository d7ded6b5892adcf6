"""API: contractors (kontrahenci), always through the caller's visibility."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ValidationInfo, field_validator

from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import (
    contractor_get,
    contractor_list,
    contractor_list_count,
    with_caretakers_today,
)
from opiekun.contractors.services import contractor_create, contractor_delete, contractor_update
from opiekun.schemas import (
    DEFAULT_PAGE_SIZE,
    Id,
    Input,
    Page,
    Paged,
    PageSize,
    Patch,
    Text,
    omissible,
    paginate,
    responses,
)

router = Router(tags=["contractors"])

ContractorOrdering = Literal[
    "code",
    "-code",
    "name",
    "-name",
    "nip",
    "-nip",
    "city",
    "-city",
]


class ContractorOut(Schema):
    id: int
    code: str
    name: str
    nip: str
    regon: str
    street: str
    postal_code: str
    city: str
    email: str
    phone: str
    active: bool
    main_caretaker_id: int | None = Field(
        None,
        description="Today's main caretaker (operator id), without a branch, in the default role "
        "(in a list filtered by role_id: in that role).",
    )

    acting_caretaker_id: int | None = Field(
        None,
        description="Who acts today in the same role, without a branch: the main caretaker when "
        "present, else the first present deputy standing in; null when nobody does (no main "
        "caretaker, or everyone away). See caretaker-info for the reason and until when.",
    )

    @staticmethod
    def resolve_main_caretaker_id(obj: Any) -> int | None:
        return getattr(obj, "main_caretaker_id", None)

    @staticmethod
    def resolve_acting_caretaker_id(obj: Any) -> int | None:
        return getattr(obj, "acting_caretaker_id", None)


class ContractorQuery(Schema):
    search: Text = Field(
        "", max_length=200, description="Code, name or NIP; case and accents ignored ('lodz' finds 'Łódź')."
    )
    caretaker_id: Id | None = Field(None, description="Operator caring for it today.")
    role_id: Id | None = Field(None, description="With caretaker_id or without_caretaker: only in this role.")
    active: bool | None = None
    without_caretaker: bool = Field(
        False,
        description="Only contractors with no caretaker today (main or deputy; in role_id if "
        "given, else in any role). Not with caretaker_id.",
    )
    ordering: ContractorOrdering = Field(
        "code", description="Each ordering is read off an index; ties are broken by the code."
    )
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE

    @field_validator("without_caretaker")
    @classmethod
    def _not_both(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("caretaker_id") is not None:
            raise ValueError(_("Give either caretaker_id or without_caretaker, not both."))
        return value


class ContractorIn(Input):
    code: Text = Field(min_length=1, max_length=40)
    name: Text = Field(min_length=1, max_length=250)
    nip: Text = Field("", max_length=20, description="Validated; stored as 10 digits.")
    regon: Text = Field("", max_length=20)
    street: Text = Field("", max_length=200)
    postal_code: Text = Field("", max_length=10)
    city: Text = Field("", max_length=100)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=40)
    active: bool = True


class ContractorPatch(Patch):
    """Only the fields sent are changed."""

    code: Text = omissible(min_length=1, max_length=40)
    name: Text = omissible(min_length=1, max_length=250)
    nip: Text = omissible(max_length=20)
    regon: Text = omissible(max_length=20)
    street: Text = omissible(max_length=200)
    postal_code: Text = omissible(max_length=10)
    city: Text = omissible(max_length=100)
    email: Text = omissible(max_length=254)
    phone: Text = omissible(max_length=40)
    active: bool = omissible()


def _annotated(contractor: Contractor) -> Contractor:
    """The contractor with today's main and acting caretakers."""
    return with_caretakers_today([contractor])[0]


@router.get("/contractors", response=responses({200: Paged[ContractorOut]}, 401, 422))
def contractors(request: HttpRequest, filters: Query[ContractorQuery]) -> dict[str, Any]:
    """Contractors the caller may see."""
    asked: dict[str, Any] = {
        "search": filters.search,
        "caretaker_id": filters.caretaker_id,
        "role_id": filters.role_id,
        "active": filters.active,
        "without_caretaker": filters.without_caretaker,
    }
    items = contractor_list(viewer=request.user, ordering=filters.ordering, **asked)
    count = contractor_list_count(viewer=request.user, **asked)
    if count is None and filters.search:  # counted: a search by name may sort its few matches
        count = items.count()
        items = contractor_list(viewer=request.user, ordering=filters.ordering, matches=count, **asked)
    page = paginate(request, items, page=filters.page, page_size=filters.page_size, count=count)
    page["results"] = with_caretakers_today(page["results"], role_id=filters.role_id)
    return page


@router.post("/contractors", response=responses({201: ContractorOut}, 401, 403, 422))
def contractor_new(request: HttpRequest, payload: ContractorIn) -> Status[Contractor]:
    """Create a contractor (any operator may). `code` is unique, `nip` and `regon` are
    checked by their checksums; 422 names each wrong field."""
    contractor = contractor_create(actor=request.user, **payload.model_dump())
    return Status(201, _annotated(contractor))


@router.get("/contractors/{id}", response=responses({200: ContractorOut}, 401, 404))
def contractor_detail(request: HttpRequest, id: Path[Id]) -> Contractor:
    """One contractor, with today's main caretaker; 404 if it does not exist or the caller
    may not see it."""
    return _annotated(contractor_get(viewer=request.user, contractor_id=id))


@router.patch("/contractors/{id}", response=responses({200: ContractorOut}, 401, 403, 404, 422))
def contractor_change(request: HttpRequest, id: Path[Id], payload: ContractorPatch) -> Contractor:
    """Change the fields sent (null is refused where a field has no empty value); 404 for
    a contractor the caller may not see, 403 for a read-only one."""
    contractor = contractor_update(
        actor=request.user, contractor_id=id, **payload.model_dump(exclude_unset=True)
    )
    return _annotated(contractor)


@router.delete("/contractors/{id}", response=responses({204: None}, 401, 403, 404))
def contractor_remove(request: HttpRequest, id: Path[Id]) -> Status[None]:
    """Delete a contractor and its caretaker assignments (both kept in the audit trail)."""
    contractor_delete(actor=request.user, contractor_id=id)
    return Status(204, None)
