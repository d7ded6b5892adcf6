"""The filters of Nadchodzące zmiany: how many days ahead, and (for a manager) whose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opiekun.notices.selectors import DEFAULT_DAYS, MAX_DAYS, UpcomingFilters, is_manager
from opiekun.operators.selectors import operator_list


class UpcomingFilterForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days ahead"),
        required=False,
        min_value=0,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_DAYS}),  # empty: the default
    )
    operator = forms.TypedChoiceField(label=_("Operator"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if is_manager(viewer):
            fields["operator"].choices = [("", _("Everyone"))] + [
                (o.pk, o.display_name) for o in operator_list()
            ]
        else:
            del fields["operator"]  # an operator sees only their own

    def filters(self) -> UpcomingFilters:
        data = self.cleaned_data
        days = data["days"] if data.get("days") is not None else DEFAULT_DAYS
        return UpcomingFilters(days=days, operator_id=data.get("operator"))
