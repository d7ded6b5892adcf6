"""API tokens expire. A token issued before this migration expires one lifetime
(settings.API_TOKEN_LIFETIME, 90 days by default) after it was issued — at once, if
that is already past."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def set_expiry(apps, schema_editor):
    ApiToken = apps.get_model("operators", "ApiToken")
    ApiToken.objects.using(schema_editor.connection.alias).update(
        expires_at=F("created_at") + settings.API_TOKEN_LIFETIME
    )


class Migration(migrations.Migration):

    dependencies = [
        ("operators", "0002_absence"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
