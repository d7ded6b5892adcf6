"""`opiekun import-assignments` and `opiekun import contractors`: dry run, summary,
the error report, exit codes 0 (written or a clean dry run), 1 (errors), 2 (bad usage)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.cli import main
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run as from a shell closes every database connection when it ends
    (``run_from_argv``); the test's transaction lives on that connection."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(*args: str) -> int:
    """The command as a shell runs it; its exit code."""
    try:
        main([*args])
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


def _csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def files(
    tmp_path: Path, make_operator: Callable[..., Operator], make_contractors: Any, default_role: Any
) -> dict[str, Path]:
    make_operator("ewa")
    c = make_contractors(2)
    header = ["contractor_code", "operator_login", "date_from"]
    return {
        "good": _csv(tmp_path / "good.csv", [header, [c[0].code, "ewa", "2025-01-01"]]),
        "bad": _csv(
            tmp_path / "bad.csv",
            [
                header,
                [c[1].code, "ewa", "2025-01-01"],
                ["NOPE", "ewa", "2025-01-01"],
                [c[0].code, "x", "bad"],
            ],
        ),
    }


def test_a_clean_dry_run_exits_0_and_writes_nothing(files: dict[str, Path], capsys: Any) -> None:
    assert run("import-assignments", str(files["good"]), "--dry-run", "--language", "en") == 0
    out = capsys.readouterr().out
    assert "Import summary" in out and "dry run: nothing written" in out
    assert not CaretakerAssignment.objects.exists()


def test_an_import_exits_0_and_writes(files: dict[str, Path], capsys: Any) -> None:
    assert run("import-assignments", str(files["good"]), "--on-overlap", "replace") == 0
    assert "Podsumowanie importu" in capsys.readouterr().out  # Polish unless asked otherwise
    assert CaretakerAssignment.objects.get().history.get().history_change_reason == "import:good.csv"


def test_errors_exit_1_write_nothing_and_go_to_the_report(
    files: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    report = tmp_path / "errors.csv"
    code = run("import-assignments", str(files["bad"]), "--errors", str(report), "--language", "en")
    assert code == 1
    captured = capsys.readouterr()
    assert "nothing imported; fix these rows:" in captured.err
    assert "row 3: contractor_code: Unknown contractor NOPE." in captured.err
    assert not CaretakerAssignment.objects.exists()
    rows = list(csv.reader(io.StringIO(report.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Row", "Column", "Message"]
    assert ["3", "contractor_code", "Unknown contractor NOPE."] in rows
    assert {r[0] for r in rows[1:]} == {"3", "4"}
    assert run("import-assignments", str(files["bad"]), "--dry-run") == 1


def test_skip_invalid_writes_the_valid_rows_and_still_exits_1(files: dict[str, Path], capsys: Any) -> None:
    assert run("import-assignments", str(files["bad"]), "--skip-invalid", "--language", "en") == 1
    assert "imported the valid rows" in capsys.readouterr().err
    assert CaretakerAssignment.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [
        ["import-assignments"],
        ["import-assignments", "missing.csv"],
        ["import-assignments", "{good}", "--on-overlap", "warn"],
        ["import-assignments", "{good}", "--user", "nobody"],
    ],
)
def test_bad_usage_exits_2(files: dict[str, Path], args: list[str], capsys: Any) -> None:
    assert run(*[a.format(good=files["good"]) for a in args]) == 2
    assert not CaretakerAssignment.objects.exists()


def test_an_unreadable_or_too_large_file_exits_1(
    files: dict[str, Path], tmp_path: Path, settings: Any
) -> None:
    broken = tmp_path / "x.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    assert run("import-assignments", str(broken)) == 1
    settings.IMPORT_MAX_BYTES = 10
    assert run("import-assignments", str(files["good"])) == 1


def test_an_errors_file_that_cannot_be_written_exits_2_before_writing_anything(
    files: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    """Checked before the import: with --skip-invalid the valid rows were written,
    then the report's path raised a traceback."""
    report = tmp_path / "no-such-folder" / "errors.csv"
    code = run(
        "import-assignments", str(files["bad"]), "--skip-invalid", "--errors", str(report), "--language", "en"
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"--errors: cannot write {report}" in err
    assert not CaretakerAssignment.objects.exists()


def test_the_errors_file_may_not_be_the_imported_file(files: dict[str, Path], capsys: Any) -> None:
    """The report is opened before the import reads the file: the same path would
    have emptied the file being imported."""
    before = files["bad"].read_bytes()
    assert (
        run("import-assignments", str(files["bad"]), "--errors", str(files["bad"]), "--language", "en") == 2
    )
    assert "--errors: the file being imported" in capsys.readouterr().err
    assert files["bad"].read_bytes() == before


def test_a_file_that_cannot_be_opened_exits_1_with_the_reason(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """An unreadable file (no permission: the tests run as root, so the refusal is
    simulated) is a clear message, not a traceback."""
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == files["good"]:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert run("import-assignments", str(files["good"]), "--language", "en") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "Cannot read the file: Permission denied" in err


def test_a_directory_is_not_taken_for_a_missing_file(tmp_path: Path, capsys: Any) -> None:
    assert run("import-assignments", str(tmp_path), "--language", "en") == 2
    assert f"{tmp_path}: not a file (a directory)" in capsys.readouterr().err


# --- contractors ------------------------------------------------------------------

CONTRACTORS = [
    ["Kod", "Nazwa", "NIP", "REGON", "E-mail", "Aktywny"],
    ["A1", "Alfa", "526-025-02-74", "123456785", "", "tak"],
    ["A2", "Beta", "", "", "biuro@example.com", ""],
]


def test_contractors_dry_run_checks_like_the_form(actor: Any, tmp_path: Path, capsys: Any) -> None:
    rows = [*CONTRACTORS, ["A3", "Gamma", "1234567890", "12345", "zły", "może"]]
    path = _csv(tmp_path / "k.csv", rows)
    assert (
        run("import", "contractors", str(path), "--user", actor.username, "--dry-run", "--language", "en")
        == 1
    )
    err = capsys.readouterr().err
    assert "row 4: NIP: Invalid NIP: the check digit is wrong" in err
    assert "row 4: REGON: Invalid REGON: wrong number of digits" in err
    assert "row 4: E-mail: Enter a valid email address." in err
    assert "row 4: Aktywny: Not a yes/no value: może." in err
    assert not Contractor.objects.exists()
    path = _csv(tmp_path / "ok.csv", CONTRACTORS)
    assert run("import", "contractors", str(path), "--user", actor.username, "--dry-run") == 0
    assert not Contractor.objects.exists()


@pytest.mark.parametrize("caretaker", [True, False])
def test_contractors_import_set_based_with_the_creator_as_caretaker_if_configured(
    actor: Any, tmp_path: Path, settings: Any, default_role: Any, caretaker: bool
) -> None:
    settings.CREATOR_BECOMES_CARETAKER = caretaker
    path = _csv(tmp_path / "ok.csv", CONTRACTORS)
    assert run("import", "contractors", str(path), "--user", actor.username) == 0
    assert list(Contractor.objects.values_list("code", "nip", "regon", "email", "active", "created_by")) == [
        ("A1", "5260250274", "123456785", "", True, actor.pk),
        ("A2", "", "", "biuro@example.com", True, actor.pk),
    ]
    history = Contractor.history.values_list("code", "history_type", "history_change_reason")
    assert sorted(history) == [("A1", "+", "import:ok.csv"), ("A2", "+", "import:ok.csv")]
    assigned = CaretakerAssignment.objects.filter(operator__user=actor, type="main", date_to=None)
    assert assigned.count() == (2 if caretaker else 0)
    path = _csv(tmp_path / "again.csv", [CONTRACTORS[0], ["A2", "Beta", "", "", "", ""]])
    assert run("import", "contractors", str(path), "--user", actor.username, "--language", "en") == 1


def test_contractors_import_sends_as_many_queries_for_10_rows_as_for_1000(
    actor: Any, tmp_path: Path, default_role: Any, capsys: Any
) -> None:
    def queries(count: int, prefix: str) -> int:
        rows = [CONTRACTORS[0][:2]] + [[f"{prefix}{i}", f"Firma {i}"] for i in range(count)]
        path = _csv(tmp_path / f"{prefix}.csv", rows)
        with CaptureQueriesContext(connection) as captured:
            assert run("import", "contractors", str(path), "--user", actor.username) == 0
        return len(captured.captured_queries)

    assert queries(10, "S") == queries(1000, "L")
    assert Contractor.objects.count() == 1010
