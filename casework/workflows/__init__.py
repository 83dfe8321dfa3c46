"""Reminders and escalations (SPEC section 3) as plain functions over the database.

Deadlines live in the database as due dates; a sweep finds what is due. Every rule is
one set-based INSERT ... SELECT per organisation that claims its steps by a unique key
(claims): a step already claimed by an earlier sweep, or by one running at the same
moment, inserts nothing and so notifies nobody. An escalation and its notifications are
written in one transaction, so a crash leaves either both or neither. Email goes out
afterwards, one claimed notification at a time (emails). Deadlines in working days
follow the organisation's weekend days and holidays (working_days).

The package re-exports what the rest of Homeward uses, so `workflows.run_sweep` and
the like keep working whichever module a function lives in.
"""

from casework.notifications import MESSAGES, message_for
from casework.workflows.case_rules import (
    escalate_unassigned_cases,
    escalate_undecided_closures,
    remind_stale_cases,
)
from casework.workflows.context import OrganisationContext, organisations
from casework.workflows.custody_rules import (
    remind_follow_ups,
    remind_hearings,
    remind_silent_return_lists,
    remind_uninformed_families,
    remind_unvisited_captives,
)
from casework.workflows.digest import claim_digests, digest_for, send_digest
from casework.workflows.emails import (
    EMAIL_BATCH,
    EmailFailed,
    deliver_notification_email,
    stuck_email_ids,
)
from casework.workflows.embassy_rules import (
    escalate_unanswered_embassy_requests,
    remind_embassy_requests,
)
from casework.workflows.inquiry_rules import remind_stale_inquiries, remind_unanswered_inquirers
from casework.workflows.recovery import (
    REQUEUE_AFTER,
    requeue_pending_invitations,
    requeue_unfinished_exports,
)
from casework.workflows.sweep import RULES, run_sweep
from casework.workflows.task_rules import escalate_overdue_tasks, remind_due_tasks
from casework.workflows.working_days import WorkingCalendar

__all__ = [
    "EMAIL_BATCH",
    "MESSAGES",
    "REQUEUE_AFTER",
    "RULES",
    "EmailFailed",
    "OrganisationContext",
    "WorkingCalendar",
    "claim_digests",
    "deliver_notification_email",
    "digest_for",
    "escalate_overdue_tasks",
    "escalate_unanswered_embassy_requests",
    "escalate_unassigned_cases",
    "escalate_undecided_closures",
    "message_for",
    "organisations",
    "remind_due_tasks",
    "remind_embassy_requests",
    "remind_follow_ups",
    "remind_hearings",
    "remind_silent_return_lists",
    "remind_stale_inquiries",
    "remind_stale_cases",
    "remind_unanswered_inquirers",
    "remind_uninformed_families",
    "remind_unvisited_captives",
    "requeue_pending_invitations",
    "requeue_unfinished_exports",
    "run_sweep",
    "send_digest",
    "stuck_email_ids",
]
