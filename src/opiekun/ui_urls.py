"""The web UI's routes. Every screen requires a logged-in user."""

from django.urls import URLPattern, URLResolver, include, path, register_converter

from opiekun import views


class IdConverter:
    """A database id: digits that fit a 64-bit integer, so no id reaches the
    database as a number it cannot hold (which would be a 500, not a 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("kontrahenci/", include("opiekun.contractors.urls", namespace="contractors")),
    path("opiekunowie/", include("opiekun.caretakers.urls", namespace="caretakers")),
    path("raporty/", include("opiekun.caretakers.report_urls", namespace="reports")),
    path("operatorzy/przekazania/", include("opiekun.caretakers.handover_urls", namespace="handovers")),
    path("raporty/klienci-bez-opiekuna/", include("opiekun.coverage.urls", namespace="coverage")),
    path("nadchodzace-zmiany/", include("opiekun.notices.urls", namespace="notices")),
    path("operatorzy/", include("opiekun.operators.urls", namespace="operators")),
    path("nieobecnosci/", include("opiekun.operators.absence_urls", namespace="absences")),
    path("slowniki/", include("opiekun.caretakers.dictionary_urls", namespace="dictionaries")),
]
