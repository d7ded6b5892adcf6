from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "opiekun.contractors"
    label = "contractors"
    verbose_name = _("Contractors")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opiekun.sqlite import analyze_after_migrate

        # Once per migrate (sent by every app; this one is enough): fresh statistics
        # for SQLite's planner, whatever the migrations changed.
        post_migrate.connect(analyze_after_migrate, sender=self, dispatch_uid="opiekun-sqlite-analyze")
