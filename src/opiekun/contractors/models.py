"""Contractors (kontrahenci): customers and suppliers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Contractor(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250)
    nip = models.CharField(_("NIP"), max_length=10, blank=True, db_index=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["code"]
        # One index per ordering the list offers (contractors/selectors.py ORDERINGS),
        # ending in the code that breaks ties, so that any page is read off the index.
        indexes = [
            models.Index(fields=["name", "code"], name="contractor_name_code"),
            models.Index(fields=["nip", "code"], name="contractor_nip_code"),
            models.Index(fields=["city", "code"], name="contractor_city_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def address(self) -> str:
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, city) if p)
