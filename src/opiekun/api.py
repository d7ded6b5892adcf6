"""REST API v1 (DESIGN §6)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Opiekun API", version="1", urls_namespace="api-v1")
