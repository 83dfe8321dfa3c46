"""Tasks travel through a real Redis broker to a real Celery worker."""

import pytest

from casework.tasks import ping


def test_task_goes_through_redis_to_a_worker_and_back(celery_worker):
    result = ping.apply_async(queue=celery_worker.queue)
    assert result.get(timeout=60) == "pong"


def test_beat_uses_the_database_scheduler():
    from casework.celery import app

    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db
def test_migrate_applies_the_sweep_interval_and_digest_hour_of_the_settings(settings):
    """They were read only when the migration first ran; a later change did nothing."""
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from casework.schedule import DIGEST, SWEEP

    settings.SWEEP_INTERVAL_MINUTES = 2
    settings.DIGEST_HOUR_UTC = 7
    call_command("migrate", verbosity=0)
    sweep, digest = PeriodicTask.objects.get(name=SWEEP), PeriodicTask.objects.get(name=DIGEST)
    assert (sweep.interval.every, sweep.interval.period, sweep.crontab) == (2, "minutes", None)
    assert (digest.crontab.hour, digest.crontab.minute, digest.interval) == ("7", "0", None)
    assert sweep.enabled and digest.enabled
