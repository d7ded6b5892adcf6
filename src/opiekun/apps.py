from django.apps import AppConfig


class OpiekunConfig(AppConfig):
    """The project package itself: templates, static files and translations."""

    name = "opiekun"
    default_auto_field = "django.db.models.BigAutoField"
