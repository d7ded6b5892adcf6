"""A dialog's address asked for by the browser itself (typed, bookmarked, reloaded) gets
the whole page with the dialog open in it; htmx gets the bare dialog (opiekun/dialogs.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add, handover_create
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogs(actor: Any, contractor: Contractor, make_operator: Any) -> list[str]:
    """The address of every dialog the UI opens with a GET."""
    source: Operator = make_operator("source")
    target: Operator = make_operator("target")
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=source.pk,
        date_from=date(2024, 1, 1),
        date_to=None,
        on_overlap="keep",
        type="main",
    )
    assignment = CaretakerAssignment.objects.get(contractor=contractor)
    arguments = {
        "actor": actor,
        "from_operator_id": source.pk,
        "to_operator_ids": [target.pk],
        "date": today() + timedelta(days=5),
    }
    preview = handover_create(**arguments)
    handover = handover_create(**arguments, confirm_token=preview.confirm_token).handover
    assert handover is not None
    return [
        reverse("caretakers:add") + f"?ids={contractor.pk}",
        reverse("caretakers:edit", args=[assignment.pk]),
        reverse("caretakers:end", args=[assignment.pk]),
        reverse("caretakers:delete", args=[assignment.pk]),
        reverse("handovers:new"),
        reverse("handovers:cancel", args=[handover.pk]),
    ]


def _client(actor: Any) -> Client:
    client = Client()
    client.force_login(actor)
    return client


def test_the_browser_gets_the_whole_page_with_the_dialog_open_in_it(actor: Any, dialogs: list[str]) -> None:
    client = _client(actor)
    for address in dialogs:
        page = client.get(address).content.decode()
        assert page.startswith("<!DOCTYPE html>"), address
        assert 'class="topbar"' in page and "app.css" in page, address  # the layout, styled
        host = page.index('<div id="modal" class="modal-host">')
        assert page.index('role="dialog"') > host, address  # the dialog opened in #modal
        assert 'data-dialog-page data-return="/"' in page, address  # no referrer: home
        # the page is named after its dialog (its <title> was " · Opiekun")
        title = page.split("<title>")[1].split("</title>")[0]
        heading = page.split('<h2 id="modal-title">')[1].split("</h2>")[0]
        assert heading and title == f"{heading} · Opiekun", address


def test_htmx_gets_the_bare_dialog(actor: Any, dialogs: list[str]) -> None:
    client = _client(actor)
    for address in dialogs:
        fragment = client.get(address, headers={"HX-Request": "true"}).content.decode()
        assert fragment.lstrip().startswith('<div class="modal-backdrop"'), address
        assert "<html" not in fragment and "data-dialog-page" not in fragment, address


@pytest.mark.parametrize(
    ("referrer", "back"),
    [
        ("http://testserver/kontrahenci/?q=abc", "http://testserver/kontrahenci/?q=abc"),
        ("https://elsewhere.example.com/", "/"),
        ("http://testserver/operatorzy/przekazania/nowe/", "/"),  # the dialog itself
    ],
)
def test_closing_goes_back_to_this_sites_page_the_user_came_from(
    actor: Any, referrer: str, back: str
) -> None:
    page = _client(actor).get(reverse("handovers:new"), headers={"Referer": referrer}).content.decode()
    assert f'data-dialog-page data-return="{back}"' in page.replace("&amp;", "&")
