"""Dictionaries: read-only lists for everyone, add and edit only with the permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(make_operator: Callable[..., Operator]) -> Any:
    return make_operator("clerk", can_manage_dictionaries=False).user


@pytest.mark.parametrize("name", ["dictionaries:roles", "dictionaries:branches"])
def test_lists_are_read_only_without_the_permission(
    clerk: Any, branch: Branch, default_role: CaretakerRole, name: str
) -> None:
    response = _client(clerk).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert (default_role.name if name.endswith("roles") else branch.code) in html
    assert "/nowa/" not in html and "/nowy/" not in html
    assert not response.context["editable"]


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("dictionaries:role_add", [], {"name": "Serwisowy", "active": "on"}),
        ("dictionaries:branch_add", [], {"code": "WAW", "name": "Warszawa", "active": "on"}),
    ],
)
def test_writes_without_the_permission_are_403(
    clerk: Any, name: str, args: list[Any], data: dict[str, str]
) -> None:
    client = _client(clerk)
    assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse(name, args=args), data).status_code == 403
    assert not CaretakerRole.objects.filter(name="Serwisowy").exists()
    assert not Branch.objects.filter(code="WAW").exists()


def test_edit_without_the_permission_is_403(clerk: Any, default_role: CaretakerRole, branch: Branch) -> None:
    client = _client(clerk)
    role_url = reverse("dictionaries:role_edit", args=[default_role.pk])
    branch_url = reverse("dictionaries:branch_edit", args=[branch.pk])
    assert client.post(role_url, {"name": "X", "is_default": "on", "active": "on"}).status_code == 403
    assert client.post(branch_url, {"code": "X", "name": "X"}).status_code == 403
    default_role.refresh_from_db()
    assert default_role.name != "X"


def test_add_a_role_and_make_it_the_default(actor: Any, default_role: CaretakerRole) -> None:
    client = _client(actor)
    response = client.post(
        reverse("dictionaries:role_add"), {"name": "Opiekun serwisowy", "is_default": "on", "active": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dictionaries:roles")
    assert list(CaretakerRole.objects.filter(is_default=True).values_list("name", flat=True)) == [
        "Opiekun serwisowy"
    ]
    listing = client.get(reverse("dictionaries:roles")).content.decode()
    assert "Opiekun serwisowy" in listing


def test_role_field_errors_are_shown_and_nothing_is_written(
    actor: Any, default_role: CaretakerRole, legal_role: CaretakerRole
) -> None:
    client = _client(actor)
    url = reverse("dictionaries:role_edit", args=[default_role.pk])
    # Unsetting the default without choosing another, deactivating the default,
    # and a duplicate name: each is refused by role_save on its field.
    response = client.post(url, {"name": legal_role.name.upper(), "active": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"is_default", "name"}
    assert 'class="field-error"' in response.content.decode()
    response = client.post(url, {"name": default_role.name, "is_default": "on"})
    assert "active" in response.context["form"].errors
    default_role.refresh_from_db()
    assert default_role.is_default and default_role.active
    assert client.post(url, {"name": ""}).context["form"].errors["name"]


def test_edit_form_is_filled_and_saves(actor: Any, legal_role: CaretakerRole) -> None:
    client = _client(actor)
    url = reverse("dictionaries:role_edit", args=[legal_role.pk])
    assert client.get(url).context["form"].initial["name"] == legal_role.name
    assert client.post(url, {"name": "Prawny"}).status_code == 302
    legal_role.refresh_from_db()
    assert (legal_role.name, legal_role.active) == ("Prawny", False)


def test_branches_add_edit_and_duplicate_code(actor: Any, branch: Branch) -> None:
    client = _client(actor)
    assert (
        client.post(
            reverse("dictionaries:branch_add"), {"code": "WAW", "name": "Warszawa", "active": "on"}
        ).status_code
        == 302
    )
    duplicate = client.post(
        reverse("dictionaries:branch_add"), {"code": branch.code.lower(), "name": "Kraków 2"}
    )
    assert duplicate.status_code == 200
    assert "code" in duplicate.context["form"].errors
    edit = reverse("dictionaries:branch_edit", args=[branch.pk])
    assert client.post(edit, {"code": "KRK", "name": "Kraków Główny", "active": "on"}).status_code == 302
    assert Branch.objects.get(pk=branch.pk).name == "Kraków Główny"
    assert Branch.objects.count() == 2


def test_unknown_entry_is_404(actor: Any) -> None:
    client = _client(actor)
    assert client.get(reverse("dictionaries:role_edit", args=[999999])).status_code == 404
    assert client.get("/slowniki/role/99999999999999999999999/").status_code == 404


def test_lists_require_login() -> None:
    assert Client().get(reverse("dictionaries:roles")).status_code == 302
