"""Read-only admin for contractors: creating, changing and deleting a contractor goes
through the services (NIP/REGON checks, its caretakers, the audit trail)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from opiekun.contractors.models import Contractor
from opiekun.readonly_admin import ReadOnlyAdmin


@admin.register(Contractor)
class ContractorAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    list_display = ("code", "name", "nip", "city", "active")
    search_fields = ("code", "name", "nip")
    list_filter = ("active",)
