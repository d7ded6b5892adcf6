"""The benchmark server's URLs: every URL of the product, plus one baseline view.

``GET /bench/contractor/<id>`` is a bare Django JSON view doing one primary-key SELECT:
what any Django view costs on this server and database — middleware, one query,
JSON — with nothing of the product's own work. `caretaker-info` is measured beside it.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path

from opiekun.contractors.models import Contractor
from opiekun.urls import urlpatterns as product_urlpatterns


def contractor_by_pk(request: HttpRequest, pk: int) -> JsonResponse:
    row = Contractor.objects.values("id", "code", "name").get(pk=pk)
    return JsonResponse(row)


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/contractor/<int:pk>", contractor_by_pk),
    *product_urlpatterns,
]
