"""The index of the assignments' last days takes the operator after the day,
``(date_to, operator_id)`` instead of ``(date_to)`` (rows with an end only): the top
bar's badge counts one operator's rows ending in a window from the index alone, where
it read every row ending in the window from the table to learn its operator (16,667
rows, about 7 ms of the server's CPU on every call at a million contractors;
docs/performance.md, "Nadchodzące zmiany and its count at a million, 2026-11-30").
Everyone's rows ending in a window are read in the day's order as before. Still one
index: every write of an assignment pays what it paid (measured there).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('caretakers', '0011_assignment_starts_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='caretakerassignment',
            name='assignment_ends',
        ),
        migrations.AddIndex(
            model_name='caretakerassignment',
            index=models.Index(
                condition=models.Q(('date_to__isnull', False)), fields=['date_to', 'operator'], name='assignment_ends'
            ),
        ),
    ]
