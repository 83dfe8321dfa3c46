"""Claiming steps in SQL: every rule is one INSERT ... SELECT that claims by a unique key.

A step already claimed by an earlier sweep, or by one running at the same moment,
inserts nothing (ON CONFLICT DO NOTHING ... RETURNING) and so notifies nobody. The SQL
here is composed only from constant fragments of this package; every value (ids,
moments, enum values, messages) is a query parameter.
"""

from collections.abc import Callable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role
from casework.models import Notification
from casework.notifications import english_parts
from casework.sql import id_filter, placeholders

# The column naming what a notification is about, by `notify(about=...)`.
SUBJECT_COLUMNS = {"case": "case_id", "inquiry": "inquiry_id"}

# Selects (recipient_id, escalation_id) for the escalations matched by `claimed`, a
# condition on `e.id` with its parameters: (claimed, claimed_params) -> (sql, params).
Recipients = Callable[[str, list], tuple[str, list]]


def returning_ids(sql: str, params: Sequence) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def concat(*parts: str) -> str:
    """SQL string concatenation for both databases."""
    return " || ".join(parts)


def epoch(column: str) -> str:
    """A timestamp column as whole seconds since the epoch, as text, for event keys."""
    if connection.vendor == "postgresql":
        return f"CAST(CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT) AS VARCHAR(20))"
    return f"CAST(CAST(strftime('%%s', {column}) AS INTEGER) AS VARCHAR(20))"


def notify(select_sql: str, params: Sequence, kind: str, *, about: str = "case") -> list[int]:
    """Insert notifications from a SELECT of (recipient_id, case_id, event_key, reference),
    or, `about="inquiry"`, of (recipient_id, inquiry_id, event_key, reference).

    The stored message is the English text (for administrators and the admin site);
    pages and emails render MESSAGES in the reader's language. Returns the ids created.
    """
    before, after = english_parts(kind)
    subject = SUBJECT_COLUMNS[about]
    sql = f"""
        INSERT INTO casework_notification
            (recipient_id, {subject}, kind, message, event_key, created_at, email_status,
             email_attempts, email_error)
        SELECT due.recipient_id, due.{subject}, %s, %s || due.reference || %s, due.event_key,
               %s, %s, 0, ''
          FROM ({select_sql}) AS due
         WHERE due.recipient_id IS NOT NULL
        ON CONFLICT (recipient_id, event_key) DO NOTHING
        RETURNING id
    """  # noqa: S608 - select_sql is composed from this package's constant fragments
    pending = Notification.EmailStatus.PENDING
    return returning_ids(sql, [kind, before, after, timezone.now(), pending, *params])


def escalate(select_sql: str, params: Sequence, kind: str, recipients: Recipients) -> list[int]:
    """Claim escalations from a SELECT (case_id, event_key, reference), then notify.

    One transaction: a crash leaves both the escalations and their notifications, or
    neither.
    """
    before, after = english_parts(kind)
    with transaction.atomic():
        escalation_ids = returning_ids(
            f"""
            INSERT INTO casework_escalation (case_id, rule, event_key, message, created_at)
            SELECT due.case_id, %s, due.event_key, %s || due.reference || %s, %s
              FROM ({select_sql}) AS due
             WHERE true
            ON CONFLICT (event_key) DO NOTHING
            RETURNING id
            """,  # noqa: S608 - select_sql is composed from this package's constant fragments
            [kind, before, after, timezone.now(), *params],
        )
        if not escalation_ids:
            return []
        claimed, claimed_params = id_filter("e.id", escalation_ids)
        # The recipients' subquery is limited to the claimed escalations too, so its cost
        # follows what is due now, not the whole history of escalations.
        recipients_sql, recipients_params = recipients(claimed, claimed_params)
        return notify(
            f"""
            SELECT r.recipient_id, e.case_id, e.event_key, c.reference
              FROM casework_escalation e
              JOIN casework_case c ON c.id = e.case_id
              JOIN ({recipients_sql}) AS r ON r.escalation_id = e.id
             WHERE {claimed}
            """,  # noqa: S608 - composed from this package's constant fragments
            [*recipients_params, *claimed_params],
            kind,
        )


def supervisors_of_escalated_cases(extra_roles: Sequence[str] = ()) -> Recipients:
    """The active supervisors (and `extra_roles`) of each escalated case's organisation."""
    roles = [Role.SUPERVISOR, *extra_roles]

    def select(claimed: str, claimed_params: list) -> tuple[str, list]:
        sql = f"""
            SELECT u.id AS recipient_id, e.id AS escalation_id
              FROM casework_escalation e
              JOIN casework_case c ON c.id = e.case_id
              JOIN accounts_user u ON u.organisation_id = c.organisation_id
             WHERE u.role IN ({placeholders(roles)}) AND u.is_active AND {claimed}
        """  # noqa: S608 - placeholders and the constant claimed condition only
        return sql, [*roles, *claimed_params]

    return select


def assignee_and_supervisors_of_escalated_cases() -> Recipients:
    """The active assignee and supervisors of each escalated case."""
    supervisors = supervisors_of_escalated_cases()

    def select(claimed: str, claimed_params: list) -> tuple[str, list]:
        supervisors_sql, supervisors_params = supervisors(claimed, claimed_params)
        sql = f"""
            {supervisors_sql}
            UNION
            SELECT c.assigned_to_id AS recipient_id, e.id AS escalation_id
              FROM casework_escalation e
              JOIN casework_case c ON c.id = e.case_id
              JOIN accounts_user u ON u.id = c.assigned_to_id
             WHERE u.is_active AND {claimed}
        """  # noqa: S608 - composed from this package's constant fragments
        return sql, [*supervisors_params, *claimed_params]

    return select
