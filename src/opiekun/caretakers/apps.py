from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaretakersConfig(AppConfig):
    name = "opiekun.caretakers"
    label = "caretakers"
    verbose_name = _("Caretakers")
    default_auto_field = "django.db.models.BigAutoField"
