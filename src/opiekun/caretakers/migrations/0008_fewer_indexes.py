"""Fewer indexes on the assignment table and its audit trail: every written row pays
for each one (docs/performance.md, "The assignment table's indexes").

Dropped on the assignments: the single-column indexes of the six foreign keys. The
contractor's and the operator's are the leading columns of the composite indexes
(`assignment_contractor_period`, the scope index, `assignment_operator_period`), which
serve every lookup by contractor or operator, the contractor's cascade included. The
role's, the branch's and the two users' are used only when such a row is deleted (a
role or branch with assignments is protected; a deleted user's name is cleared), which
is rare and may scan. Dropped on the audit trail: the operator's, role's, branch's and
users' indexes; it is read by assignment and by contractor.

Only the indexes change, so the migration drops them by name (the same on both
engines) instead of altering the fields: on SQLite an AlterField would copy the whole
table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


INDEXES = [
    ("caretakers_caretakerassignment", "branch_id", "caretakers_caretakerassignment_branch_id_c0643ac2"),
    (
        "caretakers_caretakerassignment",
        "contractor_id",
        "caretakers_caretakerassignment_contractor_id_a7ebb2df",
    ),
    (
        "caretakers_caretakerassignment",
        "created_by_id",
        "caretakers_caretakerassignment_created_by_id_96eb7178",
    ),
    ("caretakers_caretakerassignment", "operator_id", "caretakers_caretakerassignment_operator_id_6bcd0d74"),
    (
        "caretakers_caretakerassignment",
        "updated_by_id",
        "caretakers_caretakerassignment_updated_by_id_77aa4b99",
    ),
    ("caretakers_caretakerassignment", "role_id", "caretakers_caretakerassignment_role_id_a286b618"),
    (
        "caretakers_historicalcaretakerassignment",
        "branch_id",
        "caretakers_historicalcaretakerassignment_branch_id_c4a35eb9",
    ),
    (
        "caretakers_historicalcaretakerassignment",
        "created_by_id",
        "caretakers_historicalcaretakerassignment_created_by_id_6bb41c18",
    ),
    (
        "caretakers_historicalcaretakerassignment",
        "operator_id",
        "caretakers_historicalcaretakerassignment_operator_id_f344a6a5",
    ),
    (
        "caretakers_historicalcaretakerassignment",
        "role_id",
        "caretakers_historicalcaretakerassignment_role_id_5406c868",
    ),
    (
        "caretakers_historicalcaretakerassignment",
        "updated_by_id",
        "caretakers_historicalcaretakerassignment_updated_by_id_1a5f1edf",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("caretakers", "0007_scope_index_covers_resolve"),
        ("contractors", "0005_search_key_trigram"),
        ("operators", "0004_operator_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX {name} ON {table} ({column})"
                )
                for table, column, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="branch",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="caretakers.branch",
                        verbose_name="branch",
                    ),
                ),
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="contractors.contractor",
                        verbose_name="contractor",
                    ),
                ),
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="operator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="operators.operator",
                        verbose_name="operator",
                    ),
                ),
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="role",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="caretakers.caretakerrole",
                        verbose_name="role",
                    ),
                ),
                migrations.AlterField(
                    model_name="caretakerassignment",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcaretakerassignment",
                    name="branch",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="caretakers.branch",
                        verbose_name="branch",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcaretakerassignment",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcaretakerassignment",
                    name="operator",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="operators.operator",
                        verbose_name="operator",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcaretakerassignment",
                    name="role",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="caretakers.caretakerrole",
                        verbose_name="role",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcaretakerassignment",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
