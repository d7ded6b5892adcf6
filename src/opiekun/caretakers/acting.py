"""The acting caretaker (docs/semantics.md, "Absences and the acting caretaker").

For a scope (contractor, role, branch) on day d: the main caretaker, unless absent
on d; then the first deputy of the scope on d who is not absent (deputies ordered by
priority, then date_from, then id); else nobody. A scope without a main caretaker
on d has nobody acting: deputies stand in for a main caretaker, not for no one.

One rule, used everywhere. This module is its public face; the work is split by
responsibility:

- `caretakers.acting_rules`: `acting_on`, a pure function of plain values, and
  `acting_periods`, the same rule over a window of days;
- `caretakers.resolving`: the set-based loaders (a fixed number of queries whatever
  the number of scopes) and the answers for many scopes and days at once
  (`resolve_scopes`, `resolve` for `POST /caretakers/resolve`);
- `caretakers.acted_for`: the periods a deputy acted for an absent main caretaker,
  read from the acting periods the writers keep (`coverage.models.ActingPeriod`).

Every screen, report and API endpoint goes through them.
"""

from __future__ import annotations

from opiekun.caretakers.acted_for import ActedFor, ActedForRows, acted_for, acted_for_rows
from opiekun.caretakers.acting_rules import (
    ONE_DAY,
    Acting,
    ActingReason,
    Holder,
    absent_until,
    acted_for_periods,
    acting_on,
    acting_periods,
    with_later_rows,
)
from opiekun.caretakers.resolving import (
    Question,
    Resolution,
    ResolveItem,
    ScopeDay,
    absences_of,
    holder_of,
    resolve,
    resolve_scopes,
    stand_in_ends,
    unknown_dictionary_ids,
)

__all__ = [
    "ONE_DAY",
    "ActedFor",
    "ActedForRows",
    "Acting",
    "ActingReason",
    "Holder",
    "Question",
    "Resolution",
    "ResolveItem",
    "ScopeDay",
    "absences_of",
    "absent_until",
    "acted_for",
    "acted_for_periods",
    "acted_for_rows",
    "acting_on",
    "acting_periods",
    "holder_of",
    "resolve",
    "resolve_scopes",
    "stand_in_ends",
    "unknown_dictionary_ids",
    "with_later_rows",
]
