"""Messages that several layers show for the same fault: written once, translated once."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FIELD_REQUIRED = _("This field is required.")
DATE_INVALID = _("Enter a valid date (YYYY-MM-DD or dd.mm.yyyy).")
DATE_TO_BEFORE_FROM = _("Date to cannot be earlier than date from.")
NO_ASSIGN_PERMISSION = _("You do not have the permission to assign caretakers.")
NOT_EDITABLE = _("You may not change this contractor.")

# The code of a refusal naming another assignment that a change would collide with; its
# params carry that assignment's ``assignment_id``, which the API's 422 item gives as
# ``ctx`` (docs/api.md, "Errors").
COLLISION = "collision"
