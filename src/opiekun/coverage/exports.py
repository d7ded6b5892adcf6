"""The Klienci bez opiekuna export: its columns, read from `coverage.selectors.gap_list`
(``with_names=True``) and written by the one export writer (`caretakers.exports`)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.exports import Column, Report
from opiekun.coverage.selectors import open_end, open_start


def _person(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """As `Operator.display_name`: the full name, else the login; empty for nobody."""
    return f"{first_name or ''} {last_name or ''}".strip() or (username or "")


def _columns(since: str | Promise, until: str | Promise) -> tuple[Column, ...]:
    return (
        Column(_("Contractor code"), ("gap_code",)),
        Column(_("Contractor name"), ("gap_name",)),
        Column(_("NIP"), ("gap_nip",)),
        Column(_("Date from"), ("gap_from",)),
        Column(_("Date to"), ("gap_to",), open_end),
        Column(since, ("gap_since",), open_start),
        Column(until, ("gap_until",), open_end),
        Column(
            _("Cared for last by"),
            ("gap_last_operator_first_name", "gap_last_operator_last_name", "gap_last_operator_username"),
            _person,
        ),
    )


GAP_COLUMNS = _columns(_("Without a main caretaker since"), _("Without a main caretaker until"))
# With absences considered a gap is a stretch with nobody to act: the main caretaker may
# be there, absent (docs/semantics.md, "Coverage gaps").
ACTING_GAP_COLUMNS = _columns(_("Without an acting caretaker since"), _("Without an acting caretaker until"))

GAPS_REPORT = Report(_("Contractors without a caretaker"), "klienci-bez-opiekuna", GAP_COLUMNS)
ACTING_GAPS_REPORT = Report(_("Contractors without a caretaker"), "klienci-bez-opiekuna", ACTING_GAP_COLUMNS)
