"""Thin Celery tasks: ids in, call a plain function, nothing else."""

from celery import shared_task


@shared_task(ignore_result=False)
def ping():
    """Prove the broker-worker-result path works."""
    return "pong"
