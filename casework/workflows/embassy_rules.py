"""Rule 3: embassy requests, reminded to liaisons and escalated when unanswered."""

import datetime

from django.db import connection
from django.db.models import CharField, IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from casework import access
from casework.vocabularies import CaseStatus, EmbassyRequestStatus
from casework.workflows.claims import (
    assignee_and_supervisors_of_escalated_cases,
    concat,
    escalate,
    notify,
    placeholders,
)
from casework.workflows.context import OrganisationContext

# A request still awaiting its answer, on a case that is not closed, with its parameters.
AWAITING = [
    EmbassyRequestStatus.SENT,
    EmbassyRequestStatus.ACKNOWLEDGED,
    EmbassyRequestStatus.IN_PROGRESS,
]
UNANSWERED = f"r.status IN ({placeholders(AWAITING)}) AND c.status <> %s"
UNANSWERED_PARAMS = [*AWAITING, CaseStatus.CLOSED]


def _liaisons_of_request(today: datetime.date) -> tuple[str, list]:
    """A join of the liaisons who may see request `r`'s case through its country, as
    `u`: access.liaisons_seeing compiled with the request's columns, so the recipients
    follow exactly the rule of the liaison's case pages."""
    liaisons = access.liaisons_seeing(
        RawSQL("r.case_id", (), output_field=IntegerField()),
        RawSQL("r.country", (), output_field=CharField()),
        today,
    ).values("id")
    sql, params = liaisons.query.sql_with_params()
    if connection.vendor == "postgresql":
        # Evaluated once per request, not once per request and user.
        return f"CROSS JOIN LATERAL ({sql}) AS u", list(params)
    return f"JOIN accounts_user u ON u.id IN ({sql})", list(params)


def remind_embassy_requests(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 3a: the liaisons of the country, some working days before the answer is due."""
    horizon = org.calendar.add(now, org.policy.embassy_reminder_days)
    event = concat("'embassy:'", "CAST(r.id AS VARCHAR(20))", "':reminder'")
    liaisons, liaison_params = _liaisons_of_request(timezone.localdate(now))
    return notify(
        f"""
        SELECT u.id AS recipient_id, r.case_id, {event} AS event_key, c.reference
          FROM casework_embassyrequest r
          JOIN casework_case c ON c.id = r.case_id
          {liaisons}
         WHERE c.organisation_id = %s AND {UNANSWERED} AND r.due_at > %s AND r.due_at <= %s
        """,  # noqa: S608 - constant fragments and ORM-compiled SQL; values are parameters
        [*liaison_params, org.organisation.pk, *UNANSWERED_PARAMS, now, horizon],
        "embassy_reminder",
    )


def escalate_unanswered_embassy_requests(
    now: datetime.datetime, org: OrganisationContext
) -> list[int]:
    """Rule 3b: unanswered at due to caseworker and supervisors; again some days later."""
    created = []
    steps = [
        (1, 0, "embassy_unanswered"),
        (2, org.policy.embassy_repeat_days, "embassy_unanswered_again"),
    ]
    for step, days, kind in steps:
        cutoff = org.calendar.cutoff(now, days)
        event = concat("'embassy:'", "CAST(r.id AS VARCHAR(20))", f"':unanswered:{step}'")
        created += escalate(
            f"""
            SELECT r.case_id, {event} AS event_key, c.reference
              FROM casework_embassyrequest r
              JOIN casework_case c ON c.id = r.case_id
             WHERE c.organisation_id = %s AND {UNANSWERED} AND r.due_at <= %s
            """,  # noqa: S608 - constant fragments only; values are parameters
            [org.organisation.pk, *UNANSWERED_PARAMS, cutoff],
            kind,
            assignee_and_supervisors_of_escalated_cases(),
        )
    return created
