"""Routes of the operators screens (owned by UI part B)."""

from django.urls import URLPattern, URLResolver

app_name = "operators"
urlpatterns: list[URLPattern | URLResolver] = []
