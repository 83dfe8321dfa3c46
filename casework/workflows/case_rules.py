"""Rules 4 to 6 on cases themselves: stale, unassigned, closure undecided."""

import datetime

from casework.vocabularies import CaseStatus, RiskLevel
from casework.workflows.claims import (
    concat,
    epoch,
    escalate,
    notify,
    supervisors_of_escalated_cases,
)
from casework.workflows.context import OrganisationContext


def remind_stale_cases(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 4: no activity for the risk level's days reminds the caseworker; twice that
    escalates to supervisors. A case that wakes up and goes quiet again starts over."""
    created = []
    for risk in RiskLevel.values:
        days = org.policy.stale_days(risk)
        # The episode is identified by the last activity it started from.
        episode = concat(
            "'case:'", "CAST(c.id AS VARCHAR(20))", "':stale:'", epoch("c.last_activity_at")
        )
        base = """
              FROM casework_case c
             WHERE c.organisation_id = %s AND c.status <> %s AND c.risk = %s
               AND c.last_activity_at <= %s
        """
        created += notify(
            f"""
            SELECT c.assigned_to_id AS recipient_id, c.id AS case_id,
                   {episode} AS event_key, c.reference
              {base} AND c.assigned_to_id IS NOT NULL
            """,  # noqa: S608 - constant fragments only; values are parameters
            [org.organisation.pk, CaseStatus.CLOSED, risk, now - datetime.timedelta(days=days)],
            "case_stale",
        )
        created += escalate(
            f"SELECT c.id AS case_id, {episode} || ':2' AS event_key, c.reference {base}",  # noqa: S608 - constant fragments only
            [
                org.organisation.pk,
                CaseStatus.CLOSED,
                risk,
                now - datetime.timedelta(days=2 * days),
            ],
            "case_stale_escalated",
            supervisors_of_escalated_cases(),
        )
    return created


def escalate_unassigned_cases(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 5: a new case nobody took for a working day goes to the supervisors."""
    cutoff = org.calendar.cutoff(now, org.policy.unassigned_days)
    event = concat("'case:'", "CAST(c.id AS VARCHAR(20))", "':unassigned'")
    return escalate(
        f"""
        SELECT c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_case c
         WHERE c.organisation_id = %s AND c.status = %s AND c.assigned_to_id IS NULL
           AND c.created_at <= %s
        """,  # noqa: S608 - constant fragments only; values are parameters
        [org.organisation.pk, CaseStatus.NEW, cutoff],
        "case_unassigned",
        supervisors_of_escalated_cases(),
    )


def escalate_undecided_closures(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """Rule 6: a closure request undecided for some working days, to supervisors again."""
    cutoff = org.calendar.cutoff(now, org.policy.closure_days)
    event = concat(
        "'case:'", "CAST(c.id AS VARCHAR(20))", "':closure:'", epoch("c.closure_requested_at")
    )
    return escalate(
        f"""
        SELECT c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_case c
         WHERE c.organisation_id = %s AND c.status = %s
           AND c.closure_requested_at <= %s
        """,  # noqa: S608 - constant fragments only; values are parameters
        [org.organisation.pk, CaseStatus.CLOSURE_REQUESTED, cutoff],
        "closure_pending",
        supervisors_of_escalated_cases(),
    )
