"""`opiekun export`: caretaker assignments or contractors to CSV or XLSX.

The file is written by `opiekun.caretakers.exports`, the same writer as the web UI's
downloads. With ``--user`` the export holds only what that user may see (docs/semantics.md, "Visibility");
without it, everything: the command runs with the server administrator's rights.
Headers and dates follow ``--language`` (default: the site's language, Polish).
Bad usage (an unknown name, a bad date, --to before --from, an --output that cannot be
written) exits 2, as the import commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from opiekun.caretakers.exports import (
    ASSIGNMENTS_REPORT,
    CONTRACTORS_REPORT,
    ExportFormat,
    Report,
    csv_chunks,
    write,
)
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import AssignmentFilters, assignment_list
from opiekun.management.import_cli import EXIT_USAGE, option_day
from opiekun.messages import DATE_TO_BEFORE_FROM
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Operator

# The assignments export's filters, by option (a contractors export takes none of them).
ASSIGNMENT_OPTIONS = {
    "operator": "--operator",
    "contractor": "--contractor",
    "date_from": "--from",
    "date_to": "--to",
    "on": "--on",
    "type": "--type",
}
DATES = ("date_from", "date_to", "on")  # the options of an assignments export that take a day


@dataclass(frozen=True)
class SystemViewer:
    """The command line's viewer without --user: sees every contractor."""

    is_superuser: bool = True
    is_active: bool = True
    is_authenticated: bool = True
    pk: None = None


class Command(BaseCommand):
    help = "Export caretaker assignments or contractors to CSV (UTF-8 with BOM, ';') or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["assignments", "contractors"])
        parser.add_argument(
            "-o",
            "--output",
            help="file to write; the format follows its"
            " suffix (.csv or .xlsx); '-' or none: CSV to standard output",
        )
        parser.add_argument(
            "--format",
            choices=[f.value for f in ExportFormat],
            help="overrides the format guessed from --output",
        )
        parser.add_argument("--user", help="export only what this user may see")
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="headers and dates: dd.mm.yyyy in Polish, YYYY-MM-DD in English (default: %(default)s)",
        )
        parser.add_argument("--operator", help="assignments: only this operator's (username)")
        parser.add_argument("--contractor", help="assignments: only this contractor's (code)")
        parser.add_argument("--from", dest="date_from", help="assignments: period start")
        parser.add_argument("--to", dest="date_to", help="assignments: period end")
        parser.add_argument("--on", help="assignments: only those current on this day")
        parser.add_argument("--type", choices=[t.value for t in AssignmentType])

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        viewer = self._viewer(options["user"])
        fmt = self._format(options["output"], options["format"])
        queryset: QuerySet[Any]
        report: Report
        if options["what"] == "contractors":
            given = [name for name in ASSIGNMENT_OPTIONS if options[name] is not None]
            if given:  # a filter that would be ignored: the file would hold more than asked
                raise CommandError(
                    _("%(option)s: only an export of assignments takes this filter")
                    % {"option": ASSIGNMENT_OPTIONS[given[0]]},
                    returncode=EXIT_USAGE,
                )
            queryset = visible_contractors(viewer=viewer).order_by("code")
            report = CONTRACTORS_REPORT
        else:
            filters = self._filters(viewer, options)
            queryset = assignment_list(viewer=viewer, filters=filters)
            report = ASSIGNMENTS_REPORT
        output = options["output"]
        if output in (None, "-"):
            if fmt is ExportFormat.XLSX:
                raise CommandError(
                    _("XLSX is not written to the terminal; give --output FILE.xlsx"), returncode=EXIT_USAGE
                )
            self._write_stdout(queryset, report)
            return
        written = 0

        def count(rows: int) -> None:
            nonlocal written
            written = rows

        try:
            with Path(output).open("wb") as stream:
                write(fmt, queryset, report, stream, progress=count)
        except OSError as error:  # a folder that does not exist, no permission, a full disk
            raise CommandError(
                _("--output: cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror},
                returncode=EXIT_USAGE,
            ) from None
        self.stderr.write(_("%(file)s: %(n)s rows") % {"file": output, "n": written})

    def _write_stdout(self, queryset: QuerySet[Any], report: Report) -> None:
        for chunk in csv_chunks(queryset, report.columns):
            self.stdout.write(chunk.decode("utf-8"), ending="")

    @staticmethod
    def _format(output: str | None, chosen: str | None) -> ExportFormat:
        if chosen:
            return ExportFormat(chosen)
        if not output or output == "-":
            return ExportFormat.CSV
        suffix = Path(output).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError(
                _(
                    "--output: the format follows the file's suffix, .csv or .xlsx (given: %(suffix)s);"
                    " or choose it with --format"
                )
                % {"suffix": suffix or _("no suffix")},
                returncode=EXIT_USAGE,
            )
        return ExportFormat(suffix[1:])

    @staticmethod
    def _viewer(username: str | None) -> Any:
        if username is None:
            return SystemViewer()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("--user: no user %(name)r") % {"name": username}, returncode=EXIT_USAGE)
        return user

    @staticmethod
    def _filters(viewer: Any, options: dict[str, Any]) -> AssignmentFilters:
        dates = {name: option_day(f"--{name.removeprefix('date_')}", options[name]) for name in DATES}
        if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
            raise CommandError(f"--to: {DATE_TO_BEFORE_FROM}", returncode=EXIT_USAGE)
        operator_id = None
        if options["operator"]:
            operator = Operator.objects.filter(user__username=options["operator"]).first()
            if operator is None:
                raise CommandError(
                    _("--operator: no operator %(name)r") % {"name": options["operator"]},
                    returncode=EXIT_USAGE,
                )
            operator_id = operator.pk
        contractor_id = None
        if options["contractor"]:
            contractor = visible_contractors(viewer=viewer).filter(code=options["contractor"]).first()
            if contractor is None:
                raise CommandError(
                    _("--contractor: no contractor %(code)r") % {"code": options["contractor"]},
                    returncode=EXIT_USAGE,
                )
            contractor_id = contractor.pk
        return AssignmentFilters(
            operator_id=operator_id,
            contractor_id=contractor_id,
            type=AssignmentType(options["type"]) if options["type"] else None,
            date_from=dates["date_from"],
            date_to=dates["date_to"],
            on=dates["on"],
        )
