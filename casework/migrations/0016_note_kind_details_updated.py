from django.db import migrations, models

# The automatic entries of a section edit ("Person details updated.") were filed as
# documents; they get a kind of their own.
OLD_TEXTS = [
    "Person details updated.",
    "Situation details updated.",
    "Recruitment details updated.",
]


def file_section_edits_apart(apps, schema_editor):
    Note = apps.get_model("casework", "Note")
    edits = Note.objects.filter(automatic=True, kind="document")
    edits.filter(event__code="section_updated").update(kind="details_updated")
    # Entries written before events were stored: their English text tells them apart.
    for note in edits.filter(event__isnull=True).iterator():
        if note.text in OLD_TEXTS:
            Note.objects.filter(pk=note.pk).update(kind="details_updated")


def file_them_as_documents_again(apps, schema_editor):
    Note = apps.get_model("casework", "Note")
    Note.objects.filter(kind="details_updated").update(kind="document")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0015_submission_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="note",
            name="kind",
            field=models.CharField(
                choices=[
                    ("call", "Call"),
                    ("visit", "Visit"),
                    ("message", "Message"),
                    ("meeting", "Meeting"),
                    ("document", "Document"),
                    ("status_change", "Status change"),
                    ("assignment", "Assignment"),
                    ("consent", "Consent change"),
                    ("embassy", "Embassy exchange"),
                    ("escalation", "Escalation"),
                    ("details_updated", "Details updated"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(file_section_edits_apart, file_them_as_documents_again),
    ]
