"""The operators screen and its workload counts: one query, only visible contractors."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.operators.views import PLOT_WIDTH
from opiekun.operators.workload import operator_workload

pytestmark = pytest.mark.django_db

URL = reverse("operators:list")


@pytest.fixture
def team(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> dict[str, Any]:
    """Ewa: main of 3 today, deputy of 1; Adam: main of 1 today, and main of one
    contractor only until yesterday (not counted)."""
    ewa = make_operator("ewa")
    adam = make_operator("adam")
    a, b, c, d, e = make_contractors(5)
    start = (today() - timedelta(days=30)).isoformat()
    yesterday = (today() - timedelta(days=1)).isoformat()
    caretaker_add(
        actor=actor,
        contractor_ids=[a.pk, b.pk, c.pk],
        operator_id=ewa.pk,
        date_from=start,
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[d.pk],
        operator_id=ewa.pk,
        date_from=start,
        on_overlap="replace",
        type="deputy",
    )
    caretaker_add(
        actor=actor, contractor_ids=[d.pk], operator_id=adam.pk, date_from=start, on_overlap="replace"
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[e.pk],
        operator_id=adam.pk,
        date_from=start,
        date_to=yesterday,
        on_overlap="replace",
    )
    return {"ewa": ewa, "adam": adam, "contractors": (a, b, c, d, e)}


def _counts(viewer: Any) -> dict[str, tuple[int, int]]:
    return {w.operator.user.username: (w.main, w.deputy) for w in operator_workload(viewer=viewer)}


def test_workload_counts_today_main_and_deputy_in_two_queries(actor: Any, team: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        counts = _counts(actor)
    # the operators, then the day's assignments grouped by operator: the day's filter
    # comes before the grouping (not a filter of an aggregate over every assignment)
    assert len(queries) == 2
    (grouped,) = (q["sql"] for q in queries if "GROUP BY" in q["sql"])
    assert "operators_operator" not in grouped
    assert counts == {"boss": (0, 0), "ewa": (3, 1), "adam": (1, 0)}


def test_workload_on_another_day(actor: Any, team: Any) -> None:
    rows = operator_workload(viewer=actor, on=today() - timedelta(days=1))
    assert {w.operator.user.username: w.total for w in rows}["adam"] == 2


def test_workload_counts_only_contractors_the_viewer_may_see(
    actor: Any, team: Any, make_operator: Callable[..., Operator]
) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    a = team["contractors"][0]
    caretaker_add(
        actor=actor,
        contractor_ids=[a.pk],
        operator_id=own.pk,
        date_from=today().isoformat(),
        on_overlap="replace",
        type="deputy",
    )
    counts = _counts(own.user)
    assert counts["ewa"] == (1, 0)  # only a, which own is deputy of
    assert counts["adam"] == (0, 0)
    assert counts["own"] == (0, 1)


def test_a_user_without_an_operator_profile_counts_nothing(team: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="plain", password="x-secret-1")
    assert set(_counts(user).values()) == {(0, 0)}


def test_page_requires_login() -> None:
    assert Client().get(URL).status_code == 302


def test_page_lists_operators_with_counts_and_a_chart(actor: Any, team: Any) -> None:
    client = Client()
    client.force_login(team["adam"].user)  # not an administrator: visible to all
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<tr data-operator="ewa">.*?</tr>', html, re.S)
    assert row is not None
    assert re.search(r'data-count="main"><a [^>]*>3</a>', row.group(0))
    assert re.search(r'data-count="deputy"><a [^>]*>1</a>', row.group(0))
    assert "<svg" in html
    bars = re.findall(r'<g class="bar" data-operator="([^"]+)"', html)
    assert bars[0] == team["ewa"].display_name  # the busiest first


def test_chart_escapes_names_and_keeps_svg_numbers_unlocalized(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> None:
    evil = make_operator("evil")
    evil.user.first_name = "<script>alert(1)</script>"
    evil.user.save()
    contractors = make_contractors(7)
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=evil.pk,
        date_from=today().isoformat(),
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[contractors[0].pk],
        operator_id=actor.operator.pk,
        date_from=today().isoformat(),
        on_overlap="replace",
        type="deputy",
    )
    client = Client()
    client.force_login(actor)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    widths = re.findall(r'width="([^"]+)"', svg)
    assert widths and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths)
    # one deputy beside the busiest seven: a seventh of the plot, with a decimal point
    assert str(round(PLOT_WIDTH / 7, 1)) in widths


def test_inactive_operators_are_listed_but_not_charted(
    actor: Any, make_operator: Callable[..., Operator]
) -> None:
    make_operator("gone", active=False)
    client = Client()
    client.force_login(actor)
    html = client.get(URL).content.decode()
    assert '<tr data-operator="gone">' in html
    assert 'data-operator="Gone Tester"' not in html


def test_page_on_another_day_and_a_bad_day(actor: Any, team: Any) -> None:
    client = Client()
    client.force_login(actor)
    yesterday = today() - timedelta(days=1)
    html = client.get(URL, {"on": yesterday.strftime("%d.%m.%Y")}).content.decode()
    adam = re.search(r'<tr data-operator="adam">.*?</tr>', html, re.S)
    assert adam is not None  # yesterday Adam still cared for e: two mains
    assert re.search(r'data-count="main"><a [^>]*>2</a>', adam.group(0))


BAD_DAY_MESSAGES = {
    "pl": "Podaj poprawną datę (dd.mm.rrrr lub RRRR-MM-DD).",
    "en": "Enter a valid date (dd.mm.yyyy or YYYY-MM-DD).",
}


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("day", ["31.02.2026", "2025-13-40", "abc", "\x00", "9" * 300])
def test_a_bad_day_is_a_400_with_its_message_on_the_field_and_no_counts(
    actor: Any, team: Any, settings: Any, language: str, day: str
) -> None:
    """As every other screen answers a bad filter (Klienci bez opiekuna, Nieobecności,
    Przekazania): 400, the message on the field, the form drawn again, no counts."""
    client = Client()
    client.force_login(actor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    bad = client.get(URL, {"on": day})
    assert bad.status_code == 400
    html = bad.content.decode()
    box = re.search(r'<input [^>]*name="on"[^>]*>', html)
    assert box is not None and 'aria-invalid="true"' in box.group(0) and "invalid" in box.group(0)
    assert 'aria-describedby="id_on_error"' in box.group(0)
    error = re.search(r'<p class="field-error" id="id_on_error" role="alert">([^<]*)</p>', html)
    assert error is not None and error.group(1) == BAD_DAY_MESSAGES[language]
    assert 'data-testid="workload-chart"' not in html and 'data-testid="operators"' not in html
    assert "<tr data-operator=" not in html


@pytest.mark.parametrize(("language", "hint"), [("pl", "dd.mm.rrrr"), ("en", "YYYY-MM-DD")])
def test_the_day_field_says_how_to_write_a_date_in_the_user_s_language(
    client: Client, admin_op: Operator, settings: Any, language: str, hint: str
) -> None:
    client.force_login(admin_op.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/operatorzy/").content.decode()
    assert re.search(rf'name="on"[^>]*placeholder="{re.escape(hint)}"', page)
