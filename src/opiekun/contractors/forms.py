"""Forms of the contractor screens. They carry and show values; the rules (NIP,
uniqueness, visibility) live in the services and selectors, whose field-level
errors are put back onto these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.selectors import role_list
from opiekun.contractors.selectors import ORDERINGS
from opiekun.operators.selectors import operator_list


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``{field: [messages]}`` onto the form: known fields get their
    own messages, the rest show above the form."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field != NON_FIELD_ERRORS:
                message = f"{field}: {message}"
            form.add_error(target, message)


class ContractorFilterForm(forms.Form):
    """The list's search, filters and sorting, all from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    caretaker = forms.TypedChoiceField(
        label=_("Current caretaker"), required=False, coerce=int, empty_value=None
    )
    role = forms.TypedChoiceField(label=_("Caretaker role"), required=False, coerce=int, empty_value=None)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in ORDERINGS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caretaker"].choices = [("", _("Anyone"))] + [  # type: ignore[attr-defined]
            (o.pk, o.sorted_name) for o in operator_list(active=True)
        ]
        self.fields["role"].choices = [("", _("Any role"))] + [  # type: ignore[attr-defined]
            (r.pk, r.name) for r in role_list()
        ]

    def selector_kwargs(self) -> dict[str, Any]:
        """The filters for ``contractor_list``; an invalid filter is left out (and shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        active = data.get("active")
        return {
            "search": data.get("q") or "",
            "caretaker_id": data.get("caretaker"),
            "role_id": data.get("role"),
            "active": None if not active else active == "1",
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


SELECTION_FILTERS = ("q", "caretaker", "role", "active")


def selected_contractor_ids(data: Any, *, viewer: Any) -> list[int]:
    """The contractors a bulk action applies to: with ``all_matching`` every one the
    list's filter finds (thousands, not only the page: the filter is posted, not the
    ids), else the ticked ``ids``. Ids that are not numbers are left for the service
    to refuse by name."""
    from opiekun.contractors.selectors import contractor_list

    if data.get("all_matching") == "1":
        filters = ContractorFilterForm({k: data.get(k, "") for k in SELECTION_FILTERS})
        return list(contractor_list(viewer=viewer, **filters.selector_kwargs()).values_list("pk", flat=True))
    ids: list[Any] = data.getlist("ids")
    return ids
