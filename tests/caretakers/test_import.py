"""Import of caretaker assignments: every row checked, the outcome of each under the
policy against the database and the file's earlier rows, all or nothing, set-based."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import assignments_import, caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.tabular import TableError

pytestmark = pytest.mark.django_db

HEADER = [
    "contractor_code",
    "contractor_nip",
    "operator_login",
    "type",
    "role",
    "branch",
    "date_from",
    "date_to",
]
NIPS = ("5260250274", "7740001454", "1234563218")


def write_csv(
    path: Path, rows: list[list[Any]], *, header: list[str] = HEADER, encoding: str = "utf-8", sep: str = ";"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(actor: Any, path: Path, **kwargs: Any) -> Any:
    with translation.override("en"):
        return assignments_import(actor=actor, path=path, filename=path.name, **kwargs)


def state() -> list[tuple[Any, ...]]:
    return sorted(
        CaretakerAssignment.objects.values_list(
            "contractor__code",
            "operator__user__username",
            "type",
            "role__name",
            "branch__code",
            "date_from",
            "date_to",
        ),
        key=str,
    )


@pytest.fixture
def world(
    actor: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[..., list[Contractor]],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
    branch: Branch,
) -> dict[str, Any]:
    ewa, adam = make_operator("ewa"), make_operator("adam")
    make_operator("olek", active=False)
    contractors = make_contractors(4)
    for contractor, nip in zip(contractors, NIPS, strict=False):
        contractor.nip = nip
        contractor.save()
    twin = contractors[3]
    twin.nip = NIPS[2]  # two contractors with one NIP
    twin.save()
    caretaker_add(
        actor=actor,
        contractor_ids=[contractors[0].pk],
        operator_id=ewa.pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )
    CaretakerRole.objects.create(name="Stara rola", active=False)
    Branch.objects.create(code="OLD", name="Zamknięty", active=False)
    return {"ewa": ewa, "adam": adam, "c": contractors, "actor": actor}


def test_every_kind_of_row_error_with_its_row_and_column(world: dict[str, Any], tmp_path: Path) -> None:
    c = world["c"]
    rows = [
        ["NOPE", "", "ewa", "main", "", "", "2025-01-01", ""],
        ["", "9999999999", "ewa", "", "", "", "2025-01-01", ""],
        ["", NIPS[2], "ewa", "", "", "", "2025-01-01", ""],
        [c[0].code, NIPS[1], "ewa", "", "", "", "2025-01-01", ""],
        [c[1].code, "", "nobody", "", "", "", "2025-01-01", ""],
        [c[1].code, "", "olek", "", "", "", "2025-01-01", ""],
        [c[1].code, "", "ewa", "boss", "", "", "2025-01-01", ""],
        [c[1].code, "", "ewa", "", "Opiekun serwisowy", "", "2025-01-01", ""],
        [c[1].code, "", "ewa", "", "Stara rola", "", "2025-01-01", ""],
        [c[1].code, "", "ewa", "", "", "WAW", "2025-01-01", ""],
        [c[1].code, "", "ewa", "", "", "OLD", "2025-01-01", ""],
        [c[1].code, "", "ewa", "", "", "", "31.02.2025", ""],
        [c[1].code, "", "ewa", "", "", "", "2025-03-01", "2025-02-28"],
        [c[1].code, "", "ewa", "", "", "", "", ""],
        ["X" * 41, "", "ewa", "", "", "", "2025-01-01", ""],
        ["", "", "ewa", "", "", "", "2025-01-01", ""],
        ["", "not-a-nip", "ewa", "", "", "", "2025-01-01", "nigdy"],
    ]
    report = run(world["actor"], write_csv(tmp_path / "bad.csv", rows))
    assert not report.applied
    assert report.rows == 17
    found = [(e.row, e.column, e.message) for e in report.errors]
    assert found == [
        (2, "contractor_code", "Unknown contractor NOPE."),
        (3, "contractor_nip", "Unknown contractor 9999999999."),
        (4, "contractor_nip", f"Several contractors have the NIP {NIPS[2]}; give the contractor's code."),
        (5, "contractor_nip", f"The NIP {NIPS[1]} is not the NIP of contractor {c[0].code}."),
        (6, "operator_login", "Unknown operator nobody."),
        (7, "operator_login", "Operator Olek Tester is inactive."),
        (8, "type", "Unknown type boss; allowed: deputy, główny, main, zastępca."),
        (9, "role", "Unknown role Opiekun serwisowy."),
        (10, "role", "Role Stara rola is inactive."),
        (11, "branch", "Unknown branch WAW."),
        (12, "branch", "Branch Zamknięty is inactive."),
        (13, "date_from", "Enter a valid date (YYYY-MM-DD or dd.mm.yyyy)."),
        (14, "date_to", "Date to cannot be earlier than date from."),
        (15, "date_from", "This field is required."),
        (16, "contractor_code", "Too long: at most 40 characters."),
        (16, "contractor_code", f"Unknown contractor {'X' * 41}."),  # 41 characters are quoted whole
        (17, "contractor_code", "Give the contractor's code or NIP."),
        (18, "date_to", "Enter a valid date (YYYY-MM-DD or dd.mm.yyyy)."),
        (18, "contractor_nip", "Unknown contractor not-a-nip."),
    ]
    assert sum(report.outcomes.values()) == 0


def test_a_row_with_several_faults_reports_all_of_them(world: dict[str, Any], tmp_path: Path) -> None:
    report = run(
        world["actor"], write_csv(tmp_path / "f.csv", [["NOPE", "", "nobody", "x", "", "", "bad", ""]])
    )
    assert {e.column for e in report.errors} == {"contractor_code", "operator_login", "type", "date_from"}


def test_a_huge_cell_is_quoted_shortened_in_its_messages(world: dict[str, Any], tmp_path: Path) -> None:
    huge = "K" + "9" * 100_000
    rows = [[huge, "", huge, huge, huge, huge, "2025-01-01", ""]]
    report = run(world["actor"], write_csv(tmp_path / "huge.csv", rows))
    assert {e.column for e in report.errors} >= {
        "contractor_code",
        "operator_login",
        "type",
        "role",
        "branch",
    }
    assert max(len(e.message) for e in report.errors) < 200
    assert f"Unknown contractor {huge[:59]}…." in [e.message for e in report.errors]
    assert not report.applied


def test_an_unknown_column_lists_the_known_ones_with_their_headers_in_the_users_language(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "cols.csv", [], header=["Kod kontrahenta", "Kolor", "Login", "Data od"])
    with translation.override("pl"):
        report = assignments_import(actor=world["actor"], path=path, filename=path.name)
    [error] = report.errors
    assert error.column == "Kolor"
    assert "contractor_code (Kod kontrahenta)" in error.message and "contractor_nip (NIP)," in error.message
    assert "operator_login (Login)" in error.message and "date_from (Data od)" in error.message


def test_faults_of_cells_that_repeat_are_told_on_every_row_that_has_them(
    world: dict[str, Any], tmp_path: Path
) -> None:
    # The cells beside the contractor's are checked once per combination: every row
    # with that combination still reports its faults, in a row's order, and a short
    # row (cells missing at its end) reads them as empty.
    c = world["c"]
    bad = ["nobody", "boss", "", "WAW", "31.02.2025", "2025-01-01"]
    rows = [
        [c[1].code, "", *bad],
        ["", "", *bad],
        [c[2].code, "", *bad],
        [c[1].code, "", "ewa"],
        [c[2].code, "", "ewa"],
    ]
    report = run(world["actor"], write_csv(tmp_path / "r.csv", rows))
    faults = [
        ("operator_login", "Unknown operator nobody."),
        ("branch", "Unknown branch WAW."),
    ]
    checks = [
        ("type", "Unknown type boss; allowed: deputy, główny, main, zastępca."),
        ("date_from", "Enter a valid date (YYYY-MM-DD or dd.mm.yyyy)."),
    ]
    required = ("date_from", "This field is required.")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        *((2, *f) for f in checks + faults),
        (3, "contractor_code", "Give the contractor's code or NIP."),
        *((3, *f) for f in checks + faults),
        *((4, *f) for f in checks + faults),
        (5, *required),
        (6, *required),
    ]


def test_two_rows_of_the_file_that_break_the_invariants_are_both_named(
    world: dict[str, Any], tmp_path: Path
) -> None:
    c = world["c"][1].code
    rows = [
        [c, "", "ewa", "main", "", "", "2025-01-01", "2025-06-30"],
        [c, "", "adam", "main", "", "", "2025-06-01", "2025-12-31"],
        [c, "", "ewa", "deputy", "", "", "2026-01-01", "2026-01-31"],
        [c, "", "ewa", "main", "", "", "2026-01-15", "2026-03-31"],
        [c, "", "adam", "deputy", "", "", "2024-01-01", "2024-03-31"],
        [c, "", "adam", "deputy", "", "", "2024-03-01", "2024-06-30"],  # overlaps row 6: merges
        [c, "", "adam", "main", "Opiekun prawny", "", "2025-01-01", ""],  # another scope
    ]
    report = run(world["actor"], write_csv(tmp_path / "x.csv", rows), on_overlap="replace")
    found = sorted((e.row, e.message) for e in report.errors)
    assert found == [
        (2, "Conflicts with row 3: two main caretakers on the same days."),
        (3, "Conflicts with row 2: two main caretakers on the same days."),
        (4, "Conflicts with row 5: the same operator as main and deputy on the same days."),
        (5, "Conflicts with row 4: the same operator as main and deputy on the same days."),
    ]
    assert report.outcomes == {"added": 2, "merged": 1, "unchanged": 0, "replaced": 0, "skipped": 0}


@pytest.mark.parametrize(
    ("policy", "expected", "ewa_until"),
    [
        ("keep", {"added": 1, "merged": 1, "unchanged": 1, "replaced": 0, "skipped": 1}, None),
        (
            "replace",
            {"added": 1, "merged": 1, "unchanged": 1, "replaced": 1, "skipped": 0},
            date(2025, 5, 31),
        ),
    ],
)
def test_outcomes_under_each_policy_against_the_database(
    world: dict[str, Any], tmp_path: Path, policy: str, expected: dict[str, int], ewa_until: date | None
) -> None:
    first, second = world["c"][0].code, world["c"][1].code
    caretaker_add(
        actor=world["actor"],
        contractor_ids=[world["c"][1].pk],
        operator_id=world["ewa"].pk,
        date_from="2024-01-01",
        date_to="2024-12-31",
        type="deputy",
    )
    rows = [
        [second, "", "ewa", "Zastępca", "Opiekun handlowy", "", "01.01.2024", "31.12.2024"],  # as it is
        [first, "", "adam", "main", "", "", "2025-06-01", ""],  # meets ewa's main
        [second, "", "adam", "Zastępca", "", "KRK", "2025-01-01", "2025-03-31"],
        [second, "", "adam", "deputy", "", "Kraków", "2025-04-01", "2025-04-30"],  # adjacent: merged
    ]
    path = write_csv(tmp_path / "o.csv", rows)
    dry = run(world["actor"], path, on_overlap=policy)
    assert (dry.applied, dry.errors, dry.outcomes) == (False, [], expected)
    before = state()
    report = run(world["actor"], path, on_overlap=policy, dry_run=False)
    assert (report.applied, report.outcomes) == (True, expected)
    after = state()
    assert after != before
    ewa = [r for r in after if r[0] == first and r[1] == "ewa"]
    assert ewa == [(first, "ewa", "main", "Opiekun handlowy", None, date(2024, 1, 1), ewa_until)]
    assert (second, "adam", "deputy", "Opiekun handlowy", "KRK", date(2025, 1, 1), date(2025, 4, 30)) in after
    again = run(world["actor"], path, on_overlap=policy, dry_run=True)
    assert again.outcomes["unchanged"] == (4 if policy == "replace" else 3)


def test_earlier_rows_of_the_file_count(world: dict[str, Any], tmp_path: Path) -> None:
    code = world["c"][2].code
    rows = [
        [code, "", "adam", "deputy", "", "", "2025-01-01", "2025-03-31"],
        [code, "", "adam", "deputy", "", "", "2025-04-01", "2025-06-30"],
        [code, "", "adam", "deputy", "", "", "2025-02-01", "2025-02-28"],
        [code, "", "adam", "deputy", "", "", "2025-01-01", "2025-03-31"],
    ]
    report = run(world["actor"], write_csv(tmp_path / "e.csv", rows), dry_run=False)
    assert report.outcomes == {"added": 1, "merged": 1, "unchanged": 2, "replaced": 0, "skipped": 0}
    assert [r for r in state() if r[0] == code] == [
        (code, "adam", "deputy", "Opiekun handlowy", None, date(2025, 1, 1), date(2025, 6, 30))
    ]


def _history(world: dict[str, Any], actor: Any) -> None:
    c, ewa, adam = world["c"], world["ewa"], world["adam"]
    add = {"actor": actor, "on_overlap": "replace"}
    caretaker_add(
        **add, contractor_ids=[c[1].pk], operator_id=adam.pk, date_from="2023-01-01", date_to="2023-12-31"
    )
    caretaker_add(
        **add, contractor_ids=[c[1].pk], operator_id=ewa.pk, date_from="2024-01-01", date_to="2024-06-30"
    )
    caretaker_add(**add, contractor_ids=[c[1].pk], operator_id=ewa.pk, date_from="2024-07-01", type="deputy")
    legal = CaretakerRole.objects.get(name="Opiekun prawny").pk
    krk = Branch.objects.get(code="KRK").pk
    caretaker_add(**add, contractor_ids=[c[2].pk], operator_id=adam.pk, date_from="2025-01-01", role_id=legal)
    caretaker_add(**add, contractor_ids=[c[2].pk], operator_id=ewa.pk, date_from="2025-01-01", branch_id=krk)
    # One operator's two periods side by side (a merge would join them): still unchanged.
    CaretakerAssignment.objects.create(
        contractor=c[3],
        operator=adam,
        type="main",
        role_id=legal,
        date_from=date(2024, 1, 1),
        date_to=date(2024, 6, 30),
    )
    CaretakerAssignment.objects.create(
        contractor=c[3], operator=adam, type="main", role_id=legal, date_from=date(2024, 7, 1), date_to=None
    )


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["pl", "en"])
def test_an_export_reimports_unchanged(
    world: dict[str, Any], tmp_path: Path, suffix: str, language: str
) -> None:
    """The round trip: Kontrahenci wg opiekuna exported, then imported: every row unchanged."""
    _history(world, world["actor"])
    out = tmp_path / f"kontrahenci-wg-opiekuna.{suffix}"
    with translation.override(language):
        call_command("export", "assignments", "-o", str(out))
    before = state()
    history = CaretakerAssignment.history.count()
    report = run(world["actor"], out, on_overlap="replace", dry_run=False)
    assert report.errors == []
    assert report.rows == len(before) == 8
    assert report.outcomes == {"added": 0, "merged": 0, "unchanged": 8, "replaced": 0, "skipped": 0}
    assert report.applied
    assert state() == before
    assert CaretakerAssignment.history.count() == history


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_reimports_unchanged_after_its_people_role_and_branch_went_inactive(
    world: dict[str, Any], tmp_path: Path, suffix: str
) -> None:
    """A caretaker who has left, a role and a branch no longer used: the rows that
    repeat what exists stay unchanged; a new row naming them is still refused."""
    _history(world, world["actor"])
    out = tmp_path / f"kontrahenci-wg-opiekuna.{suffix}"
    with translation.override("pl"):
        call_command("export", "assignments", "-o", str(out))
    adam = world["adam"]
    adam.active = False
    adam.save()
    CaretakerRole.objects.filter(name="Opiekun prawny").update(active=False)
    Branch.objects.filter(code="KRK").update(active=False)
    before = state()
    report = run(world["actor"], out, on_overlap="replace", dry_run=False)
    assert report.errors == []
    assert report.outcomes == {"added": 0, "merged": 0, "unchanged": 8, "replaced": 0, "skipped": 0}
    assert state() == before

    c = world["c"]
    new_rows = [
        [c[0].code, "", "adam", "deputy", "", "", "2026-01-01", ""],
        [c[2].code, "", "ewa", "deputy", "Opiekun prawny", "", "2026-01-01", ""],
        [c[2].code, "", "ewa", "deputy", "", "KRK", "2026-01-01", ""],
    ]
    report = run(world["actor"], write_csv(tmp_path / "new.csv", new_rows), dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(2, "operator_login"), (3, "role"), (4, "branch")]
    assert not report.applied
    assert state() == before


@pytest.mark.parametrize("open_end", ["", "bezterminowo", "open-ended", "Bezterminowo"])
@pytest.mark.parametrize(("encoding", "sep"), [("utf-8-sig", ";"), ("utf-8", ","), ("cp1250", ";")])
def test_polish_headers_dates_and_open_ends_in_every_encoding(
    world: dict[str, Any], tmp_path: Path, open_end: str, encoding: str, sep: str
) -> None:
    """The export's Polish headers in another order, dd.mm.rrrr, an open end as the
    screens write it, the branch by name, Windows-1250 with Polish letters."""
    header = ["Data do", "Data od", "Login", "Typ", "Oddział", "Rola", "Kod kontrahenta", "Nazwa kontrahenta"]
    code = world["c"][0].code
    rows = [
        [open_end, "01.01.2024", "ewa", "Główny", "", "Opiekun handlowy", code, "Łódzka Spółka"],
        [open_end, "01.02.2025", "adam", "Zastępca", "Kraków", "opiekun handlowy", code, "Łódzka Spółka"],
    ]
    report = run(
        world["actor"], write_csv(tmp_path / "pl.csv", rows, header=header, encoding=encoding, sep=sep)
    )
    assert report.errors == []
    assert report.outcomes["unchanged"] == 1 and report.outcomes["added"] == 1


def test_xlsx_with_date_cells_and_a_nip_stored_as_a_number(world: dict[str, Any], tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["NIP", "Login", "Typ", "Data od", "Data do"])
    sheet.append([int(NIPS[1]), "adam", "Główny", date(2025, 1, 1), None])
    sheet.append([float(NIPS[0]), "ewa", "Główny", date(2024, 1, 1), "bezterminowo"])
    sheet.append([int(NIPS[1]), "ewa", "Zastępca", "2025-02-01", date(2025, 2, 28)])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    report = run(world["actor"], path, dry_run=False)
    assert report.errors == []
    assert report.outcomes == {"added": 2, "merged": 0, "unchanged": 1, "replaced": 0, "skipped": 0}
    code = world["c"][1].code
    assert (code, "ewa", "deputy", "Opiekun handlowy", None, date(2025, 2, 1), date(2025, 2, 28)) in state()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_formula_looking_cell_is_text(world: dict[str, Any], tmp_path: Path, suffix: str) -> None:
    Contractor.objects.create(code="=SUM(A1)", name="Formuła")
    rows = [
        ["=SUM(A1)", "", "ewa", "", "", "", "2025-01-01", ""],
        ["=1+1", "", "ewa", "", "", "", "2025-01-01", ""],
    ]
    if suffix == "csv":
        path = write_csv(tmp_path / "f.csv", rows)
    else:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)  # openpyxl stores "=…" as a formula cell
        path = tmp_path / "f.xlsx"
        workbook.save(path)
    report = run(world["actor"], path)
    assert [(e.row, e.message) for e in report.errors] == [(3, "Unknown contractor =1+1.")]
    assert report.outcomes["added"] == 1


def test_an_empty_file_and_a_file_with_only_the_header(world: dict[str, Any], tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(TableError, match="empty"):
        run(world["actor"], empty)
    only = write_csv(tmp_path / "header.csv", [])
    report = run(world["actor"], only, dry_run=False)
    assert (report.applied, report.rows, report.errors) == (True, 0, [])
    assert sum(report.outcomes.values()) == 0


def test_unknown_and_missing_columns_are_errors_of_row_1(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", [["x", "ewa"]], header=["kolor", "operator_login"])
    report = run(world["actor"], path, dry_run=False)
    assert not report.applied
    assert report.rows == 1
    assert [(e.row, e.column) for e in report.errors] == [(1, "kolor"), (1, None), (1, None)]
    assert "contractor_code or contractor_nip" in report.errors[1].message


def test_with_an_error_nothing_is_written_unless_skip_invalid(world: dict[str, Any], tmp_path: Path) -> None:
    rows = [
        [world["c"][1].code, "", "adam", "", "", "", "2025-01-01", ""],
        ["NOPE", "", "adam", "", "", "", "2025-01-01", ""],
    ]
    path = write_csv(tmp_path / "s.csv", rows)
    before = state()
    report = run(world["actor"], path, dry_run=False)
    assert (report.applied, len(report.errors), report.outcomes["added"]) == (False, 1, 1)
    assert state() == before
    report = run(world["actor"], path, dry_run=False, skip_invalid=True)
    assert (report.applied, len(report.errors), report.outcomes["added"]) == (True, 1, 1)
    assert len(state()) == len(before) + 1


def test_an_import_is_recorded_with_the_file_name(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "z-enovy.csv", [[world["c"][0].code, "", "adam", "", "", "", "2025-06-01", ""]]
    )
    run(world["actor"], path, dry_run=False, on_overlap="replace")
    reasons = set(
        CaretakerAssignment.history.filter(history_user=world["actor"]).values_list(
            "history_change_reason", flat=True
        )
    )
    assert "import:z-enovy.csv" in reasons
    trimmed = CaretakerAssignment.history.filter(history_change_reason="import:z-enovy.csv", history_type="~")
    assert trimmed.get().date_to == date(2025, 5, 31)


def test_a_database_failure_halfway_leaves_the_database_unchanged(
    world: dict[str, Any], tmp_path: Path, make_contractors: Callable[..., list[Contractor]]
) -> None:
    """All or nothing: the second chunk's write fails after the first was written."""
    contractors = make_contractors(4)
    rows = [[c.code, "", "adam", "", "", "", "2025-01-01", ""] for c in contractors]
    path = write_csv(tmp_path / "fail.csv", rows)
    before, history = state(), CaretakerAssignment.history.count()
    inserts = []

    def fail_on_second_insert(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if 'INSERT INTO "caretakers_caretakerassignment"' in sql:  # on PostgreSQL, inside a WITH
            inserts.append(sql)
            if len(inserts) == 2:
                raise DatabaseError("disk full (injected)")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_second_insert), pytest.raises(DatabaseError):
        run(world["actor"], path, dry_run=False, chunk_size=2)
    assert len(inserts) == 2  # the first chunk was written before the failure
    assert state() == before
    assert CaretakerAssignment.history.count() == history


