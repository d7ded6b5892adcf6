"""Form widgets of the list pages."""

from __future__ import annotations

from typing import Any

from django import forms


class LongSelect(forms.Select):
    """A select of many flat options (every operator), drawn by one template from
    (value, label, selected) triples. Django's `Select` builds a dictionary of
    attributes for each option and draws each by its own included template: 5.5 ms for
    53 operators on the bench machine, 1.2 ms here (docs/performance.md, "Page
    furniture and far pages"). Same markup; no option groups, no option attributes
    beyond ``selected``."""

    template_name = "opiekun/widgets/select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)  # not the option groups
        chosen = set(context["widget"]["value"])  # format_value: the value as strings
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            options.append((text, label, text in chosen))
            chosen.discard(text)  # one option selected, as Django's
        context["widget"]["options"] = options
        return context
