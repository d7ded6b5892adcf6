"""A WARN preview (and its confirmation) of a large selection is bounded: totals by
outcome and change kind, the first conflicts in full, one page of results; the rest is
paged through POST /caretakers/add/preview, which never writes (docs/api.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.add_preview import FIRST_CONFLICTS
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

JSON = "application/json"
ADD = "/api/v1/caretakers/add"
PREVIEW = "/api/v1/caretakers/add/preview"
PAGE = 50


@pytest.fixture
def anna(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("anna")


@pytest.fixture
def bob(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("bob")


def _selection(api: Client, anna: Operator, contractors: list[Contractor]) -> list[int]:
    """Anna is the main caretaker of every other contractor (from 2030-01-01 on)."""
    busy = [c.pk for c in contractors[::2]]
    body = {"contractor_ids": busy, "operator_id": anna.pk, "date_from": "2030-01-01", "on_overlap": "keep"}
    assert api.post(ADD, body, content_type=JSON).status_code == 200
    return busy


def _warn(bob: Operator, contractors: list[Contractor], **extra: Any) -> dict[str, Any]:
    return {
        "contractor_ids": [c.pk for c in contractors],
        "operator_id": bob.pk,
        "date_from": "2030-03-01",
        "date_to": "2030-03-31",
        "on_overlap": "warn",
        **extra,
    }


def test_a_large_warn_preview_is_totals_first_conflicts_and_pages(
    api: Client, anna: Operator, bob: Operator, make_contractors: Any
) -> None:
    contractors = make_contractors(300)
    busy = _selection(api, anna, contractors)
    before = CaretakerAssignment.objects.count()

    preview = api.post(ADD, _warn(bob, contractors, results_limit=PAGE), content_type=JSON)
    assert preview.status_code == 409
    body = preview.json()
    assert body["applied"] is False and body["confirm_token"]
    assert body["detail"] is None  # a preview to confirm; only a stale token's 409 says why
    assert body["results_count"] == 300 and body["results_offset"] == 0 and body["results_limit"] == PAGE
    assert len(body["results"]) == PAGE
    assert body["counts"] == {"added": 150, "merged": 0, "unchanged": 0, "replaced": 150, "skipped": 0}
    assert body["totals"]["outcomes"] == body["counts"]
    assert body["totals"]["changes"] == {
        "created": 300,
        "extended": 0,
        "absorbed": 0,
        "trimmed": 0,
        "split": 150,
        "removed": 0,
    }
    assert body["conflicted"] == 150
    firsts = body["first_conflicts"]
    assert [r["contractor_id"] for r in firsts] == busy[:FIRST_CONFLICTS]
    assert all(r["conflicts"][0]["operator_name"] == "Anna Tester" for r in firsts)
    assert {c["kind"] for c in firsts[0]["changes"]} == {"created", "split"}

    # Every contractor on exactly one page, in the selection's order, nothing written.
    seen: list[int] = []
    for offset in range(0, 300, PAGE):
        page = api.post(
            PREVIEW, _warn(bob, contractors, results_offset=offset, results_limit=PAGE), content_type=JSON
        )
        assert page.status_code == 200
        answer = page.json()
        assert answer["applied"] is False and answer["results_offset"] == offset
        assert answer["counts"] == body["counts"] and len(answer["results"]) == PAGE
        seen += [r["contractor_id"] for r in answer["results"]]
    assert seen == sorted(c.pk for c in contractors)
    past = api.post(PREVIEW, _warn(bob, contractors, results_offset=300), content_type=JSON).json()
    assert past["results"] == [] and past["results_count"] == 300
    assert CaretakerAssignment.objects.count() == before

    # The first preview's token still confirms; the answer is bounded the same way.
    confirmed = api.post(
        ADD,
        _warn(bob, contractors, confirm_token=body["confirm_token"], results_limit=PAGE),
        content_type=JSON,
    )
    assert confirmed.status_code == 200
    done = confirmed.json()
    assert done["applied"] is True and done["results_count"] == 300 and len(done["results"]) == PAGE
    assert done["counts"] == body["counts"] and done["totals"] == body["totals"]
    assert all(r["assignment_id"] for r in done["results"])
    # anna's 150 rows split in two, and bob's 300 new ones
    assert CaretakerAssignment.objects.count() == before + 150 + 300
    assert CaretakerAssignment.objects.filter(operator=bob).count() == 300


def test_a_changed_state_still_refuses_a_large_confirmation(
    api: Client, anna: Operator, bob: Operator, make_contractors: Any
) -> None:
    contractors = make_contractors(120)
    busy = _selection(api, anna, contractors)
    token = api.post(ADD, _warn(bob, contractors, results_limit=PAGE), content_type=JSON).json()[
        "confirm_token"
    ]
    # A page fetched meanwhile does not spoil the token.
    api.post(PREVIEW, _warn(bob, contractors, results_offset=PAGE, results_limit=PAGE), content_type=JSON)
    held = CaretakerAssignment.objects.filter(contractor_id=busy[-1]).get()
    changed = api.patch(f"/api/v1/caretakers/{held.pk}", {"date_to": "2030-12-31"}, content_type=JSON)
    assert changed.status_code == 200
    before = CaretakerAssignment.objects.count()

    stale = api.post(ADD, _warn(bob, contractors, confirm_token=token, results_limit=PAGE), content_type=JSON)
    assert stale.status_code == 409
    body = stale.json()
    assert "changed" in body["detail"] and body["confirm_token"] not in (None, token)
    assert body["results_count"] == 120 and len(body["results"]) == PAGE and body["conflicted"] == 60
    assert CaretakerAssignment.objects.count() == before
    fresh = api.post(ADD, _warn(bob, contractors, confirm_token=body["confirm_token"]), content_type=JSON)
    assert fresh.status_code == 200


def test_the_answer_does_not_grow_with_the_selection(
    api: Client, anna: Operator, bob: Operator, make_contractors: Any
) -> None:
    """Past one page, a bigger selection answers as many results and as many bytes."""
    sizes = {}
    for count in (120, 360):
        contractors = make_contractors(count)
        _selection(api, anna, contractors)
        response = api.post(ADD, _warn(bob, contractors, results_limit=PAGE), content_type=JSON)
        body = response.json()
        assert body["results_count"] == count
        assert len(body["results"]) == PAGE and len(body["first_conflicts"]) == FIRST_CONFLICTS
        sizes[count] = len(json.dumps({**body, "confirm_token": ""}))
    assert sizes[360] < sizes[120] * 1.05


def test_the_preview_endpoint_writes_nothing_even_without_conflicts(
    api: Client, bob: Operator, make_contractors: Any
) -> None:
    contractors = make_contractors(3)
    for policy in ("warn", "replace", "keep"):
        answer = api.post(PREVIEW, _warn(bob, contractors, on_overlap=policy), content_type=JSON)
        assert answer.status_code == 200
        body = answer.json()
        assert body["applied"] is False and body["counts"]["added"] == 3
        assert (body["confirm_token"] is not None) == (policy == "warn")
    assert not CaretakerAssignment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("results_limit", 1001), ("results_limit", -1), ("results_offset", -5)]
)
def test_a_page_out_of_bounds_is_422(
    api: Client, bob: Operator, contractor: Contractor, field: str, value: int
) -> None:
    answer = api.post(ADD, _warn(bob, [contractor], **{field: value}), content_type=JSON)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "payload", field] or field in json.dumps(
        answer.json()
    )
    assert not CaretakerAssignment.objects.exists()
