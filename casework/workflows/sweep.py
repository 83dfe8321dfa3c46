"""The sweep: every rule once, for every organisation."""

import datetime

from django.utils import timezone

from casework.submissions import forget_old_keys
from casework.workflows.case_rules import (
    escalate_unassigned_cases,
    escalate_undecided_closures,
    remind_stale_cases,
)
from casework.workflows.context import organisations
from casework.workflows.custody_rules import (
    remind_follow_ups,
    remind_hearings,
    remind_silent_return_lists,
    remind_uninformed_families,
    remind_unvisited_captives,
)
from casework.workflows.embassy_rules import (
    escalate_unanswered_embassy_requests,
    remind_embassy_requests,
)
from casework.workflows.inquiry_rules import remind_stale_inquiries, remind_unanswered_inquirers
from casework.workflows.task_rules import escalate_overdue_tasks, remind_due_tasks

RULES = [
    ("task_reminder", remind_due_tasks),
    ("task_overdue", escalate_overdue_tasks),
    ("embassy_reminder", remind_embassy_requests),
    ("embassy_unanswered", escalate_unanswered_embassy_requests),
    ("stale_case", remind_stale_cases),
    ("unassigned_case", escalate_unassigned_cases),
    ("closure_pending", escalate_undecided_closures),
    ("inquiry_stale", remind_stale_inquiries),
    ("inquiry_unanswered", remind_unanswered_inquirers),
    ("custody_family", remind_uninformed_families),
    ("custody_icrc_visit", remind_unvisited_captives),
    ("hearing_soon", remind_hearings),
    ("follow_up_due", remind_follow_ups),
    ("return_list_silent", remind_silent_return_lists),
]


def run_sweep(now: datetime.datetime | None = None) -> tuple[dict[str, int], list[int]]:
    """Run every rule once at `now`; return ({rule: notifications created}, their ids).

    Enqueues nothing: casework.tasks.run_sweep sends the emails and the work left behind.
    """
    now = now or timezone.now()
    counts = {name: 0 for name, _rule in RULES}
    created = []
    for org in organisations():
        for name, rule in RULES:
            ids = rule(now, org)
            counts[name] += len(ids)
            created += ids
    forget_old_keys(now)
    return counts, created
