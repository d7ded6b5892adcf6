"""Operators: the users who may be caretakers, with their visibility (docs/semantics.md, "Visibility")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opiekun.periods import Period


class Visibility(models.TextChoices):
    ALL = "all", _("All contractors")
    OWN = "own", _("Only own contractors")


class UnassignedAccess(models.TextChoices):
    """What an own-only operator may do with a contractor that has no caretaker today."""

    ALLOWED = "allowed", _("Allowed")
    READ_ONLY = "read_only", _("Read-only")
    DENIED = "denied", _("Denied")


class Operator(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator")
    active = models.BooleanField(_("active"), default=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.ALL
    )
    unassigned_access = models.CharField(
        _("contractors without a caretaker"),
        max_length=10,
        choices=UnassignedAccess.choices,
        default=UnassignedAccess.ALLOWED,
    )
    can_assign = models.BooleanField(_("may assign caretakers"), default=False)
    can_manage_dictionaries = models.BooleanField(_("may edit dictionaries"), default=False)
    can_manage_absences = models.BooleanField(_("may enter anyone's absences"), default=False)
    # The language of what Opiekun sends the operator (the daily digest).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="pl")

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name(self.user.first_name, self.user.last_name, self.user.get_username())

    @property
    def sorted_name(self) -> str:
        """ "Nazwisko Imię": the name where operators are listed by surname."""
        return sorted_name(self.user.first_name, self.user.last_name, self.user.get_username())


def display_name(first_name: str, last_name: str, username: str) -> str:
    """ "Imię Nazwisko", else the login (as the user's full name)."""
    return f"{first_name} {last_name}".strip() or username


def sorted_name(first_name: str, last_name: str, username: str) -> str:
    """ "Nazwisko Imię", else the login."""
    return f"{last_name} {first_name}".strip() or username


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored. It works until it
    expires or is revoked (by its user, or by a change of their password)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("vacation")
    SICK_LEAVE = "sick_leave", _("sick leave")
    BUSINESS_TRIP = "business_trip", _("business trip")
    OTHER = "other", _("other")


class Absence(models.Model):
    """An operator away from work, ``[date_from, date_to]``, both ends inclusive.
    One operator's absences never overlap: migration 0002_absence makes the database
    refuse it too (PostgreSQL exclusion constraint, SQLite triggers)."""

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="absences", verbose_name=_("operator")
    )
    date_from = models.DateField(_("date from"))
    date_to = models.DateField(_("date to"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=AbsenceKind.choices, default=AbsenceKind.VACATION
    )
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["date_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="absence_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in AbsenceKind]), name="absence_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["operator", "date_from", "date_to"], name="absence_operator_period")]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.kind} {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.date_from, self.date_to)


class WorkloadStep(models.Model):
    """How the number of distinct contractors an operator cares for, as ``type`` (main
    or deputy), changes on ``day``: the sum of the steps up to a day is that day's
    count (the Operatorzy page, `operators.workload`). Derived from the assignments and
    kept in step by their writers (`operators.workload_steps`); never zero (a step
    that cancels out is deleted)."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, db_index=False, related_name="+")
    type = models.CharField(max_length=6)
    day = models.DateField()
    delta = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "type", "day"], name="workload_step_key"),
        ]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.type} {self.day} {self.delta:+d}"


# The type of a `WorkloadPairStep` of a viewer's own contractors (viewer = operator),
# of any type: the number of contractors they care for on a day (the own-only list's count).
ANY_TYPE = "any"


class WorkloadPairStep(models.Model):
    """How the number of distinct contractors that both ``viewer`` (as any type) and
    ``operator`` (as ``type``) care for changes on ``day``: the sum of the steps up to a
    day is that day's count, the Operatorzy page of an own-only viewer
    (`operators.workload_pairs`). Derived from the assignments and kept in step by
    their writers; never zero."""

    viewer = models.ForeignKey(Operator, on_delete=models.CASCADE, db_index=False, related_name="+")
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, db_index=False, related_name="+")
    type = models.CharField(max_length=6)
    day = models.DateField()
    delta = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "operator", "type", "day"], name="workload_pair_step_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id}/{self.operator_id} {self.type} {self.day} {self.delta:+d}"
