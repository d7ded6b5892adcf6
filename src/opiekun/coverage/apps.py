from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "opiekun.coverage"
    label = "coverage"
    verbose_name = _("Coverage")

    def ready(self) -> None:
        from opiekun.coverage import signals  # noqa: F401 - connects the receivers
