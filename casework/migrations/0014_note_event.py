# Automatic timeline entries record their event (a code and parameters), told in each
# reader's language; entries recorded before keep their English text and no event.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0013_export_retries_and_worker_ping"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="event",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
