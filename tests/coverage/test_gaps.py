"""Coverage gaps (Klienci bez opiekuna) and upcoming changes: selectors and the API,
on a date, in a window, per role and branch, after adds, edits and deletes, through
the viewer's visibility."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import assignment_delete, assignment_update, caretaker_add
from opiekun.caretakers.services.handover import handover_create
from opiekun.caretakers.services.handover_cancel import handover_cancel
from opiekun.contractors.models import Contractor
from opiekun.coverage.compute import UNTIL_FURTHER_NOTICE
from opiekun.coverage.selectors import GapFilters, Window, gap_list, gaps_today_count, window_of
from opiekun.operators.absences import absence_create, absence_delete, absence_update
from opiekun.operators.models import Absence, Operator, UnassignedAccess
from tests.own_only import assign, own_only_operator

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)  # "today" in these tests


def d(n: int) -> date:
    return T + timedelta(days=n)


@pytest.fixture(autouse=True)
def _today(freeze_today: Callable[[date], None]) -> None:
    freeze_today(T)


@pytest.fixture(autouse=True)
def _api_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def world(make_operator: Any, default_role: CaretakerRole, actor: Any) -> dict[str, Any]:
    anna, piotr = make_operator("anna"), make_operator("piotr")
    a, b, c, idle = (Contractor.objects.create(code=code, name=f"Firma {code}") for code in "ABCD")
    idle.active = False
    idle.save()

    add = partial(assign, actor)
    add([a], anna, d(-100), None)  # covered for good
    add([b], anna, d(-100), d(9))  # nobody from d(10) on
    add([c], piotr, d(-100), d(-1))  # nobody since today
    add([c], anna, d(20), d(29))  # ... until d(19), and again from d(30)
    return {"anna": anna, "piotr": piotr, "a": a, "b": b, "c": c, "idle": idle, "add": add, "actor": actor}


def rows(viewer: Any, **kw: Any) -> list[tuple[str, date, date | None]]:
    window = kw.pop("window", None) or window_of()
    return [
        (c.code, c.gap_from, None if c.gap_to == UNTIL_FURTHER_NOTICE else c.gap_to)
        for c in gap_list(viewer=viewer, filters=GapFilters(window=window, **kw))
    ]


def test_gaps_on_a_date_and_in_the_default_window(world: dict[str, Any], actor: Any) -> None:
    assert rows(actor, window=Window(T, T)) == [("C", T, T)]
    assert gaps_today_count(viewer=actor) == 1
    assert rows(actor) == [("B", d(10), d(90)), ("C", T, d(19)), ("C", d(30), d(90))]
    assert rows(actor, window=window_of(date_from=d(25))) == [("B", d(25), None), ("C", d(30), None)]


def test_gaps_follow_edits_and_deletes(world: dict[str, Any], actor: Any) -> None:
    world["add"]([world["b"]], world["piotr"], d(10), None)
    assert rows(actor) == [("C", T, d(19)), ("C", d(30), d(90))]
    rows_c = world["c"].assignments.filter(operator=world["anna"]).get()
    assignment_update(actor=actor, assignment_id=rows_c.pk, date_from=T, date_to=None)
    assert rows(actor) == []
    assignment_delete(actor=actor, assignment_id=rows_c.pk)
    assert rows(actor) == [("C", T, d(90))]


def test_gaps_per_role_and_branch(world: dict[str, Any], actor: Any, legal_role: CaretakerRole) -> None:
    branch = Branch.objects.create(code="KRK", name="Kraków")
    # No legal caretaker anywhere: every active contractor is one gap in the window.
    assert rows(actor, role_id=legal_role.pk) == [("A", T, d(90)), ("B", T, d(90)), ("C", T, d(90))]
    world["add"]([world["a"]], world["piotr"], d(5), None, role_id=legal_role.pk)
    world["add"]([world["b"]], world["piotr"], d(-5), None, type="deputy", role_id=legal_role.pk)
    assert rows(actor, role_id=legal_role.pk) == [("A", T, d(4)), ("B", T, d(90)), ("C", T, d(90))]
    world["add"]([world["a"]], world["anna"], T, None, branch_id=branch.pk)
    assert rows(actor, branch_id=branch.pk, window=Window(T, T)) == [("B", T, T), ("C", T, T)]
    assert rows(actor, window=Window(T, T)) == [("C", T, T)]  # the no-branch scope is its own


def test_who_cared_last(world: dict[str, Any], actor: Any) -> None:
    assert rows(actor, last_operator_id=world["piotr"].pk) == [("C", T, d(19))]
    assert rows(actor, last_operator_id=world["anna"].pk) == [("B", d(10), d(90)), ("C", d(30), d(90))]


def test_an_own_only_operator_sees_gaps_only_of_contractors_they_may_see(
    world: dict[str, Any], make_operator: Any
) -> None:
    denied = own_only_operator(make_operator, unassigned_access=UnassignedAccess.DENIED)
    assert rows(denied.user) == []
    world["add"]([world["b"]], denied, d(-3), d(3), type="deputy")
    assert rows(denied.user) == [("B", d(10), d(90))]  # B: theirs today; C: nobody's, denied
    allowed = own_only_operator(make_operator, unassigned_access=UnassignedAccess.ALLOWED)
    assert rows(allowed.user) == [("C", T, d(19)), ("C", d(30), d(90))]


# --- API -----------------------------------------------------------------------------


def test_api_coverage_gaps(
    world: dict[str, Any], client_for: Callable[[Operator], Client], admin_op: Operator
) -> None:
    api = client_for(admin_op)
    body = api.get("/api/v1/coverage-gaps", {"on": T.isoformat()}).json()
    role = CaretakerRole.objects.get(is_default=True).pk
    assert body["count"] == 1
    assert body["results"] == [
        {
            "contractor_id": world["c"].pk,
            "role_id": role,
            "branch_id": None,
            "date_from": T.isoformat(),
            "date_to": T.isoformat(),
            "last_operator_id": world["piotr"].pk,
        }
    ]
    body = api.get("/api/v1/coverage-gaps", {"date_from": d(25).isoformat()}).json()
    assert [(r["contractor_id"], r["date_from"], r["date_to"]) for r in body["results"]] == [
        (world["b"].pk, d(25).isoformat(), None),
        (world["c"].pk, d(30).isoformat(), None),
    ]
    body = api.get(
        "/api/v1/coverage-gaps",
        {"date_from": T.isoformat(), "date_to": d(15).isoformat(), "consider_absences": "true"},
    ).json()
    assert body["count"] == 2 and body["results"][0]["date_to"] == d(15).isoformat()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"on": "2026-13-01"}, "on"),
        ({"on": "2026-06-01", "date_from": "2026-06-01"}, "on"),
        ({"date_from": "2026-06-10", "date_to": "2026-06-01"}, "date_to"),
        ({"role_id": "999999"}, "role_id"),
        ({"branch_id": "999999"}, "branch_id"),
        ({"role_id": "x"}, "role_id"),
    ],
)
def test_api_coverage_gaps_refuses_bad_filters(
    world: dict[str, Any], api: Client, query: dict[str, str], field: str
) -> None:
    response = api.get("/api/v1/coverage-gaps", query)
    assert response.status_code == 422
    assert ["query", field] in [item["loc"] for item in response.json()["detail"]]


def test_api_upcoming_changes(world: dict[str, Any], client_for: Callable[[Operator], Client]) -> None:
    anna = client_for(world["anna"])
    body = anna.get("/api/v1/upcoming-changes", {"days": 14}).json()
    b_row = world["b"].assignments.get()
    assert body["results"] == [
        {
            "kind": "ends",
            "date": d(9).isoformat(),
            "contractor_id": world["b"].pk,
            "operator_id": world["anna"].pk,
            "assignment_id": b_row.pk,
            "handover_id": None,
        }
    ]
    body = anna.get("/api/v1/upcoming-changes", {"days": 30}).json()
    assert [(r["kind"], r["date"]) for r in body["results"]] == [
        ("ends", d(9).isoformat()),
        ("starts", d(20).isoformat()),
        ("ends", d(29).isoformat()),
    ]


def test_upcoming_changes_of_others_only_for_managers(
    world: dict[str, Any], client_for: Callable[[Operator], Client], make_operator: Any, admin_op: Operator
) -> None:
    own = own_only_operator(make_operator, unassigned_access=UnassignedAccess.ALLOWED)
    response = client_for(own).get("/api/v1/upcoming-changes", {"operator_id": world["anna"].pk})
    assert response.status_code == 403
    manager = client_for(admin_op)
    everyone = manager.get("/api/v1/upcoming-changes", {"days": 30}).json()
    assert everyone["count"] == 3
    piotr = manager.get("/api/v1/upcoming-changes", {"operator_id": world["piotr"].pk}).json()
    assert piotr["count"] == 0


def test_an_own_only_operator_never_sees_changes_of_contractors_hidden_from_them(
    world: dict[str, Any], client_for: Callable[[Operator], Client], make_operator: Any, actor: Any
) -> None:
    own = own_only_operator(make_operator, unassigned_access=UnassignedAccess.DENIED)
    # Their future assignment of A (Anna's today): A is not theirs today, so hidden.
    caretaker_add(
        actor=actor, contractor_ids=[world["a"].pk], operator_id=own.pk, date_from=d(5), type="deputy"
    )
    assert client_for(own).get("/api/v1/upcoming-changes").json()["count"] == 0
    caretaker_add(
        actor=actor,
        contractor_ids=[world["b"].pk],
        operator_id=own.pk,
        date_from=d(-1),
        date_to=d(3),
        type="deputy",
    )
    body = client_for(own).get("/api/v1/upcoming-changes").json()
    assert [(r["kind"], r["contractor_id"]) for r in body["results"]] == [("ends", world["b"].pk)]


def test_consider_absences_counts_the_days_no_one_can_act(
    world: dict[str, Any], actor: Any, make_operator: Any, api: Client
) -> None:
    """A's main caretaker (Anna) is away d(3)..d(6): with a deputy present on d(3)..d(4)
    only, A has nobody acting on d(5)..d(6). Main-only gaps do not change."""
    ewa = make_operator("ewa")
    chief = make_operator("chief", superuser=True).user
    world["add"]([world["a"]], ewa, d(-10), d(4), type="deputy")
    absence_create(actor=chief, operator_id=world["anna"].pk, date_from=d(3), date_to=d(6))
    window = Window(T, d(15))
    main_only = rows(actor, window=window)
    assert ("A", d(5), d(6)) not in main_only
    acting = rows(actor, window=window, consider_absences=True)
    # B is Anna's alone until d(9): nobody acts on d(3)..d(6) either.
    assert acting == [("A", d(5), d(6)), ("B", d(3), d(6)), ("B", d(10), d(15)), ("C", T, d(15))]
    gaps = list(gap_list(viewer=actor, filters=GapFilters(window=window, consider_absences=True)))
    assert gaps[0].gap_last_operator_id == ewa.pk  # who acted the day before: the deputy
    body = api.get(
        "/api/v1/coverage-gaps",
        {"date_from": T.isoformat(), "date_to": d(15).isoformat(), "consider_absences": "true"},
    ).json()
    assert [(r["contractor_id"], r["date_from"]) for r in body["results"]][:2] == [
        (world["a"].pk, d(5).isoformat()),
        (world["b"].pk, d(3).isoformat()),
    ]
    # Absence writes keep the stored acting gaps in step: moved, then deleted.
    absence = Absence.objects.get(operator=world["anna"])
    absence_update(actor=chief, absence_id=absence.pk, date_from=d(1), date_to=d(2))
    assert rows(actor, window=window, consider_absences=True)[:2] == [("B", d(1), d(2)), ("B", d(10), d(15))]
    absence_delete(actor=chief, absence_id=absence.pk)
    assert rows(actor, window=window, consider_absences=True) == rows(actor, window=window)


def _hand_a_to_piotr(world: dict[str, Any], actor: Any) -> Any:
    """Anna hands contractor a to Piotr from d(8) (REPLACE), confirmed if it asks to be."""
    request = dict(
        actor=actor,
        from_operator_id=world["anna"].pk,
        to_operator_ids=[world["piotr"].pk],
        date=d(8),
        contractor_ids=[world["a"].pk],
        on_overlap="replace",
    )
    result = handover_create(**request)
    if not result.applied:
        result = handover_create(**request, confirm_token=result.confirm_token)
    assert result.applied and result.handover is not None
    return result.handover


def test_upcoming_changes_list_handovers_and_acting(
    settings: Any,
    world: dict[str, Any],
    actor: Any,
    make_operator: Any,
    client_for: Callable[[Operator], Client],
) -> None:
    ewa = make_operator("ewa")
    chief = make_operator("chief", superuser=True).user
    world["add"]([world["a"]], ewa, d(-10), None, type="deputy")
    absence_create(actor=chief, operator_id=world["anna"].pk, date_from=d(3), date_to=d(6))
    handover_id = _hand_a_to_piotr(world, actor).pk
    anna = (
        client_for(world["anna"])
        .get("/api/v1/upcoming-changes", {"days": 14, "operator_id": world["anna"].pk})
        .json()
    )
    assert [(r["kind"], r["date"], r["contractor_id"], r["handover_id"]) for r in anna["results"]] == [
        ("handover_out", d(8).isoformat(), world["a"].pk, handover_id),
        ("ends", d(9).isoformat(), world["b"].pk, None),
    ]
    piotr = (
        client_for(world["piotr"])
        .get("/api/v1/upcoming-changes", {"days": 14, "operator_id": world["piotr"].pk})
        .json()
    )
    assert [(r["kind"], r["contractor_id"], r["handover_id"]) for r in piotr["results"]] == [
        ("handover_in", world["a"].pk, handover_id)
    ]
    assert piotr["results"][0]["assignment_id"] is not None
    ewas = client_for(ewa).get("/api/v1/upcoming-changes", {"days": 14, "operator_id": ewa.pk}).json()
    assert [(r["kind"], r["date"], r["contractor_id"]) for r in ewas["results"]] == [
        ("acting", d(3).isoformat(), world["a"].pk)
    ]
    settings.ROOT_URLCONF = "opiekun.urls"
    browser = Client()
    browser.force_login(ewa.user)
    page = browser.get(reverse("notices:upcoming")).content.decode()
    settings.ROOT_URLCONF = "tests.api.urls"
    assert f"zastępuje {world['anna'].display_name} do {d(6).strftime('%d.%m.%Y')}" in page
    # A manager's view of everyone's holds all of them; a cancelled handover is gone.
    everyone = client_for(world["anna"]).get("/api/v1/upcoming-changes", {"days": 14}).json()
    assert [r["kind"] for r in everyone["results"]] == ["acting", "handover_in", "handover_out", "ends"]
    handover_cancel(actor=actor, handover_id=handover_id)
    anna = (
        client_for(world["anna"])
        .get("/api/v1/upcoming-changes", {"days": 14, "operator_id": world["anna"].pk})
        .json()
    )
    assert [r["kind"] for r in anna["results"]] == ["ends"]


def test_a_handed_row_deleted_since_is_no_longer_announced_to_its_recipient(
    world: dict[str, Any], actor: Any, make_operator: Any, client_for: Callable[[Operator], Client]
) -> None:
    """Piotr's row from the handover was deleted by hand: he receives nothing, yet his
    upcoming changes (and digest) still said `handover_in`, naming the deleted row. The
    source still hands the contractor out: her row ends the day before, by the handover."""
    handover = _hand_a_to_piotr(world, actor)

    def kinds(operator: Operator) -> list[tuple[str, int, int | None]]:
        page = client_for(operator).get("/api/v1/upcoming-changes", {"operator_id": operator.pk}).json()
        return [(r["kind"], r["contractor_id"], r["handover_id"]) for r in page["results"]]

    received = CaretakerAssignment.objects.get(contractor=world["a"], operator=world["piotr"])
    assert kinds(world["piotr"]) == [("handover_in", world["a"].pk, handover.pk)]
    ewa = make_operator("ewa")
    assignment_update(actor=actor, assignment_id=received.pk, operator_id=ewa.pk)
    assert kinds(world["piotr"]) == []  # given to someone else: not his
    assert kinds(ewa) == [("starts", world["a"].pk, None)]  # hers from d(8): it starts for her
    assignment_delete(actor=actor, assignment_id=received.pk)
    assert kinds(world["piotr"]) == []
    assert ("handover_out", world["a"].pk, handover.pk) in kinds(world["anna"])
