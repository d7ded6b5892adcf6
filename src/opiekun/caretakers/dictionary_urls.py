"""Routes of the dictionaries screens: caretaker roles and company branches."""

from django.urls import URLPattern, URLResolver, path

from opiekun.caretakers import dictionary_views as views

app_name = "dictionaries"
urlpatterns: list[URLPattern | URLResolver] = [
    path("role/", views.role_list, name="roles"),
    path("role/nowa/", views.role_edit, name="role_add"),
    path("role/<id:pk>/", views.role_edit, name="role_edit"),
    path("oddzialy/", views.branch_list, name="branches"),
    path("oddzialy/nowy/", views.branch_edit, name="branch_add"),
    path("oddzialy/<id:pk>/", views.branch_edit, name="branch_edit"),
]
