"""Name search at a million persons: a key for each two parts of a spelling (NameKind.PAIR)
and an index on (organisation, key, person) that a search reads the newest holders of a
key from, without visiting the table. Every person's name keys are rebuilt (in batches).
"""

from collections import defaultdict

from django.db import migrations, models

BATCH = 2000


def rebuild_name_keys(apps, schema_editor):
    """Every person's keys again: the PAIR keys are new, and Devanagari nasals before ह
    and the labials now read as Latin spellings write them (सिंह Singh)."""
    from casework.matching import _keys_of_spellings, _spellings, loose_key

    Person = apps.get_model("casework", "Person")
    Alias = apps.get_model("casework", "Alias")
    NameKey = apps.get_model("casework", "NameKey")
    NameWord = apps.get_model("casework", "NameWord")
    fields = ("pk", "organisation_id", "given_name", "family_name", "native_name")
    last = 0
    while batch := list(Person.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH]):
        last = batch[-1].pk
        aliases = defaultdict(list)
        for person_id, name in Alias.objects.filter(person__in=batch).values_list(
            "person_id", "name"
        ):
            aliases[person_id].append(name)
        rows = [
            NameKey(person_id=p.pk, organisation_id=p.organisation_id, key=key, kind=kind)
            for p in batch
            for key, kind in sorted(
                _keys_of_spellings(
                    _spellings(p.given_name, p.family_name, p.native_name, aliases[p.pk])
                )
            )
        ]
        NameKey.objects.filter(person__in=batch).delete()
        NameKey.objects.bulk_create(rows, batch_size=5000)
        words = sorted({row.key for row in rows if row.kind == "token"})
        NameWord.objects.bulk_create(
            [NameWord(key=key, loose=loose_key(key)) for key in words],
            batch_size=5000,
            ignore_conflicts=True,
        )


def remove_pair_keys(apps, schema_editor):
    apps.get_model("casework", "NameKey").objects.filter(kind="pair").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0022_case_dossier"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="namekey",
            name="namekey_org_key",
        ),
        migrations.AlterField(
            model_name="namekey",
            name="kind",
            field=models.CharField(
                choices=[
                    ("full", "whole name"),
                    ("token", "name part"),
                    ("pair", "two name parts"),
                ],
                max_length=5,
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(
                fields=["organisation_id", "key", "person"], name="namekey_org_key_person"
            ),
        ),
        migrations.RunPython(rebuild_name_keys, remove_pair_keys),
    ]
