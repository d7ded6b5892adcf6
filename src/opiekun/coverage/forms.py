"""The filters of Klienci bez opiekuna, read from the query string: every value
checked, a bad one a message on its field (never a 500, never a dropped filter)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.forms import DateField
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.coverage.selectors import ORDERINGS, GapFilters, window_of
from opiekun.operators.selectors import operator_list


class GapFilterForm(forms.Form):
    on = DateField(label=_("On the day"), required=False)
    date_from = DateField(label=_("Date from"), required=False)
    date_to = DateField(label=_("Date to"), required=False)
    role = forms.TypedChoiceField(label=_("Caretaker role"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("Company branch"), required=False, coerce=int, empty_value=None)
    last_operator = forms.TypedChoiceField(
        label=_("Cared for last by"), required=False, coerce=int, empty_value=None
    )
    consider_absences = forms.BooleanField(
        label=_("Consider absences"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-testid": "consider-absences"}),
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in ORDERINGS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        # The explanation as the checkbox's tooltip: a help text under it would stretch the filter row.
        fields["consider_absences"].widget.attrs["title"] = gettext(
            "Also the days the main caretaker is absent and no deputy can stand in."
        )
        fields["role"].choices = [("", _("Default role"))] + [(r.pk, r.name) for r in role_list()]
        fields["branch"].choices = [("", _("No branch"))] + [
            (b.pk, f"{b.code} {b.name}") for b in branch_list()
        ]
        fields["last_operator"].choices = [("", _("Any operator"))] + [
            (o.pk, o.display_name if o.active else f"{o.display_name} ({gettext('inactive')})")
            for o in operator_list()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                data["window"] = window_of(
                    on=data["on"], date_from=data["date_from"], date_to=data["date_to"]
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name, messages)
        return data

    def filters(self) -> GapFilters:
        """The selector's filters; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return GapFilters(
            window=data["window"],
            role_id=data["role"],
            branch_id=data["branch"],
            last_operator_id=data["last_operator"],
            consider_absences=bool(data.get("consider_absences")),
            ordering=data["sort"] or "contractor",
        )
