"""Deputies gain a priority: the order in which they stand in for an absent main
caretaker, lower first (docs/semantics.md, "Absences and the acting caretaker").

On SQLite, adding a column with a default rebuilds the table, which drops the
invariant triggers of 0002_invariants: they are created again right after, and
again when the migration is reversed (removing the column rebuilds it too).
"""

from django.db import migrations, models

from opiekun.caretakers.migrations import _triggers


class Migration(migrations.Migration):
    dependencies = [
        ("caretakers", "0004_period_indexes"),
    ]

    operations = [
        # Reversed last: the RemoveField below rebuilds the table on SQLite.
        migrations.RunPython(migrations.RunPython.noop, _triggers.recreate_sqlite_triggers),
        migrations.AddField(
            model_name="caretakerassignment",
            name="priority",
            field=models.SmallIntegerField(default=0, db_default=0, verbose_name="priority"),
        ),
        migrations.AddField(
            model_name="historicalcaretakerassignment",
            name="priority",
            field=models.SmallIntegerField(default=0, db_default=0, verbose_name="priority"),
        ),
        migrations.RunPython(_triggers.recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
