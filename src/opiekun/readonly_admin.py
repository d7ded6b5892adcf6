"""The Django admin may look, never write: every write of contractors, assignments and
the dictionaries goes through the services, with their checks and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only
    ModelAdmin = admin.ModelAdmin[models.Model]
else:
    ModelAdmin = admin.ModelAdmin


class CheckedQueryAdmin(ModelAdmin):
    """A list whose query holds a NUL character is refused as Django refuses any wrong
    lookup (back to the list, "?e=1"): PostgreSQL cannot compare a text with one, and a
    filter of a text field (``?type__exact=%00``) would be a 500."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            raise IncorrectLookupParameters
        return super().get_changelist_instance(request)


class ReadOnlyAdmin(CheckedQueryAdmin):
    """No add, change or delete: the admin shows the rows, the services change them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
