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

# Tests whose outcome cannot depend on the database engine: pure functions (periods, the
# rules, dates, tabular files, timelines, the coverage shortcut), checks of the repo's own
# files, and subprocesses that leave DATABASE_URL out (a deployment's settings, always on
# a SQLite file of their own). A node id, or a file for all its tests. They get the
# `engine_independent` marker; `make test-postgres` passes `--engine-independent=skip`, so
# `make test` runs them once, in its SQLite part (a bare pytest, on either engine, runs
# them). A listed test that asks for a database — a `django_db` marker, or the `db`,
# `transactional_db` or `live_server` fixture, or the test client — is an error at
# collection: such a test runs on both engines. docs/architecture.md, "Where the suite's
# time goes".
ENGINE_INDEPENDENT = (
    "tests/test_periods.py",
    "tests/test_dates.py",
    "tests/test_layout.py",
    "tests/test_tabular.py",
    "tests/caretakers/test_rules.py",
    "tests/caretakers/test_handover_rules.py",
    "tests/caretakers/test_timeline.py",
    "tests/coverage/test_untouched.py",
    "tests/caretakers/test_acting.py::test_the_main_caretaker_acts_when_present",
    "tests/caretakers/test_acting.py::test_an_absent_main_is_stood_in_for_by_the_first_present_deputy_until_the_absence_ends",
    "tests/caretakers/test_acting.py::test_equal_priorities_go_by_date_from_then_id",
    "tests/caretakers/test_acting.py::test_nobody_acts_without_a_main_or_when_everyone_is_away",
    "tests/caretakers/test_acting.py::test_absences_that_follow_each_other_count_as_one",
    "tests/caretakers/test_acting.py::test_acting_is_the_present_main_else_the_first_present_deputy_else_nobody",
    "tests/caretakers/test_acting.py::test_acting_periods_agree_with_the_rule_on_every_day",
    "tests/caretakers/test_acting.py::test_acted_for_periods_are_the_runs_of_days_the_operator_stood_in_for_an_absent_main",
    "tests/operators/test_throttle.py::test_the_policy_is_ten_failures_per_username_and_address_for_fifteen_minutes",
    "tests/operators/test_throttle.py::test_client_ip",
    "tests/test_security_settings.py::test_check_deploy_is_clean_with_https_on",
    "tests/test_security_settings.py::test_check_deploy_warns_without_https",
    "tests/test_security_settings.py::test_https_switches_on_hsts_secure_cookies_and_the_redirect",
    "tests/test_security_settings.py::test_the_published_secret_key_is_refused_without_debug",
    "tests/test_security_settings.py::test_without_a_key_each_installation_generates_and_keeps_its_own",
    "tests/test_security_settings.py::test_no_template_needs_an_inline_script_or_style",
    "tests/test_no_server_errors.py::test_the_names_read_are_what_the_view_looks_up",
    # Added 2026-11-29 (tst5): pure functions and checks found by collecting every test
    # that asks for no database; the three settings tests of test_db_routing.py run
    # Django in a subprocess with every DATABASE_* variable left out.
    "tests/api/test_caretakers_router.py",
    "tests/coverage/test_migrations.py::test_the_acting_periods_migration_computes_with_its_own_copy_of_the_rule",
    "tests/coverage/test_migrations.py::test_the_migrations_copy_of_the_acting_rule_gives_the_same_rows",
    "tests/coverage/test_stand_ins_skip.py::test_a_contractor_left_out_keeps_its_acting_periods",
    "tests/coverage/test_stand_ins_skip.py::test_nobody_away_names_nobody",
    "tests/coverage/test_stand_ins_skip.py::test_the_written_days_and_the_absences_meet_at_their_edges",
    "tests/operators/test_throttle.py::test_trusted_proxies_may_be_networks",
    "tests/test_db_routing.py::test_a_read_goes_to_a_replica",
    "tests/test_db_routing.py::test_a_writing_request_reads_from_the_primary_and_keeps_its_client_there",
    "tests/test_db_routing.py::test_after_the_sticky_seconds_the_writer_reads_from_a_replica_again",
    "tests/test_db_routing.py::test_a_forged_or_foreign_cookie_does_not_count",
    "tests/test_db_routing.py::test_with_sticky_seconds_zero_no_cookie_is_set",
    "tests/test_db_routing.py::test_without_replicas_everything_reads_from_the_primary",
    "tests/test_db_routing.py::test_a_streamed_response_reads_from_the_replica_to_its_end_then_the_primary",
    "tests/test_db_routing.py::test_settings_read_the_replica_urls",
    "tests/test_db_routing.py::test_settings_without_replicas_install_no_router",
    "tests/test_db_routing.py::test_replicas_of_sqlite_are_refused",
    "tests/test_middleware.py::test_a_database_busy_error_is_told_from_a_fault",
    "tests/test_parallel.py::test_job_files_stay_out_of_the_installations_folder",
)
# Browser tests whose assertions are about the browser's side alone: where the focus
# goes, what a keyboard or a click beside a dialog closes, what the page's script keeps
# (the ticked rows in the tab's storage) or refreshes, layout (a phone's width, the
# timeline's labels, the look of a read-only field), the switch of language, the
# Content-Security-Policy the browser enforces. What they make the server do — the
# same views, forms, services and queries — runs on both engines in other tests (the
# test client's tests of those views, the services' tests, the screens and forms of
# test_no_server_errors.py, and the browser tests left off this list, which send the
# same requests through the same pages). They get the `browser_side` marker; with
# `--engine-independent=skip` (make test-postgres) they are left out, so make test runs
# them once, in its SQLite part. A listed test that is not a browser test (no `e2e`
# marker) is an error at collection. docs/architecture.md, "tst6".
BROWSER_SIDE = (
    "tests/e2e/test_dialogs.py::test_every_way_of_closing_the_summary_refreshes_the_list[chromium-escape]",
    "tests/e2e/test_dialogs.py::test_every_way_of_closing_the_summary_refreshes_the_list[chromium-backdrop]",
    "tests/e2e/test_dialogs.py::test_closing_the_summary_with_x_refreshes_the_crm_tab",
    "tests/e2e/test_dialogs.py::test_tab_stays_in_the_dialog_and_focus_returns_to_the_opener",
    "tests/e2e/test_dialogs.py::test_focus_returns_to_the_menu_that_opened_the_dialog",
    "tests/e2e/test_dialogs.py::test_dates_typed_short_and_picked_from_the_calendar",
    "tests/e2e/test_dialogs.py::test_the_timeline_never_clips_or_overlaps_a_label",
    "tests/e2e/test_dialogs.py::test_read_only_fields_look_read_only",
    "tests/e2e/test_dialogs.py::test_a_dialog_opened_by_its_address_is_a_styled_page_and_closing_it_goes_home",
    "tests/e2e/test_contractor_list.py::test_ticked_rows_are_kept_across_pages_and_acted_on",
    "tests/e2e/test_contractor_list.py::test_clear_selection_and_a_new_filter_start_afresh",
    "tests/e2e/test_contractor_list.py::test_a_selection_too_large_for_the_server_gets_a_message_in_the_dialog",
    "tests/e2e/test_ui.py::test_field_errors_in_the_dialog",
    "tests/e2e/test_ui.py::test_language_switch",
    "tests/e2e/test_part_two_pages.py::test_the_wizard_fits_a_phone",
    "tests/e2e/test_part_two_pages.py::test_the_focus_goes_to_the_wrong_codes",
    "tests/e2e/test_part_two_pages.py::test_a_refused_absence_puts_the_focus_on_its_field",
    "tests/e2e/test_security.py::test_no_screen_breaks_the_content_security_policy",
    "tests/e2e/test_upcoming_filters.py::test_an_error_under_a_filter_does_not_move_the_labels",
    "tests/e2e/test_upcoming_filters.py::test_an_error_moves_no_label_of_its_line_on_any_filter_row",
    "tests/e2e/test_upcoming_filters.py::test_buttons_that_wrap_onto_a_line_of_their_own_leave_no_gap_above_them",
)
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "client",
        "admin_client",
        "async_client",
    }
)

