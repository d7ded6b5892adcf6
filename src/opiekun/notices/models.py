"""What the daily digest sent (or failed to send), per operator and day."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DigestSent(models.Model):
    """One operator's digest of one day. ``sent_at`` set: delivered, never sent again
    that day. ``sent_at`` null with an ``error``: the last try failed; the next run
    of `opiekun notify` tries again."""

    operator = models.ForeignKey("operators.Operator", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    changes = models.PositiveIntegerField(_("changes"), default=0)
    tries = models.PositiveIntegerField(_("tries"), default=0)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["operator", "date"], name="one_digest_per_operator_and_day"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=False) | ~Q(error=""), name="digest_sent_or_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.date} {'sent' if self.sent_at else 'failed'}"
