"""The README's demo logins say what each login really sees (checked against `demo`)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.operators.access import Access, can_assign, contractor_access, visible_contractors

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.django_db
def test_jan_kowalski_sees_his_own_and_the_unassigned_contractors_read_only() -> None:
    call_command("demo", stdout=StringIO())
    jan = authenticate(RequestFactory().post("/login/"), username="jan.kowalski", password="demo")
    assert jan is not None and not can_assign(jan)
    current = CaretakerAssignment.objects.on(today())
    own = Contractor.objects.filter(pk__in=current.filter(operator__user=jan).values("contractor"))
    unassigned = Contractor.objects.exclude(pk__in=current.values("contractor"))
    assert own.exists() and unassigned.exists()
    seen = set(visible_contractors(viewer=jan).values_list("pk", flat=True))
    assert seen == set(own.values_list("pk", flat=True)) | set(unassigned.values_list("pk", flat=True))
    assert contractor_access(viewer=jan, contractor_id=unassigned.first().pk) == Access.READ  # type: ignore[union-attr]

    row = re.search(r"^\| `jan\.kowalski` \|.*$", README.read_text(encoding="utf-8"), re.M)
    assert row is not None
    assert "cares for today" in row.group(0)
    assert "read-only" in row.group(0) and "no caretaker today" in row.group(0)
    assert "only the contractors he cares for" not in row.group(0)
