"""Custody and the way home (issue 13): the detaining power's obligations, hearings,
check-ins after return, and exchange or repatriation lists gone quiet.

Thresholds are days on dates (a capture, a hearing, a check-in have no time of day): a
rule fires on the organisation's day the threshold is reached, once per event key. The
first step reminds the case's caseworker, or its supervisors when it has none; where
the policy says "twice: supervisors", an escalation at twice the threshold reaches the
supervisors' queue. Case.objects.with_overdue_custody_obligations asks the queue's
question for the first two rules.
"""

import datetime

from django.utils import timezone

from accounts.models import Role
from casework.vocabularies import (
    IN_CUSTODY,
    CaseStatus,
    CustodyEventKind,
    ProceedingOutcome,
)
from casework.workflows.claims import (
    concat,
    escalate,
    notify,
    placeholders,
    supervisors_of_escalated_cases,
)
from casework.workflows.context import OrganisationContext

# The cases `c` of an organisation still in custody, with their latest capture date
# (c.captured_on). Parameters: captives_params(organisation id).
CAPTIVES = f"""
    (SELECT c.id, c.reference, c.assigned_to_id, c.organisation_id,
            MAX(e.occurred_on) AS captured_on
       FROM casework_case c
       JOIN casework_custodyevent e ON e.case_id = c.id AND e.kind = %s
      WHERE c.organisation_id = %s AND c.status <> %s
        AND c.custody_status IN ({placeholders(IN_CUSTODY)})
      GROUP BY c.id, c.reference, c.assigned_to_id, c.organisation_id) AS c
"""  # noqa: S608 - placeholders only


def captives_params(organisation_id: int) -> list:
    return [CustodyEventKind.CAPTURED, organisation_id, CaseStatus.CLOSED, *IN_CUSTODY]


FAMILY_UNINFORMED = """
    NOT EXISTS (SELECT 1 FROM casework_custodyobligations o
                 WHERE o.case_id = c.id AND o.capture_card_received_on IS NOT NULL)
"""
NOT_VISITED = """
    NOT EXISTS (SELECT 1 FROM casework_icrcvisit v
                 WHERE v.case_id = c.id AND v.visited_on >= c.captured_on)
"""

# The recipients `u` of a first step on case `c`: its active caseworker or, with none,
# the active supervisors of its organisation. Parameter: the supervisor role.
CASEWORKER_OR_SUPERVISORS = """
    JOIN accounts_user u ON u.is_active AND (
        u.id = c.assigned_to_id
        OR (u.organisation_id = c.organisation_id AND u.role = %s AND NOT EXISTS (
            SELECT 1 FROM accounts_user a WHERE a.id = c.assigned_to_id AND a.is_active)))
"""

# Custody statuses after which a list's silence no longer matters: the person is out.
CUSTODY_ENDED = [
    CustodyEventKind.RELEASED,
    CustodyEventKind.EXCHANGED,
    CustodyEventKind.REPATRIATED,
    CustodyEventKind.DIED,
]


def as_text(column: str) -> str:
    """A date column as YYYY-MM-DD text, for event keys (a new date, a new event)."""
    return f"CAST({column} AS VARCHAR(10))"


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _two_steps(
    source: str, source_params: list, condition: str, event: str, cutoffs: list, kinds: tuple
) -> list[int]:
    """Remind the caseworker (or supervisors) when `condition` holds with cutoffs[0],
    escalate to the supervisors with cutoffs[1]; `event` is the key without its step."""
    first, second = kinds
    created = notify(
        f"""
        SELECT u.id AS recipient_id, c.id AS case_id, {event} || ':1' AS event_key,
               c.reference
          FROM {source} {CASEWORKER_OR_SUPERVISORS}
         WHERE {condition}
        """,  # noqa: S608 - constant fragments only; values are parameters
        [*source_params, Role.SUPERVISOR, cutoffs[0]],
        first,
    )
    created += escalate(
        f"""
        SELECT c.id AS case_id, {event} || ':2' AS event_key, c.reference
          FROM {source}
         WHERE {condition}
        """,  # noqa: S608 - constant fragments only; values are parameters
        [*source_params, cutoffs[1]],
        second,
        supervisors_of_escalated_cases(),
    )
    return created


def _day_cutoffs(now: datetime.datetime, days: int) -> list[datetime.date]:
    today = _today(now)
    return [today - datetime.timedelta(days=days), today - datetime.timedelta(days=2 * days)]


