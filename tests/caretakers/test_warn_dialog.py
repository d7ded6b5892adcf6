"""The WARN dialog of a large selection: totals, the first changes of caretaker and
"show more" for the next ones, never every row at once; "show more" writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.add_preview import DIALOG_SHOWN
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"
ROW = re.compile(r'<tr data-testid="warn-change"><td><span class="mono">([^<]+)</span>')


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    client.cookies["django_language"] = "en"
    return client


def _form(operator: Operator, role: CaretakerRole, ids: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "operator_id": operator.pk,
        "date_from": "01.01.2025",
        "date_to": "31.01.2025",
        "on_overlap": "warn",
        "type": "main",
        "role_id": role.pk,
        "branch_id": "",
        "ids": ids,
        **extra,
    }


def test_a_large_preview_shows_totals_and_pages_of_changes(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    make_contractors: Any,
) -> None:
    anna = make_operator("anna")
    contractors = make_contractors(130)
    busy = contractors[:120]
    caretaker_add(
        actor=actor, contractor_ids=[c.pk for c in busy], operator_id=anna.pk, date_from="2024-01-01"
    )
    data = _form(admin_op, default_role, [c.pk for c in contractors])
    before = CaretakerAssignment.objects.count()

    preview = boss_client.post(ADD, data)
    assert preview.templates[0].name == "caretakers/warn_dialog.html"
    page = preview.content.decode()
    assert preview.context["affected"] == 120 and preview.context["total"] == 130
    assert dict((k, n) for k, _, n in preview.context["outcome_counts"]) == {"added": 10, "replaced": 120}
    assert dict((k, n) for k, _, n in preview.context["change_counts"]) == {"created": 130, "split": 120}
    assert "<strong>130</strong> All" in page and 'data-change="split">120 split' in page
    shown = ROW.findall(page)
    assert len(shown) == DIALOG_SHOWN
    assert f'"warn_from": "{DIALOG_SHOWN}"' in page

    for start in range(DIALOG_SHOWN, 120, DIALOG_SHOWN):
        more = boss_client.post(
            ADD, {**data, "confirm_token": preview.context["confirm_token"], "warn_from": start}
        )
        assert more.templates[0].name == "caretakers/warn_rows.html"
        rows = more.content.decode()
        shown += ROW.findall(rows)
        following = start + DIALOG_SHOWN
        assert (f'"warn_from": "{following}"' in rows) == (following < 120)
    assert shown == [c.code for c in busy]  # each change once, in order
    assert CaretakerAssignment.objects.count() == before  # "show more" writes nothing

    confirmed = boss_client.post(ADD, {**data, "confirm_token": preview.context["confirm_token"]})
    assert confirmed.templates[0].name == "caretakers/add_summary.html"
    assert confirmed.context["total"] == 130
    assert {k: n for k, _, n in confirmed.context["counts"]}["replaced"] == 120
    assert CaretakerAssignment.objects.filter(operator=admin_op).count() == 130


def test_show_more_never_writes_even_when_the_conflicts_are_gone(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole, make_contractors: Any
) -> None:
    contractors = make_contractors(3)
    answer = boss_client.post(ADD, _form(admin_op, default_role, [c.pk for c in contractors], warn_from="50"))
    assert answer.templates[0].name == "caretakers/warn_rows.html"
    assert not CaretakerAssignment.objects.exists()
