"""Forms of the contractor screens. They carry and show values; the rules (NIP,
uniqueness, visibility) live in the services and selectors, whose field-level
errors are put back onto these fields."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from opiekun.caretakers.selectors import role_list
from opiekun.contractors.selectors import ORDERINGS, contractor_list
from opiekun.contractors.services import normalize_nip, normalize_regon
from opiekun.limits import MAX_SELECTION
from opiekun.operators.selectors import operator_choices
from opiekun.widgets import LongSelect


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``{field: [messages]}`` onto the form: known fields get their
    own messages, the rest show above the form."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field != NON_FIELD_ERRORS:
                message = f"{field}: {message}"
            form.add_error(target, message)


PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
# The fields that choose which contractors the list shows; a bulk action on "all
# matching" posts these, not the ids.
SELECTION_FILTERS = ("q", "caretaker", "role", "active", "no_caretaker")


class ContractorFilterForm(forms.Form):
    """The list's search, filters, sorting and page size, all from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    caretaker = forms.TypedChoiceField(
        label=_("Current caretaker"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LongSelect,
        error_messages={"invalid_choice": _("Choose an active operator from the list.")},
    )
    role = forms.TypedChoiceField(label=_("Caretaker role"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )
    no_caretaker = forms.BooleanField(label=_("No caretaker today"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(k, k) for k in ORDERINGS],
        error_messages={"invalid_choice": _("The list cannot be sorted by %(value)s.")},
    )
    page_size = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, n) for n in PAGE_SIZES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = list(role_list())
        self.fields["caretaker"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *operator_choices(active=True, by_surname=True),
        ]
        self.fields["role"].choices = [("", _("Any role"))] + [  # type: ignore[attr-defined]
            (r.pk, r.name) for r in self.roles
        ]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("no_caretaker") and data.get("caretaker") is not None:
            self.add_error("no_caretaker", _("Choose either a caretaker or “no caretaker today”, not both."))
        return data

    def filter_errors(self) -> list[str]:
        """The errors of the fields that choose contractors, each named by its label."""
        self.is_valid()
        return [
            f"{self.fields[name].label}: {message}"
            for name in SELECTION_FILTERS
            for message in self.errors.get(name, [])
        ]

    def column_role(self) -> Any:
        """The role the caretaker columns show: the chosen one, else the default."""
        chosen = self.cleaned_data.get("role") if self.is_valid() else None
        return next((r for r in self.roles if r.pk == chosen), None) or next(
            (r for r in self.roles if r.is_default), None
        )

    def selector_kwargs(self) -> dict[str, Any] | None:
        """The filters and the ordering for ``contractor_list``, or None when a filter
        is invalid: an invalid filter is shown and never silently dropped (which would
        widen the list, and a bulk action on it, to everything). A wrong sort order
        falls back to the code (and is shown)."""
        if self.filter_errors():
            return None
        data = self.cleaned_data
        active = data.get("active")
        return {
            "search": data.get("q") or "",
            "caretaker_id": data.get("caretaker"),
            "role_id": data.get("role"),
            "active": None if not active else active == "1",
            "without_caretaker": bool(data.get("no_caretaker")),
            "ordering": data.get("sort") or "code",
        }


class ContractorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=250)
    nip = forms.CharField(label=_("NIP"), max_length=20, required=False)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    # The numbers are checked with the other fields, so that a too long name does not
    # hide a wrong NIP until the next save; the service checks them again and stores
    # what it normalises itself (the form passes the text on as typed).
    def clean_nip(self) -> str:
        return self._checked("nip", normalize_nip)

    def clean_regon(self) -> str:
        return self._checked("regon", normalize_regon)

    def _checked(self, name: str, normalize: Any) -> str:
        value: str = self.cleaned_data.get(name, "")
        try:
            normalize(value.strip())
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict[name]) from None
        return value


@dataclass(frozen=True)
class Selection:
    """The contractors a bulk action applies to, and what the dialog carries of it.

    ``fields`` are hidden fields that take the selection through every step of the
    dialog; ``error`` says why the action may not go on (``blocked``: not from this
    dialog: the list's filter is invalid or the selection too large)."""

    ids: list[Any]
    fields: list[tuple[str, str]]
    error: str = ""
    blocked: bool = False


def _fingerprint(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:20]


def contractor_selection(data: Any, *, viewer: Any) -> Selection:
    """The selection of a bulk action: with ``all_matching`` every contractor the
    list's filter finds (thousands, not only the page: the filter is posted, not the
    ids), else the ticked ``ids`` (ids that are not numbers are left for the service
    to refuse by name).

    Never more than it should be: an invalid filter refuses the action (it is not
    dropped), more than ``MAX_SELECTION`` contractors refuse it, and the contractors
    the filter finds must be those the dialog counted when it opened (a fingerprint
    travels with the dialog): if they changed, the dialog says so with the new count
    and acts only when saved again."""
    if data.get("all_matching") != "1":
        ticked = list(dict.fromkeys(data.getlist("ids")))
        fields = [("ids", str(value)) for value in ticked]
        if len(ticked) > MAX_SELECTION:
            return Selection(ticked, fields, _too_many(), blocked=True)
        return Selection(ticked, fields)
    values = {key: str(data.get(key, "")) for key in SELECTION_FILTERS}
    fields = [("all_matching", "1")] + [(key, value) for key, value in values.items() if value]
    filters = ContractorFilterForm(values)
    kwargs = filters.selector_kwargs()
    if kwargs is None:
        message = _("The list's filter is not valid (%(errors)s). Correct it on the list and select again.")
        return Selection([], fields, message % {"errors": "; ".join(filters.filter_errors())}, blocked=True)
    found = contractor_list(viewer=viewer, **kwargs).values_list("pk", flat=True)
    ids = list(found[: MAX_SELECTION + 1])
    if len(ids) > MAX_SELECTION:
        return Selection([], fields, _too_many(), blocked=True)
    fingerprint = _fingerprint(ids)
    fields.append(("selection_check", fingerprint))
    shown = data.get("selection_check")
    if shown and shown != fingerprint:
        changed = ngettext(
            "The contractors matching the filter changed since the dialog opened: "
            "%(n)s contractor matches now. Check and save again.",
            "The contractors matching the filter changed since the dialog opened: "
            "%(n)s contractors match now. Check and save again.",
            len(ids),
        )
        return Selection(ids, fields, changed % {"n": len(ids)})
    return Selection(ids, fields)


def _too_many() -> str:
    return _("One action takes at most %(max)s contractors. Narrow the filter or select fewer.") % {
        "max": number_format(MAX_SELECTION, force_grouping=True)
    }
