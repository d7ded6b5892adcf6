"""The API clients of tests/api, for the coverage and notices endpoints."""

from tests.api.conftest import api, client_for

__all__ = ["api", "client_for"]
