"""The sweep end to end: a real Celery beat and a real Celery worker on Redis.

No test code calls a rule. The test commits an overdue task to the test database,
points the sweep's PeriodicTask at an interval of 2 seconds, and starts `celery beat`
(django-celery-beat's DatabaseScheduler) and `celery worker` as subprocesses on the
same test database. Beat sends the sweep, the worker runs it, the sweep claims the
escalation and enqueues the email task, and the worker sends the email through the
file backend into the test's temporary folder, or, with a backend that always fails,
retries with backoff and then records the failure.

Each run has its own queue (CELERY_TASK_DEFAULT_QUEUE) on the test Redis, so workers of
other test runs sharing that Redis never take its messages.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import Role
from casework.models import Notification, Task
from casework.tasks import EMAIL_RETRIES
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.workers import FILE_BACKEND, celery_worker

SWEEP = "Homeward sweep: reminders and escalations"
EVERY_SECONDS = 2
FAILING_BACKEND = "tests.failing_email.EmailBackend"

pytestmark = pytest.mark.django_db(transaction=True)


def schedule_sweep_every_few_seconds():
    """The sweep every EVERY_SECONDS; every other periodic task (the digest) disabled.

    The PeriodicTask rows come from migration 0005, but an earlier transactional test
    may have flushed them, so the sweep's row is created if missing.
    """
    every, _created = IntervalSchedule.objects.get_or_create(
        every=EVERY_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.exclude(name=SWEEP).update(enabled=False)
    PeriodicTask.objects.update_or_create(
        name=SWEEP,
        defaults={
            "task": "casework.tasks.sweep",
            "interval": every,
            "crontab": None,
            "enabled": True,
            "one_off": False,
            "start_time": None,
            "last_run_at": None,
            "queue": None,
        },
    )


def overdue_task_world():
    """An organisation, a supervisor, a caseworker, a case, a task due ten days ago."""
    organisation = OrganisationFactory(weekend_days=[6, 7])
    supervisor = UserFactory(
        role=Role.SUPERVISOR, organisation=organisation, email="supervisor@example.org"
    )
    caseworker = UserFactory(
        role=Role.CASEWORKER, organisation=organisation, email="caseworker@example.org"
    )
    case = CaseFactory(
        person=PersonFactory(organisation=organisation),
        assigned_to=caseworker,
        status="active",
        risk="low",
        last_activity_at=timezone.now(),
    )
    Task.objects.create(
        case=case,
        title="Call the family",
        kind="follow_up",
        due_at=timezone.now() - datetime.timedelta(days=10),
        assignee=caseworker,
    )
    return supervisor, case


def sweep_services(folder, email_backend):
    """A Celery worker and a Celery beat, both on the test database and a fresh queue."""
    return celery_worker(
        folder,
        queue_prefix="test-workflow",
        env={
            "CELERY_RESULT_BACKEND": settings.CELERY_BROKER_URL,
            "EMAIL_BACKEND": email_backend,
            "EMAIL_RETRY_BASE_SECONDS": "1",
        },
        beat=True,
    )


def text_of(message):
    parts = [message["Subject"] or ""]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_beat_and_worker_turn_an_overdue_task_into_a_notification_and_an_email(tmp_path):
    supervisor, case = overdue_task_world()
    schedule_sweep_every_few_seconds()

    def overdue_notification_sent():
        return Notification.objects.filter(
            recipient=supervisor, kind="task_overdue", email_status="sent"
        ).first()

    def email_about_the_case():
        return [m for m in services.emails() if case.reference in text_of(m)]

    with sweep_services(tmp_path, FILE_BACKEND) as services:
        notification = services.wait_for("task_overdue email sent", overdue_notification_sent)
        messages = services.wait_for("email file naming the case", email_about_the_case)
        # Both escalation steps have passed (10 days > 1 and > 3 working days); wait until
        # every notification of the supervisor is sent, then for two more sweeps.
        services.wait_for(
            "every notification sent",
            lambda: (
                not Notification.objects.filter(recipient=supervisor)
                .exclude(email_status="sent")
                .exists()
            ),
        )
        sweeps = services.sweeps_done()
        services.wait_for("two more sweeps", lambda: services.sweeps_done() >= sweeps + 2)

    assert notification.case_id == case.pk
    assert notification.email_attempts == 1
    assert notification.email_error == ""
    assert notification.email_sent_at is not None
    assert any(m["To"] == "supervisor@example.org" for m in messages)
    # Exactly once, however many sweeps ran: one notification per step, one email each.
    kinds = sorted(Notification.objects.filter(recipient=supervisor).values_list("kind", flat=True))
    assert kinds == ["task_overdue", "task_overdue_admin"]
    assert len(services.emails()) == len(kinds)
    # The caseworker was not told: the escalation goes to supervisors.
    assert not Notification.objects.exclude(recipient=supervisor).exists()


def test_a_failing_email_backend_is_retried_with_backoff_then_recorded_as_failed(tmp_path):
    supervisor, case = overdue_task_world()
    schedule_sweep_every_few_seconds()

    def overdue_notification_failed():
        return Notification.objects.filter(
            recipient=supervisor, kind="task_overdue", email_status="failed"
        ).first()

    with sweep_services(tmp_path, FAILING_BACKEND) as services:
        notification = services.wait_for("task_overdue email failed", overdue_notification_failed)
        failed_at = timezone.now()

    attempts = 1 + EMAIL_RETRIES
    assert notification.email_attempts == attempts == 5
    assert "SMTPServerDisconnected" in notification.email_error
    assert "SMTP server unreachable" in notification.email_error
    assert notification.email_sent_at is None
    # Backoff: 1 + 2 + 4 + 8 seconds between the five attempts (base 1 s).
    backoff = sum(2**retry for retry in range(EMAIL_RETRIES))
    assert (failed_at - notification.created_at).total_seconds() >= backoff - 1
    assert services.emails() == []
