"""Routes of the reports screens: Kontrahenci wg opiekuna and its export."""

from django.urls import URLPattern, URLResolver, path, re_path

from opiekun.caretakers import report_views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("kontrahenci-wg-opiekuna/", report_views.by_caretaker, name="by_caretaker"),
    path(
        "kontrahenci-wg-opiekuna/kontrahenci/",
        report_views.contractor_suggestions,
        name="contractor_suggestions",
    ),
    re_path(
        r"^kontrahenci-wg-opiekuna/eksport\.(?P<fmt>csv|xlsx)$",
        report_views.by_caretaker_export,
        name="by_caretaker_export",
    ),
]
