"""Forms of the Nieobecności screens. Every field is checked at once, dates by the one
date parser; the service checks again and its messages land on the same fields (names
match its arguments)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.forms import DateField, check_period
from opiekun.operators.absences import can_manage_absences
from opiekun.operators.access import operator_of
from opiekun.operators.models import AbsenceKind
from opiekun.operators.selectors import operator_list
from opiekun.widgets import LongSelect


class AbsenceForm(forms.Form):
    operator_id = forms.TypedChoiceField(label=_("Operator"), coerce=int, widget=LongSelect)
    date_from = DateField(label=_("Date from"))
    date_to = DateField(label=_("Date to"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices, initial=AbsenceKind.VACATION)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if can_manage_absences(actor):
            fields["operator_id"].choices = [("", "—")] + [
                (o.pk, o.display_name) for o in operator_list(active=True)
            ]
        else:
            own = operator_of(actor)
            fields["operator_id"].choices = [(own.pk, own.display_name)] if own else []
            if own:
                fields["operator_id"].initial = own.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(self, data)
        return data


class AbsenceFilterForm(forms.Form):
    operator = forms.TypedChoiceField(
        label=_("Operator"), required=False, coerce=int, empty_value=None, widget=LongSelect
    )
    date_from = DateField(label=_("Date from"), required=False)
    date_to = DateField(label=_("Date to"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *AbsenceKind.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("Any operator"))] + [  # type: ignore[attr-defined]
            (o.pk, o.display_name) for o in operator_list()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(self, data)
        return data
