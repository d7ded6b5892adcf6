"""Kontrahenci wg opiekuna: filtering, visibility, bad input and the export of the view."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

URL = reverse("reports:by_caretaker")


def _export_url(fmt: str) -> str:
    return reverse("reports:by_caretaker_export", args=[fmt])


@pytest.fixture
def world(
    actor: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[..., list[Contractor]],
    legal_role: CaretakerRole,
    branch: Branch,
) -> dict[str, Any]:
    """Ewa cared for a, b in 2024 H1 and cares for c since 2024-07-01 (legal role,
    Kraków branch); Adam is main for b from 2024-07-01 and for d since 2023."""
    ewa, adam = make_operator("ewa"), make_operator("adam")
    a, b, c, d = make_contractors(4)
    caretaker_add(
        actor=actor,
        contractor_ids=[a.pk, b.pk],
        operator_id=ewa.pk,
        date_from="2024-01-01",
        date_to="2024-06-30",
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk],
        operator_id=ewa.pk,
        date_from="2024-07-01",
        on_overlap="replace",
        role_id=legal_role.pk,
        branch_id=branch.pk,
        type="deputy",
    )
    caretaker_add(
        actor=actor, contractor_ids=[b.pk], operator_id=adam.pk, date_from="2024-07-01", on_overlap="replace"
    )
    caretaker_add(
        actor=actor, contractor_ids=[d.pk], operator_id=adam.pk, date_from="2023-01-01", on_overlap="replace"
    )
    return {"ewa": ewa, "adam": adam, "a": a, "b": b, "c": c, "d": d, "legal": legal_role, "branch": branch}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _codes(response: Any) -> list[str]:
    page = response.context["page"]
    return [row.contractor.code for row in page.object_list]


def test_requires_login() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_opened_without_filters_chooses_no_filter_for_the_user(world: Any) -> None:
    """Who cared for a contractor is asked without an operator: none is chosen for
    the viewer, and nothing is read until a filter is."""
    response = _client(world["ewa"].user).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert response.context["page"] is None
    html = response.content.decode()
    assert 'data-testid="report-prompt"' in html
    operators = re.search(r'<select name="operator".*?</select>', html, re.S)
    assert operators is not None
    assert re.findall(r'<option value="([^"]*)" selected>', operators.group(0)) == [""]
    assert 'role="alert"' not in html


def test_the_clear_link_leads_to_the_report_without_filters(actor: Any, world: Any) -> None:
    html = _client(actor).get(URL, {"operator": world["ewa"].pk, "type": "main"}).content.decode()
    assert re.search(rf'<a class="btn btn-link" href="{URL}">', html)


def test_a_contractor_is_found_by_code_name_or_nip(
    actor: Any, world: Any, make_operator: Callable[..., Operator]
) -> None:
    b = world["b"]
    b.name, b.nip = "Farbmet sp. z o.o.", "5260250274"
    b.save()
    client = _client(actor)
    expected = [(world["ewa"].pk, "2024-01-01"), (world["adam"].pk, "2024-07-01")]
    for text in (b.code.lower(), "Farbmet", "farbmet SP. Z O.O.", "526-025-02-74", "PL5260250274", "arbme"):
        response = client.get(URL, {"contractor": text, "sort": "date_from"})
        assert "contractor" not in response.context["form"].errors, text
        rows = response.context["page"].object_list
        assert [(r.operator.pk, r.date_from.isoformat()) for r in rows] == expected, text
        assert f"{b.code} Farbmet sp. z o.o." in response.content.decode()


def test_a_code_as_written_wins_over_the_same_code_in_another_case(
    actor: Any, world: Any, make_contractors: Callable[..., list[Contractor]]
) -> None:
    """Codes are case-sensitive: with K1 and k1 both there, K1 was "several contractors
    match" although the user typed (or the autocomplete put in) one of them exactly."""
    b = world["b"]
    lower = Contractor.objects.create(code=b.code.lower(), name="Inna firma")
    client = _client(actor)
    for text, found in ((b.code, b), (b.code.lower(), lower)):
        response = client.get(URL, {"contractor": text})
        assert "contractor" not in response.context["form"].errors, text
        assert response.context["form"].found_contractor == found, text


def test_a_fragment_that_fits_several_contractors_asks_to_choose(actor: Any, world: Any) -> None:
    response = _client(actor).get(URL, {"contractor": "Firma"})
    errors = response.context["form"].errors["contractor"]
    assert errors == ["Kilku kontrahentów pasuje do Firma: wybierz jednego z listy."]
    response = _client(actor).get(URL, {"contractor": "Farbmet"})
    assert response.context["form"].errors["contractor"] == ["Żaden kontrahent nie pasuje do Farbmet."]


def test_contractor_suggestions_by_code_name_or_nip(
    actor: Any, world: Any, make_operator: Callable[..., Operator]
) -> None:
    b = world["b"]
    b.name, b.nip = "Farbmet sp. z o.o.", "5260250274"
    b.save()
    suggest = reverse("reports:contractor_suggestions")
    client = _client(actor)
    for text in ("farb", "52602", b.code[-4:]):
        results = client.get(suggest, {"q": text}).json()["results"]
        assert {"code": b.code, "name": b.name, "nip": b.nip} in results, text
    assert client.get(suggest, {"q": ""}).json() == {"results": []}
    assert client.get(suggest, {"q": "fa\x00rb"}).json() == {"results": []}
    assert client.get(suggest, {"q": "x" * 5000}).json() == {"results": []}
    assert len(client.get(suggest, {"q": "Firma"}).json()["results"]) == 3
    # Only what the viewer may see; only for a logged-in user.
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assert _client(own.user).get(suggest, {"q": "farb"}).json() == {"results": []}
    assert Client().get(suggest, {"q": "farb"}).status_code == 302


