import django.db.models.deletion
from django.db import migrations, models

# The Operatorzy page of an own-only viewer as steps per pair of operators
# (operators/workload_pairs.py), built here from the assignments as they are; from now
# on every writer of assignments keeps them, beside the workload steps.


def _build(apps, schema_editor):
    from opiekun.operators.workload_pairs_rebuild import pair_rebuild_statements

    for statement in pair_rebuild_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0005_workload_steps"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkloadPairStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("type", models.CharField(max_length=6)),
                ("day", models.DateField()),
                ("delta", models.IntegerField()),
                (
                    "operator",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="operators.operator",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="operators.operator",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("viewer", "operator", "type", "day"), name="workload_pair_step_key"
                    )
                ],
            },
        ),
        migrations.RunPython(_build, migrations.RunPython.noop),
    ]
