"""No input yields a 500: every screen of the web UI, every query parameter it reads,
with values of every wrong kind, and every form posted with them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.services import caretaker_add

WRONG = ["", "abc", "-1", "0", "99999999999999999999999", "31.02.2026", "<script>", "\x00", "9" * 300]
PARAMS = [
    "page",
    "q",
    "caretaker",
    "role",
    "active",
    "sort",
    "operator",
    "contractor",
    "date_from",
    "date_to",
    "on",
    "type",
    "branch",
    "kind",
    "month",
    "mode",
    "state",
]


@pytest.fixture
def boss_client(actor: Any, make_contractors: Any, make_operator: Any, default_role: Any) -> Client:
    contractors = make_contractors(3)
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=make_operator().pk,
        date_from="2025-01-01",
        on_overlap="keep",
    )
    client = Client()
    client.force_login(actor)
    return client


SCREENS = [
    "contractors:list",
    "reports:by_caretaker",
    "operators:list",
    "dictionaries:roles",
    "dictionaries:branches",
    "absences:list",
    "absences:calendar",
    "handovers:list",
]


class _NamesRead(QueryDict):
    """``request.GET`` that notes each parameter a view looks up by name (``get``,
    ``[name]``, ``getlist``, ``in``), in its copies too; walking the whole query
    (``items()``, ``lists()``, ``urlencode()``, as the links that keep the query do)
    is no look-up by name."""

    names: set[str] = set()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        before = set(_NamesRead.names)  # building the query looks its own names up
        super().__init__(*args, **kwargs)
        _NamesRead.names.intersection_update(before)

    def __getitem__(self, key: str) -> Any:
        _NamesRead.names.add(key)
        return super().__getitem__(key)

    def getlist(self, key: str, default: Any = None) -> Any:
        _NamesRead.names.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        _NamesRead.names.add(str(key))
        return super().__contains__(key)

    def items(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        for key, values in self.lists():
            yield key, values[-1] if values else []

    def dict(self) -> dict[str, Any]:
        return dict(self.items())


@pytest.fixture
def names_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names the views looked up in ``request.GET`` (cleared by the test)."""
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", _NamesRead)
    monkeypatch.setattr(_NamesRead, "names", set())
    return _NamesRead.names


# One test per screen (every parameter, every wrong value on it) and per form: the workers
# share them out, instead of one worker sending all of them.
#
# Once per `make test`: a parameter the screen does not look up by name (with the first
# wrong value) reaches no query of it; its value only comes back in the links that keep
# the query. `make test-postgres` (--engine-independent=skip) sends such a parameter
# once, with its first value, and the other values of it only in the SQLite part; every
# parameter the screen reads gets every value on both engines. A bare pytest sends all
# of them on either engine. docs/architecture.md, "Where the suite's time goes".
@pytest.mark.django_db
@pytest.mark.parametrize("screen_name", SCREENS)
def test_screens_answer_every_wrong_query_parameter_without_a_server_error(
    boss_client: Client, screen_name: str, names_read: set[str], pytestconfig: pytest.Config
) -> None:
    screen = reverse(screen_name)
    once = pytestconfig.getoption("engine_independent") == "skip"
    failures = []
    for param in PARAMS:
        for value in WRONG:
            names_read.clear()
            status = boss_client.get(screen, {param: value}).status_code
            if status >= 500:
                failures.append((screen, param, value, status))
            if once and param not in names_read:
                break
    assert failures == []


def test_the_names_read_are_what_the_view_looks_up(rf: Any, names_read: set[str]) -> None:
    """The probe above: look-ups by name are noted, the walks over the whole query are not."""
    query = rf.get("/x/", {"a": "1", "b": "2", "c": "3", "d": "4"}).GET
    assert isinstance(query, _NamesRead)
    assert dict(query.items()) == {"a": "1", "b": "2", "c": "3", "d": "4"}
    assert query.urlencode() and list(query.lists()) and query.dict()
    assert names_read == set()
    assert query.get("a") == "1" and "b" in query and query.getlist("c") == ["3"]
    copy = query.copy()
    assert copy["d"] == "4" and copy.get("e") is None
    assert names_read == {"a", "b", "c", "d", "e"}


FORMS = {
    "caretakers:add": [
        "ids",
        "operator_id",
        "date_from",
        "date_to",
        "on_overlap",
        "type",
        "role_id",
        "branch_id",
        "confirm_token",
        "priority",
    ],
    "absences:create": ["operator_id", "date_from", "date_to", "kind", "note"],
    "contractors:create": ["code", "name", "nip", "regon", "email", "active"],
    "handovers:new": [
        "step",
        "from_operator_id",
        "types",
        "role_ids",
        "branch_ids",
        "contractor_codes",
        "to_operator_ids",
        "date",
        "on_overlap",
        "confirm_token",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", FORMS)
def test_forms_answer_every_wrong_value_without_a_server_error(boss_client: Client, form_name: str) -> None:
    url = reverse(form_name)
    fields = FORMS[form_name]
    failures = []
    for field, value in itertools.product(fields, WRONG):
        data = {name: "1" for name in fields} | {field: value}
        status = boss_client.post(url, data).status_code
        if status >= 500:
            failures.append((url, field, value, status))
    assert failures == []