def test_operator_and_period_list_the_contractors_with_the_assignments_own_dates(
    actor: Any, world: Any
) -> None:
    response = _client(actor).get(
        URL,
        {
            "operator": world["ewa"].pk,
            "date_from": "01.06.2024",
            "date_to": "31.07.2024",
            "sort": "contractor",
        },
    )
    assert response.status_code == 200
    assert _codes(response) == [world["a"].code, world["b"].code, world["c"].code]
    html = response.content.decode()
    assert "01.01.2024" in html and "30.06.2024" in html  # the assignment's own dates, Polish
    assert 'data-testid="export-csv"' in html


def test_a_contractor_and_a_period_show_who_cared_for_it(actor: Any, world: Any) -> None:
    response = _client(actor).get(
        URL, {"contractor": world["b"].code.lower(), "date_from": "2024-01-01", "sort": "date_from"}
    )
    page = response.context["page"]
    assert [(r.operator.pk, r.date_from.isoformat()) for r in page.object_list] == [
        (world["ewa"].pk, "2024-01-01"),
        (world["adam"].pk, "2024-07-01"),
    ]


def test_on_a_day_and_role_type_branch_filters(actor: Any, world: Any) -> None:
    client = _client(actor)
    assert _codes(client.get(URL, {"on": "2024-03-15", "sort": "contractor"})) == [
        world["a"].code,
        world["b"].code,
        world["d"].code,
    ]
    assert _codes(client.get(URL, {"role": world["legal"].pk})) == [world["c"].code]
    assert _codes(client.get(URL, {"branch": world["branch"].pk})) == [world["c"].code]
    assert _codes(client.get(URL, {"type": "deputy"})) == [world["c"].code]


def test_open_ended_period_until_a_date(actor: Any, world: Any) -> None:
    response = _client(actor).get(URL, {"operator": world["adam"].pk, "date_to": "2023-12-31"})
    assert _codes(response) == [world["d"].code]


def test_pages_of_fifty(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> None:
    busy = make_operator("busy")
    many = make_contractors(51)
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in many],
        operator_id=busy.pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )
    client = _client(actor)
    first = client.get(URL, {"operator": str(busy.pk), "sort": "contractor"})
    second = client.get(URL, {"operator": str(busy.pk), "sort": "contractor", "page": "2"})
    assert len(_codes(first)) == 50
    assert _codes(second) == [many[-1].code]
    assert client.get(URL, {"operator": str(busy.pk), "page": "zzz"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "31.02.2024"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"on": "2024-13-01"}, "on"),
        ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "date_to"),
        ({"operator": "abc"}, "operator"),
        ({"operator": "99999999999999999999999"}, "operator"),
        ({"role": "-1"}, "role"),
        ({"branch": "x"}, "branch"),
        ({"type": "boss"}, "type"),
        ({"sort": "password"}, "sort"),
        ({"contractor": "NO-SUCH"}, "contractor"),
    ],
)
def test_bad_filters_show_a_field_error_and_no_rows(
    actor: Any, world: Any, params: dict[str, str], field: str
) -> None:
    response = _client(actor).get(URL, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["page"] is None
    assert 'class="field-error"' in response.content.decode()
    export = _client(actor).get(_export_url("csv"), params)
    assert export.status_code == 400
    assert field in export.context["form"].errors


def test_own_only_operator_sees_only_contractors_visible_to_them(
    actor: Any, world: Any, make_operator: Callable[..., Operator]
) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    caretaker_add(
        actor=actor,
        contractor_ids=[world["d"].pk],
        operator_id=own.pk,
        date_from="2024-01-01",
        on_overlap="replace",
        type="deputy",
    )
    client = _client(own.user)
    # Adam cares for b and d today; own is deputy of d only: b is absent.
    assert _codes(client.get(URL, {"operator": world["adam"].pk})) == [world["d"].code]
    # An invisible contractor is as unknown as one that does not exist.
    response = client.get(URL, {"contractor": world["b"].code})
    assert "contractor" in response.context["form"].errors
    rows = _csv(client.get(_export_url("csv"), {"operator": world["adam"].pk}))
    assert [r[0] for r in rows[1:]] == [world["d"].code]


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    data = response.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_export_is_the_current_view_over_all_pages(actor: Any, world: Any) -> None:
    params = {"operator": world["ewa"].pk, "date_from": "2024-06-01", "sort": "-contractor", "page": "1"}
    rows = _csv(_client(actor).get(_export_url("csv"), params))
    assert [(r[0], r[8], r[9]) for r in rows[1:]] == [
        (world["c"].code, "01.07.2024", ""),
        (world["b"].code, "01.01.2024", "30.06.2024"),
        (world["a"].code, "01.01.2024", "30.06.2024"),
    ]


def test_export_xlsx(actor: Any, world: Any) -> None:
    response = _client(actor).get(_export_url("xlsx"), {"operator": world["adam"].pk, "sort": "contractor"})
    assert response.status_code == 200
    assert "kontrahenci-wg-opiekuna" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    assert [r[0] for r in list(sheet.iter_rows(values_only=True))[1:]] == [world["b"].code, world["d"].code]


def test_unknown_export_format_is_404(actor: Any) -> None:
    assert _client(actor).get(URL + "eksport.pdf").status_code == 404
