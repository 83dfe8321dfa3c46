"""Reminders and escalations (SPEC section 3) as plain functions over the database.

Deadlines live in the database as due dates; a sweep finds what is due. Every rule is
one set-based INSERT ... SELECT per organisation that claims its steps by a unique key
(ON CONFLICT DO NOTHING ... RETURNING): a step already claimed by an earlier sweep, or
by one running at the same moment, inserts nothing and so notifies nobody. An
escalation and its notifications are written in one transaction, so a crash leaves
either both or neither. Email goes out afterwards, one claimed notification at a time.
Deadlines in working days follow the organisation's weekend days and holidays.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import EscalationPolicy, Organisation, Role, User
from casework.models import DigestRun, Escalation, Notification, StatsExport, Task
from casework.submissions import forget_old_keys
from casework.vocabularies import CaseStatus, RiskLevel, TaskStatus

# What each kind of notification says, in the recipient's language. Only the case
# reference is ever added: no names, no places.
MESSAGES = {
    "task_reminder": _("A task on case %(reference)s is due soon."),
    "task_overdue": _("A task on case %(reference)s is overdue."),
    "task_overdue_admin": _("A task on case %(reference)s is still overdue."),
    "embassy_reminder": _("An embassy request on case %(reference)s is due soon."),
    "embassy_unanswered": _("An embassy request on case %(reference)s is unanswered."),
    "embassy_unanswered_again": _("An embassy request on case %(reference)s is still unanswered."),
    "case_stale": _("Case %(reference)s has had no activity for a while."),
    "case_stale_escalated": _("Case %(reference)s has had no activity for too long."),
    "case_unassigned": _("Case %(reference)s is new and nobody is assigned."),
    "closure_pending": _("A closure request on case %(reference)s awaits a decision."),
}


def message_for(kind, reference):
    text = MESSAGES.get(kind)
    return str(text) % {"reference": reference} if text else ""


# --- Working days -------------------------------------------------------------------


class WorkingCalendar:
    """An organisation's working days: weekdays not in its weekend, not its holidays."""

    def __init__(self, weekend_days, holidays):
        self.weekend = set(weekend_days)
        self.holidays = set(holidays)

    @classmethod
    def of(cls, organisation):
        return cls(organisation.weekend_days, organisation.holidays.values_list("date", flat=True))

    def is_working(self, day):
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def _next_working(self, day):
        day += datetime.timedelta(days=1)
        for _attempt in range(366):
            if self.is_working(day):
                return day
            day += datetime.timedelta(days=1)
        raise ValueError("No working day within a year: check the weekend and holidays.")

    def _previous_working(self, day):
        day -= datetime.timedelta(days=1)
        for _attempt in range(366):
            if self.is_working(day):
                return day
            day -= datetime.timedelta(days=1)
        raise ValueError("No working day within a year: check the weekend and holidays.")

    def add(self, moment, days):
        """`days` working days after `moment`, same time of day.

        A moment on a non-working day counts from the start of the next working day.
        """
        day, time = moment.date(), moment.timetz()
        if not self.is_working(day):
            day, time = self._next_working(day), datetime.time(tzinfo=moment.tzinfo)
        for _step in range(days):
            day = self._next_working(day)
        return datetime.datetime.combine(day, time)

    def cutoff(self, now, days):
        """The latest moment whose deadline `add(moment, days)` has passed at `now`."""
        if days == 0:
            return now
        day = now.date()
        if self.is_working(day):
            time = now.timetz()
        else:
            day = self._previous_working(day)
            time = datetime.time.max.replace(tzinfo=now.tzinfo)
        for _step in range(days):
            day = self._previous_working(day)
        return datetime.datetime.combine(day, time)


# --- Claiming ------------------------------------------------------------------------


