"""Bad input on the web UI's screens and forms: never a server error, never a write, the
form's field (or, for a hidden field, the form) says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from tests.bad_values import BIG, POLISH, TEXTS

pytestmark = pytest.mark.django_db
ADD = "/opiekunowie/dodaj/"
HANDOVER = "/operatorzy/przekazania/nowe/"
TOKEN_ERROR = "To nie jest token potwierdzenia wydany przez podgląd"
FORGED = ["garbage", "x:y:z", "\x00", "9" * 500]


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list("id", "operator_id", "type", "date_from", "date_to")
    )


def test_a_forged_token_in_the_add_dialog_is_named_above_the_form(
    boss: Client, actor: Any, sellers: list[Operator], default_role: CaretakerRole, contractor: Contractor
) -> None:
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=sellers[0].pk, date_from="2030-01-01"
    )
    data = {
        "ids": [contractor.pk],
        "operator_id": sellers[1].pk,
        "date_from": "01.06.2030",
        "on_overlap": "warn",
        "type": "main",
        "role_id": default_role.pk,
    }
    before = _rows()
    for token in FORGED:
        response = boss.post(ADD, {**data, "confirm_token": token})
        assert response.status_code == 200, token
        assert response.templates[0].name == "caretakers/add_dialog.html", token
        form = response.context["form"]
        assert list(form.errors) == ["confirm_token"], token
        shown = form.non_field_errors()
        assert shown == form.errors["confirm_token"] and str(shown[0]) in response.content.decode(), token
        if token != "\x00":
            assert TOKEN_ERROR in str(shown[0]), token
    assert _rows() == before


def test_a_forged_token_in_the_handover_wizard_is_named_above_the_form(
    boss: Client, sellers: list[Operator], portfolio_of: Callable[[int], list[Contractor]]
) -> None:
    portfolio_of(2)
    data = {
        "step": "preview",
        "from_operator_id": sellers[0].pk,
        "types": ["main", "deputy"],
        "to_operator_ids": [sellers[1].pk],
        "date": "01.03.2030",
        "on_overlap": "warn",
    }
    before = _rows()
    for token in FORGED:
        response = boss.post(HANDOVER, {**data, "confirm_token": token})
        assert response.status_code == 200, token
        assert response.context["step"] == "whom", token
        form = response.context["form"]
        assert list(form.errors) == ["confirm_token"], token
        shown = form.non_field_errors()
        assert shown == form.errors["confirm_token"] and str(shown[0]) in response.content.decode(), token
        if token != "\x00":
            assert TOKEN_ERROR in str(shown[0]), token
    assert _rows() == before and not Handover.objects.exists()


# --- every screen's query, every form's field --------------------------------------

VALUES = [*TEXTS, " "]
SCREENS = {
    "/kontrahenci/": [
        "q",
        "caretaker",
        "role",
        "active",
        "no_caretaker",
        "sort",
        "page_size",
        "page",
        "deputies",
    ],
    "/raporty/kontrahenci-wg-opiekuna/": [
        "mode",
        "operator",
        "contractor",
        "date_from",
        "date_to",
        "on",
        "type",
        "role",
        "branch",
        "sort",
        "page",
    ],
    "/raporty/kontrahenci-wg-opiekuna/kontrahenci/": ["q"],
    "/raporty/kontrahenci-wg-opiekuna/eksport.csv": ["operator", "date_from", "date_to", "on", "role"],
    "/raporty/klienci-bez-opiekuna/": [
        "on",
        "date_from",
        "date_to",
        "role",
        "branch",
        "last_operator",
        "consider_absences",
        "sort",
        "page",
    ],
    "/raporty/klienci-bez-opiekuna/eksport.csv": ["on", "date_from", "date_to", "role", "last_operator"],
    "/nadchodzace-zmiany/": ["days", "operator", "page"],
    "/nieobecnosci/": ["operator", "date_from", "date_to", "kind", "page"],
    "/nieobecnosci/kalendarz/": ["operator", "month"],
    "/operatorzy/": ["on"],
    "/operatorzy/tokeny/": ["page"],
    "/operatorzy/przekazania/": ["state", "operator", "page"],
    "/operatorzy/przekazania/nowe/": ["from_operator_id"],
    "/opiekunowie/dodaj/": ["ids"],
    "/kontrahenci/{contractor}/opiekunowie/": ["page", "on"],
}
# Pairs near the ends of the calendar, each an edge of its own.
EDGES = [
    {"date_from": "31.12.9999", "date_to": "31.12.9999"},
    {"date_from": "01.01.0001", "date_to": "01.01.0001"},
    {"date_from": "30.12.9999"},
    {"date_to": "01.01.0001"},
    {"on": "31.12.9999"},
    {"on": "01.01.0001"},
    {"mode": "period", "date_from": "01.01.0001", "date_to": "31.12.9999"},
    {"days": str(BIG)},
    {"days": "3000000"},
    {"month": "9999-12"},
    {"month": "0001-01"},
    {"page": str(BIG - 1)},
]


def _counts() -> dict[str, int]:
    from opiekun.operators.models import Absence, ApiToken

    models = (CaretakerAssignment, Contractor, Absence, Handover, CaretakerRole, Operator, ApiToken)
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def world(
    actor: Any,
    admin_op: Operator,
    sellers: list[Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
) -> dict[str, Any]:
    from opiekun.operators.models import Absence

    contractors = make_contractors(3)
    ids = [c.pk for c in contractors]
    caretaker_add(actor=actor, contractor_ids=ids, operator_id=sellers[0].pk, date_from="2030-01-01")
    absence = Absence.objects.create(operator=admin_op, date_from="2030-02-01", date_to="2030-02-05")
    return {
        "contractors": ids,
        "contractor": ids[0],
        "me": admin_op.pk,
        "operator": sellers[0].pk,
        "other": sellers[1].pk,
        "role": default_role.pk,
        "assignment": CaretakerAssignment.objects.filter(contractor_id=ids[0]).get().pk,
        "absence": absence.pk,
    }


@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_answers_every_wrong_query_without_a_server_error(
    boss: Client, world: dict[str, Any], screen: str
) -> None:
    url = screen.format(**world)
    failures: list[Any] = []
    before = _counts()
    for param in SCREENS[screen]:
        for value in VALUES:
            status = boss.get(url, {param: value}).status_code
            if status >= 500:
                failures.append((url, param, value[:20], status))
        for raw in (f"{param}=%00", f"{param}=1%00", f"{param}%00=1", f"{param}=%ff"):
            status = boss.get(f"{url}?{raw}").status_code
            if status >= 500:
                failures.append((url, raw, status))
    for edge in EDGES:
        if set(edge) <= {"mode", *SCREENS[screen]}:
            status = boss.get(url, edge).status_code
            if status >= 500:
                failures.append((url, edge, status))
    assert failures == [] and _counts() == before


def _forms(w: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every form of the UI: its URL and valid data."""
    return {
        "add": (
            ADD,
            {
                "ids": w["contractors"],
                "operator_id": w["other"],
                "date_from": "01.06.2030",
                "on_overlap": "keep",
                "type": "main",
                "role_id": w["role"],
                "priority": "0",
            },
        ),
        "edit": (
            f"/opiekunowie/{w['assignment']}/edytuj/",
            {"operator_id": w["operator"], "date_from": "01.01.2030", "type": "main", "role_id": w["role"]},
        ),
        "end": (f"/opiekunowie/{w['assignment']}/zakoncz/", {"date_to": "31.12.2031"}),
        "contractor": ("/kontrahenci/nowy/", {"code": "P1", "name": "Probe", "active": "on"}),
        "contractor_edit": (
            f"/kontrahenci/{w['contractor']}/",
            {"code": "P2", "name": "Probe", "active": "on"},
        ),
        "absence": (
            "/nieobecnosci/nowa/",
            {"operator_id": w["me"], "date_from": "01.03.2030", "date_to": "02.03.2030", "kind": "vacation"},
        ),
        "absence_edit": (
            f"/nieobecnosci/{w['absence']}/",
            {"operator_id": w["me"], "date_from": "01.02.2030", "date_to": "05.02.2030", "kind": "vacation"},
        ),
        "role": ("/slowniki/role/nowa/", {"name": "Probe role", "active": "on"}),
        "branch": ("/slowniki/oddzialy/nowy/", {"code": "P1", "name": "Probe branch", "active": "on"}),
        "handover": (
            HANDOVER,
            {
                "step": "whom",
                "from_operator_id": w["operator"],
                "types": ["main", "deputy"],
                "to_operator_ids": [w["other"]],
                "date": "01.03.2030",
                "on_overlap": "warn",
            },
        ),
    }


