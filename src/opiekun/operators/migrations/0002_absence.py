"""Absences of operators, and the permission to enter anyone's.

One operator's absences never overlap, enforced by the database as the caretaker
invariants are (caretakers/migrations/0002_invariants.py): PostgreSQL with an
exclusion constraint over inclusive date ranges, SQLite with triggers. A later
migration that rebuilds `operators_absence` on SQLite must create the triggers again
(`SQLITE_FORWARD` below).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


TABLE = "operators_absence"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT absence_no_overlap EXCLUDE USING gist (
        operator_id WITH =, daterange(date_from, date_to, '[]') WITH &&
    )""",
]
POSTGRES_BACKWARD = [f"ALTER TABLE {TABLE} DROP CONSTRAINT absence_no_overlap"]


def _sqlite_trigger(event: str) -> str:
    not_self = "AND a.id <> NEW.id" if event == "UPDATE" else ""
    return f"""
    CREATE TRIGGER absence_no_overlap_{event.lower()} BEFORE {event} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'absence_no_overlap: two absences of one operator overlap')
        WHERE EXISTS (
            SELECT 1 FROM {TABLE} a
            WHERE a.operator_id = NEW.operator_id {not_self}
              AND a.date_from <= NEW.date_to AND a.date_to >= NEW.date_from
        );
    END"""


SQLITE_FORWARD = [_sqlite_trigger("INSERT"), _sqlite_trigger("UPDATE")]
SQLITE_BACKWARD = ["DROP TRIGGER absence_no_overlap_insert", "DROP TRIGGER absence_no_overlap_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('operators', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='operator',
            name='can_manage_absences',
            field=models.BooleanField(default=False, verbose_name="may enter anyone's absences"),
        ),
        migrations.CreateModel(
            name='HistoricalAbsence',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date_from', models.DateField(verbose_name='date from')),
                ('date_to', models.DateField(verbose_name='date to')),
                ('kind', models.CharField(choices=[('vacation', 'vacation'), ('sick_leave', 'sick leave'), ('business_trip', 'business trip'), ('other', 'other')], default='vacation', max_length=16, verbose_name='kind')),
                ('note', models.CharField(blank=True, default='', max_length=500, verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='operators.operator', verbose_name='operator')),
                ('updated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical absence',
                'verbose_name_plural': 'historical absences',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Absence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date_from', models.DateField(verbose_name='date from')),
                ('date_to', models.DateField(verbose_name='date to')),
                ('kind', models.CharField(choices=[('vacation', 'vacation'), ('sick_leave', 'sick leave'), ('business_trip', 'business trip'), ('other', 'other')], default='vacation', max_length=16, verbose_name='kind')),
                ('note', models.CharField(blank=True, default='', max_length=500, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('operator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='absences', to='operators.operator', verbose_name='operator')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'absence',
                'verbose_name_plural': 'absences',
                'ordering': ['date_from', 'id'],
                'indexes': [models.Index(fields=['operator', 'date_from', 'date_to'], name='absence_operator_period')],
                'constraints': [models.CheckConstraint(condition=models.Q(('date_to__gte', models.F('date_from'))), name='absence_dates_in_order'), models.CheckConstraint(condition=models.Q(('kind__in', ['vacation', 'sick_leave', 'business_trip', 'other'])), name='absence_kind_known')],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
