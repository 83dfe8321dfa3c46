"""Rule 8: the daily digest, claimed once per user and day."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import access
from casework.models import DigestRun, Escalation
from casework.vocabularies import CaseStatus
from casework.workflows.claims import placeholders, returning_ids
from casework.workflows.emails import send_templated_email


def claim_digests(day: datetime.date) -> list[int]:
    """Rule 8: claim today's digest for every staff user who wants one; return user ids."""
    roles = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    return returning_ids(
        f"""
        INSERT INTO casework_digestrun (user_id, day, created_at)
        SELECT u.id, %s, %s FROM accounts_user u
         WHERE u.is_active AND u.daily_digest AND u.email <> ''
           AND u.role IN ({placeholders(roles)})
        ON CONFLICT (user_id, day) DO NOTHING
        RETURNING user_id
        """,  # noqa: S608 - placeholders only; values are parameters
        [day, timezone.now(), *roles],
    )


def digest_for(user, now: datetime.datetime) -> dict:
    """What is due and overdue for one user: case references and counts only. The tasks
    are those home counts (the user's own, on open cases they may see)."""
    cases = access.cases_visible_to(user)
    due = access.tasks_assigned_to(user).due_by_end_of(timezone.localdate(now))
    overdue = due.filter(due_at__lt=now)
    due_today = due.filter(due_at__gte=now)
    escalations = Escalation.objects.filter(case__in=cases, acknowledged_at__isnull=True)
    if user.role != Role.SUPERVISOR:
        escalations = escalations.none()
    return {
        "overdue": list(overdue.order_by("due_at").values_list("case__reference", flat=True)[:50]),
        "overdue_count": overdue.count(),
        "due_today": list(
            due_today.order_by("due_at").values_list("case__reference", flat=True)[:50]
        ),
        "due_today_count": due_today.count(),
        "escalations_count": escalations.count(),
        "unassigned_count": cases.filter(status=CaseStatus.NEW, assigned_to__isnull=True).count()
        if user.role == Role.SUPERVISOR
        else 0,
    }


def send_digest(user_id: int, day: datetime.date) -> str:
    """Send one claimed digest; marks it sent. Skips an empty digest."""
    run = (
        DigestRun.objects.select_related("user")
        .filter(user_id=user_id, day=day, sent_at__isnull=True)
        .first()
    )
    if run is None:
        return "skipped"
    user = run.user
    content = digest_for(user, timezone.now())
    if not any(content[k] for k in ("overdue_count", "due_today_count", "escalations_count")):
        DigestRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
        return "empty"
    context = {**content, "user": user, "link": settings.SITE_URL + reverse("home")}
    send_templated_email("casework/email/digest", context, user)
    DigestRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    return "sent"
