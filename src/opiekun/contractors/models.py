"""Contractors (kontrahenci): customers and suppliers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opiekun.contractors.keys import SORT_KEY_LENGTH, polish_sort_key, search_text

# --- keys derived from the name, for search and sorting (contractors/keys.py) ---------


class _DerivedKey(models.Field):  # type: ignore[type-arg]  # a mixin for any field type
    """A column recomputed from ``sources`` whenever the row is saved or
    bulk-created, as ``auto_now`` is: services, the import, the admin and the demo
    data all keep it without knowing of it. ``QuerySet.update()`` of a source field
    does not; nothing in the project changes names so."""

    def __init__(self, *args: Any, sources: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def derive(self, instance: models.Model) -> str:
        return self.derive_from({source: getattr(instance, source) for source in self.sources})

    def derive_from(self, values: Mapping[str, Any]) -> str:
        """The key of the source values ``values`` (by source field name): what a save
        of a row holding them stores (the import computes it so, without instances)."""
        raise NotImplementedError

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.derive(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class SearchKeyField(_DerivedKey, models.TextField):  # type: ignore[type-arg]
    """The search text of the sources, one per line (contractors/keys.py)."""

    def derive_from(self, values: Mapping[str, Any]) -> str:
        return "\n".join(search_text(str(values[source] or "")) for source in self.sources)


class SortKeyField(_DerivedKey, models.CharField):  # type: ignore[type-arg]
    """The Polish sort key of one source field (contractors/keys.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", SORT_KEY_LENGTH)
        super().__init__(*args, **kwargs)

    def derive_from(self, values: Mapping[str, Any]) -> str:
        (source,) = self.sources
        return polish_sort_key(str(values[source] or ""))


class Contractor(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250)
    # No index of its own: `contractor_nip_code` leads with it; on PostgreSQL a
    # varchar_pattern_ops index serves the prefix search (migration 0006).
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
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
    # Derived from the fields above on every save (contractors/keys.py).
    search_key = SearchKeyField(sources=("code", "name"))
    name_key = SortKeyField(sources=("name",))
    city_key = SortKeyField(sources=("city",))

    # The trail is read by contractor and date only: no index of the code, NIP or
    # creator there (each costs every write; migration 0006).
    history = HistoricalRecords(
        excluded_fields=["search_key", "name_key", "city_key"], no_db_index=["code", "nip", "created_by"]
    )

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["code"]
        # One index per ordering the list offers (contractors/selectors.py ORDERINGS),
        # ending in the code that breaks ties, so that any page is read off the index:
        # names and cities in Polish order by their keys. The search key's trigram index
        # (PostgreSQL) is made by a migration of its own.
        indexes = [
            models.Index(fields=["name_key", "code"], name="contractor_name_key_code"),
            models.Index(fields=["nip", "code"], name="contractor_nip_code"),
            models.Index(fields=["city_key", "code"], name="contractor_city_key_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def address(self) -> str:
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, city) if p)


def contractors_estimated(using: str) -> float:
    """The PostgreSQL planner's estimate of the number of contractors
    (`pg_class.reltuples`, kept by ANALYZE and autovacuum; -1 before the table's first
    ANALYZE): one small read instead of counting them."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Contractor._meta.db_table])
        row = cursor.fetchone()
    return float(row[0]) if row else -1.0


class SearchRow(models.Model):
    """A contractor's code and keys, in a narrow table of their own (PostgreSQL only,
    made and kept by triggers in migration 0009; no table on SQLite): a search sorted
    by name reads its matches and their name keys here, laid out in name order, instead
    of visiting each match's row of the contractors table (docs/performance.md, "A
    search sorted by name, from a table of keys")."""

    id = models.BigIntegerField(primary_key=True)  # the contractor's
    search_key = models.TextField()
    name_key = models.CharField(max_length=SORT_KEY_LENGTH)
    code = models.CharField(max_length=40)
    active = models.BooleanField()  # since migration 0012

    class Meta:
        managed = False
        db_table = "contractors_searchrow"

    def __str__(self) -> str:
        return self.code
