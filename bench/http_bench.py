"""What a user waits for: Opiekun's pages and API calls timed through the real server.

    make bench-http                                # PostgreSQL (scripts/with-postgres), 1,000,000 contractors
    scripts/with-postgres .venv/bin/python bench/http_bench.py --contractors 100000

The script loads `bench/run.py`'s data set into the empty database of DATABASE_URL
(the same loader, imported), starts `opiekun serve` (gunicorn, 2 workers) on it, logs
in over HTTP as a user who sees everything and as two own-only operators, and times
each page and API call a user or an integration makes most: p50 and p95 over 20
requests each, one request at a time, after one warm-up request. `caretaker-info` is
also driven at concurrency 4 (requests per second) beside a bare Django JSON view doing
one primary-key SELECT, served by the same gunicorn (`bench_urls.py`). Every figure
printed is computed from the requests it made. The writes come last (they change the
data: see `--help`). Nothing leaves the local machine.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import run  # bench/run.py: the data set and its loader

BENCH = Path(__file__).resolve().parent
PASSWORD = "bench-pass-1"
GOAL_MS = 150.0
WRITE_SIZE = 1_000  # contractors per API caretaker_add call
INFO_REQUESTS = 200  # per round, at concurrency 4
INFO_ROUNDS = 3
CONCURRENCY = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=(
            "The write benchmark changes the loaded data: each of its calls (1 warm-up and "
            "--runs timed) gives 1,000 other contractors a new main caretaker for 2025-03-01 - "
            "2025-08-31 with REPLACE, splitting the current main of 95%% of them in two. It "
            "runs after every read is measured; the database is thrown away afterwards."
        ),
    )
    parser.add_argument(
        "--contractors",
        type=int,
        default=1_000_000,
        help="contractors to load (default 1,000,000; below 100,000 'page 2000' is the list's last page)",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--only",
        choices=["pages", "exports", "info", "absence", "add"],
        action="append",
        help="time only these (repeatable; default all): the pages, the CSV and XLSX exports, "
        "caretaker-info beside the bare view, saving and deleting an absence, the API write",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help=f"for every page slower than {GOAL_MS:.0f} ms at p95, replay it in this "
        "process (before the writes) and print EXPLAIN (ANALYZE, BUFFERS) of its SELECTs "
        "that took 10 ms or more",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve the data set an earlier `bench/run.py --load-only` loaded (the writes change it)",
    )
    parser.add_argument(
        "--info-rounds",
        type=int,
        default=INFO_ROUNDS,
        help=f"alternating rounds of {INFO_REQUESTS} requests of caretaker-info and of the bare view "
        f"(default {INFO_ROUNDS}; the median round of each is reported)",
    )
    args = parser.parse_args()
    args.only = set(args.only or ["pages", "exports", "info", "absence", "add"])
    if args.contractors < 1_000:
        parser.error("--contractors must be at least 1,000")
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    return args


# --- HTTP ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    ms: float
    headers: dict[str, str]


@dataclass
class Session:
    """One client of the server: its cookies (a logged-in session) or an API token."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()  # the whole body: a download ends with its last byte
        finally:
            connection.close()
        ms = (time.perf_counter() - started) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return Answer(response.status, content, ms, dict(response.headers.items()))

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def download(self, path: str) -> Answer:
        """An export as the user gets it: answered in the request, or (a large one)
        redirected to a background job's progress page, whose file is fetched as soon
        as it is ready; the time runs from the first request to the file's last byte,
        and the answer's ``X-Bench-Background`` header says which it was."""
        started = time.perf_counter()
        first = self.get(path)
        match = re.fullmatch(r".*/eksport/([A-Za-z0-9_-]{22})/", first.headers.get("Location", ""))
        if first.status != 302 or match is None:
            return first
        file_path = f"/raporty/eksport/{match.group(1)}/plik"
        while True:
            answer = self.get(file_path)
            if answer.status != 404:  # 404 while the job is still writing
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{path}: the background export gave no file within 600 s")
            time.sleep(0.05)
        ms = (time.perf_counter() - started) * 1000
        return Answer(answer.status, answer.body, ms, {**answer.headers, "X-Bench-Background": "1"})

    def post_json(self, path: str, payload: Any) -> Answer:
        return self.request("POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def login(self, username: str) -> Session:
        form = self.get("/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        if form.status != 200 or not found:
            raise RuntimeError(f"no login form ({form.status})")
        body = urlencode(
            {"csrfmiddlewaretoken": found.group(1).decode(), "username": username, "password": PASSWORD}
        ).encode()
        answer = self.request(
            "POST",
            "/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{self.host}/login/"},
        )
        if answer.status != 302:
            raise RuntimeError(f"login of {username} failed ({answer.status})")
        return self


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(workers: int) -> Iterator[tuple[str, int]]:
    """`opiekun serve` on DATABASE_URL, with the benchmark's URLs (bench_settings.py)."""
    port = free_port()
    home = tempfile.mkdtemp(prefix="opiekun-bench-http-")
    log_path = Path(home) / "server.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")]),
        "OPIEKUN_HOME": home,
    }
    command = [sys.executable, "-m", "opiekun.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"opiekun serve exited:\n{log_path.read_text()}")
            try:
                if Session("127.0.0.1", port).get("/login/").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"opiekun serve did not answer:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


# --- measuring ------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of them at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without float surprises
    return ordered[int(rank) - 1]


@dataclass
class Row:
    name: str
    p50: float
    p95: float
    note: str
    replay: Callable[[], None] | None = None  # for --explain

    def cells(self) -> str:
        return f"| {self.name} | {self.p50:,.0f} ms | {self.p95:,.0f} ms | {self.note} |"

    def show(self) -> None:
        """The row's line of the progress printed as each measurement ends."""
        print(f"  {self.name:<62} {self.p50:>9,.0f} {self.p95:>9,.0f}  {self.note}", flush=True)


def timed(
    name: str,
    call: Callable[[int], Answer],
    runs: int,
    note: Callable[[Answer, list[Answer]], str],
    replay: Callable[[], None] | None = None,
) -> Row:
    """One warm-up call, then ``runs`` timed ones (``call(i)``, i from 0); every answer
    must be a success; the note is computed from the answers."""
    call(-1)
    answers = []
    for i in range(runs):
        answer = call(i)
        if answer.status != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status}: {answer.body[:500]!r}")
        answers.append(answer)
    times = [a.ms for a in answers]
    row = Row(name, statistics.median(times), percentile(times, 0.95), note(answers[-1], answers), replay)
    row.show()
    return row


