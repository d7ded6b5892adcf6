"""Faults a new user met on the pages of part two (Przekazanie klientów, Nieobecności,
Import opiekunów), through the test client: what the page says, in Polish and English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import assignment_update, handover_create
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db
NEW = "/operatorzy/przekazania/nowe/"


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


@pytest.fixture
def sellers(make_operator: Callable[..., Operator]) -> list[Operator]:
    return [make_operator(name) for name in ("anna", "bob")]


@pytest.fixture
def portfolio(portfolio_of: Callable[[int], list[Contractor]]) -> list[Contractor]:
    return portfolio_of(2)


# --- Przekazanie klientów ------------------------------------------------------------


def _handed_over(actor: Any, sellers: list[Operator]) -> Handover:
    arguments: dict[str, Any] = {
        "from_operator_id": sellers[0].pk,
        "to_operator_ids": [sellers[1].pk],
        "date": "2030-03-01",
    }
    preview = handover_create(actor=actor, **arguments)
    done = handover_create(actor=actor, **arguments, confirm_token=preview.confirm_token)
    assert done.handover is not None
    return done.handover


def test_the_codes_help_of_the_wizard_is_shown_once(boss: Client) -> None:
    html = boss.get(NEW).content.decode()
    assert html.count("Kody oddzielone przecinkami") == 1


def test_the_first_step_marks_every_wrong_field_at_once(boss: Client, sellers: list[Operator]) -> None:
    """An unknown code and no type ticked: both errors at once, not one after the other."""
    response = boss.post(NEW, {"step": "what", "from_operator_id": sellers[0].pk, "contractor_codes": "NOPE"})
    html = response.content.decode()
    assert 'data-step="what"' in html
    assert "Nieznani kontrahenci: NOPE." in html
    types = html.split('data-field="types"')[1].split('data-field="role_ids"')[0]
    assert "To pole jest wymagane." in types


def test_the_second_step_starts_from_today_with_warn(boss: Client, sellers: list[Operator]) -> None:
    """Step one carries no date: step two proposes today and "Ostrzegaj o zmianie",
    as the form's own initial values say, instead of an empty date that is an error."""
    response = boss.post(NEW, {"step": "what", "from_operator_id": sellers[0].pk, "types": ["main"]})
    html = response.content.decode()
    assert 'data-step="whom"' in html
    assert f'name="date" value="{today():%d.%m.%Y}"' in html
    assert re.search(r'<input type="radio" name="on_overlap" value="warn"[^>]*checked', html)
    assert "To pole jest wymagane." not in html


def test_a_cleared_date_in_the_second_step_stays_an_error(boss: Client, sellers: list[Operator]) -> None:
    response = boss.post(
        NEW,
        {
            "step": "whom",
            "from_operator_id": sellers[0].pk,
            "types": ["main"],
            "to_operator_ids": [sellers[1].pk],
            "date": "",
        },
    )
    html = response.content.decode()
    assert 'data-step="whom"' in html and "To pole jest wymagane." in html


