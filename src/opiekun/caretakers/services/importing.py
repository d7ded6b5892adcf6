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
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.audit import Reason
from opiekun.bulk import id_list, text_list
from opiekun.caretakers.models import TYPE_LABELS, Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, Outcome, OverlapPolicy, Proposal, Slot, decide
from opiekun.caretakers.services.add import require_assign, scope_filter
from opiekun.caretakers.services.writer import (
    AssignmentValues,
    ChangeSet,
    Update,
    lock_contractors,
    write_changes,
)
from opiekun.contractors.models import Contractor
from opiekun.dates import parse_date
from opiekun.importing import (
    PROGRESS_EVERY,
    ColumnSpec,
    Errors,
    Header,
    ImportReport,
    Progress,
    import_reason,
    match_header,
    no_progress,
    row_values,
)
from opiekun.messages import DATE_INVALID, DATE_TO_BEFORE_FROM, FIELD_REQUIRED
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Operator
from opiekun.periods import Period, touching_window
from opiekun.tabular import Table, open_table, text

CHUNK_CONTRACTORS = 2000  # contractors planned (and written) together
POLICIES = (OverlapPolicy.KEEP, OverlapPolicy.REPLACE)
OUTCOMES = tuple(o.value for o in Outcome)
MAX_PARTNERS = 5  # conflicting rows named per row

COLUMNS = (
    ColumnSpec("contractor_code", (gettext_lazy("Contractor code"),), max_length=40),
    ColumnSpec("contractor_nip", (gettext_lazy("NIP"),), max_length=20),
    ColumnSpec("contractor_name", (gettext_lazy("Contractor name"),), max_length=250, ignored=True),
    ColumnSpec("operator_name", (gettext_lazy("Operator"),), max_length=300, ignored=True),
    ColumnSpec("operator_login", (gettext_lazy("Login"),), max_length=150),
    ColumnSpec("type", (gettext_lazy("Type"),), max_length=20),
    ColumnSpec("role", (gettext_lazy("Role"),), max_length=100),
    ColumnSpec("branch", (gettext_lazy("Branch"),), max_length=100),
    ColumnSpec("date_from", (gettext_lazy("Date from"),), max_length=30),
    ColumnSpec("date_to", (gettext_lazy("Date to"),), max_length=30),
)
REQUIRED = (("contractor_code", "contractor_nip"), ("operator_login",), ("date_from",))
# An open end: an empty cell, or the word the screens and exports write for it.
OPEN_END_WORDS = ("open-ended", "open ended", "bezterminowo", "…")


class _Row(NamedTuple):
    """A row as read, its names still to be looked up."""

    number: int
    code: str
    nip: str
    login: str
    type: AssignmentType | None  # None: wrong (reported)
    role: str
    branch: str
    period: Period | None  # None: wrong (reported)


