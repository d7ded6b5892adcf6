"""The caretaker dialogs and the contractor's caretaker tab, through the test client."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.caretakers.timeline import Bar, timeline_svg
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _form(operator: Operator, role: CaretakerRole, **extra: Any) -> dict[str, Any]:
    return {
        "operator_id": operator.pk,
        "date_from": "01.01.2025",
        "date_to": "",
        "on_overlap": "warn",
        "type": "main",
        "role_id": role.pk,
        "branch_id": "",
        **extra,
    }


def _main_since(actor: Any, operator: Operator, contractors: list[Contractor], start: str) -> None:
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=operator.pk,
        date_from=start,
        on_overlap="replace",
    )


def test_dialog_preselects_today_and_the_default_role(
    boss_client: Client, default_role: CaretakerRole
) -> None:
    response = boss_client.get(f"{ADD}?ids=1&ids=2")
    form = response.context["form"]
    assert form["date_from"].value() == today().strftime("%d.%m.%Y")
    assert form["role_id"].value() == default_role.pk
    assert response.context["selected"] == 2


def test_adding_shows_the_summary(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole, make_contractors: Any
) -> None:
    contractors = make_contractors(3)
    data = {**_form(admin_op, default_role), "ids": [c.pk for c in contractors]}
    response = boss_client.post(ADD, data)
    assert response.templates[0].name == "caretakers/add_summary.html"
    assert dict((k, n) for k, _, n in response.context["counts"])["added"] == 3
    assert CaretakerAssignment.objects.count() == 3


def test_all_matching_posts_the_filter_not_the_ids(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole, make_contractors: Any
) -> None:
    make_contractors(130, prefix="AA")
    make_contractors(5, prefix="ZZ")
    data = {**_form(admin_op, default_role), "all_matching": "1", "q": "AA"}
    boss_client.post(ADD, data)
    assert CaretakerAssignment.objects.filter(contractor__code__startswith="AA").count() == 130
    assert not CaretakerAssignment.objects.filter(contractor__code__startswith="ZZ").exists()


def test_field_errors_land_on_their_fields(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole, contractor: Contractor
) -> None:
    data = {**_form(admin_op, default_role, date_from="31.02.2025", date_to="bad"), "ids": [contractor.pk]}
    form = boss_client.post(ADD, data).context["form"]
    assert form.errors["date_from"] and form.errors["date_to"]
    data = {
        **_form(admin_op, default_role, date_from="10.01.2025", date_to="01.01.2025"),
        "ids": [contractor.pk],
    }
    assert boss_client.post(ADD, data).context["form"].errors["date_to"]
    assert not CaretakerAssignment.objects.exists()


def test_empty_or_bad_selection_is_an_error_not_a_500(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole
) -> None:
    for ids in ([], ["abc"], ["99999999999999999999999"], ["-1"]):
        response = boss_client.post(ADD, {**_form(admin_op, default_role), "ids": ids})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    assert not CaretakerAssignment.objects.exists()


def test_keep_skips_and_says_why(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    make_contractors: Any,
) -> None:
    other = make_operator("anna")
    taken, free = make_contractors(2)
    _main_since(actor, other, [taken], "2024-01-01")
    data = {**_form(admin_op, default_role, on_overlap="keep"), "ids": [taken.pk, free.pk]}
    response = boss_client.post(ADD, data)
    counts = {k: n for k, _, n in response.context["counts"]}
    assert counts["skipped"] == 1 and counts["added"] == 1
    page = response.content.decode()
    assert taken.code in page and "Anna" in page


def test_warn_previews_then_confirms(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
) -> None:
    other = make_operator("anna")
    _main_since(actor, other, [contractor], "2024-01-01")
    data = {**_form(admin_op, default_role), "ids": [contractor.pk]}
    preview = boss_client.post(ADD, data)
    assert preview.templates[0].name == "caretakers/warn_dialog.html"
    change = preview.context["changes"][0]
    assert change["operator"] == other.display_name
    assert change["before"] == "01.01.2024 – …" and change["after"] == "01.01.2024 – 31.12.2024"
    assert CaretakerAssignment.objects.get().operator == other  # nothing written yet

    confirmed = boss_client.post(ADD, {**data, "confirm_token": preview.context["confirm_token"]})
    assert confirmed.templates[0].name == "caretakers/add_summary.html"
    assert CaretakerAssignment.objects.filter(operator=admin_op).exists()


def test_stale_confirmation_shows_the_fresh_preview(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
) -> None:
    anna, bob = make_operator("anna"), make_operator("bob")
    _main_since(actor, anna, [contractor], "2024-01-01")
    data = {**_form(admin_op, default_role), "ids": [contractor.pk]}
    token = boss_client.post(ADD, data).context["confirm_token"]
    _main_since(actor, bob, [contractor], "2024-06-01")
    response = boss_client.post(ADD, {**data, "confirm_token": token})
    assert response.context["stale"] is True
    assert response.context["confirm_token"] != token
    assert "Bob" in response.content.decode()
    assert not CaretakerAssignment.objects.filter(operator=admin_op).exists()


def test_without_can_assign_the_actions_are_403(
    client: Client,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
    actor: Any,
    admin_op: Operator,
) -> None:
    _main_since(actor, admin_op, [contractor], "2024-01-01")
    assignment = CaretakerAssignment.objects.get()
    viewer = make_operator("viewer", can_assign=False)
    client.force_login(viewer.user)
    page = client.get(f"/kontrahenci/{contractor.pk}/opiekunowie/").content.decode()
    assert "caretakers/1" not in page and 'hx-get="/opiekunowie/' not in page
    assert client.get(f"{ADD}?ids={contractor.pk}").status_code == 403
    assert client.post(ADD, {**_form(viewer, default_role), "ids": [contractor.pk]}).status_code == 403
    for action in ("edytuj", "zakoncz", "usun"):
        assert client.post(f"/opiekunowie/{assignment.pk}/{action}/").status_code == 403
    assert CaretakerAssignment.objects.count() == 1


def test_tab_shows_current_history_timeline_and_audit(
    boss_client: Client, actor: Any, admin_op: Operator, make_operator: Any, contractor: Contractor
) -> None:
    anna = make_operator("anna")
    _main_since(actor, anna, [contractor], "2024-01-01")
    _main_since(actor, admin_op, [contractor], "2024-07-01")
    response = boss_client.get(f"/kontrahenci/{contractor.pk}/opiekunowie/")
    page = response.content.decode()
    assert response.context["info"].main.operator == admin_op
    assert len(response.context["history"]) == 2
    assert "<svg" in page and 'class="today"' in page
    audit = response.context["audit"]
    assert any(
        row["before"].endswith("01.01.2024 – …") and row["after"].endswith("01.01.2024 – 30.06.2024")
        for row in audit
    )


def test_the_audit_names_a_handover_in_words_with_a_link_and_an_import_by_its_file(
    boss_client: Client, actor: Any, admin_op: Operator, make_operator: Any, contractor: Contractor
) -> None:
    from opiekun.caretakers.services import handover_create

    anna, bob = make_operator("anna"), make_operator("bob")
    _main_since(actor, anna, [contractor], "2030-01-01")
    body: dict[str, Any] = {"from_operator_id": anna.pk, "to_operator_ids": [bob.pk], "date": "2030-03-01"}
    preview = handover_create(actor=actor, **body)
    done = handover_create(actor=actor, confirm_token=preview.confirm_token, **body)
    assert done.handover is not None
    first = CaretakerAssignment.history.filter(contractor_id=contractor.pk).order_by("history_id")[0]
    first.history_change_reason = "import:plik.csv"  # as if anna's row had come from a file
    first.save()
    page = boss_client.get(f"/kontrahenci/{contractor.pk}/opiekunowie/").content.decode()
    number = done.handover.pk
    assert f'<a href="/operatorzy/przekazania/{number}/">przekazanie klientów nr {number}</a>' in page
    assert "import pliku plik.csv" in page
    assert f"handover:{done.handover.pk}" not in page and "import:plik.csv" not in page


def test_end_then_delete(boss_client: Client, actor: Any, admin_op: Operator, contractor: Contractor) -> None:
    _main_since(actor, admin_op, [contractor], "2024-01-01")
    assignment = CaretakerAssignment.objects.get()
    bad = boss_client.post(f"/opiekunowie/{assignment.pk}/zakoncz/", {"date_to": "01.01.2023"})
    assert bad.context["form"].errors["date_to"]
    response = boss_client.post(
        f"/opiekunowie/{assignment.pk}/zakoncz/", {"date_to": "31.12.2024"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/kontrahenci/{contractor.pk}/opiekunowie/"
    assignment.refresh_from_db()
    assert assignment.date_to == date(2024, 12, 31)
    assert boss_client.get(f"/opiekunowie/{assignment.pk}/usun/").status_code == 200
    assert CaretakerAssignment.objects.exists()  # GET only asks
    boss_client.post(f"/opiekunowie/{assignment.pk}/usun/")
    assert not CaretakerAssignment.objects.exists()


def test_edit_refuses_a_collision_with_a_message(
    boss_client: Client,
    actor: Any,
    admin_op: Operator,
    make_operator: Any,
    default_role: CaretakerRole,
    contractor: Contractor,
) -> None:
    anna = make_operator("anna")
    caretaker_add(
        actor=actor,
        contractor_ids=[contractor.pk],
        operator_id=anna.pk,
        date_from="2024-01-01",
        date_to="2024-03-31",
    )
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=admin_op.pk, date_from="2024-04-01"
    )
    mine = CaretakerAssignment.objects.get(operator=admin_op)
    response = boss_client.post(
        f"/opiekunowie/{mine.pk}/edytuj/", {**_form(admin_op, default_role, date_from="01.03.2024")}
    )
    assert response.context["form"].non_field_errors()
    mine.refresh_from_db()
    assert mine.date_from == date(2024, 4, 1)


def test_read_only_contractor_offers_no_actions(
    client: Client, make_operator: Any, contractor: Contractor
) -> None:
    reader = make_operator(visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    client.force_login(reader.user)
    page = client.get(f"/kontrahenci/{contractor.pk}/opiekunowie/").content.decode()
    assert 'data-testid="add-caretaker"' not in page
    assert client.get(f"{ADD}?ids={contractor.pk}").status_code == 200  # the dialog opens…
    assert (
        client.post(
            ADD,
            {
                "ids": [contractor.pk],
                "operator_id": reader.pk,
                "date_from": "01.01.2025",
                "on_overlap": "warn",
                "type": "main",
                "role_id": CaretakerRole.objects.get(is_default=True).pk,
            },
        )
        .context["form"]
        .non_field_errors()
    )  # …but refuses to change it


def test_unknown_assignment_is_404(boss_client: Client) -> None:
    assert boss_client.get("/opiekunowie/424242/edytuj/").status_code == 404


def test_timeline_escapes_names_and_marks_today() -> None:
    day = date(2025, 3, 1)
    svg = timeline_svg(
        [
            Bar("Handlowy · Główny", day - timedelta(days=90), None, "<b>Ala</b>"),
            Bar("Handlowy · Zastępca", day, day + timedelta(days=10), "Ola & Co", deputy=True),
        ],
        today=day,
        title="<x>",
    )
    assert "<b>" not in svg and "&lt;b&gt;Ala&lt;/b&gt;" in svg and "Ola &amp; Co" in svg
    assert 'class="today"' in svg and "01.03.2025" in svg
    assert svg.count('class="lane"') == 2


def test_timeline_stacks_overlapping_bars_of_a_lane() -> None:
    day = date(2025, 1, 1)
    bars = [Bar("Lane", day, None, "A", deputy=True), Bar("Lane", day, None, "B", deputy=True)]
    one = timeline_svg(bars[:1], today=day)
    two = timeline_svg(bars, today=day)
    height = lambda svg: int(svg.split('viewBox="0 0 900 ')[1].split('"')[0])  # noqa: E731
    assert height(two) > height(one)
