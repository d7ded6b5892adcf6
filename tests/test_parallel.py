"""`make test` runs the suite on pytest-xdist workers (docs/architecture.md, "Engines"):
each worker has a test database of its own (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_each_worker_has_a_test_database_of_its_own(worker_id: str) -> None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        # In memory: private to the worker's process, whatever its name.
        assert "mode=memory" in name, name
    else:
        assert name.startswith("test_"), name
        if worker_id != "master":  # a run without workers keeps pytest-django's name
            assert name.endswith(f"_{worker_id}"), name


def test_job_files_stay_out_of_the_installations_folder() -> None:
    assert not str(settings.EXPORT_DIR).startswith(str(settings.HOME))
    assert not str(settings.IMPORT_DIR).startswith(str(settings.HOME))