class _Valid(NamedTuple):
    """A row whose every name was found: what it asks to hold."""

    number: int
    contractor_id: int
    operator_id: int
    type: AssignmentType
    role_id: int
    branch_id: int | None
    period: Period


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
    report = progress or no_progress
    errors = Errors()
    with open_table(path) as table:
        header = match_header(table.header, COLUMNS, required=REQUIRED)
        if header.errors:
            rows = sum(1 for _ in table.rows)
            return ImportReport(False, rows, header.errors, dict.fromkeys(OUTCOMES, 0), OUTCOMES)
        parsed, rows = _read(table, header, errors, report)
    apply = not dry_run
    with transaction.atomic() if apply else nullcontext():
        valid = _Resolver(actor, header, errors).resolve(parsed, lock=apply)
        del parsed
        _file_conflicts(valid, header, errors)
        valid = [r for r in valid if r.number not in errors.rows]
        write = apply and (not errors.items or skip_invalid)
        outcomes = _plan(
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


# --- reading: each row on its own ------------------------------------------------


def _type_names() -> dict[str, AssignmentType]:
    from django.utils import translation

    names: dict[str, AssignmentType] = {}
    for kind, label in TYPE_LABELS.items():
        names[kind.value] = kind
        for language in ("pl", "en"):
            with translation.override(language):
                names[str(label).lower()] = kind
    return names


def _open_end_words() -> set[str]:
    from django.utils import translation

    words = set(OPEN_END_WORDS)
    for language in ("pl", "en"):
        with translation.override(language):
            words.add(str(gettext_lazy("open-ended")).lower())
    return words


def _read(table: Table, header: Header, errors: Errors, progress: Progress) -> tuple[list[_Row], int]:
    """Every data row checked on its own; returns the well-formed ones and the number
    of data rows."""
    specs = [s for s in COLUMNS if s.name in header.positions]
    title = header.titles
    types = _type_names()
    open_words = _open_end_words()
    dates: dict[object, date] = {}  # the same few hundred dates, shared
    # Logins, roles, branches and periods repeat from row to row: one object each, so a
    # hundred thousand rows cost little more than their codes.
    shared: dict[object, Any] = {}
    parsed: list[_Row] = []
    count = 0

    def day(number: int, name: str, raw: object, required: bool) -> date | bool | None:
        """The date, None when empty (an open end), False when wrong (reported)."""
        if isinstance(raw, str):
            raw = raw.strip()
            if name == "date_to" and raw.lower() in open_words:
                raw = ""
        if raw is None or raw == "":
            if required:
                errors.add(number, title.get(name), str(FIELD_REQUIRED))
                return False
            return None
        key = raw if isinstance(raw, str | date) else repr(raw)
        found = dates.get(key)
        if found is None:
            try:
                found = parse_date(raw)
            except ValueError:
                errors.add(number, title.get(name), str(DATE_INVALID))
                return False
            dates[key] = found
        return found

    for number, cells in table.rows:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress("read", count, None)
        values = row_values(header, cells)
        texts: dict[str, str] = {}
        for spec in specs:
            raw = values[spec.name]
            if spec.name.startswith("date_"):
                if isinstance(raw, str) and len(raw) > spec.max_length:
                    errors.add(number, title[spec.name], _too_long(spec.max_length))
                continue
            value = text(raw)
            if len(value) > spec.max_length:
                errors.add(number, title[spec.name], _too_long(spec.max_length))
            texts[spec.name] = value
        code, nip = texts.get("contractor_code", ""), texts.get("contractor_nip", "")
        if not code and not nip:
            column = title.get("contractor_code") or title.get("contractor_nip")
            errors.add(number, column, _("Give the contractor's code or NIP."))
        login = texts.get("operator_login", "")
        if not login:
            errors.add(number, title["operator_login"], str(FIELD_REQUIRED))
        kind_text = texts.get("type", "")
        kind = types.get(kind_text.lower()) if kind_text else AssignmentType.MAIN
        if kind is None:
            allowed = ", ".join(sorted({*types}, key=str.lower))
            errors.add(
                number,
                title["type"],
                _("Unknown type %(value)s; allowed: %(allowed)s.") % {"value": kind_text, "allowed": allowed},
            )
        start = day(number, "date_from", values.get("date_from"), True)
        end = day(number, "date_to", values.get("date_to"), False) if "date_to" in values else None
        period = None
        if isinstance(start, date) and (end is None or isinstance(end, date)):
            if end is not None and end < start:
                errors.add(number, title["date_to"], str(DATE_TO_BEFORE_FROM))
            else:
                period = shared.setdefault((start, end), Period(start, end))
        # A row with a wrong cell is still looked up, so that all its faults are told.
        role, branch = texts.get("role", ""), texts.get("branch", "")
        login, role, branch = (
            shared.setdefault(login, login),
            shared.setdefault(role, role),
            shared.setdefault(branch, branch),
        )
        parsed.append(_Row(number, code, nip, login, kind, role, branch, period))
    progress("read", count, count)
    return parsed, count


def _too_long(limit: int) -> str:
    return _("Too long: at most %(max)s characters.") % {"max": limit}


# --- looking up names: a few queries for the whole file ---------------------------


def _compact_nip(value: str) -> str:
    from stdnum.pl import nip as nip_number

    return str(nip_number.compact(value))


class _Resolver:
    """Finds every contractor, operator, role and branch the rows name, each kind in
    one query, and reports the rows naming one that does not exist, may not be
    changed by the actor, or is inactive."""

    def __init__(self, actor: Any, header: Header, errors: Errors) -> None:
        self.actor = actor
        self.title = header.titles
        self.errors = errors

    def resolve(self, rows: Sequence[_Row], *, lock: bool) -> list[_Valid]:
        by_code, by_nip = self._contractors(rows, lock=lock)
        operators = self._operators(rows)
        roles, default_role = self._roles()
        branches = self._branches()
        valid: list[_Valid] = []
        for row in rows:
            contractor_id = self._contractor(row, by_code, by_nip) if row.code or row.nip else None
            operator_id = self._operator(row, operators) if row.login else None
            role_id = self._role(row, roles, default_role)
            branch_id = self._branch(row, branches)
            if row.number in self.errors.rows or row.type is None or row.period is None:
                continue
            assert contractor_id is not None and operator_id is not None and role_id is not None
            assert branch_id is not True and branch_id is not False
            valid.append(
                _Valid(row.number, contractor_id, operator_id, row.type, role_id, branch_id, row.period)
            )
        return valid

    # contractors

    def _contractors(
        self, rows: Sequence[_Row], *, lock: bool
    ) -> tuple[dict[str, tuple[int, str]], dict[str, list[int]]]:
        """``code -> (id, nip)`` and ``nip -> [ids]`` of the contractors the actor may
        change (locked first when importing)."""
        codes = sorted({r.code for r in rows if r.code})
        nips = sorted({n for r in rows if r.nip and not r.code if (n := _compact_nip(r.nip))})
        found_codes = list(
            Contractor.objects.filter(code__in=text_list(codes)).values_list("code", "pk", "nip")
            if codes
            else []
        )
        found_nips = list(
            Contractor.objects.filter(nip__in=text_list(nips)).values_list("nip", "pk") if nips else []
        )
        ids = sorted({pk for _, pk, _ in found_codes} | {pk for _, pk in found_nips})
        if lock and ids:
            lock_contractors(ids)
        editable = set(
            visible_contractors(viewer=self.actor, editable=True)
            .filter(pk__in=id_list(ids))
            .values_list("pk", flat=True)
            if ids
            else []
        )
        by_code = {code: (pk, nip) for code, pk, nip in found_codes if pk in editable}
        by_nip: dict[str, list[int]] = defaultdict(list)
        for nip, pk in found_nips:
            if pk in editable:
                by_nip[nip].append(pk)
        return by_code, by_nip

    def _contractor(
        self, row: _Row, by_code: Mapping[str, tuple[int, str]], by_nip: Mapping[str, list[int]]
    ) -> int | None:
        if row.code:
            found = by_code.get(row.code)
            if found is None:
                self._unknown_contractor(row.number, "contractor_code", row.code)
                return None
            pk, nip = found
            if row.nip and _compact_nip(row.nip) != nip:
                self.errors.add(
                    row.number,
                    self.title.get("contractor_nip"),
                    _("The NIP %(nip)s is not the NIP of contractor %(code)s.")
                    % {"nip": row.nip, "code": row.code},
                )
                return None
            return pk
        matches = by_nip.get(_compact_nip(row.nip), [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self._unknown_contractor(row.number, "contractor_nip", row.nip)
        else:
            self.errors.add(
                row.number,
                self.title.get("contractor_nip"),
                _("Several contractors have the NIP %(nip)s; give the contractor's code.") % {"nip": row.nip},
            )
        return None

    def _unknown_contractor(self, number: int, column: str, value: str) -> None:
        self.errors.add(number, self.title.get(column), _("Unknown contractor %(value)s.") % {"value": value})

    # operators

    def _operators(self, rows: Sequence[_Row]) -> dict[str, tuple[int, bool, str]]:
        """``login -> (id, active, name)``."""
        logins = sorted({r.login for r in rows})
        if not logins:
            return {}
        found = Operator.objects.filter(user__username__in=text_list(logins)).values_list(
            "user__username", "pk", "active", "user__is_active", "user__first_name", "user__last_name"
        )
        return {
            login: (pk, active and user_active, f"{first} {last}".strip() or login)
            for login, pk, active, user_active, first, last in found
        }

    def _operator(self, row: _Row, operators: Mapping[str, tuple[int, bool, str]]) -> int | None:
        found = operators.get(row.login)
        column = self.title.get("operator_login")
        if found is None:
            self.errors.add(row.number, column, _("Unknown operator %(login)s.") % {"login": row.login})
            return None
        pk, active, name = found
        if not active:
            self.errors.add(row.number, column, _("Operator %(name)s is inactive.") % {"name": name})
            return None
        return pk

    # roles and branches: small dictionaries, read whole

    def _roles(self) -> tuple[dict[str, list[tuple[int, str, bool]]], tuple[int, str, bool] | None]:
        roles: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        default = None
        for pk, name, active, is_default in CaretakerRole.objects.values_list(
            "pk", "name", "active", "is_default"
        ):
            entry = (pk, name, active)
            roles[name.strip().lower()].append(entry)
            roles[str(pk)].append(entry)
            if is_default:
                default = entry
        return roles, default

    def _role(
        self,
        row: _Row,
        roles: Mapping[str, list[tuple[int, str, bool]]],
        default: tuple[int, str, bool] | None,
    ) -> int | None:
        column = self.title.get("role")
        if not row.role:
            if default is None:
                self.errors.add(row.number, column, _("There is no default role; choose one."))
                return None
            return default[0]
        found = roles.get(row.role.lower(), [])
        if not found:
            self.errors.add(row.number, column, _("Unknown role %(value)s.") % {"value": row.role})
            return None
        pk, name, active = found[0]
        if not active:
            self.errors.add(row.number, column, _("Role %(name)s is inactive.") % {"name": name})
            return None
        return pk

    def _branches(self) -> tuple[dict[str, tuple[int, str, bool]], dict[str, list[tuple[int, str, bool]]]]:
        by_code: dict[str, tuple[int, str, bool]] = {}
        by_name: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        for pk, code, name, active in Branch.objects.values_list("pk", "code", "name", "active"):
            by_code[code.strip().lower()] = (pk, name, active)
            by_name[name.strip().lower()].append((pk, name, active))
        return by_code, by_name

    def _branch(
        self,
        row: _Row,
        branches: tuple[dict[str, tuple[int, str, bool]], dict[str, list[tuple[int, str, bool]]]],
    ) -> int | bool | None:
        """The branch's id, None for no branch, False when wrong (reported)."""
        if not row.branch:
            return None
        by_code, by_name = branches
        column = self.title.get("branch")
        key = row.branch.lower()
        found = by_code.get(key)
        if found is None:
            named = by_name.get(key, [])
            if len(named) > 1:
                self.errors.add(
                    row.number,
                    column,
                    _("Several branches are named %(value)s; give the branch's code.")
                    % {"value": row.branch},
                )
                return False
            found = named[0] if named else None
        if found is None:
            self.errors.add(row.number, column, _("Unknown branch %(value)s.") % {"value": row.branch})
            return False
        pk, name, active = found
        if not active:
            self.errors.add(row.number, column, _("Branch %(name)s is inactive.") % {"name": name})
            return False
        return pk


# --- rows of the file that contradict each other ----------------------------------


def _scope(row: _Valid) -> tuple[int, int, int | None]:
    return (row.contractor_id, row.role_id, row.branch_id)


def _file_conflicts(rows: Sequence[_Valid], header: Header, errors: Errors) -> None:
    """Two rows of one scope that the invariants forbid together (two mains of
    different operators, or one operator as main and deputy, on a common day) are
    both errors, each naming the other. Rows of one operator and type that overlap
    are not: they merge."""
    scopes: dict[tuple[int, int, int | None], list[_Valid]] = defaultdict(list)
    for row in rows:
        scopes[_scope(row)].append(row)
    column = header.titles.get("date_from")
    partners: Counter[int] = Counter()
    for group in scopes.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda r: r.period)
        for i, first in enumerate(group):
            for second in itertools.islice(group, i + 1, None):
                if first.period.end is not None and second.period.start > first.period.end:
                    break
                if not _clash(first, second):
                    continue
                for this, other in ((first, second), (second, first)):
                    partners[this.number] += 1
                    if partners[this.number] <= MAX_PARTNERS:
                        errors.add(this.number, column, _clash_message(this, other))


def _clash(a: _Valid, b: _Valid) -> bool:
    if a.operator_id == b.operator_id:
        return a.type != b.type
    return a.type == AssignmentType.MAIN and b.type == AssignmentType.MAIN


def _clash_message(this: _Valid, other: _Valid) -> str:
    if this.operator_id == other.operator_id:
        return _("Conflicts with row %(row)s: the same operator as main and deputy on the same days.") % {
            "row": other.number
        }
    return _("Conflicts with row %(row)s: two main caretakers on the same days.") % {"row": other.number}


# --- planning (and writing) contractor by contractor ------------------------------


_ROW_FIELDS = (
    "id",
    "contractor_id",
    "operator_id",
    "type",
    "role_id",
    "branch_id",
    "date_from",
    "date_to",
    "created_by_id",
    "updated_by_id",
)


@dataclass
class _ScopeState:
    """One scope's assignments as the rows of the file leave them: existing rows by
    their id (as loaded: plain values, made model instances only if they change),
    new ones by negative ids."""

    initial: dict[int, tuple[Any, ...]]
    slots: dict[int, Slot]


def _instance(values: tuple[Any, ...]) -> CaretakerAssignment:
    return CaretakerAssignment(**dict(zip(_ROW_FIELDS, values, strict=True)))


def _plan(
    rows: Sequence[_Valid],
    policy: OverlapPolicy,
    *,
    actor: Any,
    reason: str | None,
    chunk_size: int,
    progress: Progress,
) -> Counter[str]:
    """Decide every row; with a ``reason``, write each chunk's changes too."""
    # Contractor by contractor, each one's rows in file order (the sort is stable).
    ordered = sorted(rows, key=lambda r: r.contractor_id)
    outcomes: Counter[str] = Counter()
    new_ids = itertools.count(-1, -1)
    done = 0
    progress("plan", 0, len(ordered))
    for chunk_rows in _chunks(ordered, chunk_size):
        chunk = sorted({row.contractor_id for row in chunk_rows})
        states = _load(chunk, chunk_rows)
        for row in chunk_rows:
            state = states[_scope(row)]
            outcomes[_decide(state, row, policy, new_ids)] += 1
        if reason is not None:
            changes = _changes(states)
            if changes:
                write_changes(actor=actor, changes=changes, reason=reason)
        done += len(chunk_rows)
        progress("plan", done, len(ordered))
    return outcomes


def _chunks(rows: Sequence[_Valid], size: int) -> Iterator[Sequence[_Valid]]:
    """The rows (sorted by contractor) in chunks of about ``size`` contractors, never
    splitting one contractor's rows."""
    start, count = 0, 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or rows[index].contractor_id != rows[index - 1].contractor_id:
            count += 1
            if count >= max(1, size) or index == len(rows):
                yield rows[start:index]
                start, count = index, 0


def _load(
    contractor_ids: Sequence[int], rows: Sequence[_Valid]
) -> dict[tuple[int, int, int | None], _ScopeState]:
    """The existing assignments the rows may meet: in the rows' scopes (contractor,
    role, branch), touching the span of the periods the rows ask for in that role and
    branch; one query."""
    by_pair: dict[tuple[int, int | None], list[_Valid]] = defaultdict(list)
    for row in rows:
        by_pair[(row.role_id, row.branch_id)].append(row)
    wanted = {_scope(row) for row in rows}
    condition = Q()
    if len(by_pair) <= 8:
        for (role_id, branch_id), group in by_pair.items():
            ids = sorted({row.contractor_id for row in group})
            condition |= (
                scope_filter(role_id, branch_id) & Q(contractor_id__in=id_list(ids)) & _touching(group)
            )
    else:  # many roles and branches in one chunk: the chunk's contractors, sorted out below
        condition = Q(contractor_id__in=id_list(contractor_ids)) & _touching(rows)
    states: dict[tuple[int, int, int | None], _ScopeState] = defaultdict(lambda: _ScopeState({}, {}))
    kinds = {kind.value: kind for kind in AssignmentType}
    for values in CaretakerAssignment.objects.filter(condition).order_by("id").values_list(*_ROW_FIELDS):
        pk, contractor_id, operator_id, kind, role_id, branch_id, start, end = values[:8]
        key = (contractor_id, role_id, branch_id)
        if key not in wanted:
            continue
        state = states[key]
        state.initial[pk] = values
        state.slots[pk] = Slot(pk, operator_id, kinds[kind], Period(start, end))
    return states


def _touching(rows: Sequence[_Valid]) -> Q:
    """Assignments sharing a day with, or adjacent to, the span of the rows' periods."""
    span = rows[0].period
    for row in rows[1:]:
        span = span.span(row.period)
    window = touching_window(span)
    condition = Q(date_to__isnull=True) | Q(date_to__gte=window.start)
    if window.end is not None:
        condition &= Q(date_from__lte=window.end)
    return condition


def _decide(state: _ScopeState, row: _Valid, policy: OverlapPolicy, new_ids: Iterator[int]) -> str:
    """The row's outcome; the scope's state moves on as the row would leave it."""
    near = [s for s in state.slots.values() if s.period.touches(row.period)]
    for slot in near:
        if slot.operator_id == row.operator_id and slot.type == row.type and slot.period == row.period:
            return Outcome.UNCHANGED.value
    plan = decide(near, Proposal(row.operator_id, row.type, row.period), policy)
    slots = state.slots
    for slot_id in plan.deletes:
        del slots[slot_id]
    for slot_id, period in (*plan.shrinks, *plan.grows):
        slots[slot_id] = replace(slots[slot_id], period=period)
    for new in plan.inserts:
        slot_id = next(new_ids)
        slots[slot_id] = Slot(slot_id, new.operator_id, new.type, new.period)
    return plan.outcome.value


def _changes(states: Mapping[tuple[int, int, int | None], _ScopeState]) -> ChangeSet:
    """The difference between each scope's state before and after the rows, as one
    change set. A row that only lost days is a shrinking update, one that only gained
    days a growing one; a row that did both is deleted and inserted anew, so that no
    statement meets a state the invariants refuse (every state on the way holds a
    subset of the days of the state before or after)."""
    changes = ChangeSet()
    for (contractor_id, role_id, branch_id), state in states.items():
        for pk, values in state.initial.items():
            slot = state.slots.get(pk)
            period = Period(values[6], values[7])
            if slot is not None and slot.period == period:
                continue
            row = _instance(values)
            if slot is None:
                changes.deletes.append(row)
            elif period.covers(slot.period) or slot.period.covers(period):
                changes.updates.append(Update(row, AssignmentValues.of(row).with_period(slot.period)))
            else:
                changes.deletes.append(row)
                changes.inserts.append(
                    AssignmentValues(
                        contractor_id, slot.operator_id, slot.type, role_id, branch_id, slot.period
                    )
                )
        for slot_id, slot in state.slots.items():
            if slot_id < 0:
                changes.inserts.append(
                    AssignmentValues(
                        contractor_id, slot.operator_id, slot.type, role_id, branch_id, slot.period
                    )
                )
    return changes
