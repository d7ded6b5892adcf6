from django.urls import path

from opiekun.caretakers import assignment_views, import_views, summary_views, views

app_name = "caretakers"
urlpatterns = [
    path("dodaj/", views.add_caretaker, name="add"),
    path("podsumowanie/<str:token>/", summary_views.summary_page, name="summary"),
    path("podsumowanie/<str:token>/csv", summary_views.summary_csv, name="summary_csv"),
    path("<id:pk>/edytuj/", assignment_views.assignment_edit, name="edit"),
    path("<id:pk>/zakoncz/", assignment_views.assignment_end_view, name="end"),
    path("<id:pk>/usun/", assignment_views.assignment_delete_view, name="delete"),
    path("import/", import_views.import_page, name="import"),
    path("import/<str:job_id>/", import_views.import_job, name="import_job"),
    path("import/<str:job_id>/panel/", import_views.import_panel, name="import_panel"),
    path("import/<str:job_id>/run/", import_views.import_run, name="import_run"),
    path("import/<str:job_id>/postep/", import_views.import_progress, name="import_progress"),
    path("import/<str:job_id>/bledy.csv", import_views.import_errors, name="import_errors"),
]
