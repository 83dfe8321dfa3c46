"""Thin Celery tasks: ids in, call a plain function, nothing else.

Enqueueing is done here, above the workflows: they return the ids to enqueue.

Tasks whose work is claimed in the database (sweep, emails, digests) are idempotent,
so they acknowledge late: a worker that dies mid-task leaves it to be run again. The
statistics tasks (build_export, refresh_statistics) live in casework/stats/tasks.py,
under their old names.
"""

import datetime
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework import dossiers, workflows
from casework.celery import enqueue
from casework.stats.tasks import build_export
from casework.workflows import tracing

EMAIL_RETRIES = 4


def run_sweep(
    now: datetime.datetime | None = None, *, enqueue_email: bool = True
) -> tuple[dict[str, int], list[int]]:
    """Run the sweep at `now` (workflows.run_sweep), then, unless told not to, enqueue its
    notifications' emails and the work left behind: emails, exports and invitations."""
    now = now or timezone.now()
    counts, created = workflows.run_sweep(now)
    dossiers.purge_expired_dossiers(now)
    if enqueue_email:
        enqueue_emails(created)
        enqueue_emails(workflows.stuck_email_ids(now))
        requeue_unfinished_exports(now)
        requeue_pending_invitations(now)
    return counts, created


def enqueue_emails(ids) -> None:
    """Hand notification ids to the email task in batches, after the commit."""
    ids = list(ids)
    for start in range(0, len(ids), workflows.EMAIL_BATCH):
        batch = ids[start : start + workflows.EMAIL_BATCH]
        transaction.on_commit(partial(send_notification_emails.delay, batch))


def _enqueue_after_commit(task, ids: list[int]) -> None:
    def send_all():
        for pk in ids:
            if not enqueue(task, pk):
                return  # the broker is down: the next sweep tries again

    if ids:
        transaction.on_commit(send_all)


def requeue_unfinished_exports(now: datetime.datetime) -> list[int]:
    """Enqueue again, after the commit, the exports the workflow claims; returns their ids."""
    requeued = workflows.requeue_unfinished_exports(now)
    _enqueue_after_commit(build_export, requeued)
    return requeued


def requeue_pending_invitations(now: datetime.datetime) -> list[int]:
    """Enqueue again, after the commit, the invitations the workflow claims; returns user ids."""
    requeued = workflows.requeue_pending_invitations(now)
    _enqueue_after_commit(send_invitation, requeued)
    return requeued


@shared_task(ignore_result=False)
def ping(token=None):
    """Prove the broker-worker path works: the answer goes to the database (ping_worker
    reads it there, no result backend needed) and to the result backend if there is one."""
    if token is not None:
        from casework.models import WorkerPing

        WorkerPing.objects.filter(token=token, answered_at__isnull=True).update(
            answered_at=timezone.now(), worker=ping.request.hostname or ""
        )
    return "pong"


@shared_task(acks_late=True)
def sweep():
    """Run every reminder and escalation rule once (Celery beat, every few minutes)."""
    counts, _ids = run_sweep(timezone.now())
    return counts


@shared_task(bind=True, acks_late=True, max_retries=EMAIL_RETRIES)
def send_notification_emails(self, notification_ids):
    """Email each notification still pending; retry transient failures with backoff."""
    retry = []
    for notification_id in notification_ids:
        try:
            workflows.deliver_notification_email(
                notification_id, final_attempt=self.request.retries >= self.max_retries
            )
        except workflows.EmailFailed:
            retry.append(notification_id)
    if retry:
        # Only the failed ones go round again, after 30 s, 60 s, 120 s, 240 s by default.
        base = settings.EMAIL_RETRY_BASE_SECONDS
        raise self.retry(args=[retry], countdown=base * 2**self.request.retries)


@shared_task(acks_late=True)
def send_daily_digests():
    """Claim today's digests and hand each to the slow queue."""
    day = timezone.localdate()
    for user_id in workflows.claim_digests(day):
        send_digest.delay(user_id, day.isoformat())


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def send_digest(user_id, day):
    return workflows.send_digest(user_id, datetime.date.fromisoformat(day))


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def send_invitation(user_id):
    """Email a pending invitation to choose a password. Claimed: sent once however often
    it is delivered; a failure leaves it pending for the retry, then for the sweep."""
    from accounts.emails import send_invitation as send
    from accounts.models import User

    Status = User.InvitationStatus
    if not User.objects.filter(pk=user_id, invitation_status=Status.PENDING).update(
        invitation_status=Status.SENDING
    ):
        return "skipped"
    user = User.objects.get(pk=user_id)
    if not user.is_active or user.has_usable_password():
        User.objects.filter(pk=user_id).update(invitation_status=Status.NONE)
        return "skipped"
    try:
        send(user)
    except OSError:
        User.objects.filter(pk=user_id).update(invitation_status=Status.PENDING)
        raise
    User.objects.filter(pk=user_id).update(invitation_status=Status.SENT)
    return "sent"


# --- Family inquiries: matching (casework.workflows.tracing) ---------------------------


@shared_task(acks_late=True)
def match_inquiry(inquiry_id):
    """(Re)compute an inquiry's candidates. Idempotent: decisions and notifications are
    kept, a second run finds nothing new to tell."""
    return len(tracing.match_inquiry(inquiry_id))


@shared_task(acks_late=True)
def match_inquiries(inquiry_ids):
    """(Re)compute the candidates of a batch of inquiries (the nightly re-match)."""
    return len(tracing.match_inquiries(inquiry_ids))


@shared_task(acks_late=True)
def match_person(person_id):
    """Offer a new or changed person to the unsettled inquiries that could be about them."""
    return len(tracing.match_person(person_id))


@shared_task(acks_late=True)
def rematch_inquiries():
    """Nightly (Celery beat): every unsettled inquiry matched again, in batches, so that
    any number of workers share the work."""
    batches = tracing.unsettled_inquiry_batches()
    for batch in batches:
        if not enqueue(match_inquiries, batch):
            break  # the broker is down: tomorrow's run tries again
    return len(batches)


@shared_task(name="casework.tasks.build_dossier", acks_late=True)
def build_dossier(dossier_id: int) -> str:
    """Build one case dossier or liaison's list as a PDF (slow queue); claimed, so idempotent."""
    return dossiers.build_dossier(dossier_id)
