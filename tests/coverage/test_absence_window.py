"""A write of absences refreshes the acting rows of the window around its days alone
(`coverage.rows.refresh_acting_window`), and every row of its contractors when the
stored rows are not in step at the window's edges."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerRole
from opiekun.coverage.models import ActingGap
from opiekun.operators.absences import absence_create
from tests.coverage.test_derived import _apply, _world, assert_in_step, day


def test_an_absence_reads_only_the_acting_rows_around_its_days(
    make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    world = _world(make_operator, default_role, actor)
    _apply(("add", [0, 1], 0, "main", 0, None, 0, None, "replace"), world)
    _apply(("absence", 0, 3, 4), world)  # nobody acts on days 3..7
    earlier = ActingGap.objects.get(date_from=day(3), contractor__code="K0")
    with CaptureQueriesContext(connection) as queries:
        absence_create(
            actor=world["chief"], operator_id=world["ops"][0].pk, date_from=day(20), date_to=day(22)
        )
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "coverage_acting')]
    assert len(read) == 2  # the gaps and the periods...
    assert all('"date_to" >=' in sql and '"date_from" <=' in sql for sql in read)  # ...of the window
    assert ActingGap.objects.filter(date_from=day(20), date_to=day(22)).count() == 2
    assert ActingGap.objects.get(date_from=day(3), contractor__code="K0").pk == earlier.pk  # untouched
    assert_in_step()


def test_rows_out_of_step_at_the_windows_edge_are_all_computed_again(
    make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    """A table written around the services lacks the gap that holds the window's first
    day: the window alone cannot tell how far it reaches, so every acting row of the
    contractors is computed again (and the table repaired)."""
    world = _world(make_operator, default_role, actor)
    _apply(("add", [0], 0, "main", 0, None, 5, None, "replace"), world)  # main from day 5: a gap before it
    ActingGap.objects.filter(contractor__code="K0", date_to=day(4)).delete()  # around the services
    absence_create(actor=world["chief"], operator_id=world["ops"][0].pk, date_from=day(5), date_to=day(6))
    assert ActingGap.objects.filter(contractor__code="K0", date_to=day(6)).exists()
    assert_in_step()


def test_absences_at_the_ends_of_the_calendar_keep_the_tables_in_step(
    make_operator: Any, default_role: CaretakerRole, actor: Any
) -> None:
    """An absence on the first or last day there is has no day outside it on that side:
    those are computed over every day; one a day inside has its window reach the end."""
    world = _world(make_operator, default_role, actor)
    since = (date(1, 1, 1) - day(0)).days
    _apply(("add", [0, 1], 0, "main", 0, None, since, None, "replace"), world)
    _apply(("add", [0], 1, "deputy", 0, None, since, None, "replace"), world)
    ops = world["ops"]
    for operator, start, end in (
        (ops[0], date(1, 1, 1), date(1, 1, 3)),
        (ops[1], date(1, 1, 2), date(1, 1, 5)),
        (ops[0], date(9999, 12, 29), date(9999, 12, 31)),
        (ops[1], date(9999, 12, 20), date(9999, 12, 30)),
    ):
        absence_create(actor=world["chief"], operator_id=operator.pk, date_from=start, date_to=end)
        assert_in_step()
    assert ActingGap.objects.filter(contractor__code="K1", date_from=date(9999, 12, 29)).exists()
    both_away = ActingGap.objects.filter(date_from=date(1, 1, 2), date_to=date(1, 1, 3))
    assert both_away.filter(contractor__code="K0").exists()
