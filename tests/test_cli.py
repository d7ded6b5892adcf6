"""The CLI's own commands: demo data and the entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from stdnum.pl import nip, regon

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator, Visibility
from opiekun.operators.tokens import token_authenticate, token_issue


@pytest.mark.django_db
def test_demo_loads_realistic_data_once() -> None:
    call_command("demo", stdout=StringIO())
    counts = (
        Contractor.objects.count(),
        Operator.objects.count(),
        CaretakerAssignment.objects.count(),
        CaretakerAssignment.history.count(),
    )
    assert counts[0] == 300
    assert counts[1] == 8
    assert all(nip.is_valid(c.nip) and regon.is_valid(c.regon) for c in Contractor.objects.all())

    out = StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts == (
        Contractor.objects.count(),
        Operator.objects.count(),
        CaretakerAssignment.objects.count(),
        CaretakerAssignment.history.count(),
    )


@pytest.mark.django_db
def test_demo_history_has_handovers_deputies_and_logins() -> None:
    call_command("demo", stdout=StringIO())
    assignments = CaretakerAssignment.objects.all()
    # A handover: ended assignments followed by another operator's.
    assert assignments.filter(date_to__lt=today(), type=AssignmentType.MAIN).exists()
    assert assignments.filter(type=AssignmentType.DEPUTY).exists()
    assert assignments.exclude(branch=None).exists()
    assert Contractor.objects.exclude(pk__in=assignments.on(today()).values("contractor")).exists(), (
        "some contractors have no caretaker today"
    )
    # django-axes checks every login attempt against the request it comes with.
    admin = authenticate(RequestFactory().post("/login/"), username="admin", password="admin")
    own = authenticate(RequestFactory().post("/login/"), username="jan.kowalski", password="demo")
    assert admin is not None and admin.is_superuser
    assert own is not None and own.operator.visibility == Visibility.OWN
    assert CaretakerAssignment.history.exclude(history_user=None).count() == (
        CaretakerAssignment.history.count()
    )


def test_entry_point_runs_django_commands(capsys: Any) -> None:
    from opiekun.cli import main

    main(["help", "demo"])
    assert "load demo data" in capsys.readouterr().out.lower()


@pytest.mark.django_db
def test_running_the_demo_again_keeps_the_demo_users_api_tokens() -> None:
    call_command("demo", stdout=StringIO())
    _, raw = token_issue(user=Operator.objects.get(user__username="admin").user)
    call_command("demo", stdout=StringIO())
    assert token_authenticate(raw) is not None


def _opiekun(home: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """The `opiekun` command in a process of its own, as cron runs it: ``home`` as
    OPIEKUN_HOME, the embedded database, ``variables`` added to the environment."""
    env = {**os.environ, "OPIEKUN_HOME": str(home), **variables}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "opiekun.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OPIEKUN_EMAIL_URL", "http://mail.example.com"),
        ("OPIEKUN_TRUSTED_PROXIES", "not-a-network"),
        # Numbers: a ValueError of int() while the settings loaded, or an OverflowError
        # when a token was issued.
        ("OPIEKUN_API_TOKEN_DAYS", "99999999"),
        ("OPIEKUN_API_TOKEN_DAYS", "0"),
        ("OPIEKUN_IMPORT_MAX_MB", "abc"),
        ("OPIEKUN_IMPORT_MAX_MB", "nan"),
        ("OPIEKUN_SQLITE_TIMEOUT", "-1"),
        ("OPIEKUN_LIST_ESTIMATE_FROM", "many"),
        ("OPIEKUN_COUNT_ESTIMATE_FROM", "0"),
        ("OPIEKUN_EXPORT_KEEP_HOURS", "1.5"),
    ],
)
def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path, variable: str, value: str) -> None:
    """Every command (cron's `opiekun notify` too) says which variable is wrong and
    exits 2, instead of a traceback from loading the settings."""
    done = _opiekun(tmp_path, "notify", "--dry-run", **{variable: value})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"opiekun: configuration error: {variable}: ")


def test_serve_refuses_a_port_or_worker_count_it_cannot_use_in_one_line(tmp_path: Path) -> None:
    """A port of 99999 was gunicorn's OverflowError traceback, OPIEKUN_PORT=abc an int()
    traceback, and 0 workers a server that listened and never answered."""
    assert _opiekun(tmp_path, "migrate", "-v0").returncode == 0
    for args, variables, message in [
        (["--port", "99999"], {}, "argument --port: '99999' is not a whole number from 1 to 65535"),
        (["--port", "abc"], {}, "argument --port: 'abc' is not a whole number from 1 to 65535"),
        (["--workers", "0"], {}, "argument --workers: '0' is not a whole number from 1 to 256"),
        ([], {"OPIEKUN_PORT": "abc"}, "OPIEKUN_PORT: 'abc' is not a whole number from 1 to 65535"),
        ([], {"OPIEKUN_WORKERS": "0"}, "OPIEKUN_WORKERS: '0' is not a whole number from 1 to 256"),
    ]:
        done = _opiekun(tmp_path, "serve", *args, **variables)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr
        assert message in done.stderr.strip().splitlines()[-1]


def test_a_database_without_tables_is_named_instead_of_a_traceback(tmp_path: Path) -> None:
    """`opiekun` run outside its installation's folder finds no database there: it says
    so and how to proceed, exit 2, and `opiekun migrate` still works there."""
    done = _opiekun(tmp_path, "notify", "--dry-run")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"the database {tmp_path / 'opiekun.sqlite3'} has no tables yet" in done.stderr
    assert f"OPIEKUN_HOME, the folder of its files, is {tmp_path} now" in done.stderr
    assert _opiekun(tmp_path, "migrate", "-v0").returncode == 0
    assert _opiekun(tmp_path, "notify", "--dry-run").returncode == 0
