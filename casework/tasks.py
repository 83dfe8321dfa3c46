"""Thin Celery tasks: ids in, call a plain function, nothing else."""

from celery import shared_task


@shared_task(ignore_result=False)
def ping():
    """Prove the broker-worker-result path works."""
    return "pong"


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def send_invitation(user_id):
    """Email an invitation to choose a password."""
    from accounts.emails import send_invitation as send
    from accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None and not user.has_usable_password():
        send(user)
