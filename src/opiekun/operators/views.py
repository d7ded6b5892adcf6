"""The operators screen: who they are, what they may do, and how many contractors
each cares for on a day — today unless ``?on=`` names another — as main and as
deputy, as a table and as a bar chart.

The counts cover only the contractors the viewer may see (`operator_workload`). A day
that is not a date answers 400 with the message on the field and no counts, as every
other screen answers a bad filter.
The chart is an SVG drawn here, on the server: no script, no CDN; names reach it
through the template, so they are escaped like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opiekun.caretakers.forms import DateField
from opiekun.dates import today
from opiekun.operators.access import can_assign
from opiekun.operators.selectors import token_list
from opiekun.operators.tokens import may_use_api, token_revoke
from opiekun.operators.workload import Workload, operator_workload

TOKENS_PER_PAGE = 50

BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 190
PLOT_WIDTH = 780
COUNT_WIDTH = 80
TOP = 8


@dataclass(frozen=True)
class ChartBar:
    name: str
    main: int
    deputy: int
    y: int
    main_width: float
    deputy_width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def deputy_x(self) -> float:
        return LABEL_WIDTH + self.main_width

    @property
    def count_x(self) -> float:
        return LABEL_WIDTH + self.main_width + self.deputy_width + 8


@dataclass(frozen=True)
class Chart:
    bars: list[ChartBar]
    width: int
    height: int
    plot_x: int
    plot_width: int
    label_x: int


def workload_chart(rows: list[Workload]) -> Chart:
    """Horizontal stacked bars (main, then deputy), scaled to the busiest operator."""
    busiest = max((r.total for r in rows), default=0) or 1
    scale = PLOT_WIDTH / busiest
    bars = [
        ChartBar(
            name=r.operator.display_name,
            main=r.main,
            deputy=r.deputy,
            y=TOP + i * (BAR_HEIGHT + BAR_GAP),
            main_width=round(r.main * scale, 1),
            deputy_width=round(r.deputy * scale, 1),
        )
        for i, r in enumerate(rows)
    ]
    return Chart(
        bars=bars,
        width=LABEL_WIDTH + PLOT_WIDTH + COUNT_WIDTH,
        height=TOP * 2 + len(rows) * (BAR_HEIGHT + BAR_GAP),
        plot_x=LABEL_WIDTH,
        plot_width=PLOT_WIDTH,
        label_x=LABEL_WIDTH - 10,
    )


class WorkloadDayForm(forms.Form):
    """The day of the counts; empty is today."""

    on = DateField(label=gettext_lazy("On the day"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.is_valid():
            self.fields["on"].widget.attrs["class"] = "date invalid"


@login_required
def operator_list_view(request: HttpRequest) -> HttpResponse:
    form = WorkloadDayForm(request.GET)
    day = (form.cleaned_data["on"] or today()) if form.is_valid() else None
    context: dict[str, Any] = {"form": form, "today": day, "bar_height": BAR_HEIGHT}
    if day is not None:
        rows = operator_workload(viewer=request.user, on=day)
        charted = sorted(
            (r for r in rows if r.operator.active), key=lambda r: (-r.total, r.operator.display_name)
        )
        context |= {"rows": rows, "chart": workload_chart(charted), "can_assign": can_assign(request.user)}
    return render(request, "operators/list.html", context, status=200 if day is not None else 400)


@login_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: when each was issued and last used, when it expires,
    and a button to revoke each live one."""
    page = Paginator(token_list(user=request.user), TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "operators/tokens.html",
        {"page": page, "now": timezone.now(), "may_use_api": may_use_api(request.user)},
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(token_list(user=request.user), pk=pk)
    token_revoke(token=token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("operators:tokens")
