# mypy: disable-error-code="arg-type"
"""Bad input on every endpoint of the API (docs/api.md), table-driven: every query
parameter and every body field with values of every wrong kind — NUL characters,
integers past 2**63, ids and pages of 0 or below, days at the ends of the calendar,
10,000 characters, wrong JSON types, duplicates, Polish letters — and every body
with a wrong shape. Never a 500; a 422 names the field; a refused write writes
nothing. Run on both engines (PostgreSQL refuses NUL and overflows a bigint)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Absence, ApiToken, Operator
from tests.bad_values import BIG, LONG, POLISH, TEXTS

JSON = "application/json"
# Values of a query parameter (strings: a query string holds nothing else).
QUERY_VALUES = [*TEXTS, "nieznana", "1e400"]
# Values of a body field: every JSON type, and the wrong strings and numbers.
BODY_VALUES: list[Any] = [
    "\x00",
    "a\x00b",
    BIG,
    2**64,
    BIG - 1,
    -1,
    0,
    1.5,
    "0001-01-01",
    "9999-12-31",
    "x" * 10_000,
    POLISH,
    "nieznana",
    "",
    None,
    True,
    [],
    ["1", "1"],
    [1, 1],
    [BIG],
    [None],
    {},
    {"a": 1},
]
# Bodies of a wrong shape, raw.
RAW_BODIES = [b"", b"[]", b'"x"', b"null", b"1", b"not json", b"{", b'{"a": "\\u0000"}', b"\x00", b"\xff\xfe"]


@pytest.fixture
def world(
    actor: Any,
    admin_op: Operator,
    sellers: list[Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
) -> dict[str, Any]:
    """A few rows of every kind, so that small and real ids hit data."""
    contractors = make_contractors(3)
    ids = [c.pk for c in contractors]
    caretaker_add(actor=actor, contractor_ids=ids, operator_id=sellers[0].pk, date_from="2030-01-01")
    branch = Branch.objects.create(code="W1", name="Warszawa")
    absence = Absence.objects.create(operator=admin_op, date_from="2030-02-01", date_to="2030-02-05")
    return {
        "me": admin_op.pk,  # an operator enters their own absences
        "contractors": ids,
        "operator": sellers[0].pk,
        "other": sellers[1].pk,
        "role": default_role.pk,
        "branch": branch.pk,
        "assignment": CaretakerAssignment.objects.filter(contractor_id=ids[0]).get().pk,
        "absence": absence.pk,
    }


def _counts() -> dict[str, int]:
    models = (CaretakerAssignment, Contractor, Absence, Handover, CaretakerRole, Branch, Operator, ApiToken)
    return {m.__name__: m.objects.count() for m in models}


def _bodies(w: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body of every write, by (method, path)."""
    ids = w["contractors"]
    return {
        ("POST", "/api/v1/auth/token"): {"username": "boss", "password": "wrong", "name": "probe"},
        ("POST", "/api/v1/contractors"): {"code": "P1", "name": "Probe"},
        ("PATCH", f"/api/v1/contractors/{ids[2]}"): {"name": "Probe"},
        ("POST", "/api/v1/roles"): {"name": "Probe role"},
        ("POST", "/api/v1/branches"): {"code": "P1", "name": "Probe branch"},
        ("POST", "/api/v1/caretakers/add"): {
            "contractor_ids": ids,
            "operator_id": w["other"],
            "date_from": "2030-06-01",
            "on_overlap": "warn",
        },
        ("POST", "/api/v1/caretakers/add/preview"): {
            "contractor_ids": ids,
            "operator_id": w["other"],
            "date_from": "2030-06-01",
        },
        ("POST", "/api/v1/caretakers/resolve"): {"items": [{"contractor_id": ids[0], "on": "2030-06-01"}]},
        ("PATCH", f"/api/v1/caretakers/{w['assignment']}"): {"date_to": "2031-12-31"},
        ("POST", "/api/v1/absences"): {
            "operator_id": w["me"],
            "date_from": "2030-03-01",
            "date_to": "2030-03-02",
            "kind": "vacation",
        },
        ("PATCH", f"/api/v1/absences/{w['absence']}"): {"note": "x"},
        ("POST", "/api/v1/handovers"): {
            "from_operator_id": w["operator"],
            "to_operator_ids": [w["other"]],
            "date": "2030-03-01",
        },
    }


