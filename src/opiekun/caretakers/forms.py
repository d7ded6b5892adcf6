"""Forms of the caretaker dialogs. Every field is checked here at once, dates by
the one date parser (``opiekun.dates.parse_date``), so that one submit shows every
field error; the services check again and their messages land on the same fields."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.models import POLICY_CHOICES, TYPE_CHOICES, CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.dates import date_placeholder, format_date, parse_date, today
from opiekun.operators.selectors import operator_list


class DateInput(forms.TextInput):
    """A text box that takes what people type (``1.1.26``, ``01.01.2026``, ``2026-01-01``
    …) and, in the browser, a button opening the browser's own calendar (app.js)."""

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "20",
                "class": "date",
                "data-picker": _("Choose a date"),
            }
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_placeholder())
        return context

    def format_value(self, value: Any) -> str | None:
        """A day as the language writes it: a ``date``, or a day sent as ``YYYY-MM-DD``
        (a link's query: "Bez opiekuna: N", Operatorzy's counts), which the box shows
        as 01.12.2026 in Polish; anything else as it was typed."""
        if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
            with suppress(ValueError):  # 2026-02-30: shown as typed, with its error
                value = date.fromisoformat(value.strip())
        if isinstance(value, date):
            return format_date(value)
        return super().format_value(value)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateField(forms.Field):
    """A day typed in any form ``parse_date`` reads; cleans to a ``date`` (or None)."""

    default_error_messages = {"invalid": _("Enter a valid date (dd.mm.yyyy or YYYY-MM-DD).")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=DateInput(), **kwargs)

    def to_python(self, value: Any) -> date | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def check_period(form: forms.Form, data: dict[str, Any]) -> None:
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and end < start:
        form.add_error("date_to", _("Date to cannot be earlier than date from."))


def proposed_end(assignment: CaretakerAssignment) -> date:
    """The day *Zakończ* proposes: today if the assignment has started by today, else
    its first day, and never after its own last day. Always a day the service takes."""
    day = max(assignment.date_from, today())
    if assignment.date_to is not None and assignment.date_to < day:
        day = assignment.date_to
    return day


class HiddenErrorsShown(forms.Form):
    """A hidden field's errors (a confirmation token sent back wrong) show above the
    form, with the form's own: the user never sees that field, and a message on it
    would be lost."""

    def non_field_errors(self) -> Any:
        errors = super().non_field_errors().copy()
        for field in self.hidden_fields():
            errors.extend(field.errors)
        return errors


class AssignmentFields(forms.Form):
    """The fields an assignment is made of; names match the services' arguments, so
    their errors map one to one."""

    operator_id = forms.TypedChoiceField(label=_("Operator"), coerce=int)
    date_from = DateField(label=_("Date from"))
    date_to = DateField(label=_("Date to"), required=False)
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
    priority = forms.IntegerField(
        label=_("Deputy priority"),
        required=False,
        initial=0,
        min_value=-32768,
        max_value=32767,
        help_text=_("Lower stands in first while the main caretaker is absent."),
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_period(self, data)
        return data


class AddCaretakerForm(HiddenErrorsShown, AssignmentFields):
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
        self.fields["date_from"].initial = format_date(today())


class EditAssignmentForm(AssignmentFields):
    pass


class EndAssignmentForm(forms.Form):
    date_to = DateField(label=_("Date to"))

    def __init__(self, *args: Any, assignment: CaretakerAssignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_to"].initial = format_date(proposed_end(assignment))
