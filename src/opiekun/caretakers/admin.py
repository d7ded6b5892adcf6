"""Read-only admin for assignments and their dictionaries: writes go through the
services (and the audit trail); the default role can never be deleted here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.readonly_admin import ReadOnlyAdmin


@admin.register(CaretakerAssignment)
class CaretakerAssignmentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    list_display = ("contractor", "operator", "type", "role", "branch", "date_from", "date_to")
    list_filter = ("type", "role", "branch")
    search_fields = ("contractor__code", "contractor__name", "operator__user__username")
    list_select_related = ("contractor", "operator__user", "role", "branch")


@admin.register(CaretakerRole)
class CaretakerRoleAdmin(ReadOnlyAdmin):
    list_display = ("name", "is_default", "active")


@admin.register(Branch)
class BranchAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "active")
