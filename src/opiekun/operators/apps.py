from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperatorsConfig(AppConfig):
    name = "opiekun.operators"
    label = "operators"
    verbose_name = _("Operators")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opiekun.operators.workload_signals import connect_signals

        connect_signals()
