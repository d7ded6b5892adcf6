"""The daily digest: each operator's upcoming changes, one e-mail a day.

`digest_send` finds the operators with changes (their own, as they may see them:
`notices.selectors.upcoming_for_operator`), writes each one message in their
language (plain text and HTML, absolute links to the contractors), sends it through
Django's configured e-mail backend, and records the outcome in `DigestSent`:

- delivered (``sent_at``): never sent again for that day, however often it runs;
- failed (``error``): reported, and tried again by the next run.

One operator's failure does not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from opiekun.notices.models import DigestSent
from opiekun.notices.selectors import DEFAULT_DAYS, label_rows, upcoming_for_operator
from opiekun.operators.models import Operator
from opiekun.operators.selectors import operator_names


@dataclass(frozen=True)
class Message:
    operator: Operator
    subject: str
    text: str
    html: str
    changes: int


@dataclass
class DigestRun:
    sent: list[Operator] = field(default_factory=list)
    failed: list[tuple[Operator, str]] = field(default_factory=list)
    skipped: int = 0  # already delivered that day
    planned: list[Message] = field(default_factory=list)  # a dry run's messages


def digest_message(operator: Operator, *, day: date, days: int = DEFAULT_DAYS) -> Message | None:
    """The operator's digest for ``day`` in their language, or None without changes."""
    rows = upcoming_for_operator(operator_user=operator.user, start=day, days=days)
    if not rows:
        return None
    base = settings.OPIEKUN_BASE_URL
    names = operator_names(
        [row["operator_id"] for row in rows]
        + [row["stands_in_for"] for row in rows if row["kind"] == "acting"]
    )
    with translation.override(operator.language or settings.LANGUAGE_CODE):
        for row in rows:
            row["url"] = base + reverse("contractors:caretakers", args=[row["contractor_id"]])
        label_rows(rows, names)
        context = {
            "operator": operator,
            "rows": rows,
            "day": day,
            "days": days,
            "upcoming_url": base + reverse("notices:upcoming"),
            # No request, so no context processor: the HTML's <html lang> from here.
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = ngettext("Opiekun: %(n)s upcoming change", "Opiekun: %(n)s upcoming changes", len(rows)) % {
            "n": len(rows)
        }
        text = render_to_string("notices/digest.txt", context)
        html = render_to_string("notices/digest.html", context)
    return Message(operator, subject, text, html, len(rows))


def _recipients() -> list[Operator]:
    return list(
        Operator.objects.filter(active=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )


def digest_send(*, day: date, dry_run: bool = False) -> DigestRun:
    """Send the day's digests not yet delivered; see the module's docstring."""
    done = set(
        DigestSent.objects.filter(date=day, sent_at__isnull=False).values_list("operator_id", flat=True)
    )
    result = DigestRun()
    connection = None if dry_run else get_connection(fail_silently=False)
    for operator in _recipients():
        if operator.pk in done:
            result.skipped += 1
            continue
        message = digest_message(operator, day=day)
        if message is None:
            continue
        if dry_run:
            result.planned.append(message)
            continue
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[operator.user.email],
            connection=connection,
        )
        email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            _record(operator, day, message.changes, error=reason)
            result.failed.append((operator, reason))
        else:
            _record(operator, day, message.changes, error="")
            result.sent.append(operator)
    return result


def _record(operator: Operator, day: date, changes: int, *, error: str) -> None:
    row, _created = DigestSent.objects.get_or_create(
        operator=operator, date=day, defaults={"error": error or "-", "changes": changes}
    )
    row.tries += 1
    row.changes = changes
    row.error = error
    row.sent_at = None if error else timezone.now()
    row.save()


def describe(result: DigestRun) -> Any:
    return {
        "sent": [o.user.get_username() for o in result.sent],
        "failed": [(o.user.get_username(), reason) for o, reason in result.failed],
        "skipped": result.skipped,
    }
