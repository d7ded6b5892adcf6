"""An index of the assignments' last days (rows with one): Nadchodzące zmiany for
everyone (a manager's default) counts and pages the rows ending in a window, which
without it read the whole table (about 0.4 s at a million contractors;
docs/performance.md, "Nadchodzące zmiany and the top bar's badge").
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('caretakers', '0009_operator_index_covers_deputies'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='caretakerassignment',
            index=models.Index(condition=models.Q(('date_to__isnull', False)), fields=['date_to'], name='assignment_ends'),
        ),
    ]
