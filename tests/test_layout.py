"""The layout of the code: no module under src/opiekun is longer than 300 lines
(migrations aside), so that each one holds one job (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "opiekun"
MAX_LINES = 300
# Modules still too long, each waiting for its own split; the test fails as soon as
# one of them fits, so that it is taken off this list.
WAITING = {"caretakers/acting.py"}


def _lengths() -> dict[str, int]:
    return {
        path.relative_to(SOURCE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.relative_to(SOURCE).parts
    }


def test_no_module_is_longer_than_300_lines() -> None:
    lengths = _lengths()
    assert len(lengths) > 50  # the walk found the modules
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in WAITING}
    assert too_long == {}, f"split these modules by responsibility (at most {MAX_LINES} lines): {too_long}"


def test_the_waiting_list_holds_only_modules_still_too_long() -> None:
    lengths = _lengths()
    fitting = sorted(name for name in WAITING if lengths.get(name, 0) <= MAX_LINES)
    assert fitting == [], f"these fit now (or are gone): take them off WAITING: {fitting}"
