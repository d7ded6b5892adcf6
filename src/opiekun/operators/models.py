"""Operators: the users who may be caretakers, with their visibility (DESIGN §5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def sorted_name(self) -> str:
        """ "Nazwisko Imię": the name where operators are listed by surname."""
        return f"{self.user.last_name} {self.user.first_name}".strip() or self.user.get_username()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
