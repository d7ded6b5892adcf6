"""Import of caretaker assignments from CSV or XLSX (docs/import.md).

A file is read once, row by row (`opiekun.tabular`); each row is checked on its own
(cells, dates, lengths), then every contractor, operator, role and branch the file
names is looked up with a handful of queries for the whole file, never one per row.
Rows of the file that break the invariants between themselves are errors, both rows
named. The valid rows are then planned contractor by contractor, in chunks: the
chunk's existing assignments are loaded in one query and each row is decided with
`rules.decide` — the overlap policy of Dodaj opiekuna — against the database's state
and the rows of the file before it, in file order. A dry run stops there and
reports; an import writes each chunk's changes through `write_changes`, all chunks
in one transaction, all or nothing, recorded in the audit trail as
``import:<file name>``.

A row identical to an assignment that already holds (after the rows before it) is
``unchanged`` without asking `decide`: so an export re-imports unchanged even where
one operator's two periods lie side by side, which `decide` would merge.

The steps live beside this module: `importing_rows` (reading), `importing_names`
(looking up names; `importing_lookup`: the operators, roles and branches) and
`importing_plan` (rows in conflict, planning, writing). The cells that repeat from row
to row (login, type, role, branch, dates) are checked and looked up once per distinct
combination, and the collector is paused for the whole import (docs/performance.md,
"The import's own Python, 2026-11-29 (imp6)").
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opiekun.audit import Reason
from opiekun.caretakers.rules import Outcome, OverlapPolicy
from opiekun.caretakers.services.importing_names import NameResolver
from opiekun.caretakers.services.importing_plan import file_conflicts, plan_rows
from opiekun.caretakers.services.importing_rows import COLUMNS, REQUIRED, read_rows
from opiekun.collector import collector_paused
from opiekun.importing import Errors, ImportReport, Progress, import_reason, match_header, no_progress
from opiekun.operators.access import require_assign
from opiekun.tabular import open_table

CHUNK_CONTRACTORS = 2000  # contractors planned (and written) together
POLICIES = (OverlapPolicy.KEEP, OverlapPolicy.REPLACE)
OUTCOMES = tuple(o.value for o in Outcome)


def assignments_import(
    *,
    actor: Any,
    path: Path,
    filename: str,
    on_overlap: object = OverlapPolicy.KEEP,
    dry_run: bool = True,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_CONTRACTORS,
) -> ImportReport:
    """Check (``dry_run``) or import the assignments in the file at ``path``.

    Writes only without ``dry_run``, and then only when no row has an error, or with
    ``skip_invalid`` (the valid rows are written, the others reported). Raises
    PermissionDenied without the permission to assign, ValidationError for a wrong
    ``on_overlap``, `opiekun.tabular.TableError` when the file cannot be read."""
    require_assign(actor)
    policy = _policy(on_overlap)
    # The collector paused: the rows read, looked up and planned all live until the
    # import ends, and each collection their number triggers would walk them again.
    with collector_paused():
        return _import(actor, path, filename, policy, dry_run, skip_invalid, progress, chunk_size)


def _import(
    actor: Any,
    path: Path,
    filename: str,
    policy: OverlapPolicy,
    dry_run: bool,
    skip_invalid: bool,
    progress: Progress | None,
    chunk_size: int,
) -> ImportReport:
    report = progress or no_progress
    errors = Errors()
    with open_table(path) as table:
        header = match_header(table.header, COLUMNS, required=REQUIRED)
        if header.errors:
            rows = sum(1 for _ in table.rows)
            return ImportReport(False, rows, header.errors, dict.fromkeys(OUTCOMES, 0), OUTCOMES)
        parsed, rows = read_rows(table, header, errors, report)
    apply = not dry_run
    with transaction.atomic() if apply else nullcontext():
        valid = NameResolver(actor, header, errors).resolve(parsed, lock=apply)
        del parsed
        file_conflicts(valid, header, errors)
        valid = [r for r in valid if r.number not in errors.rows]
        write = apply and (not errors.items or skip_invalid)
        outcomes = plan_rows(
            valid,
            policy,
            actor=actor,
            reason=import_reason(Reason.IMPORT, filename) if write else None,
            chunk_size=chunk_size,
            progress=report,
        )
    return ImportReport(write, rows, errors.sorted(), {k: outcomes[k] for k in OUTCOMES}, OUTCOMES)


def _policy(value: object) -> OverlapPolicy:
    if value in POLICIES:
        return OverlapPolicy(str(value))
    allowed = ", ".join(p.value for p in POLICIES)
    raise ValidationError(
        {
            "on_overlap": [
                _("Unknown value %(value)r; allowed: %(allowed)s.") % {"value": value, "allowed": allowed}
            ]
        }
    )
