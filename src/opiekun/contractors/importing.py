"""Import of contractors from CSV or XLSX, set-based (docs/import.md).

The file is what `opiekun export contractors` writes: a header naming the columns
(field names such as ``code``, or their labels in Polish or English), then a row per
contractor. Every row is checked as the contractor form checks it — NIP and REGON by
the very validators of `opiekun.contractors.services`, the other fields by the model's
own field validation — and the codes against the database (one query for the whole
file) and against each other. A dry run stops there. An import reads the file a
second time (converting the valid rows' cells, not checking them again) and inserts
them in chunks, with the search and sort keys a save derives and their audit trail
(``import:<file name>``), all in one transaction; on PostgreSQL each chunk is copied
(``COPY``) and inserted with its audit rows in one statement (`opiekun.bulk_copy`).

The file is read twice rather than held in memory: memory stays flat however many
rows it has. Contractors are only created; a code that exists already is an error,
as it is in the form.

As `contractor_create` does, the importing operator becomes the main caretaker of
every contractor created, in the default role from today, when the setting
``CREATOR_BECOMES_CARETAKER`` is on (the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opiekun import audit
from opiekun.audit import Reason
from opiekun.bulk import insert_rows, text_list
from opiekun.bulk_copy import insert_with_history
from opiekun.caretakers.exports import CONTRACTOR_FIELDS
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import default_role
from opiekun.caretakers.services import AssignmentValues, ChangeSet, write_changes
from opiekun.contractors.importing_rows import checked_rows, valid_rows
from opiekun.contractors.models import Contractor, SearchKeyField, SortKeyField
from opiekun.coverage.new_contractors import coverage_left_to_the_writer, coverage_rows_missing
from opiekun.dates import today
from opiekun.importing import (
    ColumnSpec,
    Errors,
    Header,
    ImportReport,
    Progress,
    import_reason,
    match_header,
    no_progress,
)
from opiekun.operators.access import is_administrator, operator_of
from opiekun.periods import Period
from opiekun.tabular import open_table

INSERT_CHUNK = 10_000
OUTCOMES = ("added",)
# The search and sort keys a save derives from the row (contractors/keys.py): the
# import writes them as the form does, else its contractors are neither found nor sorted.
KEY_FIELDS = [f for f in Contractor._meta.concrete_fields if isinstance(f, SearchKeyField | SortKeyField)]
INSERT_FIELDS = [
    *CONTRACTOR_FIELDS,
    "created_by_id",
    "created_at",
    "updated_at",
    *(f.attname for f in KEY_FIELDS),
]


def _columns() -> tuple[ColumnSpec, ...]:
    specs = []
    for name in CONTRACTOR_FIELDS:
        field = Contractor._meta.get_field(name)
        specs.append(
            ColumnSpec(name, (field.verbose_name,), max_length=getattr(field, "max_length", None) or 10)  # type: ignore[union-attr]
        )
    return tuple(specs)


def require_operator(actor: Any) -> None:
    """Only operators (and administrators) change contractors, as in the form."""
    if not (is_administrator(actor) or operator_of(actor) is not None):
        raise PermissionDenied(_("Only operators may change contractors."))


def contractors_import(
    *,
    actor: Any,
    path: Path,
    filename: str,
    dry_run: bool = True,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check (``dry_run``) or import the contractors in the file at ``path``; writes
    only when no row has an error, or with ``skip_invalid`` the valid rows. Raises
    PermissionDenied for a user who is not an operator, `opiekun.tabular.TableError`
    when the file cannot be read."""
    require_operator(actor)
    report = progress or no_progress
    columns = _columns()
    errors = Errors()
    with open_table(path) as table:
        header = match_header(table.header, columns, required=(("code",), ("name",)))
        if header.errors:
            rows = sum(1 for _ in table.rows)
            return ImportReport(False, rows, header.errors, {"added": 0}, OUTCOMES)
        codes: dict[str, int] = {}
        rows = 0
        for number, data in checked_rows(table, header, errors, report, "read"):
            rows += 1
            code = data.get("code")
            if isinstance(code, str):
                first = codes.setdefault(code, number)
                if first != number:
                    _twice(errors, header, code, first, number)
    apply = not dry_run
    with transaction.atomic() if apply else nullcontext():
        _existing_codes(codes, header, errors)
        valid = rows - len(errors.rows)
        write = apply and (not errors.items or skip_invalid)
        if write and valid:
            _insert(actor, path, header, errors.rows, filename, report, valid)
    return ImportReport(write, rows, errors.sorted(), {"added": valid}, OUTCOMES)


