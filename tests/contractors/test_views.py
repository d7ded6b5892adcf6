"""The frame and the contractor screens, through Django's test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from tests.own_only import own_only_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client: Client) -> Callable[[Operator], Client]:
    def login(operator: Operator) -> Client:
        client.force_login(operator.user)
        return client

    return login


@pytest.fixture
def boss_client(client_for: Callable[[Operator], Client], admin_op: Operator) -> Client:
    return client_for(admin_op)


UI_URLS = [
    "/",
    "/kontrahenci/",
    "/kontrahenci/nowy/",
    "/kontrahenci/1/",
    "/kontrahenci/1/opiekunowie/",
    "/opiekunowie/dodaj/",
    "/opiekunowie/1/edytuj/",
    "/opiekunowie/1/zakoncz/",
    "/opiekunowie/1/usun/",
]


@pytest.mark.parametrize("url", UI_URLS)
def test_every_screen_sends_anonymous_users_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_follows_a_local_next(client: Client, admin_op: Operator) -> None:
    response = client.post(
        "/login/", {"username": "boss", "password": "secret-pass-1", "next": "/kontrahenci/?q=abc"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/kontrahenci/?q=abc"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "http://testserver@evil.example/"]
)
def test_login_refuses_to_redirect_off_site(client: Client, admin_op: Operator, target: str) -> None:
    response = client.post("/login/", {"username": "boss", "password": "secret-pass-1", "next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_wrong_password_shows_an_error_not_a_session(client: Client, admin_op: Operator) -> None:
    response = client.post("/login/", {"username": "boss", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(boss_client: Client) -> None:
    assert boss_client.post("/logout/").status_code == 302
    assert boss_client.get("/kontrahenci/").status_code == 302


def test_language_switch_to_english(boss_client: Client) -> None:
    page = boss_client.get("/kontrahenci/").content.decode()
    assert "Kontrahenci" in page
    boss_client.post("/i18n/setlang/", {"language": "en", "next": "/kontrahenci/"})
    page = boss_client.get("/kontrahenci/").content.decode()
    assert "Contractors by caretaker" in page


def test_list_searches_code_name_and_nip(boss_client: Client, actor: Any) -> None:
    Contractor.objects.create(code="ALFA", name="Alfa sp. z o.o.", nip="5260250274")
    Contractor.objects.create(code="BETA", name="Beta SA")
    assert "BETA" not in boss_client.get("/kontrahenci/?q=alfa").content.decode()
    page = boss_client.get("/kontrahenci/?q=526-025").content.decode()
    assert "ALFA" in page and "BETA" not in page


def test_list_filters_by_current_caretaker(
    boss_client: Client, actor: Any, admin_op: Operator, make_contractors: Any
) -> None:
    mine, other = make_contractors(2)
    caretaker_add(actor=actor, contractor_ids=[mine.pk], operator_id=admin_op.pk, date_from=today())
    page = boss_client.get(f"/kontrahenci/?caretaker={admin_op.pk}").content.decode()
    assert mine.code in page and other.code not in page


def test_filtered_by_a_caretaker_each_row_says_how_they_care_for_it(
    boss_client: Client, actor: Any, admin_op: Operator, make_operator: Any, make_contractors: Any
) -> None:
    """The columns show the default role's main caretaker; a row listed for the
    caretaker filtered on, as the legal role's main or as a deputy, says so."""
    from opiekun.caretakers.models import CaretakerRole

    legal = CaretakerRole.objects.create(name="Opiekun prawny")
    magda = make_operator("magda")
    as_legal, as_deputy, not_hers = make_contractors(3)
    for firm in (as_legal, as_deputy, not_hers):
        caretaker_add(actor=actor, contractor_ids=[firm.pk], operator_id=admin_op.pk, date_from=today())
    caretaker_add(
        actor=actor, contractor_ids=[as_legal.pk], operator_id=magda.pk, date_from=today(), role_id=legal.pk
    )
    caretaker_add(
        actor=actor, contractor_ids=[as_deputy.pk], operator_id=magda.pk, date_from=today(), type="deputy"
    )
    response = boss_client.get(f"/kontrahenci/?caretaker={magda.pk}")
    held = {c.code: c.held_as for c in response.context["rows"]}
    assert held == {as_legal.code: "Opiekun prawny · Główny", as_deputy.code: "Opiekun handlowy · Zastępca"}
    page = response.content.decode()
    assert "Magda Tester: Opiekun prawny · Główny" in page
    assert 'data-testid="held-as"' not in boss_client.get("/kontrahenci/").content.decode()


