"""What people see of reminders and escalations, and what administrators configure."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import EscalationPolicy, Holiday, Role
from casework import workflows
from casework.models import DigestRun, Escalation, Notification, Task
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db
FRIDAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def escalated():
    supervisor = UserFactory(role=Role.SUPERVISOR, language="uk")
    worker = UserFactory(role=Role.CASEWORKER, organisation=supervisor.organisation)
    case = CaseFactory(
        person=PersonFactory(organisation=supervisor.organisation), assigned_to=worker
    )
    Task.objects.create(
        case=case,
        title="x",
        kind="other",
        assignee=worker,
        due_at=FRIDAY - datetime.timedelta(days=10),
    )
    workflows.run_sweep(FRIDAY)
    return supervisor, worker, case


def test_escalation_shows_on_the_timeline_and_in_the_queue_until_acknowledged(escalated):
    supervisor, _worker, case = escalated
    escalation = Escalation.objects.get(rule="task_overdue")
    client = signed_in(supervisor)
    assert case.reference in client.get(reverse("queue")).content.decode()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "escalation-list" in page
    client.post(
        reverse("escalation-acknowledge", args=[case.reference, escalation.pk]),
        {"next": "queue"},
    )
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == supervisor
    queue = client.get(reverse("queue")).context["escalations"]
    assert escalation not in list(queue)


def test_notification_text_is_in_the_readers_language(escalated):
    supervisor, _worker, case = escalated
    page = signed_in(supervisor).get(reverse("notifications")).content.decode()
    notification = Notification.objects.filter(recipient=supervisor).first()
    assert case.reference in page
    assert notification.message.startswith("A task on case")  # stored in English
    from django.utils import translation

    # Rendered from the catalogue of the reader's language, not the stored English.
    with translation.override("fr"):
        expected = translation.gettext("A task on case %(reference)s is overdue.") % {
            "reference": case.reference
        }
        assert notification.display_message == expected


def test_administrator_edits_thresholds_weekend_and_holidays():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client = signed_in(admin)
    assert client.get(reverse("escalation-policy")).status_code == 200
    data = {
        "task_reminder_hours": 48,
        "task_overdue_supervisor_days": 2,
        "task_overdue_admin_days": 4,
        "embassy_reminder_days": 2,
        "embassy_repeat_days": 5,
        "stale_critical_days": 3,
        "stale_high_days": 7,
        "stale_medium_days": 14,
        "stale_low_days": 30,
        "unassigned_days": 1,
        "closure_days": 5,
        "inquiry_stale_days": 14,
        "inquiry_unanswered_days": 3,
        "custody_family_days": 7,
        "custody_icrc_visit_days": 60,
        "hearing_reminder_days": 3,
        "follow_up_days": 0,
        "return_list_silent_days": 30,
        "weekend_days": ["5", "6"],
        "holidays": "2026-12-25 Christmas\n2027-01-01",
    }
    response = client.post(reverse("escalation-policy"), data)
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(organisation=admin.organisation)
    assert policy.task_reminder_hours == 48 and policy.task_overdue_supervisor_days == 2
    admin.organisation.refresh_from_db()
    assert admin.organisation.weekend_days == [5, 6]
    assert set(Holiday.objects.values_list("date", flat=True)) == {
        datetime.date(2026, 12, 25),
        datetime.date(2027, 1, 1),
    }
    # A bad line is reported with its number; nothing typed is lost.
    data["holidays"] = "2026-12-25 Christmas\nnext tuesday"
    response = client.post(reverse("escalation-policy"), data)
    assert response.status_code == 200
    assert "Line 2" in response.content.decode() and "next tuesday" in response.content.decode()
    assert (
        signed_in(UserFactory(role=Role.SUPERVISOR)).get(reverse("escalation-policy")).status_code
        == 404
    )


def test_failed_emails_are_shown_to_administrators(escalated, settings):
    supervisor, _worker, _case = escalated
    settings.MAILERS = {"default": {"BACKEND": "tests.failing_email.EmailBackend"}}
    notification = Notification.objects.filter(recipient=supervisor).first()
    workflows.deliver_notification_email(notification.pk, final_attempt=True)
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=supervisor.organisation)
    page = signed_in(admin).get(reverse("email-failures")).content.decode()
    assert supervisor.username in page and "SMTP" in page
    other_admin = UserFactory(role=Role.ADMINISTRATOR)
    assert (
        supervisor.username
        not in signed_in(other_admin).get(reverse("email-failures")).content.decode()
    )


def test_daily_digest_is_claimed_once_and_honours_the_opt_out(escalated):
    supervisor, worker, _case = escalated
    worker.email, supervisor.email = "w@example.org", "s@example.org"
    worker.save()
    supervisor.save()
    signed_in(worker).post(reverse("preferences"), {})  # unticked: opts out
    worker.refresh_from_db()
    assert worker.daily_digest is False
    day = datetime.date(2026, 11, 27)
    with time_machine.travel(FRIDAY, tick=False):
        claimed = workflows.claim_digests(day)
        assert workflows.claim_digests(day) == []  # claimed once
        assert supervisor.pk in claimed and worker.pk not in claimed
        assert workflows.send_digest(supervisor.pk, day) == "sent"
        assert workflows.send_digest(supervisor.pk, day) == "skipped"
    assert len(mail.outbox) == 1
    assert DigestRun.objects.get(user=supervisor).sent_at is not None


def test_daily_digest_is_one_text_and_html_email_to_the_user(escalated):
    supervisor, _worker, case = escalated
    supervisor.email = "s@example.org"
    supervisor.save()
    day = datetime.date(2026, 11, 27)
    with time_machine.travel(FRIDAY, tick=False):
        workflows.claim_digests(day)
        assert workflows.send_digest(supervisor.pk, day) == "sent"
    (email,) = mail.outbox
    assert email.to == ["s@example.org"] and email.subject and "\n" not in email.subject
    assert email.alternatives and email.alternatives[0][1] == "text/html"
    assert case.person.family_name not in email.body + email.alternatives[0][0]