# The tests that take longest (CPU and waits: minutes under load), measured per test
# (docs/architecture.md, "Where the suite's time goes"). They go first, in this order,
# the rest after them in their usual order. The Makefile runs pytest-xdist with
# `--maxschedchunk 1`: a worker is sent the next test when it has fewer than two left,
# so the long ones start at once on both workers instead of one of them landing last on a
# worker while the other has nothing left to run.
SLOW_FIRST = (
    "tests/notices/test_upcoming.py::test_the_rows_and_their_order_equal_the_former_implementation",
    "tests/caretakers/test_import.py::test_queries_do_not_grow_with_the_rows",
    "tests/caretakers/test_sqlite_concurrency.py",
    "tests/operators/test_throttle_workers.py",
    "tests/caretakers/test_export_jobs.py::test_a_real_background_process_writes_the_whole_export",
    "tests/test_no_server_errors.py::test_screens_answer_every_wrong_query_parameter_without_a_server_error",
    "tests/caretakers/test_handover_views.py::test_every_step_answers_every_wrong_value_without_a_server_error",
    "tests/test_database_busy.py",
    "tests/operators/test_migrations.py",
    "tests/test_cli.py",
    "tests/test_request_limits.py",
)


def _listed(nodeid: str, entries: tuple[str, ...]) -> int | None:
    """The place in ``entries`` of the first entry naming ``nodeid`` (itself, its file,
    or its function for every parameter), or None."""
    for place, entry in enumerate(entries):
        if nodeid == entry or nodeid.startswith((entry + "::", entry + "[")):
            return place
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine-independent",
        choices=("run", "skip"),
        default="run",
        help="skip: leave out the tests of ENGINE_INDEPENDENT in tests/conftest.py, and the "
        "engine-independent parts of the screens' wrong parameters (test_no_server_errors.py) and "
        "of the upcoming changes' pages (notices/test_upcoming.py), and the browser tests of "
        "BROWSER_SIDE (make test-postgres: make test runs them in its SQLite part)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "engine_independent: the outcome cannot depend on the database engine (tests/conftest.py)"
    )
    config.addinivalue_line(
        "markers", "browser_side: a browser test of the browser's side alone (tests/conftest.py)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    independent: list[pytest.Item] = []
    for item in items:
        if _listed(item.nodeid, ENGINE_INDEPENDENT) is None:
            continue
        uses = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses or item.get_closest_marker("django_db"):
            raise pytest.UsageError(
                f"{item.nodeid} is in ENGINE_INDEPENDENT but uses a database "
                f"({', '.join(sorted(uses)) or 'django_db'}): it must run on both engines"
            )
        item.add_marker(pytest.mark.engine_independent)
        independent.append(item)
    for item in items:
        if _listed(item.nodeid, BROWSER_SIDE) is None:
            continue
        if not item.get_closest_marker("e2e"):
            raise pytest.UsageError(f"{item.nodeid} is in BROWSER_SIDE but is not a browser test (e2e)")
        item.add_marker(pytest.mark.browser_side)
        independent.append(item)
    if config.getoption("engine_independent") == "skip" and independent:
        config.hook.pytest_deselected(items=independent)
        left_out = set(independent)
        items[:] = [item for item in items if item not in left_out]
    items.sort(key=_schedule)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
        & set(getattr(item, "fixturenames", ()))
    )