def _twice(errors: Errors, header: Header, code: str, first: int, number: int) -> None:
    """Both rows of a code the file holds twice are errors, each naming the other."""
    column = header.titles["code"]
    message = _("The code %(code)s is also in row %(row)s.")
    errors.add(first, column, message % {"code": code, "row": number})
    errors.add(number, column, message % {"code": code, "row": first})


def _existing_codes(codes: Mapping[str, int], header: Header, errors: Errors) -> None:
    """The codes of the file that a contractor has already: one query."""
    if not codes:
        return
    taken = Contractor.objects.filter(code__in=text_list(list(codes))).values_list("code", flat=True)
    message = Contractor().unique_error_message(Contractor, ("code",)).messages[0]
    for code in taken:
        errors.add(codes[code], header.titles["code"], message)


def _insert(
    actor: Any,
    path: Path,
    header: Header,
    invalid: set[int],
    filename: str,
    progress: Progress,
    total: int,
) -> None:
    """Read the file again and insert its valid rows in chunks, with their audit
    trail and, if so configured, the importer as their main caretaker."""
    reason = import_reason(Reason.IMPORT, filename)
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    operator = operator_of(actor) if settings.CREATOR_BECOMES_CARETAKER else None
    role = default_role() if operator is not None else None
    caretaker = operator is not None and role is not None
    chunk: list[dict[str, Any]] = []
    written = 0

    def flush() -> None:
        nonlocal written
        # With a caretaker, the writer below writes their coverage: the database need not.
        with coverage_left_to_the_writer() if caretaker else nullcontext():
            if connection.vendor == "postgresql":  # COPY, and the audit rows in the same statement
                ids = insert_with_history(
                    Contractor,
                    INSERT_FIELDS,
                    chunk,
                    history_type=audit.CREATED,
                    user_id=actor_id,
                    when=now,
                    reason=reason,
                )
            else:
                ids = insert_rows(Contractor, INSERT_FIELDS, chunk)
        if connection.vendor != "postgresql":
            snapshots = [{**row, "id": pk} for row, pk in zip(chunk, ids, strict=True)]
            audit.record(
                Contractor, snapshots, history_type=audit.CREATED, user=actor, when=now, reason=reason
            )
        if caretaker:
            assert operator is not None and role is not None
            start = Period(today(), None)
            inserts = [
                AssignmentValues(pk, operator.pk, AssignmentType.MAIN, role.pk, None, start) for pk in ids
            ]
            # Their coverage rows are the writer's to insert, none stored yet to read.
            with coverage_rows_missing(ids) if connection.vendor == "postgresql" else nullcontext():
                write_changes(actor=actor, changes=ChangeSet(inserts=inserts), reason=reason)
        written += len(chunk)
        chunk.clear()
        progress("write", written, total)

    with open_table(path) as table:
        for data in valid_rows(table, header, invalid):
            row: dict[str, Any] = dict.fromkeys(CONTRACTOR_FIELDS, "")
            row["active"] = True
            row.update(data)
            row.update(created_by_id=actor_id, created_at=now, updated_at=now)
            for key in KEY_FIELDS:
                row[key.attname] = key.derive_from(row)
            chunk.append(row)
            if len(chunk) >= INSERT_CHUNK:
                flush()
    if chunk:
        flush()
