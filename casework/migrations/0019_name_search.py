"""Fuzzy name search: pg_trgm, the vocabulary of name-part keys, a cross-organisation key
index. Written by hand: the trigram index exists on PostgreSQL only."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS nameword_loose_trgm "
            "ON casework_nameword USING gist (loose gist_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS nameword_loose_trgm")


def fill_vocabulary(apps, schema_editor):
    """One NameWord per distinct name-part key already stored."""
    from casework.matching import loose_key

    NameKey = apps.get_model("casework", "NameKey")
    NameWord = apps.get_model("casework", "NameWord")
    keys = NameKey.objects.filter(kind="token").values_list("key", flat=True).distinct()
    words = [NameWord(key=key, loose=loose_key(key)) for key in keys.iterator()]
    NameWord.objects.bulk_create(words, batch_size=5000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0018_family_inquiries"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="NameWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("loose", models.CharField(max_length=200)),
            ],
            options={
                "verbose_name": "name word",
                "verbose_name_plural": "name words",
                "indexes": [
                    models.Index(
                        fields=["key"],
                        name="nameword_key_prefix",
                        opclasses=["varchar_pattern_ops"],
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(fields=["key", "person"], name="namekey_key_person"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
        migrations.RunPython(fill_vocabulary, migrations.RunPython.noop),
    ]
