"""``DATABASE_REPLICA_URLS`` read into database aliases, for settings.py (the router and
the middleware that use them: db_routing.py; docs/operations.md, "Read replicas")."""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def replica_databases(primary_engine: object) -> dict[str, dict[str, Any]]:
    """One alias per comma-separated URL: ``replica1``, ``replica2``, …"""
    urls = [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()]
    if urls and primary_engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
    return {
        f"replica{index}": {
            **dj_database_url.parse(url, conn_max_age=60),
            # Under test a replica is the test database itself: no second test database.
            "TEST": {"MIRROR": "default"},
        }
        for index, url in enumerate(urls, start=1)
    }
