"""StatsExport and StatisticsFact now belong to the stats app (casework.stats); their
tables keep their names, so only Django's state changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0016_note_kind_details_updated"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name="statisticsfact",
                    name="statsfact_scope",
                ),
                migrations.RemoveIndex(
                    model_name="statsexport",
                    name="casework_st_request_565eb7_idx",
                ),
                migrations.RemoveField(
                    model_name="statsexport",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="statsexport",
                    name="requested_by",
                ),
                migrations.DeleteModel(
                    name="StatisticsFact",
                ),
                migrations.DeleteModel(
                    name="StatsExport",
                ),
            ],
            database_operations=[],
        ),
    ]
