"""What the two import commands share: options, the progress bar, the summary table,
the error report file and the exit codes (0 applied or a clean dry run, 1 errors,
2 bad usage); with the other commands, the language option and a day option's check."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.table import Table

from opiekun.dates import parse_date
from opiekun.importing import NO_ROWS, OUTCOME_LABELS, PHASES, ImportReport, Progress, write_error_report
from opiekun.messages import DATE_INVALID
from opiekun.sqlite import analyze
from opiekun.tabular import TableError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
ERRORS_SHOWN = 20


def option_day(option: str, value: str | None) -> date | None:
    """The day given to ``option`` (None when it was not given); one that is not a
    date is bad usage, named in the active language."""
    try:
        return parse_date(value) if value else None
    except ValueError:
        raise CommandError(f"{option}: {DATE_INVALID}", returncode=EXIT_USAGE) from None


@dataclass(frozen=True)
class SystemUser:
    """The command line's actor without --user: the server's administrator, who may
    change every contractor; the audit trail records no user."""

    is_superuser: bool = True
    is_active: bool = True
    is_authenticated: bool = True
    pk: None = None


def add_common_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help=".csv or .xlsx")
    parser.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the valid rows even if others have errors (reported, exit code 1)",
    )
    parser.add_argument("--errors", metavar="FILE.csv", help="write every error to this CSV file")
    add_language_argument(parser)


def add_language_argument(parser: CommandParser) -> None:
    """``--language`` of the commands' messages; `language` reads it."""
    parser.add_argument(
        "--language",
        choices=[code for code, _ in settings.LANGUAGES],
        default=None,
        help="language of the messages (default: OPIEKUN_LANGUAGE, else Polish)",
    )


def language(options: dict[str, Any]) -> str:
    return str(options.get("language") or os.environ.get("OPIEKUN_LANGUAGE") or settings.LANGUAGE_CODE)


class LocalizedCommand(BaseCommand):
    """A command whose messages are in ``--language`` (`language`): its work is
    ``act(options)``, run with that language active."""

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options)):
            self.act(options)

    def act(self, options: dict[str, Any]) -> None:
        raise NotImplementedError


def actor_for(username: str | None) -> Any:
    if username is None:
        return SystemUser()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("--user: no user %(name)r") % {"name": username}, returncode=EXIT_USAGE)
    return user


def existing_file(name: str) -> Path:
    path = Path(name)
    if path.is_dir():
        raise CommandError(_("%(file)s: not a file (a directory)") % {"file": name}, returncode=EXIT_USAGE)
    if not path.is_file():
        raise CommandError(_("%(file)s: no such file") % {"file": name}, returncode=EXIT_USAGE)
    return path


def error_report_file(name: str | None, imported: Path) -> IO[str] | None:
    """The ``--errors`` file, opened before the import starts: a path that cannot be
    written (or the imported file itself) is bad usage, found before anything is written."""
    if not name:
        return None
    if Path(name).resolve() == imported.resolve():
        raise CommandError(
            _("--errors: the file being imported; name another file for the report"), returncode=EXIT_USAGE
        )
    try:
        return Path(name).open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise CommandError(
            _("--errors: cannot write %(file)s: %(error)s") % {"file": name, "error": error.strerror},
            returncode=EXIT_USAGE,
        ) from None


@contextmanager
def progress_bar(stderr: OutputWrapper) -> Iterator[Progress]:
    """A progress bar on the terminal (rich); nothing when the output is not one."""
    console = Console(file=sys.stderr)
    if not console.is_terminal:
        yield lambda phase, done, total: None
        return
    tasks: dict[str, TaskID] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Bar(*columns, console=console) as bar:

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(str(PHASES.get(phase, phase)), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def summary(report: ImportReport, *, dry_run: bool) -> str:
    """The summary table and the first errors, as text."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=110, force_terminal=False, color_system=None)
    table = Table(title=_("Import summary"), show_header=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_row(_("Rows in the file"), f"{report.rows:,}".replace(",", " "))
    table.add_row(_("Rows with errors"), str(report.invalid_rows))
    for kind, count in report.outcomes.items():
        table.add_row(str(OUTCOME_LABELS.get(kind, kind)), str(count))
    if dry_run:
        state = _("dry run: nothing written")
    elif report.applied:
        state = _("written")
    else:
        state = _("nothing written")
    table.add_row(_("Result"), state)
    console.print(table)
    if report.errors:
        errors = Table(
            title=_("Errors (first %(n)s of %(total)s)")
            % {"n": min(ERRORS_SHOWN, len(report.errors)), "total": len(report.errors)}
        )
        errors.add_column(_("Row"), justify="right")
        errors.add_column(_("Column"))
        errors.add_column(_("Message"))
        for error in report.errors[:ERRORS_SHOWN]:
            errors.add_row(str(error.row), error.column or "", error.message)
        console.print(errors)
    return buffer.getvalue()


def run_import(command: Any, options: dict[str, Any], work: Callable[[Path, Progress], ImportReport]) -> None:
    """Run ``work`` with the progress bar, print the summary, write the error report,
    and end with the exit code the report asks for."""
    with translation.override(language(options)), ExitStack() as stack:
        path = existing_file(options["file"])
        report_file = error_report_file(options["errors"], path)
        if report_file is not None:
            stack.enter_context(report_file)
        try:
            with progress_bar(command.stderr) as progress:
                report = work(path, progress)
        except TableError as error:
            raise CommandError(f"{path}: {error}", returncode=EXIT_ERRORS) from None
        except PermissionDenied as error:
            raise CommandError(str(error), returncode=EXIT_USAGE) from None
        except ValidationError as error:
            messages = [f"{field}: {' '.join(m)}" for field, m in error.message_dict.items()]
            raise CommandError("; ".join(messages), returncode=EXIT_ERRORS) from None
        if report.empty:  # a header alone: said as a file that cannot be imported is
            raise CommandError(f"{path}: {NO_ROWS}", returncode=EXIT_ERRORS)
        if report.applied:
            analyze()  # SQLite: statistics for the new rows (opiekun.sqlite)
        command.stdout.write(summary(report, dry_run=options["dry_run"]), ending="")
        if report_file is not None:
            write_error_report(report.errors, report_file)
        if report.errors:
            lines = "\n".join(
                _("row %(row)s: %(column)s: %(message)s")
                % {"row": e.row, "column": e.column, "message": e.message}
                if e.column
                else _("row %(row)s: %(message)s") % {"row": e.row, "message": e.message}
                for e in report.errors[:ERRORS_SHOWN]
            )
            more = len(report.errors) - ERRORS_SHOWN
            if more > 0:
                lines += "\n" + _("… and %(n)s more (--errors FILE.csv writes them all)") % {"n": more}
            head = (
                _("imported the valid rows; these were left out:")
                if report.applied
                else _("nothing imported; fix these rows:")
            )
            raise CommandError(f"{head}\n{lines}", returncode=EXIT_ERRORS)
