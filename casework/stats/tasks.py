"""The statistics Celery tasks (slow queue): ids in, call a plain function.

They keep the names they had in casework/tasks.py: periodic task rows, task routes and
messages already queued name them so.
"""

from celery import shared_task
from django.db import OperationalError

from casework.stats import exports, facts


@shared_task(name="casework.tasks.build_export", acks_late=True)
def build_export(export_id: int) -> str:
    """Build one statistics export (slow queue)."""
    return exports.build_export(export_id)


@shared_task(
    name="casework.tasks.refresh_statistics",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=300,
    max_retries=3,
)
def refresh_statistics() -> int:
    """Recompute every case's statistics facts (Celery beat, nightly; slow queue)."""
    return facts.refresh_all()
