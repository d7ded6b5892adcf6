"""The Przekazanie klientów screens through the test client: the wizard's steps,
its errors and stale preview, the list, a handover's page and cancelling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import assignment_update, caretaker_add, handover_create
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db
NEW = "/operatorzy/przekazania/nowe/"
LIST = "/operatorzy/przekazania/"


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


@pytest.fixture
def portfolio(portfolio_of: Callable[[int], list[Contractor]]) -> list[Contractor]:
    return portfolio_of(3)


def _what(source: Operator, **extra: Any) -> dict[str, Any]:
    return {"step": "what", "from_operator_id": source.pk, "types": ["main", "deputy"], **extra}


def _whom(source: Operator, targets: list[Operator], **extra: Any) -> dict[str, Any]:
    return {
        **_what(source),
        "step": "whom",
        "to_operator_ids": [t.pk for t in targets],
        "date": "01.03.2030",
        "on_overlap": "warn",
        **extra,
    }


def test_the_operators_list_offers_the_handover_to_whoever_may_assign(
    boss_client: Client, client: Client, make_operator: Any, sellers: list[Operator]
) -> None:
    page = boss_client.get("/operatorzy/").content.decode()
    assert f"{NEW}?from_operator_id={sellers[0].pk}" in page and LIST in page
    client.force_login(make_operator("clerk", can_assign=False).user)
    assert NEW not in client.get("/operatorzy/").content.decode()
    assert client.get(NEW).status_code == 403


def test_the_wizard_from_what_to_confirm(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna, bob, _ = sellers
    opened = boss_client.get(f"{NEW}?from_operator_id={anna.pk}")
    assert opened.context["step"] == "what" and opened.context["form"]["from_operator_id"].value() == str(
        anna.pk
    )
    whom = boss_client.post(NEW, _what(anna))
    assert whom.context["step"] == "whom"
    preview = boss_client.post(NEW, _whom(anna, [bob]))
    assert preview.context["step"] == "preview" and preview.context["preview"].contractors == 3
    body = preview.content.decode()
    assert "Bob Tester" in body and portfolio[0].code in body
    assert not Handover.objects.exists()
    token = preview.context["confirm_token"]
    done = boss_client.post(NEW, {**_whom(anna, [bob]), "step": "preview", "confirm_token": token})
    handover = Handover.objects.get()
    assert done.context["handover"] == handover and handover.contractors == 3
    assert CaretakerAssignment.objects.filter(operator=bob).count() == 3


def test_back_keeps_what_was_chosen(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    back = boss_client.post(NEW, {**_whom(sellers[0], [sellers[1]]), "back": "1"})
    assert back.context["step"] == "what"
    assert ("to_operator_ids", str(sellers[1].pk)) in back.context["hidden"]


def test_who_hands_over_is_not_offered_as_a_recipient(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna, bob = sellers[0], sellers[1]
    page = boss_client.post(NEW, _whom(anna, [])).content.decode()
    assert f'name="to_operator_ids" value="{bob.pk}"' in page
    assert f'name="to_operator_ids" value="{anna.pk}"' not in page


def test_the_wizard_shows_field_errors_on_their_step(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna = sellers[0]
    missing = boss_client.post(NEW, _whom(anna, []))
    assert missing.context["step"] == "whom" and "to_operator_ids" in missing.context["form"].errors
    oneself = boss_client.post(NEW, _whom(anna, [anna]))
    assert oneself.context["form"].errors["to_operator_ids"] == [
        "Operator nie może przekazać klientów samemu sobie."
    ]
    bad_day = boss_client.post(NEW, _whom(anna, [sellers[1]], date="31.02.2030"))
    assert "date" in bad_day.context["form"].errors
    unknown = boss_client.post(NEW, _what(anna, contractor_codes="NOPE, " + portfolio[0].code))
    assert (
        unknown.context["step"] == "what" and "NOPE" in unknown.context["form"].errors["contractor_codes"][0]
    )
    assert not Handover.objects.exists()


def test_only_the_listed_contractors(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    data = _whom(sellers[0], [sellers[1]], contractor_codes=f"{portfolio[1].code}\n")
    preview = boss_client.post(NEW, data)
    assert [p.contractor_id for p in preview.context["preview"].results] == [portfolio[1].pk]


def test_codes_that_hold_a_space_a_comma_or_a_semicolon(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    """A contractor's code may be "A B", "X,1" or "Y;2": the field split every code on
    those characters, so such a contractor could not be handed over alone ("Unknown
    contractors: A, B")."""
    odd = ["A B", "X,1", "Y;2"]
    for contractor, code in zip(portfolio, odd, strict=True):
        Contractor.objects.filter(pk=contractor.pk).update(code=code)
    for text, expected in (
        ("A B", [0]),
        ("X,1\nY;2", [1, 2]),
        ("Y;2 \n  A B  ", [2, 0]),
        ("A B,\n X,1", [0, 1]),  # a part between commas that is a code; a line that is one
    ):
        preview = boss_client.post(NEW, _whom(sellers[0], [sellers[1]], contractor_codes=text))
        assert preview.context["step"] == "preview", (text, preview.context["form"].errors)
        handed = {p.contractor_id for p in preview.context["preview"].results}
        assert handed == {portfolio[i].pk for i in expected}, text
    unknown = boss_client.post(NEW, _whom(sellers[0], [sellers[1]], contractor_codes="A C, X"))
    assert unknown.context["form"].errors["contractor_codes"] == ["Nieznani kontrahenci: A, C, X."]


def test_a_stale_confirmation_shows_the_new_preview(
    boss_client: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    anna, bob, cecylia = sellers
    token = boss_client.post(NEW, _whom(anna, [bob])).context["confirm_token"]
    caretaker_add(
        actor=actor,
        contractor_ids=[portfolio[0].pk],
        operator_id=cecylia.pk,
        date_from="2030-05-01",
        type="deputy",
    )
    stale = boss_client.post(NEW, {**_whom(anna, [bob]), "step": "preview", "confirm_token": token})
    assert stale.context["stale"] is True and stale.context["confirm_token"] != token
    assert 'data-testid="stale"' in stale.content.decode()
    assert not Handover.objects.exists()


def _handover(actor: Any, sellers: list[Operator], **extra: Any) -> Handover:
    arguments = {
        "from_operator_id": sellers[0].pk,
        "to_operator_ids": [sellers[1].pk],
        "date": "2030-03-01",
        **extra,
    }
    preview = handover_create(actor=actor, **arguments)
    done = handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token)
    assert done.handover is not None
    return done.handover


def test_the_list_and_the_page_of_a_handover(
    boss_client: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handover(actor, sellers)
    listed = boss_client.get(LIST).content.decode()
    assert f'data-handover="{handover.pk}"' in listed and 'data-state="planned"' in listed
    assert list(boss_client.get(LIST, {"state": "cancelled"}).context["page"].object_list) == []
    page = boss_client.get(f"{LIST}{handover.pk}/")
    assert page.status_code == 200 and len(page.context["rows"]) == 6  # 3 cut, 3 created
    assert portfolio[0].code in page.content.decode()


def test_a_handovers_page_pages_through_every_change_a_viewer_may_see(
    client: Client,
    boss_client: Client,
    actor: Any,
    make_operator: Any,
    sellers: list[Operator],
    make_contractors: Any,
) -> None:
    """Every changed assignment can be reached, page by page (none hidden behind an
    "and N more"); an own-only viewer pages through those of their contractors only."""
    contractors = make_contractors(60)
    ids = [c.pk for c in contractors]
    caretaker_add(actor=actor, contractor_ids=ids, operator_id=sellers[0].pk, date_from="2030-01-01")
    deputy = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    caretaker_add(
        actor=actor, contractor_ids=ids[:7], operator_id=deputy.pk, type="deputy", date_from=today()
    )
    handover = _handover(actor, sellers, types=["main"])  # 60 cut, 60 created: 120 changes

    def pages(who: Client) -> list[int]:
        seen, number = [], 1
        while True:
            page = who.get(f"{LIST}{handover.pk}/", {"page": number})
            assert page.status_code == 200
            seen += [row["record"].pk for row in page.context["rows"]]
            if not page.context["page"].has_next():
                return seen
            number += 1

    everything = pages(boss_client)
    assert sorted(everything) == sorted(handover.changes.values_list("pk", flat=True))
    assert len(everything) == 120 == len(set(everything))
    assert 'data-testid="handover-changes-pager"' in boss_client.get(f"{LIST}{handover.pk}/").content.decode()
    client.force_login(deputy.user)
    theirs = pages(client)
    assert len(theirs) == 14  # their seven contractors, each cut and created
    assert {c for c in handover.changes.filter(pk__in=theirs).values_list("contractor_id", flat=True)} == set(
        ids[:7]
    )


def test_cancel_from_the_page_and_refused(
    boss_client: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handover(actor, sellers)
    assert boss_client.get(f"{LIST}{handover.pk}/anuluj/").status_code == 200
    done = boss_client.post(f"{LIST}{handover.pk}/anuluj/", headers={"HX-Request": "true"})
    assert done.status_code == 204 and done.headers["HX-Redirect"] == f"{LIST}{handover.pk}/"
    assert Handover.objects.get().cancelled_at is not None
    again = _handover(actor, sellers)
    row = CaretakerAssignment.objects.get(contractor=portfolio[0], operator=sellers[1])
    assignment_update(actor=actor, assignment_id=row.pk, date_to="2031-01-01")
    refused = boss_client.post(f"{LIST}{again.pk}/anuluj/")
    assert refused.status_code == 200 and str(row.pk) in refused.context["error"]
    assert Handover.objects.get(pk=again.pk).cancelled_at is None


def test_an_own_only_operator_does_not_see_other_handovers(
    client: Client, actor: Any, make_operator: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handover(actor, sellers)
    client.force_login(
        make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED).user
    )
    assert client.get(f"{LIST}{handover.pk}/").status_code == 404
    assert client.get(f"{LIST}{handover.pk}/anuluj/").status_code == 404
    assert list(client.get(LIST).context["page"].object_list) == []


WRONG = ["", "abc", "-1", "0", "99999999999999999999999", "31.02.2026", "<script>", "\x00", "9" * 300]


def test_every_step_answers_every_wrong_value_without_a_server_error(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    failures = []
    for step in ("what", "whom", "preview"):
        good = {**_whom(sellers[0], [sellers[1]]), "step": step, "confirm_token": "x"}
        for field in [*good, "role_ids", "branch_ids", "contractor_codes"]:
            for value in WRONG:
                status = boss_client.post(NEW, {**good, field: value}).status_code
                if status >= 500:
                    failures.append((step, field, value, status))
    assert failures == []
    assert not Handover.objects.exists()


@pytest.mark.parametrize(
    ("language", "required"), [("pl", "To pole jest wymagane."), ("en", "This field is required.")]
)
def test_a_request_that_skips_step_one_gets_step_ones_errors_at_once(
    boss_client: Client, sellers: list[Operator], portfolio: list[Contractor], language: str, required: str
) -> None:
    """A hand-made request to step two or three (or the confirmation, or back from the
    preview) without a valid step one: step one at once, its errors on its fields."""
    anna, bob, _ = sellers
    boss_client.cookies["django_language"] = language
    later = {k: v for k, v in _whom(anna, [bob]).items() if k not in ("from_operator_id", "types")}
    rows = list(CaretakerAssignment.objects.values_list("pk", "operator_id", "date_from", "date_to"))
    for extra in ({}, {"step": "preview", "confirm_token": "x"}, {"step": "preview", "back": "1"}):
        answer = boss_client.post(NEW, {**later, **extra})
        assert answer.status_code == 200 and answer.context["step"] == "what", extra
        errors = answer.context["form"].errors
        assert errors["from_operator_id"] == [required] and errors["types"] == [required], extra
        assert 'data-field="from_operator_id"' in answer.content.decode()
    for wrong in ("", "abc", "99999999"):
        answer = boss_client.post(NEW, {**_whom(anna, [bob]), "from_operator_id": wrong})
        assert answer.context["step"] == "what" and "from_operator_id" in answer.context["form"].errors
    only_the_step = boss_client.post(NEW, {"step": "whom"})
    assert only_the_step.context["step"] == "what"
    assert only_the_step.context["form"].errors["from_operator_id"] == [required]
    assert not Handover.objects.exists()
    assert list(CaretakerAssignment.objects.values_list("pk", "operator_id", "date_from", "date_to")) == rows
