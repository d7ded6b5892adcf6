"""Kontrahenci wg opiekuna longer than ``report_views.SORT_UP_TO`` rows is not sorted by
a column no index reads in order (that sort reads and orders every row: seconds at a
million): it is shown newest first, and a notice says why and what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers import report_views
from opiekun.caretakers.selectors import ORDERINGS, ORDERINGS_BY_INDEX, AssignmentFilters, assignment_list
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

URL = "/raporty/kontrahenci-wg-opiekuna/"


@pytest.fixture
def boss(client: Client, admin_op: Operator, portfolio_of: Callable[[int], list[Contractor]]) -> Client:
    portfolio_of(30)
    client.force_login(admin_op.user)
    return client


def _ids(answer: Any) -> list[int]:
    return [row.pk for row in answer.context["page"]]


@pytest.mark.parametrize("ordering", sorted(set(ORDERINGS) - ORDERINGS_BY_INDEX - {"id", "-id"}))
def test_a_long_list_is_not_sorted_by_a_column_without_an_index(
    boss: Client, monkeypatch: pytest.MonkeyPatch, actor: Any, ordering: str
) -> None:
    monkeypatch.setattr(report_views, "SORT_UP_TO", 20)
    answer = boss.get(URL, {"date_from": "2030-01-01", "sort": ordering})
    text = answer.content.decode()
    assert answer.status_code == 200 and answer.context["sort"] == "-date_from"
    newest_first = assignment_list(
        viewer=actor, filters=AssignmentFilters(date_from=answer.context["form"].cleaned_data["date_from"])
    )
    assert _ids(answer) == [a.pk for a in newest_first]
    column = dict(report_views.SORTABLE)[ordering.removeprefix("-")]
    assert 'data-testid="unsorted"' in text
    assert f"Sortowanie po kolumnie „{column}” jest dostępne dla list do 20 przypisań, a ta ma ich 30" in text


@pytest.mark.parametrize("ordering", ["date_from", "-date_from"])
def test_a_long_list_is_sorted_by_its_dates(
    boss: Client, monkeypatch: pytest.MonkeyPatch, ordering: str
) -> None:
    monkeypatch.setattr(report_views, "SORT_UP_TO", 20)
    answer = boss.get(URL, {"date_from": "2030-01-01", "sort": ordering})
    assert answer.context["sort"] == ordering and 'data-testid="unsorted"' not in answer.content.decode()


def test_a_list_within_the_limit_is_sorted_as_asked(boss: Client, actor: Any) -> None:
    answer = boss.get(URL, {"date_from": "2030-01-01", "sort": "-contractor"})
    assert answer.context["sort"] == "-contractor" and 'data-testid="unsorted"' not in answer.content.decode()
    by_contractor = assignment_list(
        viewer=actor,
        filters=AssignmentFilters(
            date_from=answer.context["form"].cleaned_data["date_from"], ordering="-contractor"
        ),
    )
    assert _ids(answer) == [a.pk for a in by_contractor]


def test_the_notice_in_english(boss: Client, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(report_views, "SORT_UP_TO", 20)
    boss.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = boss.get(URL, {"date_from": "2030-01-01", "sort": "operator"}).content.decode()
    assert "Sorting by “Operator” is offered for lists of up to 20 assignments, and this one holds 30" in text