def _schedule(item: pytest.Item) -> tuple[bool, int]:
    """The place of a test in the run (a stable sort, after pytest-django's): the tests
    that end by flushing the database (transactional ones) still come after all the
    others, as pytest-django orders them, since the flush takes the rows the migrations
    left; within each of the two groups the tests of SLOW_FIRST come first, in its order."""
    place = _listed(item.nodeid, SLOW_FIRST)
    return _transactional(item), len(SLOW_FIRST) if place is None else place


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


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    """PBKDF2 costs ~0.7 s a user on this machine; tests need no slow hashing. Set once
    for the session (a test that changes it through ``settings`` gets it back after),
    rather than through pytest-django's ``settings`` fixture before every test."""
    from django.test.signals import setting_changed

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PASSWORD_HASHERS = hashers
    # What an override says: the hashers' caches are cleared.
    setting_changed.send(sender=None, setting="PASSWORD_HASHERS", value=hashers, enter=True)


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
def sellers(make_operator: Callable[..., Operator]) -> list[Operator]:
    """The handovers' tests' operators: anna, who hands over, bob and cecylia."""
    return [make_operator(name) for name in ("anna", "bob", "cecylia")]


@pytest.fixture
def portfolio_of(
    actor: User, sellers: list[Operator], make_contractors: Callable[[int], list[Contractor]]
) -> Callable[[int], list[Contractor]]:
    """``count`` new contractors, each with anna (``sellers[0]``) their main caretaker
    since 2030-01-01, added through the writer (a handover test's ``portfolio``)."""
    from opiekun.caretakers.services import caretaker_add

    def make(count: int) -> list[Contractor]:
        contractors = make_contractors(count)
        caretaker_add(
            actor=actor,
            contractor_ids=[c.pk for c in contractors],
            operator_id=sellers[0].pk,
            date_from="2030-01-01",
        )
        return contractors

    return make


@pytest.fixture
def coverage_rebuilt_after(db: Any) -> Iterator[None]:
    """For tests that write assignments around the services on purpose (raw SQL,
    ``bulk_create``, ``.update()``): the coverage tables are rebuilt at the end, as
    `opiekun coverage-rebuild` is after such a write, before the test's final
    constraint check (PostgreSQL checks the deferred ones there: coverage/0002)."""
    yield
    from opiekun.coverage.services import coverage_rebuild

    coverage_rebuild()