def test_list_paginates_by_fifty_and_offers_all_matching(boss_client: Client, make_contractors: Any) -> None:
    make_contractors(120)
    response = boss_client.get("/kontrahenci/?page=3")
    assert len(response.context["page"].object_list) == 20
    assert 'data-total="120"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=abc", 200),
        ("page=-1", 200),
        ("page=999999999999999999999", 200),
        ("caretaker=x", 400),
        ("role=%00", 400),
        ("active=maybe", 400),
        ("sort=evil", 200),
        ("q=%27%3B--", 200),
    ],
)
def test_list_never_fails_on_bad_parameters(
    boss_client: Client, make_contractors: Any, query: str, status: int
) -> None:
    """A page number out of range shows the nearest page, an unknown sorting the default
    one; a bad filter answers 400 with its error, as every screen does."""
    make_contractors(3)
    assert boss_client.get(f"/kontrahenci/?{query}").status_code == status


def test_sorting_by_name_descending(boss_client: Client) -> None:
    Contractor.objects.create(code="A1", name="Aaa")
    Contractor.objects.create(code="B1", name="Zzz")
    page = boss_client.get("/kontrahenci/?sort=-name").content.decode()
    assert page.index("Zzz") < page.index("Aaa")


def test_names_are_escaped(boss_client: Client) -> None:
    c = Contractor.objects.create(code="XSS", name="<script>alert(1)</script>")
    for url in ("/kontrahenci/", f"/kontrahenci/{c.pk}/", f"/kontrahenci/{c.pk}/opiekunowie/"):
        page = boss_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_create_validates_nip_on_its_field(boss_client: Client) -> None:
    response = boss_client.post(
        "/kontrahenci/nowy/", {"code": "N1", "name": "Nowy", "nip": "1234567890", "active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["nip"]
    assert not Contractor.objects.filter(code="N1").exists()


def test_create_then_edit(boss_client: Client, admin_op: Operator) -> None:
    response = boss_client.post(
        "/kontrahenci/nowy/", {"code": "N2", "name": "Nowy", "nip": "526-025-02-74", "active": "on"}
    )
    contractor = Contractor.objects.get(code="N2")
    assert response["Location"] == f"/kontrahenci/{contractor.pk}/"
    assert contractor.nip == "5260250274"
    boss_client.post(f"/kontrahenci/{contractor.pk}/", {"code": "N2", "name": "Zmieniony"})
    contractor.refresh_from_db()
    assert contractor.name == "Zmieniony" and contractor.active is False


def test_a_shared_nip_is_saved_with_a_warning_naming_the_others(
    boss_client: Client, make_operator: Any
) -> None:
    """A branch of one company may share its NIP: saved, and the other contractors the
    user may see with it named; an own-only user is not told of one they cannot see."""
    Contractor.objects.create(code="HQ", name="Centrala", nip="5260250274")
    created = boss_client.post(
        "/kontrahenci/nowy/",
        {"code": "ODDZ", "name": "Oddział", "nip": "526-025-02-74", "active": "on"},
        follow=True,
    )
    assert Contractor.objects.filter(code="ODDZ", nip="5260250274").exists()
    assert "Ten sam NIP ma już: HQ." in created.content.decode()
    other = boss_client.post(
        "/kontrahenci/nowy/", {"code": "INNY", "name": "Inny", "nip": "", "active": "on"}, follow=True
    )
    assert "Ten sam NIP" not in other.content.decode()
    odd = Contractor.objects.get(code="ODDZ")
    edited = boss_client.post(
        f"/kontrahenci/{odd.pk}/", {"code": "ODDZ", "name": "Oddział 2", "nip": "5260250274"}, follow=True
    )
    assert "Ten sam NIP ma już: HQ." in edited.content.decode()
    from opiekun.contractors.lookalikes import same_nip

    jan = make_operator("jan", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assert same_nip(viewer=jan.user, contractor=odd) == []


def test_duplicate_code_is_a_field_error(boss_client: Client, contractor: Contractor) -> None:
    response = boss_client.post("/kontrahenci/nowy/", {"code": contractor.code, "name": "X"})
    assert response.context["form"].errors["code"]


@pytest.fixture
def own_only(make_operator: Callable[..., Operator]) -> Callable[[str], Operator]:
    def make(access: str) -> Operator:
        return own_only_operator(make_operator, unassigned_access=access)

    return make


def test_read_only_contractor_has_no_edit_actions(
    client_for: Any, own_only: Any, contractor: Contractor
) -> None:
    client = client_for(own_only(UnassignedAccess.READ_ONLY))
    page = client.get(f"/kontrahenci/{contractor.pk}/").content.decode()
    assert 'type="submit" class="btn btn-primary"' not in page
    assert client.post(f"/kontrahenci/{contractor.pk}/", {"code": "C", "name": "hack"}).status_code == 403
    contractor.refresh_from_db()
    assert contractor.name != "hack"


def test_denied_contractor_answers_404(client_for: Any, own_only: Any, contractor: Contractor) -> None:
    client = client_for(own_only(UnassignedAccess.DENIED))
    assert client.get(f"/kontrahenci/{contractor.pk}/").status_code == 404
    assert client.get(f"/kontrahenci/{contractor.pk}/opiekunowie/").status_code == 404
    assert contractor.code not in client.get("/kontrahenci/").content.decode()


def test_unknown_and_huge_ids_answer_404(boss_client: Client) -> None:
    assert boss_client.get("/kontrahenci/999999/").status_code == 404
    assert boss_client.get("/kontrahenci/99999999999999999999999/").status_code == 404


# --- the list: page sizes, the caretaker columns, "no caretaker today" --------------


@pytest.mark.parametrize("size", [25, 50, 100, 200])
def test_list_offers_page_sizes(boss_client: Client, make_contractors: Any, size: int) -> None:
    make_contractors(210)
    response = boss_client.get(f"/kontrahenci/?page_size={size}")
    assert len(response.context["rows"]) == size
    page = response.content.decode()
    for offered in (25, 50, 100, 200):
        assert f'<option value="{offered}"' in page


def test_the_page_size_is_remembered_and_a_wrong_one_is_refused(
    boss_client: Client, make_contractors: Any
) -> None:
    make_contractors(120)
    assert len(boss_client.get("/kontrahenci/?page_size=100").context["rows"]) == 100
    assert len(boss_client.get("/kontrahenci/?page=1").context["rows"]) == 100  # kept in the session
    response = boss_client.get("/kontrahenci/?page_size=5000")
    assert response.context["filter_errors"]
    assert len(response.context["rows"]) == 100


def test_the_main_caretaker_column_names_its_role(
    boss_client: Client, default_role: Any, legal_role: Any
) -> None:
    page = boss_client.get("/kontrahenci/").content.decode()
    assert f"Opiekun główny ({default_role.name})" in page
    page = boss_client.get(f"/kontrahenci/?role={legal_role.pk}").content.decode()
    assert f"Opiekun główny ({legal_role.name})" in page


def test_the_deputies_column_is_chosen_by_the_user_and_remembered(
    boss_client: Client, actor: Any, make_operator: Any, make_contractors: Any, default_role: Any
) -> None:
    cared, bare = make_contractors(2)
    ewa, olga = make_operator("ewa"), make_operator("olga")
    for deputy in (ewa, olga):
        caretaker_add(
            actor=actor, contractor_ids=[cared.pk], operator_id=deputy.pk, date_from=today(), type="deputy"
        )
    response = boss_client.get("/kontrahenci/")
    assert not response.context["deputies"]
    assert 'data-column="deputies"' not in response.content.decode()
    page = boss_client.get("/kontrahenci/?deputies=1").content.decode()
    assert f"Zastępcy ({default_role.name})" in page
    assert "Ewa Tester, Olga Tester" in page
    response = boss_client.get("/kontrahenci/")  # remembered
    assert response.context["deputies"]
    rows = {c.code: c.deputies_display for c in response.context["rows"]}
    assert rows == {cared.code: "Ewa Tester, Olga Tester", bare.code: ""}
    assert not boss_client.get("/kontrahenci/?deputies=0").context["deputies"]
    assert not boss_client.get("/kontrahenci/").context["deputies"]


def test_the_no_caretaker_today_filter(
    boss_client: Client, actor: Any, admin_op: Operator, make_contractors: Any, legal_role: Any
) -> None:
    cared, deputy_only, legal_only, bare = make_contractors(4)
    caretaker_add(actor=actor, contractor_ids=[cared.pk], operator_id=admin_op.pk, date_from=today())
    caretaker_add(
        actor=actor,
        contractor_ids=[deputy_only.pk],
        operator_id=admin_op.pk,
        date_from=today(),
        type="deputy",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[legal_only.pk],
        operator_id=admin_op.pk,
        date_from=today(),
        role_id=legal_role.pk,
    )

    def codes(query: str) -> set[str]:
        return {c.code for c in boss_client.get(f"/kontrahenci/?{query}").context["rows"]}

    assert codes("no_caretaker=on") == {bare.code}
    assert codes(f"no_caretaker=on&role={legal_role.pk}") == {cared.code, deputy_only.code, bare.code}
    assert "Bez opiekuna dziś" in boss_client.get("/kontrahenci/").content.decode()
    response = boss_client.get(f"/kontrahenci/?no_caretaker=on&caretaker={admin_op.pk}")
    assert response.context["filter_errors"] and not response.context["rows"]


def test_an_operator_who_cannot_assign_gets_no_selection_checkboxes(
    client_for: Callable[[Operator], Client], make_operator: Callable[..., Operator], make_contractors: Any
) -> None:
    make_contractors(3)
    viewer = client_for(make_operator("reader", can_assign=False))
    page = viewer.get("/kontrahenci/").content.decode()
    assert "data-row-check" not in page and "data-check-page" not in page
    assigner = client_for(make_operator("assigner", can_assign=True))
    assert "data-row-check" in assigner.get("/kontrahenci/").content.decode()


def test_the_list_by_caretaker_counts_from_the_caretakers_rows(
    boss_client: Client,
    actor: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
) -> None:
    """Filtered by today's caretaker, for a user who sees everyone, the total comes from
    the caretaker's assignments (one index range), not from counting the contractors."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ewa, jan = make_operator("ewa"), make_operator("jan")
    contractors = make_contractors(7)
    for operator, chosen in ((ewa, contractors[:5]), (jan, contractors[4:])):
        caretaker_add(
            actor=actor,
            contractor_ids=[c.pk for c in chosen],
            operator_id=operator.pk,
            type="main" if operator == ewa else "deputy",
            date_from=today(),
            on_overlap="replace",
        )
    with CaptureQueriesContext(connection) as queries:
        page = boss_client.get(f"/kontrahenci/?caretaker={ewa.pk}").content.decode()
    assert 'data-total="5"' in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and not [sql for sql in counts if 'FROM "contractors_contractor"' in sql]
    deputy = boss_client.get(f"/kontrahenci/?caretaker={jan.pk}").content.decode()
    assert 'data-total="3"' in deputy
