"""Routes of the operators screens."""

from django.urls import URLPattern, URLResolver, path

from opiekun.operators import views

app_name = "operators"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.operator_list_view, name="list"),
    path("tokeny/", views.token_list_view, name="tokens"),
    path("tokeny/<id:pk>/uniewaznij/", views.token_revoke_view, name="token_revoke"),
]
