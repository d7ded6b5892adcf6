"""Routes of the Nieobecności screens."""

from django.urls import URLPattern, URLResolver, path

from opiekun.operators import absence_views as views

app_name = "absences"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.absence_list_view, name="list"),
    path("kalendarz/", views.absence_calendar_view, name="calendar"),
    path("nowa/", views.absence_create_view, name="create"),
    path("<id:pk>/", views.absence_edit_view, name="edit"),
    path("<id:pk>/usun/", views.absence_delete_view, name="delete"),
]
