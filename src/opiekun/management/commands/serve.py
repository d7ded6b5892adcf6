"""`opiekun serve`: the web app under gunicorn, static files by whitenoise."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from opiekun.collector import app_frozen


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
        parser.add_argument("--port", type=int, default=int(os.environ.get("OPIEKUN_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("OPIEKUN_WORKERS", "2")))

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
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
