"""The `opiekun` command: Django's management commands plus serve, demo and token."""

from __future__ import annotations

import os
import sys

EXIT_USAGE = 2
# Commands that work on a database without the project's tables (or on none).
NEEDS_NO_TABLES = frozenset(
    {
        "check",
        "collectstatic",
        "compilemessages",
        "dbshell",
        "diffsettings",
        "help",
        "makemessages",
        "makemigrations",
        "migrate",
        "optimizemigration",
        "sendtestemail",
        "shell",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "version",
    }
)


def _command(args: list[str]) -> str:
    return next((a for a in args if not a.startswith("-")), "help")


def _without_tables() -> str | None:
    """The database's name when it has no tables yet (never migrated: `opiekun` run
    outside its installation's folder finds, or makes, an empty SQLite file there)."""
    import django
    from django.db import connection
    from django.db.utils import Error

    django.setup()
    try:
        tables = connection.introspection.table_names()
    except Error:
        return None  # cannot connect: the command itself says why
    finally:
        # Not left open for the command: `serve` forks its workers from this process,
        # and workers sharing one connection's socket garble each other's queries.
        # (Inside a transaction — `main` called by a test — it is the caller's.)
        if not connection.in_atomic_block:
            connection.close()
    return None if "django_migrations" in tables else str(connection.settings_dict["NAME"])


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opiekun.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 -- loads the settings, which read the environment
    except ImproperlyConfigured as error:
        # A wrong variable (docs/operations.md): named in one line, as cron mails it,
        # instead of the traceback of importing the settings.
        sys.stderr.write(f"opiekun: configuration error: {error}\n")
        sys.exit(EXIT_USAGE)

    args = sys.argv[1:] if argv is None else argv
    if _command(args) not in NEEDS_NO_TABLES:
        empty = _without_tables()
        if empty is not None:
            sys.stderr.write(
                f"opiekun: the database {empty} has no tables yet. Run `opiekun migrate` first "
                f"(`make run` does), or run opiekun where it is installed: OPIEKUN_HOME, "
                f"the folder of its files, is {settings.HOME} now.\n"
            )
            sys.exit(EXIT_USAGE)
    execute_from_command_line(["opiekun", *args])


if __name__ == "__main__":
    main()
