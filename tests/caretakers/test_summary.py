"""The summary after Dodaj opiekuna: every contractor with its outcome and a link,
filtered by outcome, paged, and exported as CSV; only for who made the change."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.caretakers import summary_views
from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(
    settings: Any,
    tmp_path: Path,
    admin_op: Operator,
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
    make_contractors: Callable[..., list[Contractor]],
) -> dict[str, Any]:
    """KEEP over five contractors, two of which Anna already cares for: 3 added, 2 skipped."""
    settings.EXPORT_DIR = tmp_path / "exports"
    anna = make_operator("anna")
    firms = make_contractors(5)
    firms[3].name = "=SUM(A1)"
    firms[3].save()
    caretaker_add(
        actor=admin_op.user,
        contractor_ids=[firms[0].pk, firms[1].pk],
        operator_id=anna.pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )
    client = Client()
    client.force_login(admin_op.user)
    response = client.post(
        reverse("caretakers:add"),
        {
            "operator_id": admin_op.pk,
            "date_from": "01.01.2025",
            "on_overlap": "keep",
            "type": "main",
            "role_id": default_role.pk,
            "ids": [f.pk for f in firms],
        },
    )
    assert response.templates[0].name == "caretakers/add_summary.html"
    return {"client": client, "response": response, "firms": firms, "token": response.context["token"]}


def _rows(html: str) -> list[tuple[str, str]]:
    """(outcome, contractor link) of each listed row."""
    return re.findall(r'<tr data-row-outcome="(\w+)"><td><a href="([^"]+)"', html)


def test_the_summary_lists_every_contractor_with_its_outcome_and_a_link(summary: Any) -> None:
    html = summary["response"].content.decode()
    firms = summary["firms"]
    expected = [
        ("skipped" if i < 2 else "added", reverse("contractors:caretakers", args=[f.pk]))
        for i, f in enumerate(firms)
    ]
    assert sorted(_rows(html)) == sorted(expected)
    assert "Anna Tester (Główny, 01.01.2024 – …)" in html  # why the first two were skipped


def test_a_replace_summary_lists_what_the_other_caretakers_lost_before_and_after(
    settings: Any,
    tmp_path: Path,
    admin_op: Operator,
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
    make_contractors: Callable[..., list[Contractor]],
) -> None:
    """Under REPLACE each change of another caretaker's row is listed, trimmed, split or
    removed, with its period before and after, on the page and in the CSV."""
    settings.EXPORT_DIR = tmp_path / "exports"
    anna = make_operator("anna")
    firms = make_contractors(3)
    for firm, (start, end) in zip(
        firms, [("2024-01-01", None), ("2025-03-01", None), ("2025-03-01", "2025-03-05")], strict=True
    ):
        caretaker_add(
            actor=admin_op.user, contractor_ids=[firm.pk], operator_id=anna.pk, date_from=start, date_to=end
        )
    client = Client()
    client.force_login(admin_op.user)
    body = {"operator_id": admin_op.pk, "date_from": "01.03.2025", "date_to": "31.03.2025"}
    body |= {
        "on_overlap": "replace",
        "type": "main",
        "role_id": default_role.pk,
        "ids": [f.pk for f in firms],
    }
    response = client.post(reverse("caretakers:add"), body)
    html = response.content.decode()
    assert (
        "Anna Tester (Główny): podzielone: 01.01.2024 – … → 01.01.2024 – 28.02.2025, 01.04.2025 – …" in html
    )
    assert "Anna Tester (Główny): skrócone: 01.03.2025 – … → 01.04.2025 – …" in html
    assert "Anna Tester (Główny): usunięte: 01.03.2025 – 05.03.2025 → (usunięty)" in html
    exported: Any = client.get(reverse("caretakers:summary_csv", args=[response.context["token"]]))
    data = b"".join(exported.streaming_content)
    notes = [r[3] for r in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")][1:]
    assert any("podzielone: 01.01.2024 – … → 01.01.2024 – 28.02.2025, 01.04.2025 – …" in n for n in notes)


def test_the_summary_filters_by_outcome(summary: Any) -> None:
    url = reverse("caretakers:summary", args=[summary["token"]])
    assert f'hx-get="{url}?outcome=skipped"' in summary["response"].content.decode()
    skipped = summary["client"].get(url, {"outcome": "skipped"}).content.decode()
    assert {outcome for outcome, _ in _rows(skipped)} == {"skipped"}
    assert len(_rows(skipped)) == 2
    added = summary["client"].get(url, {"outcome": "added"}).content.decode()
    assert len(_rows(added)) == 3
    everything = summary["client"].get(url, {"outcome": "nonsense"}).content.decode()
    assert len(_rows(everything)) == 5


def test_a_long_summary_is_paged(summary: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_views, "PAGE_SIZE", 2)
    url = reverse("caretakers:summary", args=[summary["token"]])
    pages = [summary["client"].get(url, {"page": n}).content.decode() for n in (1, 2, 3)]
    assert [len(_rows(p)) for p in pages] == [2, 2, 1]
    assert 'data-testid="summary-pages"' in pages[0]
    assert len({link for p in pages for _, link in _rows(p)}) == 5


def test_the_summary_exports_as_csv(summary: Any) -> None:
    url = reverse("caretakers:summary_csv", args=[summary["token"]])
    assert url in summary["response"].content.decode()
    response = summary["client"].get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    assert header == ["Kod kontrahenta", "Nazwa kontrahenta", "Wynik", "Inni opiekunowie w tym okresie"]
    firms = summary["firms"]
    assert sorted((r[0], r[2]) for r in rows) == sorted(
        (f.code, "Pominięto" if i < 2 else "Dodano") for i, f in enumerate(firms)
    )
    assert "'=SUM(A1)" in [r[1] for r in rows], "formula-safe, as every export"
    only_skipped = b"".join(summary["client"].get(url, {"outcome": "skipped"}).streaming_content)
    assert len(list(csv.reader(io.StringIO(only_skipped.decode("utf-8-sig")), delimiter=";"))) == 3


def test_only_who_made_the_change_sees_its_summary(
    summary: Any, make_operator: Callable[..., Operator]
) -> None:
    other = Client()
    other.force_login(make_operator("other").user)
    token = summary["token"]
    assert other.get(reverse("caretakers:summary", args=[token])).status_code == 404
    assert other.get(reverse("caretakers:summary_csv", args=[token])).status_code == 404
    assert summary["client"].get(reverse("caretakers:summary", args=["x" * 22])).status_code == 404
    assert Client().get(reverse("caretakers:summary", args=[token])).status_code == 302


def test_a_summary_that_cannot_be_kept_still_shows_its_first_page(
    settings: Any,
    tmp_path: Path,
    admin_op: Operator,
    default_role: CaretakerRole,
    make_contractors: Callable[..., list[Contractor]],
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.EXPORT_DIR = blocked / "exports"
    client = Client()
    client.force_login(admin_op.user)
    response = client.post(
        reverse("caretakers:add"),
        {
            "operator_id": admin_op.pk,
            "date_from": "01.01.2025",
            "on_overlap": "keep",
            "type": "main",
            "role_id": default_role.pk,
            "ids": [f.pk for f in make_contractors(2)],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_rows(html)) == 2
    assert "summary-csv" not in html
