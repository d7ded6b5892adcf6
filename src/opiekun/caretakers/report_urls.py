"""Routes of the reports screens: Kontrahenci wg opiekuna, its export and the
progress and download of an export written in the background."""

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
    re_path(r"^eksport/(?P<job_id>[A-Za-z0-9_-]{22})/$", report_views.export_job, name="export_job"),
    re_path(
        r"^eksport/(?P<job_id>[A-Za-z0-9_-]{22})/plik$",
        report_views.export_job_download,
        name="export_job_download",
    ),
]
