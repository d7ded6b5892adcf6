"""The WARN preview and its confirmation of a large selection: time and memory.

`POST /api/v1/caretakers/add` with `on_overlap=warn` for 10,000 and 100,000 contractors
(the mix of benchmark a.: 95% whose current main the period splits, 5% without one),
called in-process through Django's test client as a worker serves it, then confirmed
with its token (rolled back). Beside it:

- *unbounded*: the same preview answered with every contractor's result in the JSON,
  as the API did before the answer was bounded (the service with every result kept,
  the same body builder, `json.dumps`; without the schema validation, which cost more);
- *baseline*: the planning read alone in SQL (the rows of the scope that touch the
  period, for the selected contractors), fetched into Python.

Each figure is measured twice: once for the time (wall clock, nothing traced), once
under `tracemalloc` for the peak of Python memory allocated during the call.

    .venv/bin/python bench/warn_preview.py                       # SQLite, 120,000 contractors
    scripts/with-postgres .venv/bin/python bench/warn_preview.py --postgres
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from run import NEW_FROM, NEW_TO, World, fetch, load, migrate, rolled_back, selection, setup_django

SIZES = (10_000, 100_000)


def measure(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds and the tracemalloc peak (MB) of ``work``, in two runs."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    tracemalloc.reset_peak()
    answer = work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (default: SQLite)")
    parser.add_argument("--contractors", type=int, default=120_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="selections to measure")
    args = parser.parse_args()
    setup_django(use_sqlite=not args.postgres)

    from django.conf import settings
    from django.test import Client

    from opiekun.caretakers.add_preview import RESULTS_LIMIT, add_body
    from opiekun.caretakers.services import caretaker_add
    from opiekun.operators.tokens import token_issue

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 409 is the answer here
    migrate()
    world: World = load(args.contractors)
    _, raw = token_issue(user=world.boss, name="bench")
    client = Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})
    print(f"\n{'':<34}{'time':>9}{'peak':>11}{'answer':>11}")

    for size in args.sizes:
        ids = selection(world, size)
        body = {
            "contractor_ids": ids,
            "operator_id": world.newcomer_id,
            "date_from": NEW_FROM.isoformat(),
            "date_to": NEW_TO.isoformat(),
            "on_overlap": "warn",
        }

        def preview(body: dict[str, Any] = body) -> Any:
            response = client.post("/api/v1/caretakers/add", body, content_type="application/json")
            assert response.status_code == 409, response.content[:300]
            return response

        def unbounded(ids: list[int] = ids) -> bytes:
            result = caretaker_add(
                actor=world.boss,
                contractor_ids=ids,
                operator_id=world.newcomer_id,
                date_from=NEW_FROM,
                date_to=NEW_TO,
                on_overlap="warn",
            )
            answer = add_body(result, role_id=None, branch_id=None, limit=len(ids), detail=None)
            return json.dumps(answer, default=str).encode()

        def baseline(ids: list[int] = ids) -> list[tuple[Any, ...]]:
            selected = ",".join(str(i) for i in ids)
            return fetch(
                "SELECT id, contractor_id, operator_id, type, date_from, date_to"
                " FROM caretakers_caretakerassignment"
                f" WHERE role_id = %s AND branch_id IS NULL AND contractor_id IN ({selected})"
                " AND date_from <= %s AND (date_to IS NULL OR date_to >= %s) ORDER BY id",
                [world.default_role_id, NEW_TO, NEW_FROM],
            )

        seconds, peak, response = measure(preview)
        answer = response.json()
        token = answer["confirm_token"]
        row(f"preview {size:>7,}", seconds, peak, len(response.content))

        def confirm(body: dict[str, Any] = body, token: str = token) -> Any:
            response = client.post(
                "/api/v1/caretakers/add", {**body, "confirm_token": token}, content_type="application/json"
            )
            assert response.status_code == 200, response.content[:300]
            return response

        seconds, peak, response = measure(rolled_back(confirm, as_committed=True))
        row(f"confirmation {size:>7,}", seconds, peak, len(response.content))
        seconds, peak, text = measure(unbounded)
        row(f"unbounded preview {size:>7,}", seconds, peak, len(text))
        seconds, peak, rows = measure(baseline)
        row(f"baseline read {size:>7,} ({len(rows):,} rows)", seconds, peak, None)
        counts = ", ".join(f"{n:,} {k}" for k, n in answer["counts"].items() if n)
        print(
            f"    {counts}; {answer['conflicted']:,} conflicted; {len(answer['results'])} of "
            f"{answer['results_count']:,} results answered (limit {RESULTS_LIMIT:,})"
        )


def row(label: str, seconds: float, peak: float, size: int | None) -> None:
    answer = f"{size / 1e6:8.2f} MB" if size is not None else ""
    print(f"  {label:<32}{seconds:8.2f} s{peak:8.1f} MB{answer:>11}", flush=True)


if __name__ == "__main__":
    main()