def test_the_done_dialog_reloads_the_page_under_it(
    boss: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    """Closing the dialog must refresh the operators' counts: the dialog says it changed data."""
    data = {
        "step": "whom",
        "from_operator_id": sellers[0].pk,
        "types": ["main", "deputy"],
        "to_operator_ids": [sellers[1].pk],
        "date": "01.03.2030",
        "on_overlap": "warn",
    }
    preview = boss.post(NEW, data).content.decode()
    token = re.search(r'name="confirm_token" value="([^"]+)"', preview)
    assert token
    done = boss.post(NEW, {**data, "step": "preview", "confirm_token": token.group(1)}).content.decode()
    assert 'data-testid="handover-done"' in done
    assert "data-changed" in done


def test_a_row_moving_whole_is_shown_going_to_the_recipient(
    boss: Client, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    data = {
        "step": "whom",
        "from_operator_id": sellers[0].pk,
        "types": ["main"],
        "to_operator_ids": [sellers[1].pk],
        "date": "01.01.2029",  # before the rows start: they move whole
        "on_overlap": "warn",
    }
    html = boss.post(NEW, data).content.decode()
    assert 'data-step="preview"' in html
    assert "(usunięty)" not in html
    assert f"przechodzi: 01.01.2030 – … → {sellers[1].display_name}" in html


def test_handover_times_are_written_as_dates_of_the_language(
    boss: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handed_over(actor, sellers)
    polish = re.compile(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}")
    for url in (reverse("handovers:list"), reverse("handovers:detail", args=[handover.pk])):
        html = boss.get(url).content.decode()
        assert polish.search(html), url
        assert not re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", html), url
    boss.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = boss.get(reverse("handovers:detail", args=[handover.pk])).content.decode()
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)
    assert "p.m." not in html and "a.m." not in html


def test_the_handover_page_lists_the_types_main_first(
    boss: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handed_over(actor, sellers)
    Handover.objects.filter(pk=handover.pk).update(types=["deputy", "main"])  # as the API may store them
    html = boss.get(reverse("handovers:detail", args=[handover.pk])).content.decode()
    assert "<dd>Główny, Zastępca</dd>" in html


def test_a_refused_cancel_names_the_contractors_that_changed(
    boss: Client, actor: Any, sellers: list[Operator], portfolio: list[Contractor]
) -> None:
    handover = _handed_over(actor, sellers)
    moved = CaretakerAssignment.objects.get(operator=sellers[1], contractor=portfolio[1])
    assignment_update(actor=actor, assignment_id=moved.pk, date_to="2030-06-30")
    response = boss.post(reverse("handovers:cancel", args=[handover.pk]))
    html = response.content.decode()
    assert 'data-testid="cancel-refused"' in html
    refused = html.split('data-testid="cancel-refused"')[1].split("</div>")[0]
    assert portfolio[1].code in refused and portfolio[1].name in refused
    assert portfolio[0].code not in refused
    assert Handover.objects.get().cancelled_at is None


def test_a_wrong_handover_filter_is_marked_not_ignored(boss: Client) -> None:
    html = boss.get(reverse("handovers:list"), {"state": "zzz", "operator": "abc"}).content.decode()
    state = html.split('data-field="state"')[1].split('data-field="operator"')[0]
    operator = html.split('data-field="operator"')[1].split("</div>")[0]
    assert "field-error" in state and "field-error" in operator


# --- Nieobecności -----------------------------------------------------------------------


def test_an_empty_absence_list_is_not_a_filter_error(boss: Client) -> None:
    html = boss.get(reverse("absences:list")).content.decode()
    assert "Popraw zaznaczone powyżej filtry" not in html
    assert "Żadna nieobecność nie pasuje do filtra." in html or 'data-testid="absences"' in html


def test_a_wrong_filter_still_asks_to_correct_it(boss: Client) -> None:
    html = boss.get(reverse("absences:list"), {"date_from": "31.02.2030"}).content.decode()
    assert "Popraw zaznaczone powyżej filtry" in html


def test_the_calendar_names_the_month_in_the_language(boss: Client) -> None:
    url = reverse("absences:calendar")
    assert "Nieobecności: Listopad 2030" in boss.get(url, {"month": "2030-11"}).content.decode()
    boss.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Absences in November 2030" in boss.get(url, {"month": "2030-11"}).content.decode()


def test_the_calendar_arrows_are_named(boss: Client) -> None:
    html = boss.get(reverse("absences:calendar"), {"month": "2030-11"}).content.decode()
    assert re.search(r'month=2030-10" aria-label="Poprzedni miesiąc"', html)
    assert re.search(r'month=2030-12" aria-label="Następny miesiąc"', html)


# --- Import opiekunów -------------------------------------------------------------------


@pytest.fixture(autouse=False)
def import_dir(settings: Any, tmp_path: Any) -> Any:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def _checked(client: Client, name: str, body: str) -> str:
    upload = SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("caretakers:import"), {"file": upload, "on_overlap": "keep"})
    assert response.status_code == 302, response.content
    job_id = response["Location"].rstrip("/").split("/")[-1]
    return client.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "check"}).content.decode()


def test_import_counts_speak_polish_plurals(
    boss: Client, import_dir: Any, make_operator: Callable[..., Operator], make_contractors: Any
) -> None:
    make_operator("ewa")
    code = make_contractors(1)[0].code
    head = "Kod kontrahenta;Login;Typ;Data od;Data do\n"
    html = _checked(boss, "a.csv", head + f"{code};ewa;Główny;01.01.2025;\nNOPE;ewa;Główny;01.01.2025;\n")
    assert re.search(r"<strong>2</strong>\s*wiersze<", html)
    assert re.search(r"<strong>1</strong>\s*wiersz z błędami<", html)
    html = _checked(boss, "b.csv", head + "".join(f"NOPE{i};ewa;Główny;01.01.2025;\n" for i in range(5)))
    assert re.search(r"<strong>5</strong>\s*wierszy<", html)
    assert re.search(r"<strong>5</strong>\s*wierszy z błędami<", html)


def test_import_refuses_a_file_that_is_neither_csv_nor_xlsx(boss: Client, import_dir: Any) -> None:
    upload = SimpleUploadedFile("umowa.pdf", b"hello\n", content_type="application/pdf")
    response = boss.post(reverse("caretakers:import"), {"file": upload, "on_overlap": "keep"})
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('data-field="file"')[1].split("</div>")[0]
    assert "CSV" in field and "field-error" in field


def test_import_offers_no_import_when_no_row_is_valid(boss: Client, import_dir: Any) -> None:
    html = _checked(boss, "c.csv", "a;b\n1;2\n")
    assert 'data-testid="import-apply-valid"' not in html
    assert 'data-testid="import-apply"' not in html
