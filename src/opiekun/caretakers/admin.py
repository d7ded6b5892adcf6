"""Read-only admin for assignments: writes go through the services (and the audit)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole


@admin.register(CaretakerAssignment)
class CaretakerAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("contractor", "operator", "type", "role", "branch", "date_from", "date_to")
    list_filter = ("type", "role", "branch")
    search_fields = ("contractor__code", "contractor__name", "operator__user__username")
    list_select_related = ("contractor", "operator__user", "role", "branch")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaretakerRole)
class CaretakerRoleAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "active")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
