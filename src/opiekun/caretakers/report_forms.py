"""The filters of Kontrahenci wg opiekuna, read from the query string.

Every value is checked here and turned into `AssignmentFilters`; a bad one becomes a
message on its field, never a 500 and never a silently dropped filter (a report or
an export that quietly ignored a filter would show the wrong contractors).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.forms import DateInput
from opiekun.caretakers.models import TYPE_CHOICES
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import ORDERINGS, AssignmentFilters, branch_list, role_list
from opiekun.dates import parse_date
from opiekun.operators.selectors import operator_list, visible_contractors

DEFAULT_SORT = "-date_from"


class ReportFilterForm(forms.Form):
    operator = forms.TypedChoiceField(label=_("Operator"), required=False, coerce=int, empty_value=None)
    contractor = forms.CharField(label=_("Contractor (code)"), required=False, max_length=40)
    date_from = forms.CharField(label=_("Date from"), required=False, max_length=20, widget=DateInput())
    date_to = forms.CharField(label=_("Date to"), required=False, max_length=20, widget=DateInput())
    on = forms.CharField(label=_("On the day"), required=False, max_length=20, widget=DateInput())
    type = forms.ChoiceField(
        label=_("Caretaker type"), required=False, choices=[("", _("Any type")), *TYPE_CHOICES]
    )
    role = forms.TypedChoiceField(label=_("Caretaker role"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("Company branch"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in ORDERINGS])

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        fields: Any = self.fields
        # Former operators stay: the report is about who cared for whom, also in the past.
        fields["operator"].choices = [("", _("Any operator"))] + [
            (o.pk, o.sorted_name if o.active else f"{o.sorted_name} ({gettext('inactive')})")
            for o in operator_list()
        ]
        fields["role"].choices = [("", _("Any role"))] + [(r.pk, r.name) for r in role_list()]
        fields["branch"].choices = [("", _("Any branch"))] + [
            (b.pk, f"{b.code} {b.name}") for b in branch_list()
        ]

    def _date(self, name: str) -> date | None:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise forms.ValidationError(_("Enter a valid date (dd.mm.rrrr or YYYY-MM-DD).")) from None

    def clean_date_from(self) -> date | None:
        return self._date("date_from")

    def clean_date_to(self) -> date | None:
        return self._date("date_to")

    def clean_on(self) -> date | None:
        return self._date("on")

    def clean_contractor(self) -> int | None:
        """The code of a contractor the viewer may see; any other is unknown to them."""
        code = (self.cleaned_data.get("contractor") or "").strip()
        if not code:
            return None
        pk = (
            visible_contractors(viewer=self.viewer)
            .filter(code__iexact=code)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise forms.ValidationError(_("No contractor with the code %(code)s."), params={"code": code})
        return pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Date to cannot be earlier than date from."))
        return data

    def filters(self) -> AssignmentFilters:
        """The selector's filters; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return AssignmentFilters(
            contractor_id=data["contractor"],
            operator_id=data["operator"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            on=data["on"],
            type=AssignmentType(data["type"]) if data["type"] else None,
            role_id=data["role"],
            branch_id=data["branch"],
            ordering=data["sort"] or DEFAULT_SORT,
        )
