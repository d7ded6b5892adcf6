"""The columns of the Klienci bez opiekuna export (written by caretakers/exports.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import Column
from opiekun.coverage.selectors import open_end, open_start

GAP_COLUMNS: tuple[Column[Any], ...] = (
    Column(_("Contractor code"), lambda c: c.code),
    Column(_("Contractor name"), lambda c: c.name),
    Column(_("NIP"), lambda c: c.nip),
    Column(_("Date from"), lambda c: c.gap_from),
    Column(_("Date to"), lambda c: open_end(c.gap_to)),
    Column(_("Without a main caretaker since"), lambda c: open_start(c.gap_since)),
    Column(_("Without a main caretaker until"), lambda c: open_end(c.gap_until)),
    Column(_("Cared for last by"), lambda c: c.gap_last_operator_name or ""),
)
