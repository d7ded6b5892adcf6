"""The contractors' import writes the rows the form writes: the derived search and sort
keys included (contractors/keys.py), so that an imported contractor is found and sorted
like any other; its audit trail; all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from opiekun import audit
from opiekun.contractors import importing, importing_rows
from opiekun.contractors.importing import contractors_import
from opiekun.contractors.keys import polish_sort_key, search_text
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from opiekun.contractors.services import contractor_create, normalize_nip

pytestmark = pytest.mark.django_db

ROWS = [
    ("Z1", "Zażółć Gęślą Jaźń sp. z o.o.", "Łódź"),
    ("Z2", "Ąbc", "Wrocław"),
    ("Z3", "Źdźbło", ""),
]


def _file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = "".join(f"{code};{name};{city}\n" for code, name, city in rows)
    path.write_text("Kod;Nazwa;Miejscowość\n" + lines, encoding="utf-8")
    return path


def _keys(codes: list[str]) -> list[tuple[str, str, str, str]]:
    return list(
        Contractor.objects.filter(code__in=codes)
        .order_by("code")
        .values_list("code", "search_key", "name_key", "city_key")
    )


def test_imported_contractors_have_the_keys_the_form_gives(
    actor: Any, tmp_path: Path, default_role: Any
) -> None:
    report = contractors_import(
        actor=actor, path=_file(tmp_path / "k.csv", ROWS), filename="k.csv", dry_run=False
    )
    assert report.applied and not report.errors
    assert _keys([code for code, _, _ in ROWS]) == [
        (code, f"{search_text(code)}\n{search_text(name)}", polish_sort_key(name), polish_sort_key(city))
        for code, name, city in ROWS
    ]
    # the very keys the form's service writes
    contractor_create(actor=actor, code="F1", name=ROWS[0][1], city=ROWS[0][2])
    ((_, form_search, *form_sort),) = _keys(["F1"])
    ((_, imported_search, *imported_sort),) = _keys(["Z1"])
    assert (form_search.replace("f1", "z1", 1), form_sort) == (imported_search, imported_sort)
    # found and sorted as any contractor is
    assert [c.code for c in contractor_list(viewer=actor, search="zazolc gesla")] == ["F1", "Z1"]
    assert [c.code for c in contractor_list(viewer=actor, ordering="name")] == ["Z2", "F1", "Z1", "Z3"]
    assert [c.code for c in contractor_list(viewer=actor, ordering="city") if c.city] == ["F1", "Z1", "Z2"]


@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_a_failure_halfway_leaves_nothing_behind(
    actor: Any, tmp_path: Path, default_role: Any, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(importing, "INSERT_CHUNK", chunk)
    real, real_trail = audit.record, audit.trail
    calls = []

    def fail_on_the_second() -> None:
        calls.append(1)
        if len(calls) == 2 or chunk == 1000:
            raise RuntimeError("injected")

    def failing(*args: Any, **kwargs: Any) -> Any:
        fail_on_the_second()
        return real(*args, **kwargs)

    def failing_trail(*args: Any, **kwargs: Any) -> Any:
        trail = real_trail(*args, **kwargs)
        if trail is not None:  # PostgreSQL: the audit rows go with the rows' own statement
            fail_on_the_second()
        return trail

    monkeypatch.setattr(audit, "record", failing)  # the audit rows of the caretakers, at least
    monkeypatch.setattr(audit, "trail", failing_trail)
    with pytest.raises(RuntimeError, match="injected"):
        contractors_import(actor=actor, path=_file(tmp_path / "k.csv", ROWS), filename="k.csv", dry_run=False)
    assert not Contractor.objects.exists()
    assert not Contractor.history.exists()


TRICKY = [
    # NIP, REGON, e-mail, city: what the form compacts, strips or keeps
    ("PL 526-025-02-74", "12345678-5", " biuro@example.com ", " Łódź "),
    (" 5260250274 ", "123456785", "", ""),
    ("526 025 02 74", "", "A@Example.COM", "Kraków"),
    ("5260250274", "12345678512347", "x@example.pl", "Wrocław"),
]


def test_the_written_values_are_those_the_check_cleaned(
    actor: Any, tmp_path: Path, default_role: Any
) -> None:
    """The rows are read twice: checked, then written without checking again. What is
    written is what the form's cleaning gives for the same cells."""
    lines = "".join(f"I{i};Firma;{n};{r};{e};{c}\n" for i, (n, r, e, c) in enumerate(TRICKY))
    path = tmp_path / "k.csv"
    path.write_text("Kod;Nazwa;NIP;REGON;E-mail;Miejscowość\n" + lines, encoding="utf-8")
    report = contractors_import(actor=actor, path=path, filename="k.csv", dry_run=False)
    assert report.applied and not report.errors
    for i, (nip, regon, email, city) in enumerate(TRICKY):
        contractor_create(
            actor=actor, code=f"F{i}", name="Firma", nip=nip, regon=regon, email=email, city=city
        )
    fields = ("name", "nip", "regon", "email", "city", "active", "name_key", "city_key")
    imported = list(Contractor.objects.filter(code__startswith="I").order_by("code").values_list(*fields))
    created = list(Contractor.objects.filter(code__startswith="F").order_by("code").values_list(*fields))
    assert imported == created


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_the_quick_nip_check_agrees_with_the_validator(value: str) -> None:
    if importing_rows._plain_valid_nip(value):
        assert normalize_nip(value) == value
    else:
        with pytest.raises(ValidationError):
            normalize_nip(value)


@pytest.mark.parametrize(
    "value", ["５２６０２５０２７４", "526025027４", "PL52602502", "526-025-02-7", "5260250275"]
)
def test_other_nips_take_the_validators_path(value: str) -> None:
    assert not importing_rows._plain_valid_nip(value)


def test_each_imported_contractor_has_its_audit_row(actor: Any, tmp_path: Path, default_role: Any) -> None:
    """One historical row per contractor, as `audit.record` writes it (on PostgreSQL the
    rows are copied and audited in one statement, `opiekun.bulk_copy`)."""
    contractors_import(actor=actor, path=_file(tmp_path / "k.csv", ROWS), filename="k.csv", dry_run=False)
    tracked = [
        f.attname for f in Contractor.history.model._meta.concrete_fields if not f.name.startswith("history_")
    ]
    for contractor in Contractor.objects.filter(code__in=[code for code, _, _ in ROWS]):
        (row,) = Contractor.history.filter(id=contractor.pk)
        assert [getattr(row, name) for name in tracked] == [getattr(contractor, name) for name in tracked]
        assert (row.history_type, row.history_user_id, row.history_change_reason) == (
            "+",
            actor.pk,
            "import:k.csv",
        )
        assert row.history_date == contractor.created_at
