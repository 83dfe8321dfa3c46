"""The periodic schedule lives in django-celery-beat's tables, created here, not by hand."""

from django.conf import settings
from django.db import migrations


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(
        every=settings.SWEEP_INTERVAL_MINUTES, period="minutes"
    )
    PeriodicTask.objects.update_or_create(
        name="Homeward sweep: reminders and escalations",
        defaults={"task": "casework.tasks.sweep", "interval": every, "crontab": None},
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour=str(settings.DIGEST_HOUR_UTC), day_of_week="*", day_of_month="*",
        month_of_year="*", timezone="UTC",
    )
    PeriodicTask.objects.update_or_create(
        name="Homeward daily digest",
        defaults={"task": "casework.tasks.send_daily_digests", "crontab": daily, "interval": None},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(
        name__in=["Homeward sweep: reminders and escalations", "Homeward daily digest"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_workflows"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
