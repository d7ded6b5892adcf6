"""Contractor search without accents and sorting in Polish order, on both engines,
served by indexes (contractors/keys.py, migrations 0003 and 0004)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from opiekun.contractors.keys import polish_sort_key, search_text
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from opiekun.contractors.services import contractor_create, contractor_update
from tests.plans import query_plan

pytestmark = pytest.mark.django_db

NAMES = ["Wrocław Trans", "Łódź Handel", "Lublin Serwis", "Zebra", "Żaba", "Źdźbło", "ala", "Ąbc", "Łza"]
NAMES += ["Lz"]
POLISH_ORDER = ["ala", "Ąbc", "Lublin Serwis", "Lz", "Łódź Handel", "Łza", "Wrocław Trans", "Zebra"]
POLISH_ORDER += ["Źdźbło", "Żaba"]


def test_search_text_folds_case_accents_and_spaces() -> None:
    assert search_text("  Zażółć   GĘŚLĄ jaźń ") == "zazolc gesla jazn"
    assert search_text("Łódź Müller Straße Ørsted") == "lodz muller strasse orsted"


def test_polish_sort_key_orders_the_polish_alphabet() -> None:
    assert sorted(NAMES, key=polish_sort_key) == POLISH_ORDER
    # case and foreign accents aside; space before letters; digits before letters
    assert polish_sort_key("ÉLAN") == polish_sort_key("elan")
    assert sorted(["Foobar", "Foo Bar", "9 Firma", "Ωmega"], key=polish_sort_key) == [
        "9 Firma",
        "Foo Bar",
        "Foobar",
        "Ωmega",
    ]
    key = polish_sort_key("Zażółć — Gęślą 12 Ωmega Сибирь")
    assert key.isascii() and key.isalnum() and key == key.lower()


@pytest.fixture
def firms(actor: Any) -> dict[str, Contractor]:
    return {
        name: contractor_create(actor=actor, code=f"F{i:02d}", name=name, city=name.split()[0])
        for i, name in enumerate(NAMES)
    } | {"zazolc": contractor_create(actor=actor, code="ZG", name="Zażółć Gęślą Jaźń sp. z o.o.")}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("zazolc", ["ZG"]),
        ("ZAŻÓŁĆ gęślą", ["ZG"]),
        ("jazn sp", ["ZG"]),
        ("lodz", ["F01"]),
        ("Łódź", ["F01"]),
        ("zdzblo", ["F05"]),
        ("f0", ["F00", "F01", "F02", "F03", "F04", "F05", "F06", "F07", "F08", "F09"]),
    ],
)
def test_search_ignores_case_and_accents(actor: Any, firms: Any, search: str, expected: list[str]) -> None:
    assert [c.code for c in contractor_list(viewer=actor, search=search)] == expected


def test_sorting_by_name_and_city_is_polish(actor: Any, firms: Any) -> None:
    by_name = [c.name for c in contractor_list(viewer=actor, ordering="name") if c.code != "ZG"]
    assert by_name == POLISH_ORDER
    by_name_desc = [c.name for c in contractor_list(viewer=actor, ordering="-name") if c.code != "ZG"]
    assert by_name_desc == POLISH_ORDER[::-1]
    cities = [c.city for c in contractor_list(viewer=actor, ordering="city") if c.city]
    assert cities == [name.split()[0] for name in POLISH_ORDER]


def test_the_keys_follow_every_change(actor: Any, firms: Any, make_contractors: Callable[..., Any]) -> None:
    firm = firms["Zebra"]
    contractor_update(actor=actor, contractor_id=firm.pk, name="Ćma Żółta")
    assert [c.code for c in contractor_list(viewer=actor, search="cma zolta")] == [firm.code]
    assert not contractor_list(viewer=actor, search="zebra").exists()
    (bulk,) = make_contractors(1)  # bulk_create, as the demo data and fixtures do
    assert [c.pk for c in contractor_list(viewer=actor, search=bulk.name.lower())] == [bulk.pk]


def test_the_migration_fills_the_keys_of_existing_contractors(actor: Any, firms: Any) -> None:
    Contractor.objects.update(search_key="", name_key="", city_key="")
    migration = importlib.import_module("opiekun.contractors.migrations.0004_search_and_sort_keys")
    migration.fill_keys(Contractor, connection)
    assert [c.code for c in contractor_list(viewer=actor, search="zazolc")] == ["ZG"]
    by_name = [c.name for c in contractor_list(viewer=actor, ordering="name") if c.code != "ZG"]
    assert by_name == POLISH_ORDER


@pytest.mark.parametrize("ordering", ["name", "-name", "city", "-city"])
def test_sorting_by_name_and_city_reads_an_index(actor: Any, firms: Any, ordering: str) -> None:
    sql, params = contractor_list(viewer=actor, ordering=ordering)[:50].query.sql_with_params()
    index = "contractor_name_key_code" if "name" in ordering else "contractor_city_key_code"
    plan = query_plan(sql, params)
    assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no index for substring search")
def test_search_reads_the_trigram_index(actor: Any, firms: Any) -> None:
    # What the list counts: every contractor matching the search.
    found = contractor_list(viewer=actor, search="zazolc").order_by().values("pk")
    sql, params = found.query.sql_with_params()
    plan = query_plan(sql, params)
    assert "contractor_search_key_trgm" in plan, plan
