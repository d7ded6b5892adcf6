"""Import opiekunów: upload a file, see the dry run (summary, first errors, the full
error report as CSV), then import it — with progress shown while each run works.

Thin: `import_jobs` keeps the upload and its state in files, `assignments_import`
checks and writes. See `import_jobs` for how progress reaches the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opiekun.caretakers.import_jobs import (
    ImportJob,
    JobBusy,
    import_job_create,
    import_job_fail,
    import_job_get,
    import_job_run,
)
from opiekun.caretakers.models import POLICY_CHOICES
from opiekun.caretakers.rules import OverlapPolicy
from opiekun.caretakers.services.importing import OUTCOMES
from opiekun.importing import OUTCOME_LABELS, PHASES
from opiekun.operators.access import require_assign
from opiekun.tabular import TableError, size_error

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".txt")
IMPORT_POLICIES = [(k, v) for k, v in POLICY_CHOICES if k != OverlapPolicy.WARN.value]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        # The reader's words for a file of no bytes, as for one of blank lines (Django's
        # own: "The submitted file is empty.").
        error_messages={"empty": gettext_lazy("The file is empty; its first row must name the columns.")},
    )
    on_overlap = forms.ChoiceField(
        label=gettext_lazy("When a row meets another main caretaker"),
        choices=IMPORT_POLICIES,
        initial=OverlapPolicy.KEEP.value,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        """The screen takes what its file chooser offers; the format itself is read
        from the content (a ``.csv`` holding an XLSX is still read as one), at upload
        as far as it can be without reading the rows (`import_job_create`)."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise ValidationError(_("Choose a CSV or XLSX file (.csv, .xlsx)."))
        return upload


def _job(request: HttpRequest, job_id: str) -> ImportJob:
    require_assign(request.user)
    job = import_job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """The upload form; a valid upload becomes a job, whose page runs the dry run."""
    require_assign(request.user)
    if request.method == "GET":
        return render(request, "caretakers/import.html", {"form": ImportForm()})
    # A body larger than the import reads is refused before it is parsed.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.IMPORT_MAX_BYTES + 64 * 1024:
        refused = str(size_error(settings.IMPORT_MAX_BYTES))
        return render(
            request, "caretakers/import.html", {"form": ImportForm(), "refused": refused}, status=413
        )
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "caretakers/import.html", {"form": form}, status=400)
    try:
        job = import_job_create(
            user=request.user, upload=form.cleaned_data["file"], policy=form.cleaned_data["on_overlap"]
        )
    except TableError as error:
        form.add_error("file", str(error))
        return render(request, "caretakers/import.html", {"form": form}, status=400)
    return redirect("caretakers:import_job", job_id=job.id)


def _context(job: ImportJob, **extra: Any) -> dict[str, Any]:
    report = job.report or {}
    outcomes = report.get("outcomes", {})
    return {
        "job": job,
        "policies": IMPORT_POLICIES,
        "policy_label": dict(IMPORT_POLICIES).get(job.policy, job.policy),
        "phase_label": PHASES.get(job.phase, ""),
        "outcomes": [(k, OUTCOME_LABELS[k], outcomes.get(k, 0)) for k in OUTCOMES],
        "report": report,
        "valid_rows": max(report.get("rows", 0) - report.get("invalid_rows", 0), 0),
        **extra,
    }


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's page: a fresh upload starts its dry run at once."""
    job = _job(request, job_id)
    run = "check" if job.state == "uploaded" else None
    context = _context(job, run=run, skip_invalid=False, run_policy=job.policy)
    return render(request, "caretakers/import_job.html", context)


@login_required
@require_GET
def import_panel(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's panel; with ``run`` (check or apply), the panel that starts that run
    and follows its progress."""
    job = _job(request, job_id)
    run = request.GET.get("run")
    if run not in ("check", "apply") or job.running:
        run = None
    policy = request.GET.get("on_overlap")
    if run != "check" or policy not in dict(IMPORT_POLICIES):
        policy = job.policy
    skip = request.GET.get("skip_invalid") == "1"
    context = _context(job, run=run, skip_invalid=skip, run_policy=policy)
    return render(request, "caretakers/import_panel.html", context)


@login_required
@require_POST
def import_run(request: HttpRequest, job_id: str) -> HttpResponse:
    """Run the dry run or the import inside this request; answer the panel with its
    report."""
    job = _job(request, job_id)
    apply = request.POST.get("mode") == "apply"
    skip = request.POST.get("skip_invalid") == "1"
    policy = request.POST.get("on_overlap")
    status = 200
    try:
        if not apply and policy in dict(IMPORT_POLICIES):
            job.policy = policy  # a dry run may try the other policy; an import applies the checked one
        job = import_job_run(user=request.user, job=job, apply=apply, skip_invalid=skip)
    except JobBusy:
        status = 409
        job = import_job_get(user=request.user, job_id=job.id) or job
        job.message = _("This file is being checked or imported already, or was imported.")
    except TableError as error:
        job = import_job_fail(job, str(error))
    except ValidationError as error:
        job = import_job_fail(job, " ".join(error.messages))
    return render(request, "caretakers/import_panel.html", _context(job, run=None), status=status)


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "caretakers/import_progress.html", _context(job))


@login_required
@require_GET
def import_errors(request: HttpRequest, job_id: str) -> FileResponse:
    """The full error report of the job's last run, as CSV."""
    job = _job(request, job_id)
    if not job.errors_file.exists():
        raise Http404
    return FileResponse(
        job.errors_file.open("rb"),
        as_attachment=True,
        filename=f"{job.filename.rsplit('.', 1)[0]}-errors.csv",
        content_type="text/csv; charset=utf-8",
    )
