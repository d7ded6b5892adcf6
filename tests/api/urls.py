"""Only the API, so that its tests do not depend on the web UI's URLs."""

from django.urls import path

from opiekun.api import api

urlpatterns = [path("api/v1/", api.urls)]
