"""Forms of Przekazanie klientów: the wizard's fields (every step's, carried through
the steps as hidden fields) and the list's filters. The rules are the service's; its
field errors land on these fields (``contractor_ids`` on the codes)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.forms import DateInput, HiddenErrorsShown
from opiekun.caretakers.models import POLICY_CHOICES, TYPE_CHOICES, HandoverState
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.selectors import branch_list, role_list
from opiekun.dates import format_date, today
from opiekun.operators.access import visible_contractors
from opiekun.operators.selectors import operator_list
from opiekun.widgets import LongSelect

WHAT = ("from_operator_id", "types", "role_ids", "branch_ids", "contractor_codes")
WHOM = ("to_operator_ids", "date", "on_overlap")
STEPS = ("what", "whom", "preview")
STEP_ONE = ("from_operator_id", "types")  # required on step one, and by every later step
MAX_CODES = 10_000


class HandoverForm(HiddenErrorsShown):
    """Every field optional here: the view asks for a step's fields when that step is
    sent, and the service checks them all."""

    step = forms.ChoiceField(choices=[(s, s) for s in STEPS], required=False, widget=forms.HiddenInput)
    from_operator_id = forms.TypedChoiceField(
        label=_("Hands over"), coerce=int, required=False, widget=LongSelect
    )
    types = forms.MultipleChoiceField(
        label=_("Caretaker types"),
        choices=TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[t.value for t in AssignmentType],
    )
    role_ids = forms.TypedMultipleChoiceField(
        label=_("Caretaker roles"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every role."),
    )
    branch_ids = forms.TypedMultipleChoiceField(
        label=_("Company branches"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every branch, and assignments without one."),
    )
    contractor_codes = forms.CharField(
        label=_("Only these contractors"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "K0001, K0002"}),
        help_text=_(
            "Codes separated by commas, spaces or new lines (a code holding one of those: on a line of"
            " its own). Empty: every contractor."
        ),
    )
    to_operator_ids = forms.TypedMultipleChoiceField(
        label=_("To whom"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Several: their workloads are evened out: each contractor, in order of code, goes to "
            "whoever of them then cares for the fewest."
        ),
    )
    date = forms.CharField(label=_("From the day"), max_length=20, required=False, widget=DateInput())
    on_overlap = forms.ChoiceField(
        label=_("When a recipient already has a caretaker role there"),
        choices=POLICY_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        initial=OverlapPolicy.WARN.value,
    )
    confirm_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args: Any, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.contractor_ids: list[int] | None = None
        fields: Any = self.fields
        fields["from_operator_id"].choices = [("", "—")] + [(o.pk, o.display_name) for o in operator_list()]
        fields["to_operator_ids"].choices = [(o.pk, o.display_name) for o in operator_list(active=True)]
        # Who hands over is not offered as a recipient (chosen anyway, the service says why not).
        source = str(self.data.get("from_operator_id", "")) if self.is_bound else ""
        widget = fields["to_operator_ids"].widget
        widget.choices = [(pk, name) for pk, name in widget.choices if str(pk) != source]
        fields["role_ids"].choices = [(r.pk, r.name) for r in role_list()]
        fields["branch_ids"].choices = [(b.pk, f"{b.code} {b.name}") for b in branch_list()]
        fields["date"].initial = format_date(today())

    def clean_contractor_codes(self) -> str:
        """Codes into the ids of contractors the user may see; an unknown code is an error.
        A code may hold a space, a comma or a semicolon itself: a line that is a code, or
        a part of a line between commas or semicolons that is one, is that code; anything
        else splits further (`_codes`)."""
        text: str = self.cleaned_data.get("contractor_codes", "")
        pieces = _pieces(text)
        words = set(_words(pieces))
        if not words:
            return text
        if len(words) > MAX_CODES:
            raise forms.ValidationError(gettext("At most %(n)s contractors.") % {"n": MAX_CODES})
        candidates = (
            words | {line for line, _parts in pieces} | {p for _l, parts in pieces for p, _w in parts}
        )
        found = dict(
            visible_contractors(viewer=self.viewer).filter(code__in=candidates).values_list("code", "pk")
        )
        codes = list(dict.fromkeys(_codes(pieces, found)))
        unknown = [c for c in codes if c not in found]
        if unknown:
            shown = ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")
            raise forms.ValidationError(gettext("Unknown contractors: %(ids)s.") % {"ids": shown})
        self.contractor_ids = [found[c] for c in codes]
        return text

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values as `handover_create`'s arguments."""
        data = self.cleaned_data
        return {
            "from_operator_id": data.get("from_operator_id"),
            "to_operator_ids": data.get("to_operator_ids") or [],
            "date": data.get("date"),
            "types": data.get("types") or [],
            "role_ids": data.get("role_ids") or None,
            "branch_ids": data.get("branch_ids") or None,
            "contractor_ids": self.contractor_ids,
            "on_overlap": data.get("on_overlap") or OverlapPolicy.WARN.value,
        }

    def hidden_values(self, *, except_: tuple[str, ...]) -> list[tuple[str, str]]:
        """The values of every other step's fields, to carry as hidden inputs."""
        names = [n for n in (*WHAT, *WHOM) if n not in except_]
        return [(n, v) for n in names for v in self.data.getlist(n)]  # type: ignore[attr-defined]


Pieces = list[tuple[str, list[tuple[str, list[str]]]]]


def _pieces(text: str) -> Pieces:
    """Each non-empty line, its parts between commas or semicolons, and their words."""
    return [
        (line, [(part.strip(), part.split()) for part in re.split(r"[,;]", line) if part.strip()])
        for line in (raw.strip() for raw in text.splitlines())
        if line
    ]


def _words(pieces: Pieces) -> list[str]:
    return [word for _line, parts in pieces for _part, words in parts for word in words]


def _codes(pieces: Pieces, found: dict[str, int]) -> list[str]:
    """The codes meant: the widest piece that is a known code, else its smaller pieces
    (unknown words stay, to be named as unknown)."""
    codes: list[str] = []
    for line, parts in pieces:
        if line in found:
            codes.append(line)
            continue
        for part, words in parts:
            codes.extend([part] if part in found else words)
    return codes


class HandoverFilterForm(forms.Form):
    """The handover list's filters, from the query string."""

    state = forms.ChoiceField(label=_("State"), required=False)
    operator = forms.TypedChoiceField(
        label=_("Operator"), required=False, coerce=int, empty_value=None, widget=LongSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["state"].choices = [("", gettext("Any state")), *HandoverState.choices]
        fields["operator"].choices = [("", gettext("Anyone"))] + [
            (o.pk, o.display_name) for o in operator_list()
        ]
