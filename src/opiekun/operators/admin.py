from django.contrib import admin

from opiekun.operators.models import Absence, ApiToken, Operator
from opiekun.readonly_admin import CheckedQueryAdmin, ReadOnlyAdmin


@admin.register(Operator)
class OperatorAdmin(CheckedQueryAdmin):
    list_display = ("user", "active", "visibility", "unassigned_access", "can_assign", "can_manage_absences")
    list_filter = ("active", "visibility", "can_assign", "can_manage_absences")
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedQueryAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin):
    """Read-only here: absences are written through their services (overlaps, audit)."""

    list_display = ("operator", "date_from", "date_to", "kind", "note")
    list_filter = ("kind",)
