"""Routes of the dictionaries screens (owned by UI part B)."""

from django.urls import URLPattern, URLResolver

app_name = "dictionaries"
urlpatterns: list[URLPattern | URLResolver] = []
