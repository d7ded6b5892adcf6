"""The API clients of tests/api, for the import's endpoint."""

from tests.api.conftest import api, client_for

__all__ = ["api", "client_for"]
