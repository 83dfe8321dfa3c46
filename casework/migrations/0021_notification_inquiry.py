"""A notification about a family inquiry links to it (issue 12)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0020_custody_and_return"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="inquiry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="casework.inquiry",
            ),
        ),
    ]