def _returning_ids(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _like_concat(*parts):
    """SQL string concatenation for both databases."""
    return " || ".join(parts)


def _english_parts(kind):
    """The English message of a kind split around the reference, for SQL concatenation."""
    with translation.override("en"):
        text = str(MESSAGES[kind])
    before, _sep, after = text.partition("%(reference)s")
    return before, after


def id_filter(column, ids):
    """`column` among `ids`: one array parameter on PostgreSQL, a list on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _notify_direct(select_sql, params, kind):
    """Insert notifications from a SELECT of (recipient_id, case_id, event_key, reference).

    The stored message is the English text (for administrators and the admin site);
    pages and emails render MESSAGES in the reader's language. Returns the ids created.
    """
    before, after = _english_parts(kind)
    sql = f"""
        INSERT INTO casework_notification
            (recipient_id, case_id, kind, message, event_key, created_at, email_status,
             email_attempts, email_error)
        SELECT due.recipient_id, due.case_id, %s, %s || due.reference || %s, due.event_key,
               %s, 'pending', 0, ''
          FROM ({select_sql}) AS due
         WHERE due.recipient_id IS NOT NULL
        ON CONFLICT (recipient_id, event_key) DO NOTHING
        RETURNING id
    """
    return _returning_ids(sql, [kind, before, after, timezone.now(), *params])


def _escalate(select_sql, params, kind, recipients_sql):
    """Claim escalations from a SELECT (case_id, event_key, reference), then notify.

    `recipients_sql` selects (recipient_id, escalation_id). One transaction: a crash
    leaves both the escalations and their notifications, or neither.
    """
    before, after = _english_parts(kind)
    with transaction.atomic():
        escalation_ids = _returning_ids(
            f"""
            INSERT INTO casework_escalation (case_id, rule, event_key, message, created_at)
            SELECT due.case_id, %s, due.event_key, %s || due.reference || %s, %s
              FROM ({select_sql}) AS due
             WHERE true
            ON CONFLICT (event_key) DO NOTHING
            RETURNING id
            """,
            [kind, before, after, timezone.now(), *params],
        )
        if not escalation_ids:
            return []
        claimed, claimed_params = id_filter("e.id", escalation_ids)
        # The recipients' subquery is limited to the claimed escalations too, so its cost
        # follows what is due now, not the whole history of escalations.
        recipients = recipients_sql.replace("{claimed}", claimed)
        repeats = recipients_sql.count("{claimed}")
        return _notify_direct(
            f"""
            SELECT r.recipient_id, e.case_id, e.event_key, c.reference
              FROM casework_escalation e
              JOIN casework_case c ON c.id = e.case_id
              JOIN ({recipients}) AS r ON r.escalation_id = e.id
             WHERE {claimed}
            """,
            claimed_params * repeats + claimed_params,
            kind,
        )


def _supervisors_of_escalated_cases(extra_roles=()):
    roles = ", ".join(f"'{r}'" for r in (Role.SUPERVISOR, *extra_roles))
    return f"""
        SELECT u.id AS recipient_id, e.id AS escalation_id
          FROM casework_escalation e
          JOIN casework_case c ON c.id = e.case_id
          JOIN accounts_user u ON u.organisation_id = c.organisation_id
         WHERE u.role IN ({roles}) AND u.is_active AND {{claimed}}
    """


def _assignee_and_supervisors_of_escalated_cases():
    return f"""
        {_supervisors_of_escalated_cases()}
        UNION
        SELECT c.assigned_to_id AS recipient_id, e.id AS escalation_id
          FROM casework_escalation e
          JOIN casework_case c ON c.id = e.case_id
          JOIN accounts_user u ON u.id = c.assigned_to_id
         WHERE u.is_active AND {{claimed}}
    """


# --- The rules ------------------------------------------------------------------------


@dataclass
class OrganisationContext:
    organisation: Organisation
    policy: EscalationPolicy
    calendar: WorkingCalendar


def organisations():
    for organisation in Organisation.objects.prefetch_related("holidays").order_by("pk"):
        policy, _created = EscalationPolicy.objects.get_or_create(organisation=organisation)
        calendar = WorkingCalendar(
            organisation.weekend_days, [h.date for h in organisation.holidays.all()]
        )
        yield OrganisationContext(organisation, policy, calendar)


OPEN_TASK = "t.status = 'open' AND c.status <> 'closed'"
UNANSWERED = "r.status IN ('sent', 'acknowledged', 'in_progress') AND c.status <> 'closed'"


def remind_due_tasks(now, org):
    """Rule 1: a reminder to the assignee some hours before a task is due."""
    horizon = now + datetime.timedelta(hours=org.policy.task_reminder_hours)
    event = _like_concat("'task:'", "CAST(t.id AS VARCHAR(20))", "':reminder'")
    return _notify_direct(
        f"""
        SELECT t.assignee_id AS recipient_id, t.case_id, {event} AS event_key, c.reference
          FROM casework_task t
          JOIN casework_case c ON c.id = t.case_id
          JOIN accounts_user u ON u.id = t.assignee_id
         WHERE c.organisation_id = %s AND {OPEN_TASK} AND u.is_active
           AND t.due_at > %s AND t.due_at <= %s
        """,
        [org.organisation.pk, now, horizon],
        "task_reminder",
    )


def escalate_overdue_tasks(now, org):
    """Rule 2: overdue tasks to supervisors, later to administrators as well."""
    created = []
    steps = [
        (1, org.policy.task_overdue_supervisor_days, "task_overdue", ()),
        (2, org.policy.task_overdue_admin_days, "task_overdue_admin", (Role.ADMINISTRATOR,)),
    ]
    for step, days, kind, extra in steps:
        cutoff = org.calendar.cutoff(now, days)
        event = _like_concat("'task:'", "CAST(t.id AS VARCHAR(20))", f"':overdue:{step}'")
        created += _escalate(
            f"""
            SELECT DISTINCT t.case_id, {event} AS event_key, c.reference
              FROM casework_task t
              JOIN casework_case c ON c.id = t.case_id
             WHERE c.organisation_id = %s AND {OPEN_TASK} AND t.due_at <= %s
            """,
            [org.organisation.pk, cutoff],
            kind,
            _supervisors_of_escalated_cases(extra),
        )
    return created


def _liaison_may_see():
    # The same conditions as casework.access for a liaison, in SQL: the country is one
    # the liaison speaks for, an active consent and approval exist for it, the person
    # holds that nationality, the case is not flagged, the access has not expired.
    return """
        u.role = 'liaison' AND u.is_active AND u.access_expires_on >= %s
        AND (',' || u.liaison_countries || ',') LIKE ('%%,' || r.country || ',%%')
        AND c.do_not_share_with_embassy = false
        AND EXISTS (SELECT 1 FROM casework_consent k
                     WHERE k.case_id = c.id AND k.scope = 'share_with_embassy'
                       AND k.status = 'given' AND k.country = r.country)
        AND EXISTS (SELECT 1 FROM casework_embassydisclosure d
                     WHERE d.case_id = c.id AND d.country = r.country
                       AND d.revoked_at IS NULL)
        AND EXISTS (SELECT 1 FROM casework_nationality n
                     WHERE n.person_id = c.person_id AND n.country = r.country)
    """


def remind_embassy_requests(now, org):
    """Rule 3a: the liaisons of the country, some working days before the answer is due."""
    horizon = org.calendar.add(now, org.policy.embassy_reminder_days)
    event = _like_concat("'embassy:'", "CAST(r.id AS VARCHAR(20))", "':reminder'")
    return _notify_direct(
        f"""
        SELECT u.id AS recipient_id, r.case_id, {event} AS event_key, c.reference
          FROM casework_embassyrequest r
          JOIN casework_case c ON c.id = r.case_id
          JOIN accounts_user u ON {_liaison_may_see()}
         WHERE c.organisation_id = %s AND {UNANSWERED} AND r.due_at > %s AND r.due_at <= %s
        """,
        [timezone.localdate(now), org.organisation.pk, now, horizon],
        "embassy_reminder",
    )


def escalate_unanswered_embassy_requests(now, org):
    """Rule 3b: unanswered at due to caseworker and supervisors; again some days later."""
    created = []
    steps = [
        (1, 0, "embassy_unanswered"),
        (2, org.policy.embassy_repeat_days, "embassy_unanswered_again"),
    ]
    for step, days, kind in steps:
        cutoff = org.calendar.cutoff(now, days)
        event = _like_concat("'embassy:'", "CAST(r.id AS VARCHAR(20))", f"':unanswered:{step}'")
        created += _escalate(
            f"""
            SELECT r.case_id, {event} AS event_key, c.reference
              FROM casework_embassyrequest r
              JOIN casework_case c ON c.id = r.case_id
             WHERE c.organisation_id = %s AND {UNANSWERED} AND r.due_at <= %s
            """,
            [org.organisation.pk, cutoff],
            kind,
            _assignee_and_supervisors_of_escalated_cases(),
        )
    return created


def _epoch(column):
    if connection.vendor == "postgresql":
        return f"CAST(CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT) AS VARCHAR(20))"
    return f"CAST(CAST(strftime('%%s', {column}) AS INTEGER) AS VARCHAR(20))"


def remind_stale_cases(now, org):
    """Rule 4: no activity for the risk level's days reminds the caseworker; twice that
    escalates to supervisors. A case that wakes up and goes quiet again starts over."""
    created = []
    for risk in RiskLevel.values:
        days = org.policy.stale_days(risk)
        # The episode is identified by the last activity it started from.
        episode = _like_concat(
            "'case:'", "CAST(c.id AS VARCHAR(20))", "':stale:'", _epoch("c.last_activity_at")
        )
        base = """
              FROM casework_case c
             WHERE c.organisation_id = %s AND c.status <> 'closed' AND c.risk = %s
               AND c.last_activity_at <= %s
        """
        created += _notify_direct(
            f"""
            SELECT c.assigned_to_id AS recipient_id, c.id AS case_id,
                   {episode} AS event_key, c.reference
              {base} AND c.assigned_to_id IS NOT NULL
            """,
            [org.organisation.pk, risk, now - datetime.timedelta(days=days)],
            "case_stale",
        )
        created += _escalate(
            f"SELECT c.id AS case_id, {episode} || ':2' AS event_key, c.reference {base}",
            [org.organisation.pk, risk, now - datetime.timedelta(days=2 * days)],
            "case_stale_escalated",
            _supervisors_of_escalated_cases(),
        )
    return created


def escalate_unassigned_cases(now, org):
    """Rule 5: a new case nobody took for a working day goes to the supervisors."""
    cutoff = org.calendar.cutoff(now, org.policy.unassigned_days)
    event = _like_concat("'case:'", "CAST(c.id AS VARCHAR(20))", "':unassigned'")
    return _escalate(
        f"""
        SELECT c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_case c
         WHERE c.organisation_id = %s AND c.status = 'new' AND c.assigned_to_id IS NULL
           AND c.created_at <= %s
        """,
        [org.organisation.pk, cutoff],
        "case_unassigned",
        _supervisors_of_escalated_cases(),
    )


def escalate_undecided_closures(now, org):
    """Rule 6: a closure request undecided for some working days, to supervisors again."""
    cutoff = org.calendar.cutoff(now, org.policy.closure_days)
    event = _like_concat(
        "'case:'", "CAST(c.id AS VARCHAR(20))", "':closure:'", _epoch("c.closure_requested_at")
    )
    return _escalate(
        f"""
        SELECT c.id AS case_id, {event} AS event_key, c.reference
          FROM casework_case c
         WHERE c.organisation_id = %s AND c.status = 'closure_requested'
           AND c.closure_requested_at <= %s
        """,
        [org.organisation.pk, cutoff],
        "closure_pending",
        _supervisors_of_escalated_cases(),
    )


RULES = [
    ("task_reminder", remind_due_tasks),
    ("task_overdue", escalate_overdue_tasks),
    ("embassy_reminder", remind_embassy_requests),
    ("embassy_unanswered", escalate_unanswered_embassy_requests),
    ("stale_case", remind_stale_cases),
    ("unassigned_case", escalate_unassigned_cases),
    ("closure_pending", escalate_undecided_closures),
]


def run_sweep(now=None, *, enqueue_email=True):
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


# --- Work the broker never delivered, or a dead worker never finished ------------------

# Left queued this long, an export or invitation was not enqueued (broker down) or its
# message was lost: the sweep enqueues it again. A second message is harmless (claimed).
REQUEUE_AFTER = datetime.timedelta(minutes=3)


def requeue_unfinished_exports(now: datetime.datetime, *, enqueue: bool = True) -> list[int]:
    """Enqueue again exports left queued, or running past their deadline (the worker
    died); give up on one interrupted too often. Returns the ids enqueued.

    Each is claimed by a conditional UPDATE on the values seen, so two sweeps at the same
    moment enqueue it once.
    """
    State = StatsExport.State
    deadline = now - datetime.timedelta(minutes=settings.EXPORT_MAX_MINUTES)
    candidates = StatsExport.objects.filter(
        Q(state=State.QUEUED, queued_at__lt=now - REQUEUE_AFTER)
        | Q(state=State.RUNNING, started_at__lt=deadline)
    ).values_list("pk", "state", "attempts", "queued_at")
    requeued = []
    for pk, state, attempts, queued_at in candidates.order_by("pk")[:500]:
        seen = StatsExport.objects.filter(pk=pk, state=state, attempts=attempts)
        if state == State.QUEUED:
            claimed = seen.filter(queued_at=queued_at).update(queued_at=now)
        elif attempts >= StatsExport.MAX_ATTEMPTS:
            seen.update(state=State.FAILED, error=StatsExport.INTERRUPTED)
            continue
        else:
            claimed = seen.update(state=State.QUEUED, queued_at=now, progress=0)
        if claimed:
            requeued.append(pk)
    if enqueue and requeued:
        from casework.tasks import build_export
        from casework.tasks import enqueue as send

        def send_all():
            for pk in requeued:
                if not send(build_export, pk):
                    return  # the broker is down: the next sweep tries again

        transaction.on_commit(send_all)
    return requeued


def requeue_pending_invitations(now: datetime.datetime, *, enqueue: bool = True) -> list[int]:
    """Enqueue again invitation emails left pending for a few minutes. Returns user ids."""
    Status = User.InvitationStatus
    pending = User.objects.filter(
        invitation_status=Status.PENDING, invitation_queued_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", "invitation_queued_at")
    requeued = [
        pk
        for pk, queued_at in pending.order_by("pk")[:500]
        if User.objects.filter(
            pk=pk, invitation_status=Status.PENDING, invitation_queued_at=queued_at
        ).update(invitation_queued_at=now)
    ]
    if enqueue and requeued:
        from casework.tasks import enqueue as send
        from casework.tasks import send_invitation

        def send_all():
            for pk in requeued:
                if not send(send_invitation, pk):
                    return

        transaction.on_commit(send_all)
    return requeued


EMAIL_BATCH = 200


def enqueue_emails(ids):
    """Hand notification ids to the email task in batches, after the commit."""
    from casework.tasks import send_notification_emails

    ids = list(ids)
    for start in range(0, len(ids), EMAIL_BATCH):
        batch = ids[start : start + EMAIL_BATCH]
        transaction.on_commit(lambda batch=batch: send_notification_emails.delay(batch))


def stuck_email_ids(now, older_than=datetime.timedelta(minutes=15), limit=2000):
    """Pending emails whose task was lost (a crash between commit and enqueue)."""
    return list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING, created_at__lt=now - older_than
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Email ------------------------------------------------------------------------------


class EmailFailed(Exception):
    """A transient failure to send; the task retries it."""


def deliver_notification_email(notification_id, *, final_attempt):
    """Send one notification's email if it is still pending. Claimed: never sent twice.

    Returns "sent", "skipped" or "failed"; raises EmailFailed to ask for a retry.
    """
    Status = Notification.EmailStatus
    claimed = Notification.objects.filter(pk=notification_id, email_status=Status.PENDING).update(
        email_status=Status.SENDING, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient", "case").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        Notification.objects.filter(pk=notification_id).update(email_status=Status.NOT_SENT)
        return "skipped"
    try:
        _send(notification)
    except Exception as exc:  # noqa: BLE001 - any backend error is retried, then recorded
        error = f"{type(exc).__name__}: {exc}"[:300]
        status = Status.FAILED if final_attempt else Status.PENDING
        Notification.objects.filter(pk=notification_id).update(
            email_status=status, email_error=error
        )
        if final_attempt:
            return "failed"
        raise EmailFailed(error) from exc
    Notification.objects.filter(pk=notification_id).update(
        email_status=Status.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return "sent"


def _send(notification):
    recipient = notification.recipient
    reference = notification.case.reference if notification.case else ""
    link = settings.SITE_URL + (
        reverse("case-detail", args=[reference]) if reference else reverse("notifications")
    )
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "message": message_for(notification.kind, reference) or notification.message,
            "reference": reference,
            "link": link,
            "user": recipient,
        }
        subject = render_to_string("casework/email/notification_subject.txt", context).strip()
        text = render_to_string("casework/email/notification.txt", context)
        html = render_to_string("casework/email/notification.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    email.attach_alternative(html, "text/html")
    email.send()


# --- Daily digest -------------------------------------------------------------------


def claim_digests(day):
    """Rule 8: claim today's digest for every staff user who wants one; return user ids."""
    roles = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    placeholders = ", ".join(["%s"] * len(roles))
    return _returning_ids(
        f"""
        INSERT INTO casework_digestrun (user_id, day, created_at)
        SELECT u.id, %s, %s FROM accounts_user u
         WHERE u.is_active AND u.daily_digest AND u.email <> ''
           AND u.role IN ({placeholders})
        ON CONFLICT (user_id, day) DO NOTHING
        RETURNING user_id
        """,
        [day, timezone.now(), *roles],
    )


def digest_for(user, now):
    """What is due and overdue for one user: case references and counts only."""
    from casework import access

    cases = access.cases_visible_to(user)
    end_of_day = datetime.datetime.combine(
        timezone.localdate(now) + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    tasks = Task.objects.filter(case__in=cases, status=TaskStatus.OPEN, assignee=user)
    overdue = tasks.filter(due_at__lt=now)
    due_today = tasks.filter(due_at__gte=now, due_at__lt=end_of_day)
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


def send_digest(user_id, day):
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
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**content, "user": user, "link": settings.SITE_URL + reverse("home")}
        subject = render_to_string("casework/email/digest_subject.txt", context).strip()
        text = render_to_string("casework/email/digest.txt", context)
        html = render_to_string("casework/email/digest.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    email.attach_alternative(html, "text/html")
    email.send()
    DigestRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    return "sent"
