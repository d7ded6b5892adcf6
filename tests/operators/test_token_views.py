"""The "API tokens" screen: a user sees their own tokens — issued, last used, expiry,
status — and revokes them; nobody else's, in Polish or in English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opiekun.operators.models import ApiToken, Operator
from opiekun.operators.tokens import token_authenticate, token_issue, token_revoke

pytestmark = pytest.mark.django_db

URL = reverse("operators:tokens")


def _browser(operator: Operator, language: str = "pl") -> Client:
    client = Client()
    client.force_login(operator.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_lists_the_users_own_tokens_with_their_status(make_operator: Callable[..., Operator]) -> None:
    ewa, adam = make_operator("ewa"), make_operator("adam")
    live, _ = token_issue(user=ewa.user, name="laptop")
    revoked, _ = token_issue(user=ewa.user, name="old script")
    token_revoke(token=revoked)
    expired, _ = token_issue(user=ewa.user, name="last year")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    foreign, _ = token_issue(user=adam.user, name="adams")

    page = _browser(ewa).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tokeny API" in html
    assert foreign.prefix not in html and "adams" not in html
    statuses = {t.prefix: t for t in page.context["page"]}
    assert set(statuses) == {live.prefix, revoked.prefix, expired.prefix}
    row = html.split(f'data-token="{live.prefix}"')[1].split("</tr>")[0]
    assert "aktywny" in row and "Unieważnij" in row
    assert "nigdy" in row  # never used
    assert timezone.localtime(live.expires_at).strftime("%d.%m.%Y") in row
    for token, status in ((revoked, "unieważniony"), (expired, "wygasł")):
        row = html.split(f'data-token="{token.prefix}"')[1].split("</tr>")[0]
        assert status in row and "Unieważnij" not in row


def test_the_screen_speaks_english_when_asked(make_operator: Callable[..., Operator]) -> None:
    ewa = make_operator("ewa")
    token_issue(user=ewa.user, name="laptop")
    html = _browser(ewa, "en").get(URL).content.decode()
    assert "API tokens" in html and "Revoke" in html and "active" in html and "never" in html


def test_revoking_a_token_stops_it_working(make_operator: Callable[..., Operator]) -> None:
    ewa = make_operator("ewa")
    token, raw = token_issue(user=ewa.user, name="laptop")
    browser = _browser(ewa)
    answer = browser.post(reverse("operators:token_revoke", args=[token.pk]), follow=True)
    assert answer.redirect_chain == [(URL, 302)]
    assert f"{token.prefix}… unieważniony" in answer.content.decode()
    assert token_authenticate(raw) is None
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token(make_operator: Callable[..., Operator]) -> None:
    ewa, adam = make_operator("ewa"), make_operator("adam")
    token, raw = token_issue(user=adam.user)
    assert _browser(ewa).post(reverse("operators:token_revoke", args=[token.pk])).status_code == 404
    assert token_authenticate(raw) is not None


def test_revoking_needs_a_post(make_operator: Callable[..., Operator]) -> None:
    ewa = make_operator("ewa")
    token, raw = token_issue(user=ewa.user)
    assert _browser(ewa).get(reverse("operators:token_revoke", args=[token.pk])).status_code == 405
    assert token_authenticate(raw) is not None


def test_anonymous_users_are_sent_to_the_login(db: Any) -> None:
    page = Client().get(URL)
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_the_top_bar_links_to_the_screen(make_operator: Callable[..., Operator]) -> None:
    html = _browser(make_operator("ewa")).get(reverse("operators:list")).content.decode()
    assert f'href="{URL}"' in html
