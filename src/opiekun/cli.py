"""The `opiekun` command: Django's management commands plus serve, demo and token."""

from __future__ import annotations

import os
import sys

EXIT_USAGE = 2


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

    execute_from_command_line(["opiekun", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
