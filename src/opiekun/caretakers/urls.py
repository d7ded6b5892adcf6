from django.urls import path

from opiekun.caretakers import summary_views, views

app_name = "caretakers"
urlpatterns = [
    path("dodaj/", views.add_caretaker, name="add"),
    path("podsumowanie/<str:token>/", summary_views.summary_page, name="summary"),
    path("podsumowanie/<str:token>/csv", summary_views.summary_csv, name="summary_csv"),
    path("<id:pk>/edytuj/", views.assignment_edit, name="edit"),
    path("<id:pk>/zakoncz/", views.assignment_end_view, name="end"),
    path("<id:pk>/usun/", views.assignment_delete_view, name="delete"),
]
