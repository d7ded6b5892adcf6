"""`opiekun serve`: the web app under gunicorn, static files by whitenoise."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn.app.base import BaseApplication

from opiekun.collector import app_frozen
from opiekun.settings_env import env_number

PORTS = (1, 65535)
WORKERS = (1, 256)


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An option's whole number from ``low`` to ``high``: anything else is argparse's
    one-line usage error, not gunicorn's traceback (a port of 99999) or a server that
    listens with no worker to answer (0 workers)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
        return value

    return parse


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Imported here so that whitenoise indexes the files collectstatic just wrote.
        from opiekun.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Opiekun with gunicorn (default http://127.0.0.1:8000/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("OPIEKUN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=_whole(*PORTS), help="default: OPIEKUN_PORT, or 8000")
        parser.add_argument("--workers", type=_whole(*WORKERS), help="default: OPIEKUN_WORKERS, or 2")

    def handle(self, *args: Any, host: str, port: int | None, workers: int | None, **options: Any) -> None:
        try:
            port = port or env_number("OPIEKUN_PORT", 8000, low=PORTS[0], high=PORTS[1])
            workers = workers or env_number("OPIEKUN_WORKERS", 2, low=WORKERS[0], high=WORKERS[1])
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        call_command("collectstatic", interactive=False, verbosity=0)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"Opiekun: http://{shown}:{port}/"))
        self.stdout.write(f"API docs: http://{shown}:{port}/api/v1/docs")
        from opiekun.management.commands.demo import LOGINS

        self.stdout.write("Demo logins (after `opiekun demo`):")
        for username, password, what in LOGINS:
            self.stdout.write(f"  {username} / {password}  — {what}")
        self.stdout.write("Stop with Ctrl+C.")
        _Gunicorn(
            {
                "bind": f"{shown}:{port}",
                "workers": workers,
                "accesslog": "-",
                # gunicorn's default format, and the worker's process id (<1234>).
                "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s',
                "timeout": 120,
                # each worker, once the app is loaded
                "post_worker_init": lambda worker: app_frozen(),
            }
        ).run()