FORM_VALUES = [*VALUES, "", ["1", "1"], ["1", "\x00"]]
FIELDS = {
    "add": [
        "ids",
        "warn_from",
        "operator_id",
        "date_from",
        "date_to",
        "on_overlap",
        "type",
        "role_id",
        "branch_id",
        "priority",
    ],
    "edit": ["operator_id", "date_from", "date_to", "type", "role_id", "branch_id", "priority"],
    "end": ["date_to"],
    "contractor": [
        "code",
        "name",
        "nip",
        "regon",
        "street",
        "postal_code",
        "city",
        "email",
        "phone",
        "active",
    ],
    "contractor_edit": ["code", "name", "nip", "email"],
    "absence": ["operator_id", "date_from", "date_to", "kind", "note"],
    "absence_edit": ["operator_id", "date_from", "date_to", "kind", "note"],
    "role": ["name", "is_default", "active"],
    "branch": ["code", "name", "active"],
    "handover": [
        "from_operator_id",
        "types",
        "role_ids",
        "branch_ids",
        "contractor_codes",
        "to_operator_ids",
        "date",
        "on_overlap",
    ],
}


# Which errors name the field: a day of a period may be refused on the other end ("date to
# before date from"); the selection of the add dialog shows above its form.
RELATED = {"date_from": {"date_to"}, "date_to": {"date_from"}, "ids": {"contractor_codes"}}


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    """One post, undone after: every probe starts from the same rows."""
    with transaction.atomic():
        response = client.post(url, data)
        response.counts = _counts()  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("name", FIELDS)
