"""The daily digest against a real SMTP server (aiosmtpd) started by the test on a
free local port: messages received and parsed; a refusing server reported and
retried; twice on one day sends nothing new."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from email.message import Message
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.notices.models import DigestSent
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.settings_env import email_settings

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)
BASE = "https://opiekun.example.com"


class Inbox:
    """An SMTP handler keeping what it receives; ``refuse`` answers 550 to every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "550 Mailbox unavailable"
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "opiekun@example.com"
    settings.OPIEKUN_BASE_URL = BASE
    yield handler
    controller.stop()


@pytest.fixture
def world(
    freeze_today: Callable[[date], None], make_operator: Any, default_role: CaretakerRole, actor: Any
) -> Any:
    freeze_today(T)
    anna, jan, idle = make_operator("anna"), make_operator("jan"), make_operator("idle")
    anna.user.email, jan.user.email, idle.user.email = (
        "anna@example.com",
        "jan@example.com",
        "idle@example.com",
    )
    for operator in (anna, jan, idle):
        operator.user.save()
    jan.language = "en"
    jan.visibility = Visibility.OWN
    jan.unassigned_access = UnassignedAccess.DENIED
    jan.save()
    a, b = (
        Contractor.objects.create(code="KA", name="Alfa"),
        Contractor.objects.create(code="KB", name="Beta"),
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[a.pk],
        operator_id=anna.pk,
        date_from=T - timedelta(days=10),
        date_to=T + timedelta(days=3),
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[b.pk],
        operator_id=jan.pk,
        date_from=T - timedelta(days=1),
        date_to=T + timedelta(days=5),
    )
    # Jan's future assignment of A (Anna's today): A is hidden from Jan today, so not in his digest.
    caretaker_add(
        actor=actor, contractor_ids=[a.pk], operator_id=jan.pk, date_from=T + timedelta(days=4), type="deputy"
    )
    return {"anna": anna, "jan": jan, "idle": idle, "a": a, "b": b}


def parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): cast(bytes, part.get_payload(decode=True)).decode(
            part.get_content_charset() or "utf-8"
        )
        for part in message.walk()
        if not part.is_multipart()
    }


def test_each_operator_with_changes_gets_one_message_in_their_language(world: Any, inbox: Inbox) -> None:
    call_command("notify", date=T.isoformat())
    by_rcpt = {rcpt[0]: message for rcpt, message in inbox.messages}
    assert sorted(by_rcpt) == ["anna@example.com", "jan@example.com"]  # idle has no changes
    anna, jan = by_rcpt["anna@example.com"], by_rcpt["jan@example.com"]
    assert anna["To"] == "anna@example.com" and anna["From"] == "opiekun@example.com"
    assert anna["Subject"] == "Opiekun: 1 nadchodząca zmiana"
    assert jan["Subject"] == "Opiekun: 1 upcoming change"
    body = parts(anna)
    assert set(body) == {"text/plain", "text/html"}
    link = f"{BASE}/kontrahenci/{world['a'].pk}/opiekunowie/"
    assert link in body["text/plain"] and f'href="{link}"' in body["text/html"]
    assert "04.06.2026" in body["text/plain"] and "koniec" in body["text/plain"]
    jan_text = parts(jan)["text/plain"]
    assert "2026-06-06" in jan_text and "ends" in jan_text and "KB" in jan_text
    assert "KA" not in jan_text  # never a contractor Jan may not see
    # The HTML part declares the language it is written in (was always "pl").
    assert '<html lang="pl">' in body["text/html"]
    assert '<html lang="en">' in parts(jan)["text/html"]
    assert DigestSent.objects.filter(date=T, sent_at__isnull=False).count() == 2


def test_running_twice_on_one_day_sends_nothing_new(world: Any, inbox: Inbox) -> None:
    call_command("notify", date=T.isoformat())
    call_command("notify", date=T.isoformat())
    assert len(inbox.messages) == 2
    call_command("notify", date=(T + timedelta(days=1)).isoformat())  # a new day, a new digest
    assert len(inbox.messages) == 4


