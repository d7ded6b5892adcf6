"""`widgets.LongSelect` draws the same select as Django's `Select` (blank lines aside),
for every kind of value and label the forms give it."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.translation import gettext_lazy, override

from opiekun.widgets import LongSelect

CHOICES: list[tuple[Any, Any]] = [
    ("", gettext_lazy("Anyone")),
    (51, "boss"),
    (7, "Kowalska Joanna"),
    (8, 'Nowak <b>"Ewa"</b> & co'),
    (9, "Żółć Łukasz (nieaktywny)"),
]


def _drawn(widget: forms.Select, value: Any) -> str:
    widget.choices = CHOICES
    html = widget.render("caretaker", value, attrs={"id": "id_caretaker", "data-x": "1"})
    return "\n".join(line for line in html.splitlines() if line.strip())


@pytest.mark.parametrize("value", [None, "", 7, "7", "8", 9, 404, "<script>"])
@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_long_select_draws_what_django_s_select_draws(value: Any, language: str) -> None:
    with override(language):
        ours, django_s = _drawn(LongSelect(), value), _drawn(forms.Select(), value)
    assert ours == django_s
    assert ours.count(" selected") == (0 if str(value) in ("404", "<script>") else 1)
    assert "&lt;b&gt;&quot;Ewa&quot;&lt;/b&gt; &amp; co" in ours  # escaped


def test_a_form_field_with_the_long_select_validates_as_before() -> None:
    class Form(forms.Form):
        caretaker = forms.TypedChoiceField(
            choices=CHOICES, required=False, coerce=int, empty_value=None, widget=LongSelect
        )

    good, bad = Form({"caretaker": "7"}), Form({"caretaker": "404"})
    assert good.is_valid() and good.cleaned_data["caretaker"] == 7
    assert not bad.is_valid() and "caretaker" in bad.errors
    assert '<option value="7" selected>Kowalska Joanna</option>' in str(good["caretaker"])
