"""The periodic schedule in django-celery-beat's tables, kept in step with the settings.

Migration 0005 creates the sweep and the daily digest; `apply_settings` runs after every
`manage.py migrate` (which `make run` and every deployment run before starting), so a
changed SWEEP_INTERVAL_MINUTES or DIGEST_HOUR_UTC takes effect then, not only when the
migration first ran. A running beat notices the change by itself.
"""

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

SWEEP = "Homeward sweep: reminders and escalations"
DIGEST = "Homeward daily digest"
NIGHTLY_STATISTICS = "Homeward statistics facts: nightly recomputation"
NIGHTLY_REMATCH = "Homeward family inquiries: nightly re-match"


def _daily_at(hour: int, minute: int) -> CrontabSchedule:
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    return crontab


def apply_settings() -> None:
    """Point the sweep and the digest at the interval and hour the settings give now, and
    put back any of Homeward's periodic tasks that is missing (a flushed database)."""
    every, _created = IntervalSchedule.objects.get_or_create(
        every=settings.SWEEP_INTERVAL_MINUTES, period=IntervalSchedule.MINUTES
    )
    wanted = [
        (SWEEP, "casework.tasks.sweep", every, None),
        (DIGEST, "casework.tasks.send_daily_digests", None, _daily_at(settings.DIGEST_HOUR_UTC, 0)),
        (NIGHTLY_STATISTICS, "casework.tasks.refresh_statistics", None, _daily_at(2, 30)),
        # Every unsettled inquiry against every person, whatever a lost message missed.
        (NIGHTLY_REMATCH, "casework.tasks.rematch_inquiries", None, _daily_at(1, 30)),
    ]
    for name, task, interval, crontab in wanted:
        periodic = PeriodicTask.objects.filter(name=name).first() or PeriodicTask(
            name=name, task=task
        )
        if periodic.pk is None or (periodic.interval_id, periodic.crontab_id) != (
            interval and interval.pk,
            crontab and crontab.pk,
        ):
            # save(), not a queryset update: it tells a running beat the schedule changed.
            periodic.interval, periodic.crontab = interval, crontab
            periodic.save()


def schedule_follows_settings(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: the schedule takes the interval and hour of the settings."""
    if using == "default":
        apply_settings()
