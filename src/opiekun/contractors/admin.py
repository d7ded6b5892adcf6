from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from opiekun.contractors.models import Contractor


@admin.register(Contractor)
class ContractorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "nip", "city", "active")
    search_fields = ("code", "name", "nip")
    list_filter = ("active",)
