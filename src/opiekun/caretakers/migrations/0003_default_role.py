"""Exactly one role is the default, from the first migration on."""

from django.db import migrations


def create_default_role(apps, schema_editor):
    role = apps.get_model("caretakers", "CaretakerRole")
    if not role.objects.filter(is_default=True).exists():
        role.objects.create(name="Opiekun handlowy", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("caretakers", "0002_invariants")]

    operations = [migrations.RunPython(create_default_role, migrations.RunPython.noop)]