def test_queries_do_not_grow_with_the_rows(
    world: dict[str, Any], tmp_path: Path, make_contractors: Callable[..., list[Contractor]]
) -> None:
    contractors = make_contractors(1000)

    def queries(count: int, *, dry_run: bool) -> int:
        rows = [[c.code, "", "adam", "deputy", "", "", "2025-01-01", ""] for c in contractors[:count]]
        path = write_csv(tmp_path / f"q{count}.csv", rows)
        with CaptureQueriesContext(connection) as captured:
            report = run(world["actor"], path, dry_run=dry_run)
        assert report.errors == [] and report.outcomes["added"] == count
        CaretakerAssignment.objects.filter(type="deputy").delete()
        return len(captured.captured_queries)

    assert queries(10, dry_run=True) == queries(1000, dry_run=True)
    assert queries(10, dry_run=False) == queries(1000, dry_run=False)


def test_contractors_looked_up_and_locked_by_one_statement(
    world: dict[str, Any], tmp_path: Path, make_contractors: Callable[..., list[Contractor]]
) -> None:
    """A file naming its contractors by code: one statement finds and (importing)
    locks them, in id order; with a NIP in the file, the look-ups come first and the
    lock after them."""
    contractors = make_contractors(30)

    def contractor_reads(rows: list[list[str]], *, dry_run: bool) -> tuple[list[str], list[str]]:
        """The look-ups of contractors by code or NIP, and the statements locking them."""
        path = write_csv(tmp_path / "lock.csv", rows)
        with CaptureQueriesContext(connection) as captured:
            report = run(world["actor"], path, dry_run=dry_run)
        assert report.errors == [] and report.outcomes["added"] == len(rows)
        CaretakerAssignment.objects.filter(type="deputy").delete()
        sqls = [q["sql"] for q in captured.captured_queries if 'FROM "contractors_contractor"' in q["sql"]]
        lookups = [q for q in sqls if re.search(r'SELECT "contractors_contractor"."(code|nip)" AS', q)]
        return lookups, [q for q in sqls if "FOR UPDATE" in q]

    by_code = [[c.code, "", "adam", "deputy", "", "", "2025-01-01", ""] for c in contractors]
    postgresql = connection.vendor == "postgresql"  # SQLite's transaction holds the lock
    lookups, locks = contractor_reads(by_code, dry_run=True)
    assert len(lookups) == 1 and locks == []
    lookups, locks = contractor_reads(by_code, dry_run=False)
    assert len(lookups) == 1 and locks == (lookups if postgresql else [])
    if postgresql:
        assert "ORDER BY" in lookups[0]
    Contractor.objects.filter(pk=contractors[0].pk).update(nip="1112223334")
    lookups, locks = contractor_reads(
        [["", "111-222-33-34", "adam", "deputy", "", "", "2025-01-01", ""]], dry_run=False
    )
    assert len(lookups) == 1 and len(locks) == (1 if postgresql else 0) and lookups[0] not in locks


