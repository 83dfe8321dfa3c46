"""Work the broker never delivered, or a dead worker never finished: the sweep claims
exports and invitation emails to enqueue again (casework.tasks sends the ids returned)."""

import datetime

from django.conf import settings
from django.db.models import Q

from accounts.models import User
from casework.stats.models import StatsExport

# Left queued this long, an export or invitation was not enqueued (broker down) or its
# message was lost: the sweep enqueues it again. A second message is harmless (claimed).
REQUEUE_AFTER = datetime.timedelta(minutes=3)


def requeue_unfinished_exports(now: datetime.datetime) -> list[int]:
    """Claim for enqueueing again exports left queued, or running past their deadline (the
    worker died); give up on one interrupted too often. Returns the ids to enqueue.

    Each is claimed by a conditional UPDATE on the values seen, so two sweeps at the same
    moment enqueue it once.
    """
    State = StatsExport.State
    deadline = now - datetime.timedelta(minutes=settings.EXPORT_MAX_MINUTES)
    candidates = StatsExport.objects.filter(
        Q(state=State.QUEUED, queued_at__lt=now - REQUEUE_AFTER)
        | Q(state=State.RUNNING, started_at__lt=deadline)
    ).values_list("pk", "state", "attempts", "queued_at")
    requeued = []
    for pk, state, attempts, queued_at in candidates.order_by("pk")[:500]:
        seen = StatsExport.objects.filter(pk=pk, state=state, attempts=attempts)
        if state == State.QUEUED:
            claimed = seen.filter(queued_at=queued_at).update(queued_at=now)
        elif attempts >= StatsExport.MAX_ATTEMPTS:
            seen.update(state=State.FAILED, error=StatsExport.INTERRUPTED)
            continue
        else:
            claimed = seen.update(state=State.QUEUED, queued_at=now, progress=0)
        if claimed:
            requeued.append(pk)
    return requeued


def requeue_pending_invitations(now: datetime.datetime) -> list[int]:
    """Claim for enqueueing again invitation emails left pending for a few minutes.
    Returns the user ids to enqueue."""
    Status = User.InvitationStatus
    pending = User.objects.filter(
        invitation_status=Status.PENDING, invitation_queued_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", "invitation_queued_at")
    requeued = [
        pk
        for pk, queued_at in pending.order_by("pk")[:500]
        if User.objects.filter(
            pk=pk, invitation_status=Status.PENDING, invitation_queued_at=queued_at
        ).update(invitation_queued_at=now)
    ]
    return requeued
