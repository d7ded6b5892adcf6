"""Every write on caretaker assignments and their dictionaries.

Rooms, one job each:

- `inputs`        raw values into typed ones, every wrong field reported at once
- `writer`        the one set-based writer: locks, change sets, audit rows
- `confirmation`  tokens for two-step changes, bound to the caller and the state
- `results`       outcomes, previews, refusals
- `add`           Dodaj opiekuna (caretaker_add)
- `edit`          one assignment: update, end, delete
- `lifecycle`     a contractor's assignments when it is created or deleted
- `dictionaries`  caretaker roles and company branches
- `handover`      Przekazanie klientów: preview, confirm, record (`handover_inputs`: its checks)
- `handover_cancel` cancelling a handover exactly
- `importing`     the import of assignments from CSV or XLSX (its steps: `importing_rows`,
                  `importing_names`, `importing_lookup`, `importing_plan`)

The names below are what other modules may use.
"""

from opiekun.caretakers.services.add import AddRequest, add_checked, caretaker_add, check_add, scope_filter
from opiekun.caretakers.services.confirmation import issue_token, state_digest, token_matches
from opiekun.caretakers.services.dictionaries import branch_save, role_save
from opiekun.caretakers.services.edit import UNSET, assignment_delete, assignment_end, assignment_update
from opiekun.caretakers.services.handover import (
    HandoverPreview,
    HandoverResult,
    StaleHandover,
    TargetTotals,
    handover_create,
)
from opiekun.caretakers.services.handover_cancel import CancelRefused, handover_cancel
from opiekun.caretakers.services.importing import assignments_import
from opiekun.caretakers.services.inputs import FieldErrors
from opiekun.caretakers.services.lifecycle import (
    assignments_delete_for_contractor,
    assignments_for_new_contractor,
)
from opiekun.caretakers.services.results import AddResult, ContractorResult, ResultWindow, StaleConfirmation
from opiekun.caretakers.services.writer import (
    AssignmentValues,
    ChangeSet,
    Update,
    collision,
    lock_contractors,
    write_changes,
)

__all__ = [
    "UNSET",
    "AddRequest",
    "AddResult",
    "AssignmentValues",
    "CancelRefused",
    "ChangeSet",
    "ContractorResult",
    "FieldErrors",
    "HandoverPreview",
    "HandoverResult",
    "ResultWindow",
    "StaleConfirmation",
    "StaleHandover",
    "TargetTotals",
    "Update",
    "add_checked",
    "assignment_delete",
    "assignment_end",
    "assignment_update",
    "assignments_delete_for_contractor",
    "assignments_for_new_contractor",
    "assignments_import",
    "branch_save",
    "caretaker_add",
    "check_add",
    "collision",
    "handover_cancel",
    "handover_create",
    "issue_token",
    "lock_contractors",
    "role_save",
    "scope_filter",
    "state_digest",
    "token_matches",
    "write_changes",
]
