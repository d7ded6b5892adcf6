"""Shared fixtures: operators with the permissions of docs/semantics.md, "Visibility", roles, contractors."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

# Hypothesis budgets live here, not in the tests: "dev" is quick, "ci" thorough.
# HYPOTHESIS_PROFILE chooses; CI runs (CI set) default to "ci".
hypothesis_settings.register_profile("dev", max_examples=25, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make beside it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request: pytest.FixtureRequest) -> None:
    """One test database per pytest-xdist worker (``make test`` runs the suite on workers).

    Replaces pytest-django's own fixture, which recognises SQLite only by Django's engine
    name: for the project's engine (``opiekun.sqlite``) it would build the test name from
    the file path (``test_/…/var/opiekun.sqlite3_gw0``). A SQLite test database with no
    TEST NAME is in memory, private to the worker's process: it stays as it is; a named
    one (a file) and a PostgreSQL one get the worker's suffix (``test_opiekun_gw0``)."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if not worker:
        return
    from django.db import connections

    for alias in connections:
        db_settings = connections[alias].settings_dict
        test_settings = db_settings.setdefault("TEST", {})
        name = test_settings.get("NAME")
        if connections[alias].vendor == "sqlite":
            if not name or name == ":memory:" or "mode=memory" in str(name):
                continue
        elif not name:
            name = f"test_{db_settings['NAME']}"
        test_settings["NAME"] = f"{name}_{worker}"


@pytest.fixture(scope="session", autouse=True)
def _job_folders_of_this_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Export and import jobs write files (EXPORT_DIR, IMPORT_DIR); under test they go
    into a folder of this session — of this worker under pytest-xdist — rather than into
    the installation's ``var/``, which the workers and ``make run`` would share. Tests
    that look at the files point the settings at their own ``tmp_path``."""
    home = tmp_path_factory.mktemp("opiekun_home")
    settings.EXPORT_DIR = home / "exports"
    settings.IMPORT_DIR = home / "imports"


@pytest.fixture(autouse=True)
def _language_of_this_test_only() -> Iterator[None]:
    """A request in English (a language cookie) leaves English active in the thread
    (LocaleMiddleware activates, nothing deactivates); the next test on that worker would
    then speak English where it expects Polish, the default. Back to the default after
    each test, so that no test depends on which test ran before it on its worker."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 costs ~0.7 s a user on this machine; tests need no slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def freeze_today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """The one way tests set the clock: "now" becomes noon of ``day`` in the configured
    time zone, so `opiekun.dates.today()` and every timestamp follow."""

    def freeze(day: date) -> None:
        moment = datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return freeze


@pytest.fixture
def make_operator(db: Any) -> Callable[..., Operator]:
    def make(
        username: str | None = None,
        *,
        visibility: str = Visibility.ALL,
        unassigned_access: str = UnassignedAccess.ALLOWED,
        can_assign: bool = True,
        can_manage_dictionaries: bool = False,
        active: bool = True,
        password: str = "secret-pass-1",
        superuser: bool = False,
    ) -> Operator:
        name = username or f"op{next(_counter)}"
        user = User.objects.create_user(
            username=name,
            password=password,
            first_name=name.capitalize(),
            last_name="Tester",
            is_superuser=superuser,
            is_staff=superuser,
        )
        return Operator.objects.create(
            user=user,
            visibility=visibility,
            unassigned_access=unassigned_access,
            can_assign=can_assign,
            can_manage_dictionaries=can_manage_dictionaries,
            active=active,
        )

    return make


@pytest.fixture
def admin_op(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("boss", can_assign=True, can_manage_dictionaries=True)


@pytest.fixture
def actor(admin_op: Operator) -> User:
    return admin_op.user


@pytest.fixture
def default_role(db: Any) -> CaretakerRole:
    # A transactional test's flush removes the migration's default role: recreate it.
    role, _ = CaretakerRole.objects.get_or_create(is_default=True, defaults={"name": "Opiekun handlowy"})
    return role


@pytest.fixture
def legal_role(db: Any) -> CaretakerRole:
    return CaretakerRole.objects.create(name="Opiekun prawny")


@pytest.fixture
def branch(db: Any) -> Branch:
    return Branch.objects.create(code="KRK", name="Kraków")


@pytest.fixture
def make_contractors(db: Any) -> Callable[[int], list[Contractor]]:
    def make(count: int, prefix: str = "K") -> list[Contractor]:
        start = next(_counter) * 100000
        return list(
            Contractor.objects.bulk_create(
                Contractor(code=f"{prefix}{start + i:07d}", name=f"Firma {start + i}") for i in range(count)
            )
        )

    return make


@pytest.fixture
def contractor(make_contractors: Callable[[int], list[Contractor]]) -> Contractor:
    return make_contractors(1)[0]


@pytest.fixture
def coverage_rebuilt_after(db: Any) -> Iterator[None]:
    """For tests that write assignments around the services on purpose (raw SQL,
    ``bulk_create``, ``.update()``): the coverage tables are rebuilt at the end, as
    `opiekun coverage-rebuild` is after such a write, before the test's final
    constraint check (PostgreSQL checks the deferred ones there: coverage/0002)."""
    yield
    from opiekun.coverage.services import coverage_rebuild

    coverage_rebuild()