def remind_uninformed_families(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """A capture whose card has not reached the family within the policy's days (GC III
    art. 70: a week) reminds the caseworker; twice that, the supervisors."""
    event = concat("'case:'", "CAST(c.id AS VARCHAR(20))", "':family:'", as_text("c.captured_on"))
    return _two_steps(
        CAPTIVES,
        captives_params(org.organisation.pk),
        f"{FAMILY_UNINFORMED} AND c.captured_on <= %s",
        event,
        _day_cutoffs(now, org.policy.custody_family_days),
        ("custody_family", "custody_family_escalated"),
    )


def remind_unvisited_captives(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """No ICRC visit recorded since the latest capture within the policy's days reminds
    the caseworker; twice that, the supervisors."""
    event = concat(
        "'case:'", "CAST(c.id AS VARCHAR(20))", "':icrc_visit:'", as_text("c.captured_on")
    )
    return _two_steps(
        CAPTIVES,
        captives_params(org.organisation.pk),
        f"{NOT_VISITED} AND c.captured_on <= %s",
        event,
        _day_cutoffs(now, org.policy.custody_icrc_visit_days),
        ("custody_icrc_visit", "custody_icrc_visit_escalated"),
    )


def remind_silent_return_lists(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """A case's latest exchange or repatriation list entry without news for the policy's
    days, the person still held, reminds the caseworker; twice that, the supervisors."""
    # The case's latest entry only: a newer listing replaces an older one.
    source = f"""
        (SELECT c.id, c.reference, c.assigned_to_id, c.organisation_id, r.id AS entry_id,
                COALESCE(r.last_news_on, r.listed_on) AS news_on
           FROM casework_returnlistentry r
           JOIN casework_case c ON c.id = r.case_id
          WHERE c.organisation_id = %s AND c.status <> %s
            AND c.custody_status NOT IN ({placeholders(CUSTODY_ENDED)})
            AND NOT EXISTS (
                SELECT 1 FROM casework_returnlistentry r2
                 WHERE r2.case_id = r.case_id
                   AND (r2.listed_on > r.listed_on
                        OR (r2.listed_on = r.listed_on AND r2.id > r.id)))) AS c
    """  # noqa: S608 - placeholders only
    event = concat(
        "'return_list:'", "CAST(c.entry_id AS VARCHAR(20))", "':silent:'", as_text("c.news_on")
    )
    return _two_steps(
        source,
        [org.organisation.pk, CaseStatus.CLOSED, *CUSTODY_ENDED],
        "c.news_on <= %s",
        event,
        _day_cutoffs(now, org.policy.return_list_silent_days),
        ("return_list_silent", "return_list_silent_escalated"),
    )


def remind_hearings(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """A pending proceeding's next hearing within the policy's working days reminds the
    caseworker, once per hearing date."""
    today = _today(now)
    start = datetime.datetime.combine(today, datetime.time(), tzinfo=now.tzinfo)
    horizon = org.calendar.add(start, org.policy.hearing_reminder_days).date()
    event = concat(
        "'proceeding:'", "CAST(p.id AS VARCHAR(20))", "':hearing:'", as_text("p.next_hearing_on")
    )
    return notify(
        f"""
        SELECT u.id AS recipient_id, c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_legalproceeding p
          JOIN casework_case c ON c.id = p.case_id
          {CASEWORKER_OR_SUPERVISORS}
         WHERE c.organisation_id = %s AND c.status <> %s AND p.outcome = %s
           AND p.next_hearing_on >= %s AND p.next_hearing_on <= %s
        """,  # noqa: S608 - constant fragments only; values are parameters
        [
            Role.SUPERVISOR,
            org.organisation.pk,
            CaseStatus.CLOSED,
            ProceedingOutcome.PENDING,
            today,
            horizon,
        ],
        "hearing_soon",
    )


def remind_follow_ups(now: datetime.datetime, org: OrganisationContext) -> list[int]:
    """A check-in after return not done the policy's days after it fell due reminds the
    caseworker, once per due date."""
    cutoff = _today(now) - datetime.timedelta(days=org.policy.follow_up_days)
    event = concat("'follow_up:'", "CAST(f.id AS VARCHAR(20))", "':due:'", as_text("f.due_on"))
    return notify(
        f"""
        SELECT u.id AS recipient_id, c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_followup f
          JOIN casework_case c ON c.id = f.case_id
          {CASEWORKER_OR_SUPERVISORS}
         WHERE c.organisation_id = %s AND c.status <> %s AND f.done_on IS NULL
           AND f.due_on <= %s
        """,  # noqa: S608 - constant fragments only; values are parameters
        [Role.SUPERVISOR, org.organisation.pk, CaseStatus.CLOSED, cutoff],
        "follow_up_due",
    )