# A number as the pages write it, grouped (a no-break space in Polish, a comma in English).
GROUPED = rb"(\d(?:[\d,]|\xc2\xa0)*)"


def grouped_number(text: bytes) -> int:
    """A number `GROUPED` found, as an integer."""
    return int(re.sub(rb"[^0-9]", b"", text))


def shown_total(pattern: bytes) -> Callable[[Answer, list[Answer]], str]:
    """The note of a list page: the total it shows (found with ``pattern``), its size."""

    def note(last: Answer, answers: list[Answer]) -> str:
        found = re.search(pattern, last.body)
        about = "about " if re.search(ESTIMATED, last.body) else ""  # the pager says it is an estimate
        total = f"{about}{grouped_number(found.group(1)):,} rows" if found else "total not found on the page"
        unsorted = "; too long to sort as asked" if b'data-testid="unsorted"' in last.body else ""
        return f"{total}{unsorted}; {len(last.body) / 1024:,.0f} KiB"

    return note


LIST_TOTAL = rb'data-total="(\d+)"'
# "N", or an estimate "około 1 300 000" / "about 1,300,000" (grouped: a no-break space, a comma)
REPORT_TOTAL = rb'data-testid="report-total">\s*(?:oko\xc5\x82o |about )?' + GROUPED

WITHOUT_ONE = rb"(?:Without a caretaker|Bez opiekuna): " + GROUPED + b"<"  # "Bez opiekuna: N"

ESTIMATED = rb"[0-9] z ok\. [0-9]|[0-9] of about [0-9]"  # the pager of an estimate


def _how(last: Answer) -> str:
    return "; written by a background job" if last.headers.get("X-Bench-Background") else ""


