"""Import opiekunów in English says the date format in English (it said dd.mm.rrrr, the
Polish letters, in the English column help); in Polish, in Polish."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def test_the_column_help_writes_the_date_format_in_the_language(client: Client, admin_op: Operator) -> None:
    client.force_login(admin_op.user)
    polish = client.get(reverse("caretakers:import")).content.decode()
    assert "daty jako dd.mm.rrrr lub RRRR-MM-DD" in polish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("caretakers:import")).content.decode()
    assert "dates as dd.mm.yyyy or YYYY-MM-DD" in english and "rrrr" not in english
