"""Set-based writes: one statement for any number of rows, values prepared as the
ORM would (dates, nulls, booleans, text with quotes), keys returned in order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.bulk import delete_ids, id_list, insert_rows, update_rows
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor

pytestmark = pytest.mark.django_db

FIELDS = [
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
    "created_at",
    "updated_at",
]
WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def contractor_row(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": f"B{i:06d}",
        "name": f"Firma \"{i}\" 'x' ; --",
        "nip": "",
        "regon": "",
        "street": "",
        "postal_code": "",
        "city": "Łódź",
        "email": "",
        "phone": "",
        "active": i % 2 == 0,
        "created_at": WHEN,
        "updated_at": WHEN,
        **extra,
    }


@pytest.mark.parametrize("size", [1, 33000])
def test_insert_returns_keys_in_order_in_one_query(size: int) -> None:
    rows = [contractor_row(i) for i in range(size)]
    with CaptureQueriesContext(connection) as run:
        pks = insert_rows(Contractor, FIELDS, rows)
    assert len(run) == 1  # beyond SQLite's bound-parameter limit, still one statement
    assert len(pks) == size
    stored = dict(Contractor.objects.filter(pk__in=id_list(pks)).values_list("pk", "code"))
    assert [stored[pk] for pk in pks] == [r["code"] for r in rows]
    first = Contractor.objects.get(pk=pks[0])
    assert (first.name, first.city, first.active, first.created_at) == (rows[0]["name"], "Łódź", True, WHEN)


def test_empty_writes_cost_nothing() -> None:
    with CaptureQueriesContext(connection) as run:
        assert insert_rows(Contractor, FIELDS, []) == []
        assert update_rows(Contractor, ["name"], []) == 0
        assert delete_ids(Contractor, []) == 0
    assert len(run) == 0


@pytest.mark.usefixtures("coverage_rebuilt_after")  # inserts assignments around the services
def test_dates_and_nulls_round_trip(make_operator: Any, contractor: Contractor) -> None:
    operator = make_operator("anna")
    role = CaretakerRole.objects.get(is_default=True)
    names = [
        "contractor_id",
        "operator_id",
        "type",
        "role_id",
        "branch_id",
        "date_from",
        "date_to",
        "created_at",
        "updated_at",
    ]
    base = {
        "contractor_id": contractor.pk,
        "operator_id": operator.pk,
        "role_id": role.pk,
        "branch_id": None,
        "created_at": WHEN,
        "updated_at": WHEN,
    }
    pks = insert_rows(
        CaretakerAssignment,
        names,
        [
            {**base, "type": "main", "date_from": date(2025, 1, 1), "date_to": date(2025, 1, 31)},
            {**base, "type": "deputy", "date_from": date(2025, 2, 1), "date_to": None},
        ],
    )
    rows = list(CaretakerAssignment.objects.filter(pk__in=pks).order_by("date_from"))
    assert [(r.type, r.date_from, r.date_to, r.branch_id) for r in rows] == [
        ("main", date(2025, 1, 1), date(2025, 1, 31), None),
        ("deputy", date(2025, 2, 1), None, None),
    ]
    update_rows(
        CaretakerAssignment,
        ["date_to", "branch_id"],
        [
            {"id": pks[0], "date_to": date(2025, 1, 15), "branch_id": None},
            {"id": pks[1], "date_to": date(2025, 12, 31), "branch_id": None},
        ],
    )
    assert [r.date_to for r in CaretakerAssignment.objects.filter(pk__in=pks).order_by("date_from")] == [
        date(2025, 1, 15),
        date(2025, 12, 31),
    ]
    update_rows(CaretakerAssignment, ["date_to"], [{"id": pks[1], "date_to": None}])
    assert CaretakerAssignment.objects.get(pk=pks[1]).date_to is None


def test_update_many_rows_in_one_query(make_contractors: Any) -> None:
    cs = make_contractors(3000)
    with CaptureQueriesContext(connection) as run:
        changed = update_rows(
            Contractor, ["name", "active"], [{"id": c.pk, "name": f"N{c.pk}", "active": False} for c in cs]
        )
    assert len(run) == 1 and changed == 3000
    assert not Contractor.objects.filter(active=True).exists()
    assert Contractor.objects.get(pk=cs[7].pk).name == f"N{cs[7].pk}"


def test_delete_many_rows_in_one_query(make_contractors: Any) -> None:
    cs = make_contractors(3000)
    keep = cs.pop()
    with CaptureQueriesContext(connection) as run:
        assert delete_ids(Contractor, [c.pk for c in cs]) == 2999
    assert len(run) == 1
    assert list(Contractor.objects.values_list("pk", flat=True)) == [keep.pk]


AWKWARD = ['x","y', 'a\\b "c" {d}, e', "NULL", "", " padded ", "{}", '"', "\\", "x,y", "ąę ü\n\ttab"]


def test_awkward_texts_round_trip() -> None:
    """Quotes, backslashes, braces, commas, the word NULL and empty texts: written as
    they are (PostgreSQL reads them from an array's text)."""
    rows = [contractor_row(i, name=name, email=name) for i, name in enumerate(AWKWARD)]
    pks = insert_rows(Contractor, FIELDS, rows)
    stored = dict(Contractor.objects.filter(pk__in=pks).values_list("pk", "name"))
    assert [stored[pk] for pk in pks] == AWKWARD
    update_rows(
        Contractor, ["city"], [{"id": pk, "city": name} for pk, name in zip(pks, AWKWARD, strict=True)]
    )
    stored = dict(Contractor.objects.filter(pk__in=pks).values_list("pk", "city"))
    assert [stored[pk] for pk in pks] == AWKWARD


def test_in_list_finds_texts_and_ids_in_one_parameter(make_contractors: Any) -> None:
    rows = [contractor_row(i, code=f"K{i}{name}"[:40]) for i, name in enumerate(AWKWARD)]
    pks = insert_rows(Contractor, FIELDS, rows)
    codes = [r["code"] for r in rows]
    with CaptureQueriesContext(connection) as run:
        found = dict(Contractor.objects.filter(code__in_list=[*codes, "missing"]).values_list("code", "pk"))
    assert len(run) == 1
    assert found == dict(zip(codes, pks, strict=True))
    assert sorted(Contractor.objects.filter(pk__in_list=pks[:3]).values_list("pk", flat=True)) == pks[:3]
    assert not Contractor.objects.filter(pk__in_list=[]).exists()
    assert not Contractor.objects.filter(code__in_list=[]).exists()
    role = CaretakerRole.objects.get(is_default=True)
    assert not CaretakerAssignment.objects.filter(
        contractor_id__in_list=pks, role_id__in_list=[role.pk]
    ).exists()
