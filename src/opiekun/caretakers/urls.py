from django.urls import path

from opiekun.caretakers import views

app_name = "caretakers"
urlpatterns = [
    path("dodaj/", views.add_caretaker, name="add"),
    path("<id:pk>/edytuj/", views.assignment_edit, name="edit"),
    path("<id:pk>/zakoncz/", views.assignment_end_view, name="end"),
    path("<id:pk>/usun/", views.assignment_delete_view, name="delete"),
]