def test_only_contractors_the_caller_may_change(
    world: dict[str, Any], tmp_path: Path, make_operator: Callable[..., Operator]
) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    c = world["c"]
    rows = [
        [c[0].code, "", "own", "deputy", "", "", "2025-01-01", ""],  # ewa's: not visible
        [c[1].code, "", "own", "deputy", "", "", "2025-01-01", ""],  # unassigned: read-only
    ]
    report = run(own.user, write_csv(tmp_path / "v.csv", rows))
    assert [(e.row, e.message) for e in report.errors] == [
        (2, f"Unknown contractor {c[0].code}."),
        (3, f"Unknown contractor {c[1].code}."),
    ]


def test_without_the_assign_permission_or_with_a_wrong_policy(
    world: dict[str, Any], tmp_path: Path, make_operator: Callable[..., Operator]
) -> None:
    path = write_csv(tmp_path / "p.csv", [])
    with pytest.raises(PermissionDenied):
        run(make_operator("reader", can_assign=False).user, path)
    with pytest.raises(ValidationError) as raised:
        run(world["actor"], path, on_overlap="warn")
    assert "on_overlap" in raised.value.message_dict


def test_a_deputy_the_import_changes_keeps_its_priority_in_the_row_and_the_trail(
    world: dict[str, Any], tmp_path: Path
) -> None:
    second = world["c"][1]
    caretaker_add(
        actor=world["actor"],
        contractor_ids=[second.pk],
        operator_id=world["adam"].pk,
        date_from="2025-01-01",
        date_to="2025-06-30",
        type="deputy",
        priority=2,
    )
    row = CaretakerAssignment.objects.get(contractor=second, operator=world["adam"])
    # Adjacent: the deputy's row grows to the end of the year (merged).
    path = write_csv(
        tmp_path / "p.csv", [[second.code, "", "adam", "Zastępca", "", "", "2025-07-01", "2025-12-31"]]
    )
    report = run(world["actor"], path, on_overlap="replace", dry_run=False)
    assert report.outcomes["merged"] == 1
    row.refresh_from_db()
    assert (row.date_to, row.priority) == (date(2025, 12, 31), 2)
    last = CaretakerAssignment.history.filter(id=row.pk).order_by("-history_id").first()
    assert last is not None and (last.history_type, last.date_to, last.priority) == (
        "~",
        date(2025, 12, 31),
        2,
    )
