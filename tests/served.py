"""`opiekun serve` — gunicorn, several worker processes — as a test's real server.

The pytest database lives in the test process and cannot be shared, so such a test
gets a database of its own: a SQLite file in a temporary OPIEKUN_HOME, or, when the
suite runs on PostgreSQL (DATABASE_URL), a scratch database on the same server,
dropped afterwards. `app_environment` gives it a copy of a migrated template; `serve`
starts and stops the server.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql


def on_postgres() -> bool:
    return bool(os.environ.get("DATABASE_URL"))


def run_python(env: dict[str, str], code: str, *args: str, timeout: float = 300) -> str:
    """Run ``code`` after ``django.setup()`` with the app's environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _plain_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"OPIEKUN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "opiekun.settings"}


def _migrate(env: dict[str, str]) -> None:
    migrate = subprocess.run(
        [sys.executable, "-m", "opiekun.cli", "migrate", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stderr


_templates: dict[str, str] = {}


def _template() -> str:
    """A migrated, empty database of this process (this pytest-xdist worker), made the
    first time a test needs one: the SQLite file, or a PostgreSQL database. Each test
    then gets a copy of it instead of migrating a database of its own (a migration from
    scratch costs seconds of CPU; a copy costs nothing). Removed when the process ends."""
    kind = "postgres" if on_postgres() else "sqlite"
    if kind not in _templates:
        if kind == "sqlite":
            home = Path(tempfile.mkdtemp(prefix="opiekun-migrated-"))
            atexit.register(shutil.rmtree, home, ignore_errors=True)
            _migrate(_plain_environment(home))
            database = home / "opiekun.sqlite3"
            # Everything into the file itself (the database runs in WAL mode): the
            # last connection to close checkpoints the log and removes it.
            with closing(sqlite3.connect(database)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            assert not (home / "opiekun.sqlite3-wal").exists()
            _templates[kind] = str(database)
        else:
            url = urlsplit(os.environ["DATABASE_URL"])
            name = f"opiekun_served_template_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            atexit.register(_drop, name)
            home = Path(tempfile.mkdtemp(prefix="opiekun-migrated-"))
            atexit.register(shutil.rmtree, home, ignore_errors=True)
            env = _plain_environment(home)
            env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))
            _migrate(env)
            # CREATE DATABASE … TEMPLATE needs the template without sessions: wait for
            # the migrating process's backend to be gone.
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
                for _ in range(100):
                    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                    row = admin.execute(query, (name,)).fetchone()
                    if row is not None and row[0] == 0:
                        break
                    time.sleep(0.1)
            _templates[kind] = name
    return _templates[kind]


def _drop(name: str) -> None:
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def migrated_sqlite_home(home: Path) -> None:
    """Put a migrated, empty SQLite database into ``home`` (as OPIEKUN_HOME), as
    `opiekun migrate` there would leave it: a copy of this process's template."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(), home / "opiekun.sqlite3")


@contextmanager
def app_environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of an app with its own, migrated, empty database (a copy of a
    migrated template: a new file on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL)."""
    env = _plain_environment(tmp_path)
    scratch = None
    if on_postgres():
        template = _template()
        url = urlsplit(os.environ["DATABASE_URL"])
        scratch = f"opiekun_served_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(scratch), sql.Identifier(template)
                )
            )
        env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{scratch}"))
    else:
        migrated_sqlite_home(tmp_path)
    try:
        yield env
    finally:
        if scratch is not None:
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(scratch)))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    port: int
    log: Path
    env: dict[str, str]
    cookies: SimpleCookie = field(default_factory=SimpleCookie)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        keep_cookies: bool = False,
        timeout: float = 60,
    ) -> Answer:
        """One request on a new connection (each may land on any worker)."""
        sent = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if keep_cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            received = response.getheaders()
            answer = Answer(response.status, dict(received), response.read(), time.monotonic() - started)
        finally:
            connection.close()
        if keep_cookies:
            for name, value in received:
                if name.lower() == "set-cookie":
                    self.cookies.load(value)
        return answer

    def log_in(self, username: str, password: str) -> None:
        """Log in through the web form; the session cookie is kept for later requests."""
        self.request("GET", "/login/", keep_cookies=True)
        answer = self.request(
            "POST",
            "/login/",
            form={"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_token},
            keep_cookies=True,
        )
        assert answer.status == 302, answer.body

    @property
    def csrf_token(self) -> str:
        return self.cookies["csrftoken"].value

    def worker_pids(self, request_line: str) -> set[int]:
        """The workers that answered requests starting with ``request_line`` (the access
        log carries each worker's process id)."""
        pids = set()
        for line in self.log.read_text().splitlines():
            if f'"{request_line}' in line:
                found = re.search(r"<(\d+)>\s*$", line)
                if found:
                    pids.add(int(found.group(1)))
        return pids


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(env: dict[str, str], tmp_path: Path, *, workers: int) -> Iterator[Served]:
    """`opiekun serve` with ``workers`` gunicorn workers, until the block ends."""
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        server = subprocess.Popen(
            [sys.executable, "-m", "opiekun.cli", *command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(port=port, log=log, env=env)
    try:
        deadline = time.monotonic() + 120
        while log.read_text().count("Booting worker") < workers or not _answers(port):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield served
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/login/")
        return connection.getresponse().status == 200
    except OSError:
        return False
