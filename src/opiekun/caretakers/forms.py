"""Forms of the caretaker dialogs. Dates stay text here: the one date parser is
the service's (``opiekun.dates.parse_date``), and its messages land on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.models import POLICY_CHOICES, TYPE_CHOICES
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.dates import today
from opiekun.operators.selectors import operator_list


def _today_text() -> str:
    return today().strftime("%d.%m.%Y")


class DateInput(forms.TextInput):
    def __init__(self) -> None:
        super().__init__(
            attrs={
                "placeholder": "dd.mm.rrrr",
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "date",
            }
        )


class AssignmentFields(forms.Form):
    """The fields an assignment is made of; names match the services' arguments, so
    their errors map one to one."""

    operator_id = forms.TypedChoiceField(label=_("Operator"), coerce=int)
    date_from = forms.CharField(label=_("Date from"), max_length=20, widget=DateInput())
    date_to = forms.CharField(label=_("Date to"), max_length=20, required=False, widget=DateInput())
    type = forms.ChoiceField(
        label=_("Caretaker type"),
        choices=TYPE_CHOICES,
        widget=forms.RadioSelect,
        initial=AssignmentType.MAIN.value,
    )
    role_id = forms.TypedChoiceField(label=_("Caretaker role"), coerce=int)
    branch_id = forms.TypedChoiceField(
        label=_("Company branch"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["operator_id"].choices = [("", "—")] + [
            (o.pk, o.sorted_name) for o in operator_list(active=True)
        ]
        roles = role_list(active=True)
        fields["role_id"].choices = [(r.pk, r.name) for r in roles]
        default = next((r.pk for r in roles if r.is_default), None)
        fields["role_id"].initial = default
        fields["branch_id"].choices = [("", _("(none)"))] + [
            (b.pk, f"{b.code} {b.name}") for b in branch_list(active=True)
        ]


class AddCaretakerForm(AssignmentFields):
    """Dodaj opiekuna."""

    on_overlap = forms.ChoiceField(
        label=_("When the dates overlap"),
        choices=POLICY_CHOICES,
        widget=forms.RadioSelect,
        initial=OverlapPolicy.WARN.value,
    )
    confirm_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    field_order = ["operator_id", "date_from", "date_to", "on_overlap", "type", "role_id", "branch_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_from"].initial = _today_text()


class EditAssignmentForm(AssignmentFields):
    pass


class EndAssignmentForm(forms.Form):
    date_to = forms.CharField(label=_("Date to"), max_length=20, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_to"].initial = _today_text()
