"""Klienci bez opiekuna and Nadchodzące zmiany screens: filters, sorting, export,
bad input, the links from the contractors list and the top bar."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.absences import absence_create
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)
URL = reverse("coverage:gaps")


def d(n: int) -> date:
    return T + timedelta(days=n)


@pytest.fixture
def world(
    freeze_today: Callable[[date], None], make_operator: Any, default_role: CaretakerRole, actor: Any
) -> Any:
    freeze_today(T)
    anna = make_operator("anna")
    a, b, c = (Contractor.objects.create(code=f"K{n}", name=f"Firma {n}") for n in "ABC")
    for contractor, end in ((a, None), (b, d(9)), (c, d(-1))):
        caretaker_add(
            actor=actor, contractor_ids=[contractor.pk], operator_id=anna.pk, date_from=d(-30), date_to=end
        )
    return {"anna": anna, "a": a, "b": b, "c": c}


def login(client: Client, operator: Operator) -> Client:
    client.force_login(operator.user)
    return client


def codes(response: Any) -> list[str]:
    return response.content.decode().split('data-testid="gaps"')[1].split("data-contractor=")[1:]


def test_the_report_on_a_day_in_a_window_and_sorted(world: Any, client: Client, admin_op: Operator) -> None:
    login(client, admin_op)
    today = client.get(URL, {"on": T.isoformat()})
    assert today.status_code == 200
    assert [row[1:3] for row in codes(today)] == ["KC"]
    window = client.get(URL)  # today … +90 days
    assert [row[1:3] for row in codes(window)] == ["KB", "KC"]
    by_start = client.get(URL, {"sort": "-date_from"})
    assert [row[1:3] for row in codes(by_start)] == ["KB", "KC"]
    by_start = client.get(URL, {"sort": "date_from"})
    assert [row[1:3] for row in codes(by_start)] == ["KC", "KB"]


@pytest.mark.parametrize(
    "query",
    [
        {"on": "31.02.2026"},
        {"date_from": "2026-06-10", "date_to": "2026-06-01"},
        {"on": "2026-06-01", "date_to": "2026-06-02"},
        {"role": "x"},
        {"role": "999999"},
        {"branch": "999999"},
        {"last_operator": "999999"},
        {"sort": "bogus"},
    ],
)
def test_bad_filters_are_field_errors(
    world: Any, client: Client, admin_op: Operator, query: dict[str, str]
) -> None:
    """400 with the message on the field and no rows, as Nadchodzące zmiany answers."""
    login(client, admin_op)
    response = client.get(URL, query)
    assert response.status_code == 400 and b"alert-error" in response.content
    assert b'class="field-error"' in response.content
    assert b'data-testid="gaps"' not in response.content
    assert client.get(reverse("coverage:gaps_export", args=["csv"]), query).status_code == 400


def test_export_csv_and_xlsx_hold_the_view(world: Any, client: Client, admin_op: Operator) -> None:
    login(client, admin_op)
    response = client.get(
        reverse("coverage:gaps_export", args=["csv"]), {"date_from": T.isoformat(), "lang": "en"}
    )
    text = b"".join(cast(Any, response).streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [line[0] for line in lines[1:]] == ["KB", "KC"]
    # the clipped start in the user's date format; open-ended
    assert lines[1][3:5] == [d(10).strftime("%d.%m.%Y"), ""]
    xlsx = client.get(reverse("coverage:gaps_export", args=["xlsx"]), {"on": T.isoformat()})
    workbook = load_workbook(io.BytesIO(b"".join(cast(Any, xlsx).streaming_content)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Klienci bez opiekuna"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["KC"]


def test_with_absences_considered_the_report_says_acting_not_main(
    world: Any, client: Client, admin_op: Operator, make_operator: Any
) -> None:
    """Anna, A's main caretaker, is away on d(1): A has a main caretaker then, but nobody to
    act. The columns, the explanation, the empty table and the export said "without a main
    caretaker" all the same."""
    chief = make_operator("chief", superuser=True).user
    absence_create(actor=chief, operator_id=world["anna"].pk, date_from=d(1), date_to=d(1))
    login(client, admin_op)
    response = client.get(URL, {"on": d(1).isoformat(), "consider_absences": "on"})
    assert [row[1:3] for row in codes(response)] == ["KA", "KB", "KC"]  # KC: nobody since d(0)
    acting = response.content.decode()
    assert "Bez pełniącego obowiązki od" in acting and "Bez głównego opiekuna" not in acting
    assert "bez pełniącego obowiązki opiekuna w roli i oddziale" in acting
    main = client.get(URL, {"on": d(1).isoformat()}).content.decode()
    assert "Bez głównego opiekuna od" in main and "pełniącego" not in main
    empty = client.get(URL, {"on": d(-5).isoformat(), "consider_absences": "on"}).content.decode()
    assert "Każdy kontrahent ma tu pełniącego obowiązki opiekuna." in empty
    assert (
        "Każdy kontrahent ma tu głównego opiekuna."
        in client.get(URL, {"on": d(-5).isoformat()}).content.decode()
    )
    export = client.get(
        reverse("coverage:gaps_export", args=["csv"]), {"on": d(1).isoformat(), "consider_absences": "on"}
    )
    header = b"".join(cast(Any, export).streaming_content).decode("utf-8-sig").splitlines()[0].split(";")
    assert header[5:7] == ["Bez pełniącego obowiązki od", "Bez pełniącego obowiązki do"]


