"""The filters of Kontrahenci wg opiekuna, read from the query string.

Every value is checked here and turned into `AssignmentFilters`; a bad one becomes a
message on its field, never a 500 and never a silently dropped filter (a report or
an export that quietly ignored a filter would show the wrong contractors).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.forms import DateField, check_period
from opiekun.caretakers.models import TYPE_CHOICES
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import ORDERINGS, AssignmentFilters, branch_list, role_list
from opiekun.contractors.keys import polish_sort_key
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from opiekun.operators.access import visible_contractors
from opiekun.operators.selectors import operator_choices
from opiekun.widgets import LongSelect

DEFAULT_SORT = "-date_from"
ACTED_FOR = "acted_for"


class ReportFilterForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Assignments")), (ACTED_FOR, _("Acted for an absent main caretaker"))],
    )
    operator = forms.TypedChoiceField(
        label=_("Operator"), required=False, coerce=int, empty_value=None, widget=LongSelect
    )
    contractor = forms.CharField(
        label=_("Contractor"),
        required=False,
        max_length=250,
        widget=forms.TextInput(
            attrs={
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": "contractor-options",
                "autocomplete": "off",
                "placeholder": _("Code, name or NIP"),
            }
        ),
    )
    date_from = DateField(label=_("Date from"), required=False)
    date_to = DateField(label=_("Date to"), required=False)
    on = DateField(label=_("On the day"), required=False)
    type = forms.ChoiceField(
        label=_("Caretaker type"), required=False, choices=[("", _("Any type")), *TYPE_CHOICES]
    )
    role = forms.TypedChoiceField(label=_("Caretaker role"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("Company branch"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in ORDERINGS])

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.found_contractor: Contractor | None = None  # the one the contractor filter named
        fields: Any = self.fields
        # Former operators stay: the report is about who cared for whom, also in the past.
        fields["operator"].choices = [
            ("", _("Any operator")),
            *operator_choices(by_surname=True, inactive_mark=gettext("inactive")),
        ]
        fields["role"].choices = [("", _("Any role"))] + [(r.pk, r.name) for r in role_list()]
        fields["branch"].choices = [("", _("Any branch"))] + [
            (b.pk, f"{b.code} {b.name}") for b in branch_list()
        ]

    def clean_contractor(self) -> int | None:
        """The contractor the text names, among those the viewer may see (any other is
        unknown to them): its code (as written, else in capitals or small letters), else its NIP,
        else its whole name, else the only contractor whose code, name or NIP contains
        the text. The autocomplete puts the code in; a typed fragment that fits several
        asks to choose one."""
        text = " ".join((self.cleaned_data.get("contractor") or "").split())
        if not text:
            return None
        visible = visible_contractors(viewer=self.viewer)
        digits = re.sub(r"[\s-]", "", text)
        if digits[:2].upper() == "PL":
            digits = digits[2:]
        # Each way of naming one contractor, in turn, each read by an index; the first
        # that finds any is the answer. The code as written first (codes are
        # case-sensitive: K1 and k1 may both exist, docs/semantics.md), then in capitals
        # or small letters (a code in another mix of cases is found by the search below);
        # the NIP; the whole name among the rows of its sort key, which folds case.
        ways = [visible.filter(code=text), visible.filter(code__in={text.upper(), text.lower()} - {text})]
        if digits.isdigit():
            ways.append(visible.filter(nip=digits))
        ways.append(visible.filter(name_key=polish_sort_key(text), name__iexact=text))
        found: list[Contractor] = []
        for way in ways:
            found = list(way.order_by("code")[:2])
            if found:
                break
        if len(found) != 1:
            found = list(contractor_list(viewer=self.viewer, search=text).order_by("code")[:2])
        if not found:
            raise forms.ValidationError(_("No contractor matches %(text)s."), params={"text": text})
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several contractors match %(text)s: choose one from the list."), params={"text": text}
            )
        self.found_contractor = found[0]
        return found[0].pk

    @property
    def contractor_shown(self) -> str:
        """The contractor the filter found, as the user knows it."""
        found = self.found_contractor
        return f"{found.code} {found.name}" if found else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(self, data)
        if data.get("mode") == ACTED_FOR and not data.get("operator") and "operator" not in self.errors:
            self.add_error("operator", _("Choose the operator who acted for others."))
        return data

    @property
    def acted_for(self) -> bool:
        return self.cleaned_data.get("mode") == ACTED_FOR

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
