"""Family inquiries: a quiet inquiry, and an inquirer not yet told of a match.

Notifications about an inquiry carry the inquiry in place of a case (its reference goes
in the stored English message too), and each step is claimed by its unique (recipient,
event key).
"""

import datetime

from accounts.models import Role
from casework.vocabularies import INQUIRY_OUTCOMES, InquiryStatus
from casework.workflows.claims import concat, epoch, notify, placeholders
from casework.workflows.context import OrganisationContext

UNSETTLED = f"i.status NOT IN ({placeholders(INQUIRY_OUTCOMES)})"
# Outcomes that found the person: the inquirer is owed an answer.
FOUND = [InquiryStatus.MATCHED, InquiryStatus.LOCATED_NO_CONTACT]
ANSWER_OWED = f"i.status IN ({placeholders(FOUND)}) AND i.inquirer_answered_at IS NULL"

# The recipients `u` of a step on inquiry `i`: its active caseworker, or, with none, the
# active supervisors of its organisation (first step); the supervisors (second step).
CASEWORKER_OR_SUPERVISORS = """
    JOIN accounts_user u ON u.is_active AND (
        u.id = i.assigned_to_id
        OR (u.organisation_id = i.organisation_id AND u.role = %s AND NOT EXISTS (
            SELECT 1 FROM accounts_user a WHERE a.id = i.assigned_to_id AND a.is_active)))
"""
SUPERVISORS = """
    JOIN accounts_user u ON u.is_active AND u.organisation_id = i.organisation_id
     AND u.role = %s
"""


def _notify_inquiries(join: str, where: str, params: list, event: str, kind: str) -> list[int]:
    return notify(
        f"""
        SELECT u.id AS recipient_id, i.id AS inquiry_id, {event} AS event_key, i.reference
          FROM casework_inquiry i
          {join}
         WHERE i.organisation_id = %s AND {where}
        """,  # noqa: S608 - constant fragments only; values are parameters
        [Role.SUPERVISOR, *params],
        kind,
        about="inquiry",
    )


def remind_stale_inquiries(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """An unsettled inquiry with no activity for the policy's days reminds its caseworker;
    twice that, its supervisors. One that wakes up and goes quiet again starts over."""
    days = org.policy.inquiry_stale_days
    created = []
    for step, join, kind in [
        (1, CASEWORKER_OR_SUPERVISORS, "inquiry_stale"),
        (2, SUPERVISORS, "inquiry_stale_escalated"),
    ]:
        # The episode is identified by the last activity it started from.
        event = concat(
            "'inquiry:'",
            "CAST(i.id AS VARCHAR(20))",
            "':stale:'",
            epoch("i.last_activity_at"),
            f"':{step}'",
        )
        cutoff = now - datetime.timedelta(days=step * days)
        created += _notify_inquiries(
            join,
            f"{UNSETTLED} AND i.last_activity_at <= %s",
            [org.organisation.pk, *INQUIRY_OUTCOMES, cutoff],
            event,
            kind,
        )
    return created


def remind_unanswered_inquirers(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """A match confirmed (the person found) whose inquirer was not told within the policy's
    working days reminds the caseworker; twice that, the supervisors."""
    days = org.policy.inquiry_unanswered_days
    created = []
    for step, join, kind in [
        (1, CASEWORKER_OR_SUPERVISORS, "inquiry_unanswered"),
        (2, SUPERVISORS, "inquiry_unanswered_escalated"),
    ]:
        event = concat(
            "'inquiry:'",
            "CAST(i.id AS VARCHAR(20))",
            "':unanswered:'",
            epoch("i.outcome_at"),
            f"':{step}'",
        )
        created += _notify_inquiries(
            join,
            f"{ANSWER_OWED} AND i.outcome_at <= %s",
            [org.organisation.pk, *FOUND, org.calendar.cutoff(now, step * days)],
            event,
            kind,
        )
    return created
