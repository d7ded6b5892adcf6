"""403, 404 and 500 in the app's frame, Polish first, English on request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def test_404_is_a_polish_page_in_the_apps_frame(client: Client, admin_op: Operator) -> None:
    client.force_login(admin_op.user)
    response = client.get("/kontrahenci/987654321/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Nie znaleziono strony" in page and "Not Found" not in page
    assert '<html lang="pl">' in page and 'class="mainnav"' in page  # the app's frame and menu
    assert 'href="/kontrahenci/"' in page


def test_403_is_a_polish_page_in_the_apps_frame(
    client: Client, make_operator: Any, contractor: Contractor
) -> None:
    viewer = make_operator("viewer", can_assign=False)
    client.force_login(viewer.user)
    response = client.get(f"/opiekunowie/dodaj/?ids={contractor.pk}")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Brak dostępu" in page and "403 Forbidden" not in page
    assert 'class="mainnav"' in page and 'data-testid="current-user"' in page


def test_error_pages_in_english(client: Client, admin_op: Operator) -> None:
    client.force_login(admin_op.user)
    client.cookies["django_language"] = "en"
    page = client.get("/kontrahenci/987654321/").content.decode()
    assert "Page not found" in page and '<html lang="en">' in page
    assert 'class="mainnav"' in page and "Back to the contractors" in page


def test_404_for_a_visitor_who_is_not_logged_in(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Nie znaleziono strony" in page and 'class="mainnav"' not in page


def _failing(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a fault of the server")


def test_500_is_a_polish_page_in_the_apps_frame_or_a_dialog_for_htmx(
    client: Client, admin_op: Operator, contractor: Contractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("opiekun.contractors.views.contractor_get", _failing)
    client.raise_request_exception = False
    client.force_login(admin_op.user)
    response = client.get(f"/kontrahenci/{contractor.pk}/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Błąd serwera" in page and "Server Error (500)" not in page and "Traceback" not in page
    assert '<html lang="pl">' in page and 'class="mainnav"' in page
    dialog = client.get(f"/kontrahenci/{contractor.pk}/", headers={"HX-Request": "true"})
    assert dialog.status_code == 500 and dialog["HX-Retarget"] == "#modal"
    assert "spróbuj ponownie" in dialog.content.decode().lower()


def test_500_when_the_frame_itself_fails_is_a_plain_page(
    client: Client, admin_op: Operator, contractor: Contractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("opiekun.contractors.views.contractor_get", _failing)
    monkeypatch.setattr("opiekun.error_views.render", _failing)
    client.raise_request_exception = False
    client.force_login(admin_op.user)
    response = client.get(f"/kontrahenci/{contractor.pk}/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Błąd serwera</h1>" in page and "Traceback" not in page
