from django.urls import path

from opiekun.caretakers import tab_views as caretaker_views
from opiekun.contractors import views

app_name = "contractors"
urlpatterns = [
    path("", views.contractor_list_view, name="list"),
    path("nowy/", views.contractor_create_view, name="create"),
    path("<id:pk>/", views.contractor_edit_view, name="edit"),
    path("<id:pk>/opiekunowie/", caretaker_views.contractor_caretakers, name="caretakers"),
]