QUERIES = {
    "/api/v1/operators": ["active", "page", "page_size"],
    "/api/v1/auth/tokens": ["live", "page", "page_size"],
    "/api/v1/contractors": [
        "search",
        "caretaker_id",
        "role_id",
        "active",
        "without_caretaker",
        "ordering",
        "page",
        "page_size",
    ],
    "/api/v1/roles": ["active", "page", "page_size"],
    "/api/v1/branches": ["active", "page", "page_size"],
    "/api/v1/caretakers/acted-for": ["operator_id", "date_from", "date_to", "page", "page_size"],
    "/api/v1/caretakers": [
        "contractor_id",
        "operator_id",
        "date_from",
        "date_to",
        "on",
        "type",
        "role_id",
        "branch_id",
        "ordering",
        "page",
        "page_size",
    ],
    "/api/v1/contractors/{contractor}/caretaker-info": ["on", "role_id", "branch_id"],
    "/api/v1/contractors/{contractor}/caretaker-audit": ["at"],
    "/api/v1/absences": ["operator_id", "date_from", "date_to", "page", "page_size"],
    "/api/v1/handovers": ["operator_id", "state", "page", "page_size"],
    "/api/v1/coverage-gaps": [
        "on",
        "date_from",
        "date_to",
        "role_id",
        "branch_id",
        "consider_absences",
        "last_operator_id",
        "page",
        "page_size",
    ],
    "/api/v1/upcoming-changes": ["days", "operator_id", "page", "page_size"],
}
# Defaults a list needs beside the probed parameter (acted-for requires its operator).
QUERY_BASE = {"/api/v1/caretakers/acted-for": {"operator_id": "{operator}"}}
# Pairs of query parameters near the ends of the calendar, each an edge of its own.
EDGE_QUERIES = [
    {"date_from": "9999-12-31", "date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "0001-01-01"},
    {"date_from": "9999-12-30"},
    {"date_to": "0001-01-01"},
    {"on": "9999-12-31"},
    {"on": "0001-01-01"},
    {"days": str(BIG)},
    {"days": "3000000"},
    {"page": str(BIG - 1), "page_size": "500"},
    {"page": "2147483647", "page_size": "500"},
]


# A value of one end of a period may be refused on the other end ("date to before date from").
RELATED = {"date_from": {"date_to"}, "date_to": {"date_from"}}


def _named(answer: Any, field: str) -> bool:
    """Whether a 4xx answer names ``field`` (a 422's ``loc``)."""
    detail = answer.get("detail") if isinstance(answer, dict) else None
    if not isinstance(detail, list):
        return False
    names = {field, *RELATED.get(field, ())}
    return any(names & set(item.get("loc", ())) for item in detail)


def _check(failures: list[Any], what: Any, response: Any, field: str | None, before: dict[str, int]) -> None:
    status = response.status_code
    try:
        answer = response.json()
    except ValueError:
        failures.append((*what, status, "not JSON"))
        return
    if status >= 500:
        failures.append((*what, status, answer))
    elif status == 422 and field is not None and not _named(answer, field):
        failures.append((*what, status, "field not named", answer))
    elif status >= 400 and getattr(response, "counts", before) != before:
        failures.append((*what, status, "written", answer))


def _probe_queries(api: Client, path: str, params: list[str], w: dict[str, Any]) -> Iterator[Any]:
    url = path.format(contractor=w["contractors"][0])
    base = {k: v.format(**w) for k, v in QUERY_BASE.get(path, {}).items()}
    for param in params:
        for value in QUERY_VALUES:
            yield (url, param, value[:20]), api.get(url, {**base, param: value}), param
        # The raw query string: %00 in a name and in a value, a name without a value.
        for raw in (f"{param}=%00", f"{param}=1%00", f"{param}%00=1", f"{param}", f"{param}=%ff"):
            yield (url, raw), api.get(f"{url}?{raw}&" + "&".join(f"{k}={v}" for k, v in base.items())), param
    for edge in EDGE_QUERIES:
        if set(edge) <= set(params):
            yield (url, edge), api.get(url, {**base, **edge}), None


@pytest.mark.django_db
@pytest.mark.parametrize("path", QUERIES)
def test_every_query_parameter_answers_without_a_server_error(
    api: Client, world: dict[str, Any], path: str
) -> None:
    failures: list[Any] = []
    before = _counts()
    for what, response, field in _probe_queries(api, path, QUERIES[path], world):
        _check(failures, what, response, field, before)
    assert failures == []


def _send(api: Client, method: str, path: str, body: Any) -> Any:
    """One request, undone after: every probe starts from the same rows (a code
    created by one would make the next one's duplicate)."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    with transaction.atomic():
        response = api.generic(method, path, data, content_type=JSON)
        response.counts = _counts()  # type: ignore[attr-defined]
        transaction.set_rollback(True)
    return response


WRITES = [
    "POST /api/v1/auth/token",
    "POST /api/v1/contractors",
    "PATCH /api/v1/contractors/{id}",
    "POST /api/v1/roles",
    "POST /api/v1/branches",
    "POST /api/v1/caretakers/add",
    "POST /api/v1/caretakers/add/preview",
    "POST /api/v1/caretakers/resolve",
    "PATCH /api/v1/caretakers/{id}",
    "POST /api/v1/absences",
    "PATCH /api/v1/absences/{id}",
    "POST /api/v1/handovers",
]


def _write(w: dict[str, Any], name: str) -> tuple[str, str, dict[str, Any]]:
    """The method, the path (its id filled in) and a valid body of the write ``name``."""
    method, template = name.split(" ")
    for (m, path), body in _bodies(w).items():
        if m == method and (path == template or path.rsplit("/", 1)[0] == template.removesuffix("/{id}")):
            return method, path, body
    raise LookupError(name)


FIELDS = {
    "POST /api/v1/auth/token": ["username", "password", "name"],
    "POST /api/v1/contractors": [
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
    "PATCH /api/v1/contractors/{id}": ["code", "name", "nip", "email", "active"],
    "POST /api/v1/roles": ["name", "is_default", "active"],
    "POST /api/v1/branches": ["code", "name", "active"],
    "POST /api/v1/caretakers/add": [
        "contractor_ids",
        "operator_id",
        "date_from",
        "date_to",
        "on_overlap",
        "type",
        "role_id",
        "branch_id",
        "priority",
        "results_offset",
        "results_limit",
    ],
    "POST /api/v1/caretakers/add/preview": ["contractor_ids", "date_from", "date_to", "results_offset"],
    "POST /api/v1/caretakers/resolve": ["items"],
    "PATCH /api/v1/caretakers/{id}": [
        "operator_id",
        "type",
        "role_id",
        "branch_id",
        "date_from",
        "date_to",
        "priority",
    ],
    "POST /api/v1/absences": ["operator_id", "date_from", "date_to", "kind", "note"],
    "PATCH /api/v1/absences/{id}": ["operator_id", "date_from", "date_to", "kind", "note"],
    "POST /api/v1/handovers": [
        "from_operator_id",
        "to_operator_ids",
        "distribution",
        "date",
        "types",
        "role_ids",
        "branch_ids",
        "contractor_ids",
        "on_overlap",
        "confirm_token",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITES)
def test_every_body_field_answers_without_a_server_error(
    api: Client, world: dict[str, Any], name: str
) -> None:
    method, path, valid = _write(world, name)
    # The probe starts from a body the endpoint takes (the token's: a wrong password).
    assert _send(api, method, path, valid).status_code in (200, 201, 409, 401 if "auth" in name else 200)
    failures: list[Any] = []
    for field in FIELDS[name]:
        for value in BODY_VALUES:
            before = _counts()
            response = _send(api, method, path, {**valid, field: value})
            _check(failures, (name, field, repr(value)[:20]), response, field, before)
    for raw in RAW_BODIES:
        before = _counts()
        _check(failures, (name, raw[:20]), _send(api, method, path, raw), "body", before)
    assert failures == []


# Items of a resolve and the days of a write near the ends of the calendar.
EDGE_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("POST /api/v1/caretakers/resolve", {"items": [{"contractor_id": 1, "on": "9999-12-31"}]}),
    ("POST /api/v1/caretakers/resolve", {"items": [{"contractor_id": 1, "on": "0001-01-01"}]}),
    ("POST /api/v1/caretakers/resolve", {"items": [{"contractor_id": BIG - 1, "on": "2030-01-01"}]}),
    ("POST /api/v1/caretakers/add", {"date_from": "9999-12-31", "on_overlap": "replace"}),
    (
        "POST /api/v1/caretakers/add",
        {"date_from": "0001-01-01", "date_to": "9999-12-31", "on_overlap": "replace"},
    ),
    (
        "POST /api/v1/caretakers/add",
        {"date_from": "9999-12-31", "date_to": "9999-12-31", "on_overlap": "keep"},
    ),
    ("POST /api/v1/caretakers/add/preview", {"date_from": "0001-01-01"}),
    ("PATCH /api/v1/caretakers/{id}", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    ("PATCH /api/v1/caretakers/{id}", {"date_to": "9999-12-31"}),
    ("POST /api/v1/absences", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    ("POST /api/v1/absences", {"date_from": "9999-12-31", "date_to": "9999-12-31"}),
    ("POST /api/v1/absences", {"date_from": "0001-01-01", "date_to": "0001-01-01"}),
    ("PATCH /api/v1/absences/{id}", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    ("POST /api/v1/handovers", {"date": "0001-01-01"}),
    ("POST /api/v1/handovers", {"date": "9999-12-31"}),
    ("POST /api/v1/handovers", {"contractor_ids": [BIG - 1, BIG - 1]}),
    ("POST /api/v1/handovers", {"to_operator_ids": ["{other}", "{other}"]}),
    ("POST /api/v1/caretakers/add", {"contractor_ids": [1, 1, 1]}),
    ("POST /api/v1/contractors", {"code": "Ł1", "name": POLISH, "city": "Łódź"}),
    ("POST /api/v1/roles", {"name": POLISH}),
]


@pytest.mark.django_db
def test_writes_near_the_ends_of_the_calendar_answer_without_a_server_error(
    api: Client, world: dict[str, Any]
) -> None:
    failures: list[Any] = []
    for name, change in EDGE_BODIES:
        method, path, valid = _write(world, name)
        change = {k: ([world["other"]] * 2 if v == ["{other}", "{other}"] else v) for k, v in change.items()}
        before = _counts()
        response = _send(api, method, path, {**valid, **change})
        _check(failures, (name, change), response, None, before)
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITES)
def test_every_body_field_names_a_too_long_number_and_a_repeated_key(
    api: Client, world: dict[str, Any], name: str
) -> None:
    """What Python's JSON reader refused on the whole body (a number past its 4,300
    digits) or took silently (a key sent twice: the last value) is a 422 on the field."""
    method, path, valid = _write(world, name)
    failures: list[Any] = []
    for field in FIELDS[name]:
        rest = json.dumps({k: v for k, v in valid.items() if k != field})[:-1]
        again = json.dumps(valid.get(field, "x"))
        for kind, raw in (
            ("int_parsing_size", f'"{field}": {LONG}'),
            ("value_error", f'"{field}": {again}, ' * 2),
        ):
            body = f"{rest}, {raw.removesuffix(', ')}}}".replace("{, ", "{")
            before = _counts()
            response = _send(api, method, path, body.encode())
            answer = response.json()
            if response.status_code != 422 or answer["detail"] != [
                {**answer["detail"][0], "loc": ["body", field], "type": kind}
            ]:
                failures.append((name, field, kind, response.status_code, answer))
            elif response.counts != before:
                failures.append((name, field, kind, "written"))
    assert failures == []
