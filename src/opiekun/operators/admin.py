from django.contrib import admin

from opiekun.operators.models import ApiToken, Operator
from opiekun.readonly_admin import ModelAdmin


@admin.register(Operator)
class OperatorAdmin(ModelAdmin):
    list_display = ("user", "active", "visibility", "unassigned_access", "can_assign")
    list_filter = ("active", "visibility", "can_assign")
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