def test_a_refusing_server_is_reported_and_the_next_run_retries(world: Any, inbox: Inbox) -> None:
    inbox.refuse = True
    with pytest.raises(CommandError, match="Nie wysłano podsumowań: 2"):
        call_command("notify", date=T.isoformat())
    failed = DigestSent.objects.get(operator=world["anna"], date=T)
    assert failed.sent_at is None and "550" in failed.error and failed.tries == 1
    inbox.refuse = False
    call_command("notify", date=T.isoformat())
    assert sorted(r[0] for r, _ in inbox.messages) == ["anna@example.com", "jan@example.com"]
    retried = DigestSent.objects.get(operator=world["anna"], date=T)
    assert retried.sent_at is not None and retried.error == "" and retried.tries == 2


def test_dry_run_sends_and_records_nothing(world: Any, inbox: Inbox, capsys: Any) -> None:
    call_command("notify", date=T.isoformat(), dry_run=True)
    assert inbox.messages == [] and not DigestSent.objects.exists()
    assert "wysłałby do anna@example.com" in capsys.readouterr().out
    call_command("notify", date=T.isoformat(), dry_run=True, language="en")
    assert "would send to anna@example.com" in capsys.readouterr().out


def test_a_bad_date_is_an_error(world: Any, inbox: Inbox) -> None:
    """In the chosen language (it was English whatever the language)."""
    with pytest.raises(CommandError, match=r"^--date: Podaj poprawną datę \(dd\.mm\.rrrr") as raised:
        call_command("notify", date="31.02.2026")
    assert raised.value.returncode == 2  # bad usage; 1 is kept for a failed send
    with pytest.raises(CommandError, match=r"^--date: Enter a valid date \(YYYY-MM-DD"):
        call_command("notify", date="jutro", language="en")
    assert inbox.messages == []


def test_a_day_too_late_for_the_window_is_an_error(world: Any, inbox: Inbox) -> None:
    """The digest reads D … D + 14: a D past 9999-12-17 was an OverflowError's traceback."""
    polish = r"^--date: Podaj dzień nie późniejszy niż 17\.12\.9999\.$"
    with pytest.raises(CommandError, match=polish) as raised:
        call_command("notify", date="9999-12-31")
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match=r"^--date: Give a day no later than 9999-12-17\.$"):
        call_command("notify", date="9999-12-18", language="en", dry_run=True)
    call_command("notify", date="9999-12-17", dry_run=True)  # the last day still has its window
    assert inbox.messages == [] and not DigestSent.objects.exists()


def test_email_url_configures_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPIEKUN_EMAIL_URL", "smtp://us%40er:p%3Ass@mail.example.com:587?tls=1")
    config = email_settings()
    assert config["EMAIL_HOST"] == "mail.example.com" and config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "us@er" and config["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert config["EMAIL_USE_TLS"] is True and config["EMAIL_USE_SSL"] is False
    monkeypatch.delenv("OPIEKUN_EMAIL_URL")
    monkeypatch.delenv("OPIEKUN_EMAIL_HOST", raising=False)
    assert str(email_settings()["EMAIL_BACKEND"]).endswith("console.EmailBackend")
    monkeypatch.setenv("OPIEKUN_EMAIL_HOST", "relay")
    monkeypatch.setenv("OPIEKUN_EMAIL_USE_TLS", "1")
    assert email_settings()["EMAIL_HOST"] == "relay"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OPIEKUN_EMAIL_URL": "http://mail.example.com"}, "OPIEKUN_EMAIL_URL: unknown scheme 'http'"),
        ({"OPIEKUN_EMAIL_URL": "smtp://mail.example.com:25x"}, "OPIEKUN_EMAIL_URL: "),
        (
            {"OPIEKUN_EMAIL_HOST": "relay", "OPIEKUN_EMAIL_PORT": "abc"},
            "OPIEKUN_EMAIL_PORT: not a port number: 'abc'",
        ),
    ],
)
def test_bad_email_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    """A configuration error (ImproperlyConfigured, as the other settings), not a bare
    ValueError about an int() that names nothing."""
    monkeypatch.delenv("OPIEKUN_EMAIL_URL", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        email_settings()


def test_an_operator_changes_language(world: Any) -> None:
    assert Operator._meta.get_field("language").default == "pl"
