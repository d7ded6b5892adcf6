"""Routes of Klienci bez opiekuna and its export."""

from django.urls import URLPattern, URLResolver, path, re_path

from opiekun.coverage import views

app_name = "coverage"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.gaps, name="gaps"),
    path("dzis/", views.today_link, name="today_link"),
    re_path(r"^eksport\.(?P<fmt>csv|xlsx)$", views.gaps_export, name="gaps_export"),
]
