"""Routes of Nadchodzące zmiany."""

from django.urls import URLPattern, URLResolver, path

from opiekun.notices import views

app_name = "notices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.upcoming, name="upcoming"),
    path("licznik/", views.badge, name="badge"),
]
