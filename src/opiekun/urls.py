from django.contrib import admin
from django.urls import include, path

from opiekun.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("opiekun.ui_urls")),
]

handler403 = "opiekun.error_views.forbidden"
handler404 = "opiekun.error_views.not_found"
handler500 = "opiekun.error_views.server_error"
