"""The import of assignments, looking up names: every contractor, operator, role and
branch the rows name, a few queries for the whole file, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

import opiekun.bulk  # noqa: F401  (the ``in_list`` look-up)
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services.importing_lookup import Names
from opiekun.caretakers.services.importing_rows import ReadRow
from opiekun.caretakers.services.writer import lock_contractors
from opiekun.contractors.models import Contractor
from opiekun.importing import Errors, Header, shown
from opiekun.operators.access import visible_contractors
from opiekun.periods import Period


class ValidRow(NamedTuple):
    """A row whose every name was found: what it asks to hold."""

    number: int
    contractor_id: int
    operator_id: int
    type: AssignmentType
    role_id: int
    branch_id: int | None
    period: Period


def _key(row: ValidRow) -> tuple[object, ...]:
    return (
        row.contractor_id,
        row.operator_id,
        row.type.value,
        row.role_id,
        row.branch_id,
        row.period.start,
        row.period.end,
    )


def _compact_nip(value: str) -> str:
    from stdnum.pl import nip as nip_number

    return str(nip_number.compact(value))


class NameResolver:
    """Finds every contractor, operator, role and branch the rows name, each kind in
    one query, and reports the rows naming one that does not exist, may not be
    changed by the actor, or is inactive — unless the row repeats an assignment that
    exists as it is (an export read back: a past caretaker who has left since)."""

    def __init__(self, actor: Any, header: Header, errors: Errors) -> None:
        self.actor = actor
        self.title = header.titles
        self.errors = errors

    def resolve(self, rows: Sequence[ReadRow], *, lock: bool) -> list[ValidRow]:
        by_code, by_nip = self._contractors(rows, lock=lock)
        names = Names(self.title, {r.login for r in rows})
        valid: list[ValidRow] = []
        # Rows naming an inactive operator, role or branch, with those faults: valid
        # only if they repeat an assignment that exists (an export read back).
        held_back: list[tuple[ValidRow, list[tuple[str | None, str]]]] = []
        failed = self.errors.rows
        for row in rows:
            number, code, nip, login, kind, role, branch, period = row
            if code and not nip and (hit := by_code.get(code)) is not None:
                contractor_id: int | None = hit[0]  # the usual row, as `_contractor` finds it
            else:
                contractor_id = self._contractor(row, by_code, by_nip) if code or nip else None
            operator_id, role_id, branch_id, faults, inactive = names.find(login, role, branch)
            for column, message in faults:
                self.errors.add(number, column, message)
            if number in failed or kind is None or period is None:
                self._report(number, inactive)
                continue
            assert contractor_id is not None and operator_id is not None and role_id is not None
            assert branch_id is not True and branch_id is not False
            found = ValidRow(number, contractor_id, operator_id, kind, role_id, branch_id, period)
            if inactive:
                held_back.append((found, inactive))
            else:
                valid.append(found)
        if held_back:
            existing = self._existing({r.contractor_id for r, _ in held_back})
            for found, inactive in held_back:
                if _key(found) in existing:
                    valid.append(found)
                else:
                    self._report(found.number, inactive)
            valid.sort(key=lambda r: r.number)
        return valid

    def _report(self, number: int, faults: list[tuple[str | None, str]]) -> None:
        for column, message in faults:
            self.errors.add(number, column, message)

    @staticmethod
    def _existing(contractor_ids: set[int]) -> set[tuple[object, ...]]:
        """The assignments of these contractors, as `_key` gives a row."""
        rows = CaretakerAssignment.objects.filter(contractor_id__in_list=sorted(contractor_ids))
        return set(
            rows.values_list(
                "contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"
            )
        )

    # contractors

    def _contractors(
        self, rows: Sequence[ReadRow], *, lock: bool
    ) -> tuple[dict[str, tuple[int, str]], dict[str, list[int]]]:
        """``code -> (id, nip)`` and ``nip -> [ids]`` of the contractors the actor may
        change (locked first when importing)."""
        codes = sorted({r.code for r in rows if r.code})
        nips = sorted({n for r in rows if r.nip and not r.code if (n := _compact_nip(r.nip))})
        by_codes = Contractor.objects.filter(code__in_list=codes)
        # A file naming its contractors by code only (the usual case) has them looked up
        # and locked, in id order, by one statement; with NIPs, both look-ups come first.
        lock_found = lock and not nips
        if lock_found:
            by_codes = by_codes.select_for_update().order_by("pk")
        found_codes = list(by_codes.values_list("code", "pk", "nip") if codes else [])
        found_nips = list(
            Contractor.objects.filter(nip__in_list=nips).values_list("nip", "pk") if nips else []
        )
        ids = sorted({pk for _, pk, _ in found_codes} | {pk for _, pk in found_nips})
        if lock and not lock_found and ids:
            lock_contractors(ids)
        visible = visible_contractors(viewer=self.actor, editable=True)
        if visible.query.has_filters():
            editable = set(visible.filter(pk__in_list=ids).values_list("pk", flat=True) if ids else [])
        else:  # the actor may change every contractor: those found are the editable ones
            editable = set(ids)
        by_code = {code: (pk, nip) for code, pk, nip in found_codes if pk in editable}
        by_nip: dict[str, list[int]] = defaultdict(list)
        for nip, pk in found_nips:
            if pk in editable:
                by_nip[nip].append(pk)
        return by_code, by_nip

    def _contractor(
        self, row: ReadRow, by_code: Mapping[str, tuple[int, str]], by_nip: Mapping[str, list[int]]
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
                    % {"nip": shown(row.nip), "code": shown(row.code)},
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
                _("Several contractors have the NIP %(nip)s; give the contractor's code.")
                % {"nip": shown(row.nip)},
            )
        return None

    def _unknown_contractor(self, number: int, column: str, value: str) -> None:
        self.errors.add(
            number, self.title.get(column), _("Unknown contractor %(value)s.") % {"value": shown(value)}
        )
