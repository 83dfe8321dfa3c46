"""Rules 1 and 2: task reminders and overdue tasks."""

import datetime

from accounts.models import Role
from casework.vocabularies import CaseStatus, TaskStatus
from casework.workflows.claims import concat, escalate, notify, supervisors_of_escalated_cases
from casework.workflows.context import OrganisationContext

# An open task on a case that is not closed, with its parameters.
OPEN_TASK = "t.status = %s AND c.status <> %s"
OPEN_TASK_PARAMS = [TaskStatus.OPEN, CaseStatus.CLOSED]


def remind_due_tasks(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 1: a reminder to the assignee some hours before a task is due."""
    horizon = now + datetime.timedelta(hours=org.policy.task_reminder_hours)
    event = concat("'task:'", "CAST(t.id AS VARCHAR(20))", "':reminder'")
    return notify(
        f"""
        SELECT t.assignee_id AS recipient_id, t.case_id, {event} AS event_key, c.reference
          FROM casework_task t
          JOIN casework_case c ON c.id = t.case_id
          JOIN accounts_user u ON u.id = t.assignee_id
         WHERE c.organisation_id = %s AND {OPEN_TASK} AND u.is_active
           AND t.due_at > %s AND t.due_at <= %s
        """,  # noqa: S608 - constant fragments only; values are parameters
        [org.organisation.pk, *OPEN_TASK_PARAMS, now, horizon],
        "task_reminder",
    )


def escalate_overdue_tasks(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 2: overdue tasks to supervisors, later to administrators as well."""
    created = []
    steps = [
        (1, org.policy.task_overdue_supervisor_days, "task_overdue", ()),
        (2, org.policy.task_overdue_admin_days, "task_overdue_admin", (Role.ADMINISTRATOR,)),
    ]
    for step, days, kind, extra in steps:
        cutoff = org.calendar.cutoff(now, days)
        event = concat("'task:'", "CAST(t.id AS VARCHAR(20))", f"':overdue:{step}'")
        created += escalate(
            f"""
            SELECT DISTINCT t.case_id, {event} AS event_key, c.reference
              FROM casework_task t
              JOIN casework_case c ON c.id = t.case_id
             WHERE c.organisation_id = %s AND {OPEN_TASK} AND t.due_at <= %s
            """,  # noqa: S608 - constant fragments only; values are parameters
            [org.organisation.pk, *OPEN_TASK_PARAMS, cutoff],
            kind,
            supervisors_of_escalated_cases(extra),
        )
    return created
