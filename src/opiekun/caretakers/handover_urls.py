"""Routes of the Przekazanie klientów screens."""

from django.urls import URLPattern, path

from opiekun.caretakers import handover_cancel_views, handover_views

app_name = "handovers"
urlpatterns: list[URLPattern] = [
    path("", handover_views.handover_list_view, name="list"),
    path("nowe/", handover_views.handover_wizard, name="new"),
    path("<id:pk>/", handover_views.handover_detail_view, name="detail"),
    path("<id:pk>/anuluj/", handover_cancel_views.handover_cancel_view, name="cancel"),
]
