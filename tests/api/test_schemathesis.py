"""Property-based run of the live OpenAPI schema (schemathesis): whatever the
schema allows — and, in a second pass, what it does not — the API answers without
a 5xx, with a documented status code, content type and body shape."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opiekun.api import api
from opiekun.caretakers.services import caretaker_add
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue

PREFIX = "/api/v1/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Requests sent straight to the WSGI handler would close the test's database
    connection when they finish (its transaction looks "obsolete"); Django's own test
    client disconnects the same signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(
    keep_connection: None, make_operator: Callable[..., Operator], make_contractors: Any
) -> dict[str, str]:
    """A superuser's token, and a few rows so that small ids hit real data."""
    admin = make_operator("fuzzer", superuser=True, can_manage_dictionaries=True)
    contractors = make_contractors(5)
    caretaker_add(
        actor=admin.user,
        contractor_ids=[c.pk for c in contractors],
        operator_id=admin.pk,
        date_from="2030-01-01",
    )
    _, raw = token_issue(user=admin.user, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


def _schema(mode: GenerationMode) -> Any:
    """The schema /api/v1/openapi.json serves (test_docs pins that they are equal),
    built at import time: the URLs are switched to the API's only inside the tests."""
    schema = schemathesis.openapi.from_dict(dict(api.get_openapi_schema(path_prefix=PREFIX)))
    schema.app = WSGIHandler()
    schema.config.generation.update(modes=[mode], deterministic=True)
    return schema


positive = _schema(GenerationMode.POSITIVE)
negative = _schema(GenerationMode.NEGATIVE)


# The seed rows and the token are meant to outlive each generated request.
# The number of requests generated per operation and mode comes from this decorator (not
# from the schema's configuration, which a test's @settings overrides). It inherits the
# Hypothesis profile of tests/conftest.py: 150 under `ci` (`.ci/run`), and under the quick
# `dev` profile 10 rather than its 25, which are meant for the service tests.
DEV_EXAMPLES = 10
KEEP_FIXTURES = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    max_examples=settings().max_examples if settings.get_current_profile_name() == "ci" else DEV_EXAMPLES,
)


@positive.parametrize()
@KEEP_FIXTURES
def test_valid_requests_conform(case: Any, seeded: dict[str, str]) -> None:
    case.call_and_validate(headers=seeded, checks=CHECKS)


@negative.parametrize()
@KEEP_FIXTURES
def test_invalid_requests_never_fail_the_server(case: Any, seeded: dict[str, str]) -> None:
    case.call_and_validate(headers=seeded, checks=CHECKS)
