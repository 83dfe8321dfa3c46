"""The sweep: every rule once, for every organisation, then the work left behind."""

import datetime

from django.utils import timezone

from casework.submissions import forget_old_keys
from casework.workflows.case_rules import (
    escalate_unassigned_cases,
    escalate_undecided_closures,
    remind_stale_cases,
)
from casework.workflows.context import organisations
from casework.workflows.emails import enqueue_emails, stuck_email_ids
from casework.workflows.embassy_rules import (
    escalate_unanswered_embassy_requests,
    remind_embassy_requests,
)
from casework.workflows.recovery import requeue_pending_invitations, requeue_unfinished_exports
from casework.workflows.task_rules import escalate_overdue_tasks, remind_due_tasks

RULES = [
    ("task_reminder", remind_due_tasks),
    ("task_overdue", escalate_overdue_tasks),
    ("embassy_reminder", remind_embassy_requests),
    ("embassy_unanswered", escalate_unanswered_embassy_requests),
    ("stale_case", remind_stale_cases),
    ("unassigned_case", escalate_unassigned_cases),
    ("closure_pending", escalate_undecided_closures),
]


def run_sweep(
    now: datetime.datetime | None = None, *, enqueue_email: bool = True
) -> tuple[dict[str, int], list[int]]:
    """Run every rule once at `now`; return ({rule: notifications created}, their ids)."""
    now = now or timezone.now()
    counts = {name: 0 for name, _rule in RULES}
    created = []
    for org in organisations():
        for name, rule in RULES:
            ids = rule(now, org)
            counts[name] += len(ids)
            created += ids
    forget_old_keys(now)
    if enqueue_email:
        enqueue_emails(created)
        enqueue_emails(stuck_email_ids(now))
        requeue_unfinished_exports(now)
        requeue_pending_invitations(now)
    return counts, created