def test_contractors_list_links_to_todays_gaps(world: Any, client: Client, admin_op: Operator) -> None:
    login(client, admin_op)
    page = client.get(reverse("contractors:list")).content.decode()
    # The list does not wait for the count: its link loads it after the page.
    assert f'hx-get="{reverse("coverage:today_link")}" hx-trigger="load"' in page
    assert "Bez opiekuna: 1" not in page
    link = client.get(reverse("coverage:today_link")).content.decode()
    assert "Bez opiekuna: 1" in link
    assert f"{URL}?on={T.isoformat()}" in link


def test_the_loaded_counts_are_empty_once_the_session_has_ended(world: Any, client: Client) -> None:
    # htmx swaps the answer into the page: never the login page, never a redirect.
    for name in ("coverage:today_link", "notices:badge"):
        response = client.get(reverse(name))
        assert (response.status_code, response.content.strip()) == (200, b""), name


def test_an_own_only_operator_sees_no_gaps_of_hidden_contractors(
    world: Any, client: Client, make_operator: Any
) -> None:
    denied = make_operator(visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    login(client, denied)
    response = client.get(URL)
    assert response.status_code == 200, response.content[:3000]
    assert codes(response) == []
    assert "Bez opiekuna: 0" in client.get(reverse("coverage:today_link")).content.decode()


def test_upcoming_page_and_badge(world: Any, client: Client, make_operator: Any) -> None:
    world["anna"].visibility = Visibility.OWN
    world["anna"].save()
    login(client, world["anna"])
    page = client.get(reverse("notices:upcoming")).content.decode()
    # The top bar loads the badge after the page.
    assert f'hx-get="{reverse("notices:badge")}" hx-trigger="load"' in page
    assert 'data-testid="upcoming-badge"' not in page
    assert 'data-testid="upcoming-badge">1<' in client.get(reverse("notices:badge")).content.decode()
    assert 'data-contractor="KB" data-kind="ends"' in page
    assert 'name="operator"' not in page  # an operator sees only their own
    assert client.get(reverse("notices:upcoming"), {"days": "-1"}).status_code == 400


def test_a_manager_chooses_whose_changes(
    world: Any, client: Client, admin_op: Operator, make_operator: Any
) -> None:
    other = make_operator("other")
    login(client, admin_op)
    everyone = client.get(reverse("notices:upcoming")).content.decode()
    assert 'data-contractor="KB"' in everyone and 'name="operator"' in everyone
    theirs = client.get(reverse("notices:upcoming"), {"operator": other.pk}).content.decode()
    assert 'data-contractor="KB"' not in theirs


def test_a_day_sent_as_yyyy_mm_dd_shows_as_the_language_writes_it(
    world: Any, client: Client, admin_op: Operator
) -> None:
    """The links to the report ("Bez opiekuna: N") send ``on=2026-12-01``; the box shows
    the day as Polish writes it (dd.mm.rrrr); a day that is not one
    stays as typed, with its error."""
    client.force_login(admin_op.user)
    page = client.get(URL, {"on": "2030-07-04"}).content.decode()
    assert 'value="04.07.2030"' in page and 'value="2030-07-04"' not in page
    wrong = client.get(URL, {"on": "2030-02-30"})
    assert wrong.status_code == 400 and 'value="2030-02-30"' in wrong.content.decode()
