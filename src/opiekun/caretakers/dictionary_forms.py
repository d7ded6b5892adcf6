"""Forms of the dictionaries (caretaker roles, company branches). They carry values;
the rules — one default role, unique names and codes — are `role_save` and
`branch_save`'s, whose field errors land back on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Default role"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class BranchForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