def test_every_form_names_every_wrong_field_and_writes_nothing(
    boss: Client, world: dict[str, Any], name: str
) -> None:
    url, valid = _forms(world)[name]
    failures: list[Any] = []
    accepted = _post(boss, url, valid)  # the probe starts from data the form takes
    assert accepted.status_code in (200, 302) and not (
        accepted.context and "form" in accepted.context and accepted.context["form"].errors
    )
    for field in FIELDS[name]:
        for value in FORM_VALUES:
            before = _counts()
            response = _post(boss, url, {**valid, field: value})
            what = (name, field, repr(value)[:20], response.status_code)
            if response.status_code >= 500:
                failures.append(what)
                continue
            form = response.context["form"] if response.context and "form" in response.context else None
            if form is None or not form.errors:
                continue  # saved (or shown as a summary): a value the form takes
            if response.counts != before:
                failures.append((*what, "written"))
            if not ({field, "__all__", *RELATED.get(field, ())} & set(form.errors)):
                failures.append((*what, dict(form.errors)))
    assert failures == [], "\n".join(map(str, failures))


# --- the admin (superusers only): its lists' filters ------------------------------

ADMIN_LISTS = {
    "caretakers/caretakerassignment": ["type__exact", "role__id__exact", "q", "o", "p"],
    "operators/operator": ["visibility__exact", "active__exact", "q"],
    "operators/absence": ["kind__exact", "q"],
    "operators/apitoken": ["q", "o"],
    "contractors/contractor": ["q", "o"],
    "caretakers/caretakerrole": ["q", "o"],
    "caretakers/branch": ["q", "o"],
}


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_the_admin_lists_refuse_a_nul_in_their_query_without_a_server_error(
    make_operator: Callable[..., Operator], model: str
) -> None:
    client = Client()
    client.force_login(make_operator("root", superuser=True).user)
    failures = []
    for param in ADMIN_LISTS[model]:
        for value in ("\x00", "a\x00", str(BIG), "x" * 10_000, POLISH):
            response = client.get(f"/admin/{model}/", {param: value})
            if response.status_code >= 500:
                failures.append((model, param, value[:20], response.status_code))
        nul = client.get(f"/admin/{model}/", {param: "\x00"})
        if nul.status_code != 302 or not nul["Location"].endswith("?e=1"):
            failures.append((model, param, "not refused", nul.status_code))
    assert failures == []
