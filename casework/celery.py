"""The Celery app. Broker and schedule come from Django settings (CELERY_*).

`enqueue` sends a task whose work is already in the database; it lives here, below every
layer, so views, tasks and the statistics package all send tasks the same way.
"""

import logging
import os

import kombu.exceptions
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached.
BROKER_DOWN = (kombu.exceptions.OperationalError, ConnectionError)


def enqueue(task, *ids) -> bool:
    """Send a task; False if the broker is unreachable. The caller's work is already in
    the database, so the sweep enqueues it again later; only the task name and ids are
    logged (never personal data)."""
    try:
        task.delay(*ids)
    except BROKER_DOWN as exc:
        logger.warning(
            "Broker unreachable; %s%s left to the sweep (%s)", task.name, ids, type(exc).__name__
        )
        return False
    return True