def csv_note(last: Answer, answers: list[Answer]) -> str:
    rows = last.body.count(b"\n") - 1
    return f"{rows:,} rows, {len(last.body) / 2**20:,.1f} MiB{_how(last)}"


def xlsx_note(last: Answer, answers: list[Answer]) -> str:
    from openpyxl import load_workbook

    sheet: Any = load_workbook(io.BytesIO(last.body), read_only=True).active
    rows = len(list(sheet.iter_rows(values_only=True))) - 1
    return f"{rows:,} rows, {len(last.body) / 2**20:,.1f} MiB{_how(last)}"


def throughput(sessions: Sequence[Session], paths: Sequence[str], requests: int) -> tuple[float, list[float]]:
    """``requests`` GETs of ``paths`` (cycled) by ``len(sessions)`` clients at once:
    requests per second over the whole wall time, and each request's time."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client(session: Session) -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            answer = session.get(paths[index % len(paths)])
            with lock:
                times.append(answer.ms)
                if answer.status != 200:
                    failures.append(f"HTTP {answer.status} {answer.body[:200]!r}")

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return requests / elapsed, times


# --- the benchmark ---------------------------------------------------------------------


@dataclass(frozen=True)
class Users:
    boss: Session  # sees everything
    denied: Session  # own-only, contractors without a caretaker denied
    read_only: Session  # own-only, contractors without a caretaker read-only
    api: Session  # the boss's API token


def prepare(world: run.World, runs: int, pages: bool, writes: bool) -> tuple[str, list[list[int]], int]:
    """Passwords for the three users who log in, an API token, and (with ``writes``) the
    disjoint selections the write benchmark sends (each mixed as bench/run.py's); with
    ``pages``, the handover one of them shows (0 without)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from opiekun.operators.tokens import token_issue

    with run.step("passwords, an API token, the write selections"):
        for user in (world.boss, world.own_denied, world.own_read_only):
            user.set_password(PASSWORD)
            User.objects.filter(pk=user.pk).update(password=user.password)
        _, token = token_issue(user=world.boss, name="bench-http")
        # bench/run.py's selection, 95% with a current main the period splits, 5% with
        # none, spread over the table; cut into interleaved parts, one per call.
        calls = 1 + runs  # a warm-up, then the timed ones
        parts: list[list[int]] = []
        if writes:
            try:
                chosen = run.selection(world, WRITE_SIZE * calls)
            except AssertionError:
                raise SystemExit(
                    f"{world.contractors:,} contractors are too few for the write benchmark's "
                    f"{calls} calls of {WRITE_SIZE:,} distinct contractors each (a warm-up and "
                    "--runs): load more contractors, take fewer --runs, or leave out the write "
                    "(--only pages, exports or info)"
                ) from None
            parts = [chosen[i::calls] for i in range(calls)]
    handover = f", a handover of {HANDOVER_SIZE:,} contractors" if pages else ""
    with run.step(f"{ABSENCES_EACH} absences of each caretaker, changes around today{handover}"):
        handover_id = part_two(world, pages)
    connection.close()
    return token, parts, handover_id


ABSENCES_EACH = 4  # a week each, over 2025
HANDOVER_SIZE = 1_000


def part_two(world: run.World, handover: bool) -> int:
    """Rows for the pages of Nieobecności and Przekazania klientów, written by their
    services: absences of every caretaker, and (with ``handover``) one handover
    (bench/handover.py's, its source caretaker's first contractors to the newcomer).
    The handover's id, or 0."""
    from datetime import date, timedelta

    from handover import arguments, source_contractors

    from opiekun.caretakers.models import Handover
    from opiekun.caretakers.services import handover_create
    from opiekun.operators.absences import absence_create
    from opiekun.operators.models import Absence

    # The boss also keeps the absences calendar: enters everyone's, sees everyone's.
    world.boss.operator.can_manage_absences = True
    world.boss.operator.save(update_fields=["can_manage_absences"])
    if not Absence.objects.exists():  # with --reuse, those of an earlier run are served
        for operator_id in range(world.first_operator, world.first_operator + run.OPERATORS):
            for week in range(ABSENCES_EACH):
                start = date(2025, 1, 6) + timedelta(weeks=13 * week + operator_id % 13)
                absence_create(
                    actor=world.boss,
                    operator_id=operator_id,
                    date_from=start,
                    date_to=start + timedelta(days=4),
                )
    near_today(world)
    if not handover:
        return 0
    earlier = Handover.objects.filter(contractors=HANDOVER_SIZE).order_by("pk").first()
    if earlier is not None:
        return int(earlier.pk)
    given = arguments(world, source_contractors(world, HANDOVER_SIZE))
    preview = handover_create(actor=world.boss, **given)
    done = handover_create(actor=world.boss, confirm_token=preview.confirm_token, **given)
    if not done.applied or done.handover is None:
        raise RuntimeError("the handover was not applied")
    return int(done.handover.pk)


AWAY_NOW = 5  # caretakers on leave around today


def near_today(world: run.World) -> None:
    """What happens around today, which the loaded data (a fixed calendar) lacks: the
    contractors without a main caretaker today are all inactive there, and nothing
    starts or ends near today, so Klienci bez opiekuna and Nadchodzące zmiany would
    time empty pages. As bench/coverage.py does: the mains of every 20th + 1
    (active) contractor ended on 2025-01-31 and of every 40th + 3 ending in the
    coming 30 days (through SQL, coverage refreshed as the writer does), and
    ``AWAY_NOW`` caretakers on leave from three days ago for two weeks (through the
    service), so that "absences considered" adds the contractors nobody stands in for.
    Done once: with --reuse, what an earlier run wrote is served."""
    from datetime import date, timedelta

    from coverage import end_some_mains
    from django.db import connection

    from opiekun.caretakers.models import CaretakerAssignment
    from opiekun.dates import today
    from opiekun.operators.absences import absence_create
    from opiekun.operators.models import Absence

    ended = CaretakerAssignment.objects.filter(
        contractor_id=world.first_contractor + 20 - world.first_contractor % 20 + 1,
        type="main",
        role_id=world.default_role_id,
        date_from=date(2024, 1, 1),
        date_to=date(2025, 1, 31),
    )
    wrote = not ended.exists()
    if wrote:
        end_some_mains(world)
    start = today() - timedelta(days=3)
    for operator_id in range(world.first_operator, world.first_operator + AWAY_NOW):
        if not Absence.objects.filter(operator_id=operator_id, date_to__gte=start).exists():
            absence_create(
                actor=world.boss, operator_id=operator_id, date_from=start, date_to=start + timedelta(days=13)
            )
            wrote = True
    if wrote and connection.vendor == "postgresql":
        # As the loader ends (bench/run.py): the pages read an index-only data set, not
        # one whose changed pages the visibility map does not know yet.
        run.execute("VACUUM ANALYZE")


def add_note(last: Answer, answers: list[Answer]) -> str:
    """What the calls did, from their answers: outcomes and changes per call."""
    outcomes: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    for answer in answers:
        body = json.loads(answer.body)
        if not body["applied"]:
            raise RuntimeError("caretakers/add applied nothing")
        outcomes.update({k: v for k, v in body["counts"].items() if v})
        for result in body["results"]:
            changes.update(c["kind"] for c in result["changes"] if c["kind"] != "created")
    n = len(answers)
    text = ", ".join(f"{v / n:,.0f} {k}" for k, v in sorted(outcomes.items()))
    if changes:
        text += " (" + ", ".join(f"{v / n:,.0f} {k}" for k, v in sorted(changes.items())) + ")"
    return f"per call: {text}; answer {len(last.body) / 1024:,.0f} KiB"


def rows_shown(marker: bytes) -> Callable[[Answer, list[Answer]], str]:
    """The note of a page without a total: the rows it shows (``marker`` opens each)."""

    def note(last: Answer, answers: list[Answer]) -> str:
        return f"{last.body.count(marker):,} rows shown; {len(last.body) / 1024:,.0f} KiB"

    return note


def measure(
    world: run.World,
    users: Users,
    parts: list[list[int]],
    handover_id: int,
    args: argparse.Namespace,
) -> tuple[list[Row], str]:
    runs, explain = args.runs, args.explain
    first_op = world.first_operator
    report = urlencode({"operator": first_op + 5, "date_from": "2025-01-01", "date_to": "2025-12-31"})
    acted_for = urlencode(
        {"mode": "acted_for", "operator": first_op + 5, "date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    crm_contractor = world.first_contractor + world.contractors // 2
    far_page = min(2000, -(-world.contractors // 50))  # 50 a page; the last one below 100,000
    from opiekun.contractors.models import Contractor
    from opiekun.dates import today

    typed_code = Contractor.objects.get(pk=crm_contractor).code.lower()  # as someone types it
    every_current = urlencode({"on": today().isoformat(), "page": far_page})
    by_operator = urlencode({"on": today().isoformat(), "sort": "operator"})
    boss, api = users.boss, users.api

    def page(session: Session, path: str) -> Callable[[int], Answer]:
        if "/eksport." in path:
            return lambda i: session.download(path)
        return lambda i: session.get(path)

    def loaded_number(pattern: bytes, what: str) -> Callable[[Answer, list[Answer]], str]:
        def note(last: Answer, answers: list[Answer]) -> str:
            found = re.search(pattern, last.body)
            if not found:
                return f"no {what} (empty answer)"
            return f"{grouped_number(found.group(1)):,} {what}"

        return note

    def replay(user: Any, path: str) -> Callable[[], None]:
        return lambda: explain_request(user, "GET", path)

    pages: list[tuple[str, Session, Any, str, Callable[[Answer, list[Answer]], str]]] = [
        (
            "contractors list, first page (sees all)",
            boss,
            world.boss,
            "/kontrahenci/",
            shown_total(LIST_TOTAL),
        ),
        (
            'contractors list, search "transport"',
            boss,
            world.boss,
            "/kontrahenci/?q=transport",
            shown_total(LIST_TOTAL),
        ),
        (
            "contractors list, filtered by current caretaker",
            boss,
            world.boss,
            f"/kontrahenci/?caretaker={first_op + 7}",
            shown_total(LIST_TOTAL),
        ),
        (
            f"contractors list, page {far_page}",
            boss,
            world.boss,
            f"/kontrahenci/?page={far_page}",
            shown_total(LIST_TOTAL),
        ),
        (
            "own-only operator's list, unassigned read-only",
            users.read_only,
            world.own_read_only,
            "/kontrahenci/",
            shown_total(LIST_TOTAL),
        ),
        (
            "own-only operator's list, unassigned denied",
            users.denied,
            world.own_denied,
            "/kontrahenci/",
            shown_total(LIST_TOTAL),
        ),
        (
            "Kontrahenci wg opiekuna, one operator, one year",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/?{report}",
            shown_total(REPORT_TOTAL),
        ),
        (
            "Kontrahenci wg opiekuna, a contractor's code typed in small letters",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/?contractor={typed_code}",
            shown_total(REPORT_TOTAL),
        ),
        (
            f"Kontrahenci wg opiekuna, every current assignment, page {far_page}",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/?{every_current}",
            shown_total(REPORT_TOTAL),
        ),
        (
            "Kontrahenci wg opiekuna, every current assignment, sorted by operator",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/?{by_operator}",
            shown_total(REPORT_TOTAL),
        ),
        (
            'contractors list, search "kowalski", sorted by name',
            boss,
            world.boss,
            "/kontrahenci/?q=kowalski&sort=name",
            shown_total(LIST_TOTAL),
        ),
        (
            'contractors list, search "kowalski", sorted by name backwards',
            boss,
            world.boss,
            "/kontrahenci/?q=kowalski&sort=-name",
            shown_total(LIST_TOTAL),
        ),
        (
            'contractors list, search "transport", active only, sorted by name',
            boss,
            world.boss,
            "/kontrahenci/?q=transport&active=1&sort=name",
            shown_total(LIST_TOTAL),
        ),
        (
            'own-only operator\'s list, unassigned read-only, search "kowalski"',
            users.read_only,
            world.own_read_only,
            "/kontrahenci/?q=kowalski",
            shown_total(LIST_TOTAL),
        ),
        (
            'own-only operator\'s list, unassigned read-only, search "kowalski", sorted by name',
            users.read_only,
            world.own_read_only,
            "/kontrahenci/?q=kowalski&sort=name",
            shown_total(LIST_TOTAL),
        ),
        (
            'own-only operator\'s list, unassigned denied, search "transport"',
            users.denied,
            world.own_denied,
            "/kontrahenci/?q=transport",
            shown_total(LIST_TOTAL),
        ),
        (
            "CRM → Opiekun kontrahenta tab",
            boss,
            world.boss,
            f"/kontrahenci/{crm_contractor}/opiekunowie/",
            lambda last, answers: f"{len(last.body) / 1024:,.0f} KiB",
        ),
        (
            "Przekazania klientów, the list",
            boss,
            world.boss,
            "/operatorzy/przekazania/",
            rows_shown(b"data-handover="),
        ),
        (
            f"Przekazania klientów, one handover of {HANDOVER_SIZE:,} contractors",
            boss,
            world.boss,
            f"/operatorzy/przekazania/{handover_id}/",
            lambda last, answers: f"{len(last.body) / 1024:,.0f} KiB",
        ),
        (
            "Nieobecności, the list (every caretaker)",
            boss,
            world.boss,
            "/nieobecnosci/",
            rows_shown(b"data-absence="),
        ),
        (
            "Nieobecności, one caretaker's month (calendar)",
            boss,
            world.boss,
            f"/nieobecnosci/kalendarz/?operator={first_op + 5}",
            lambda last, answers: f"{len(last.body) / 1024:,.0f} KiB",
        ),
        (
            "Klienci bez opiekuna, today",
            boss,
            world.boss,
            "/raporty/klienci-bez-opiekuna/",
            rows_shown(b"<tr data-contractor="),
        ),
        (
            "Klienci bez opiekuna, today, absences considered",
            boss,
            world.boss,
            "/raporty/klienci-bez-opiekuna/?consider_absences=on",
            rows_shown(b"<tr data-contractor="),
        ),
        (
            "Nadchodzące zmiany, everyone's, 14 days",
            boss,
            world.boss,
            "/nadchodzace-zmiany/",
            rows_shown(b"<tr data-contractor="),
        ),
        (
            "Kontrahenci wg opiekuna, acted for, one operator, one year",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/?{acted_for}",
            rows_shown(b"<tr data-contractor="),
        ),
        (
            "Przekaż klientów, the wizard's first step",
            boss,
            world.boss,
            "/operatorzy/przekazania/nowe/",
            lambda last, answers: f"{len(last.body) / 1024:,.0f} KiB",
        ),
        (
            "Import opiekunów, the upload page",
            boss,
            world.boss,
            "/opiekunowie/import/",
            lambda last, answers: f"{len(last.body) / 1024:,.0f} KiB",
        ),
        (
            "Operatorzy, the list",
            boss,
            world.boss,
            "/operatorzy/",
            rows_shown(b"<tr data-operator="),
        ),
        (
            "Operatorzy, the list (own-only, unassigned read-only)",
            users.read_only,
            world.own_read_only,
            "/operatorzy/",
            rows_shown(b"<tr data-operator="),
        ),
        (
            "the top bar's badge, loaded after every page (own-only operator)",
            users.denied,
            world.own_denied,
            "/nadchodzace-zmiany/licznik/",
            loaded_number(rb'data-testid="upcoming-badge">' + GROUPED + b"<", "upcoming changes"),
        ),
        (
            'the contractors list\'s "Bez opiekuna: N", loaded after the list',
            boss,
            world.boss,
            "/raporty/klienci-bez-opiekuna/dzis/",
            loaded_number(WITHOUT_ONE, "contractors without one"),
        ),
        (
            "CSV export, Kontrahenci wg opiekuna (as above)",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/eksport.csv?{report}",
            csv_note,
        ),
        (
            "XLSX export, Kontrahenci wg opiekuna (as above)",
            boss,
            world.boss,
            f"/raporty/kontrahenci-wg-opiekuna/eksport.xlsx?{report}",
            xlsx_note,
        ),
    ]
    print(f"\n  {'what a user opens':<62} {'p50 ms':>9} {'p95 ms':>9}  note", flush=True)
    rows = [
        timed(name, page(session, path), runs, note, replay(user, path))
        for name, session, user, path, note in pages
        if ("exports" if "/eksport." in path else "pages") in args.only
    ]
    info_line = bench_info(world, users, args.info_rounds) if "info" in args.only else ""
    if explain:  # before the writes, on the data the reads were timed on
        for row in rows:
            if row.p95 > GOAL_MS and row.replay:
                row.replay()

    # The writes come last: they change the data the reads above measured.
    def add(i: int) -> Answer:
        return api.post_json(
            "/api/v1/caretakers/add",
            {
                "contractor_ids": parts[i + 1],
                "operator_id": world.newcomer_id,
                "date_from": run.NEW_FROM.isoformat(),
                "date_to": run.NEW_TO.isoformat(),
                "on_overlap": "replace",
                "type": "main",
            },
        )

    if "absence" in args.only:
        rows += absence_rows(world, api)
    if "add" in args.only:
        rows.append(
            timed(f"API POST /caretakers/add, {WRITE_SIZE:,} contractors, REPLACE", add, runs, add_note)
        )
    return rows, info_line


ABSENCE_RUNS = 3  # each call takes seconds at a million: a warm-up pair and three timed
ABSENCE_WEEK = (date(2027, 3, 1), date(2027, 3, 5))  # after every absence the data set has


def absence_rows(world: run.World, api: Session) -> list[Row]:
    """Saving and deleting an absence, as an integration (or the form) does: one
    caretaker's week in 2027 through `POST /api/v1/absences`, then `DELETE` of the same
    absence, so that the data set is as before; a warm-up pair, then ``ABSENCE_RUNS``
    pairs. Each changes who acts for every contractor the caretaker is main for that
    week. The note counts the caretaker's contractors today from the data."""
    from opiekun.caretakers.models import CaretakerAssignment
    from opiekun.dates import today

    operator_id = world.first_operator + 7
    theirs = (
        CaretakerAssignment.objects.on(today())
        .filter(operator_id=operator_id)
        .values("contractor_id")
        .distinct()
        .count()
    )
    start, end = ABSENCE_WEEK
    saved: list[float] = []
    deleted: list[float] = []
    for i in range(-1, ABSENCE_RUNS):
        made = api.post_json(
            "/api/v1/absences",
            {"operator_id": operator_id, "date_from": start.isoformat(), "date_to": end.isoformat()},
        )
        if made.status != 201:
            raise RuntimeError(f"POST /absences: HTTP {made.status}: {made.body[:500]!r}")
        gone = api.request("DELETE", f"/api/v1/absences/{json.loads(made.body)['id']}")
        if gone.status != 204:
            raise RuntimeError(f"DELETE /absences: HTTP {gone.status}: {gone.body[:500]!r}")
        if i >= 0:
            saved.append(made.ms)
            deleted.append(gone.ms)
    note = f"a caretaker of {theirs:,} contractors today, one week; {len(saved)} timed"
    rows = [
        Row("API POST /absences", statistics.median(saved), percentile(saved, 0.95), note),
        Row(
            "API DELETE /absences/{id}, the same absence",
            statistics.median(deleted),
            percentile(deleted, 0.95),
            note,
        ),
    ]
    for row in rows:
        row.show()
    return rows


def bench_info(world: run.World, users: Users, rounds: int) -> str:
    """caretaker-info at concurrency 4, beside the bare primary-key view, in alternating
    rounds (the machine's load changes under both alike); the median round of each."""
    step = world.contractors // 1000
    ids = [world.first_contractor + i * step for i in range(1000)]
    ours = [f"/api/v1/contractors/{i}/caretaker-info" for i in ids]
    bare = [f"/bench/contractor/{i}" for i in ids]
    api_clients = [Session(users.api.host, users.api.port, token=users.api.token) for _ in range(CONCURRENCY)]
    bare_clients = [Session(users.api.host, users.api.port) for _ in range(CONCURRENCY)]
    throughput(api_clients, ours, CONCURRENCY * 5)  # warm-up: every worker, both paths
    throughput(bare_clients, bare, CONCURRENCY * 5)
    rates: dict[str, list[float]] = {"ours": [], "bare": []}
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    for _ in range(rounds):
        for key, clients, paths in (("ours", api_clients, ours), ("bare", bare_clients, bare)):
            rate, took = throughput(clients, paths, INFO_REQUESTS)
            rates[key].append(rate)
            times[key].extend(took)
    ours_rate, bare_rate = statistics.median(rates["ours"]), statistics.median(rates["bare"])
    line = (
        f"| API `caretaker-info`, concurrency {CONCURRENCY} | {ours_rate:,.0f} req/s "
        f"(p50 {statistics.median(times['ours']):,.0f} ms, p95 {percentile(times['ours'], 0.95):,.0f} ms) | "
        f"bare Django view, one primary-key SELECT: {bare_rate:,.0f} req/s "
        f"(p50 {statistics.median(times['bare']):,.0f} ms, p95 {percentile(times['bare'], 0.95):,.0f} ms) | "
        f"ratio {ours_rate / bare_rate:.2f} |"
    )
    print(
        f"  {'API caretaker-info, concurrency 4':<62} {ours_rate:>9,.0f} req/s; "
        f"bare view {bare_rate:,.0f} req/s; ratio {ours_rate / bare_rate:.2f} "
        f"(rounds: {', '.join(f'{r:,.0f}' for r in rates['ours'])} vs "
        f"{', '.join(f'{r:,.0f}' for r in rates['bare'])})",
        flush=True,
    )
    return line


# --- EXPLAIN ---------------------------------------------------------------------------

SLOW_QUERY_MS = 10.0


def explain_request(user: Any, method: str, path: str) -> None:
    """Replay one request in this process (Django's test client, the same views and
    database; once to warm up, once measured) and print the plan of every SELECT it
    sent that took 10 ms or more."""
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    queries: list[tuple[float, str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql, params))

    def replay() -> None:
        response = client.generic(method, path)
        if getattr(response, "streaming", False):
            for _ in response.streaming_content:  # type: ignore[attr-defined]
                pass

    replay()  # a warm-up, as for the timed requests: templates, translations, caches
    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        replay()
    took = (time.perf_counter() - started) * 1000
    in_queries = sum(q[0] for q in queries)
    print(
        f"\n### {method} {path}\n(replayed in this process: {took:,.0f} ms, of which {len(queries)} "
        f"queries {in_queries:,.0f} ms and the rest, {took - in_queries:,.0f} ms, Python)"
    )
    for ms, sql, params in queries:
        if ms < SLOW_QUERY_MS or not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"\n-- {ms:,.0f} ms\n{sql}\n")
        for (line,) in run.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, params):
            print(f"    {line}")


# --- main ------------------------------------------------------------------------------


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    args = parse_args()
    run.setup_django(use_sqlite=False)
    started = time.perf_counter()
    print(
        f"Opiekun HTTP benchmark: {args.contractors:,} contractors, {args.runs} requests per page "
        f"(after one warm-up), gunicorn with {args.workers} workers"
    )
    print(f"  {run.machine()}")
    print(f"  load average at the start: {load_average()}")
    run.migrate()
    world = run.loaded_world() if args.reuse else run.load(args.contractors)
    args.contractors = world.contractors  # what was loaded, with --reuse too
    token, parts, handover_id = prepare(world, args.runs, "pages" in args.only, "add" in args.only)
    print(f"  ready in {time.perf_counter() - started:.0f} s", flush=True)
    with server(args.workers) as (host, port):
        users = Users(
            boss=Session(host, port).login(world.boss.username),
            denied=Session(host, port).login(world.own_denied.username),
            read_only=Session(host, port).login(world.own_read_only.username),
            api=Session(host, port, token=token),
        )
        rows, info_line = measure(world, users, parts, handover_id, args)
    print(f"\n  load average at the end: {load_average()}")
    print(f"\n| what a user opens ({args.contractors:,} contractors) | p50 | p95 | note |")
    print("|---|---:|---:|---|")
    for row in rows:
        print(row.cells())
    if info_line:
        print(info_line)
    slow = [r for r in rows if r.p95 > GOAL_MS]
    print(f"\nover {GOAL_MS:.0f} ms at p95: " + ("; ".join(r.name for r in slow) if slow else "none"))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
