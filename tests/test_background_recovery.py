"""Background work survives a crashed worker and an unreachable broker.

A statistics export whose worker died is re-enqueued by the sweep and finishes once; an
export or an invitation that could not be enqueued is kept, the user is told, and the
sweep enqueues it later; `ping_worker` works without a result backend. Real Redis, real
Celery workers (subprocesses on the test database), each test on a queue of its own.
"""

import contextlib
import datetime
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from casework import tasks, workflows
from casework.audit import AuditEvent
from casework.celery import app as celery_app
from casework.stats import exports
from casework.stats.models import StatsExport
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import run_threads
from tests.helpers import signed_in_client as signed_in

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@contextlib.contextmanager
def broker_unreachable():
    """Point the app's producer at a port where nothing listens, failing at once."""
    conf = celery_app.conf
    saved = {
        name: conf.get(name)
        for name in (
            "broker_write_url",
            "broker_connection_retry",
            "broker_connection_max_retries",
            "task_publish_retry_policy",
        )
    }

    def forget_connections():
        # The app caches its connection and producer pools for the broker URL it saw first.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    # Producers use the write URL; CELERY_BROKER_URL in the environment would win over
    # broker_url itself.
    conf.broker_write_url = UNREACHABLE_BROKER
    conf.broker_connection_retry = False
    conf.broker_connection_max_retries = 0
    conf.task_publish_retry_policy = {"max_retries": 0}
    forget_connections()
    try:
        yield
    finally:
        for name, value in saved.items():
            conf[name] = value
        forget_connections()


# The worker of these tests has no result backend (the documented production setup) and
# is started by each test once it has enqueued what it needs.
pytestmark = pytest.mark.celery_worker(
    queue_prefix="test-recovery", env={"CELERY_RESULT_BACKEND": ""}, start=False
)


@pytest.fixture
def worker(transactional_db, celery_worker, monkeypatch):
    """A worker on a queue of this test's own; exports and invitations are sent there.

    An explicit queue among a task's options wins over CELERY_TASK_ROUTES; the task caches
    its options, so the cache is cleared too (both undone afterwards). The worker stops
    before transactional_db empties the tables it may still be using.
    """
    for name in ("casework.tasks.build_export", "casework.tasks.send_invitation"):
        task = celery_app.tasks[name]
        monkeypatch.setattr(task, "queue", celery_worker.queue, raising=False)
        monkeypatch.setattr(task, "_exec_options", None)
    return celery_worker


def data_officer():
    return UserFactory(role=Role.DATA_OFFICER, organisation=OrganisationFactory())


def export_of(user, **fields):
    return StatsExport.objects.create(
        organisation=user.organisation,
        requested_by=user,
        format=StatsExport.Format.JSON,
        parameters=exports.export_parameters(tables=[("sex",)], k=11, rounding=False),
        **fields,
    )


def export_events(export):
    return AuditEvent.objects.filter(action="export", object_id=str(export.pk)).count()


# --- A worker killed in the middle of an export ----------------------------------------


def test_an_export_stuck_past_its_deadline_is_requeued_once_and_a_worker_builds_it_once(worker):
    user = data_officer()
    crashed_at = timezone.now() - datetime.timedelta(minutes=settings.EXPORT_MAX_MINUTES + 1)
    with time_machine.travel(crashed_at, tick=False):
        # What a worker killed mid-build leaves: running, claimed by its first attempt.
        export = export_of(user)
        assert export.claim_build() == 1
    now = timezone.now()
    requeued = []
    errors = run_threads(2, lambda n: requeued.append(tasks.requeue_unfinished_exports(now)))
    assert not errors
    assert sorted(requeued) == [[], [export.pk]]
    assert worker.waiting() == 1  # enqueued once, however many sweeps ran
    export.refresh_from_db()
    assert export.state == StatsExport.State.QUEUED and export.interrupted

    worker.start()
    worker.wait_for(
        "the export built",
        lambda: StatsExport.objects.filter(pk=export.pk, state=StatsExport.State.DONE).exists(),
    )
    export.refresh_from_db()
    assert export.attempts == 2 and export.sha256 and export.file
    assert export_events(export) == 1
    # A late second delivery of the same task (Redis's visibility timeout) does nothing.
    assert exports.build_export(export.pk) == "skipped"
    assert export_events(export) == 1


@pytest.mark.django_db
def test_a_build_overtaken_by_its_retry_does_not_finish_the_export_again():
    user = data_officer()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1), tick=False):
        export = export_of(user)
        first_attempt = export.claim_build()
    with_capture = workflows.requeue_unfinished_exports(timezone.now())
    assert with_capture == [export.pk]
    assert exports.build_export(export.pk) == "done"
    export.refresh_from_db()
    finished = (export.sha256, export.file.name, export.finished_at)
    # The first attempt was only slow, not dead: it comes back and must change nothing.
    assert exports.build_claimed(export.pk, first_attempt) == "superseded"
    export.refresh_from_db()
    assert (export.sha256, export.file.name, export.finished_at) == finished
    assert export_events(export) == 1


@pytest.mark.django_db
def test_an_export_interrupted_too_often_fails_with_a_reason():
    user = data_officer()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1), tick=False):
        export = export_of(user, attempts=StatsExport.MAX_ATTEMPTS - 1)
        export.claim_build()
    assert workflows.requeue_unfinished_exports(timezone.now()) == []
    export.refresh_from_db()
    assert export.state == StatsExport.State.FAILED
    page = signed_in(user).get(reverse("stats-export", args=[export.pk])).content.decode()
    assert "interrupted too often" in page


@pytest.mark.django_db
def test_export_page_shows_an_interrupted_export_as_retrying():
    user = data_officer()
    client = signed_in(user)
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1), tick=False):
        stalled = export_of(user)
        stalled.claim_build()
    page = client.get(reverse("stats-export", args=[stalled.pk])).content.decode()
    assert "Interrupted" in page and "retried" in page
    workflows.requeue_unfinished_exports(timezone.now())
    page = client.get(reverse("stats-export", args=[stalled.pk]), HTTP_HX_REQUEST="true")
    assert "Interrupted; retrying" in page.content.decode()
    assert b'hx-trigger="every 1s"' in page.content


# --- The broker unreachable ------------------------------------------------------------


def test_starting_an_export_with_the_broker_down_keeps_it_and_the_sweep_has_it_built(worker):
    user = data_officer()
    client = signed_in(user)
    with broker_unreachable():
        response = client.post(reverse("stats-export-create"), {"format": "csv"})
    export = StatsExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("stats-export", args=[export.pk])
    assert export.state == StatsExport.State.QUEUED
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("shortly" in m for m in told), told
    assert worker.waiting() == 0

    # A sweep soon after leaves it alone; a few minutes later it is enqueued again.
    assert tasks.requeue_unfinished_exports(timezone.now()) == []
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert tasks.requeue_unfinished_exports(later) == [export.pk]
    assert worker.waiting() == 1
    worker.start()
    worker.wait_for(
        "the export built",
        lambda: StatsExport.objects.filter(pk=export.pk, state=StatsExport.State.DONE).exists(),
    )
    assert export_events(export) == 1


INVITEE = {
    "username": "newbie",
    "first_name": "New",
    "last_name": "Worker",
    "email": "newbie@example.org",
    "role": "caseworker",
}


def test_inviting_with_the_broker_down_keeps_the_account_and_the_sweep_sends_it(worker):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    with broker_unreachable():
        response = signed_in(admin).post(reverse("team-invite"), INVITEE, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "shortly" in page and "Invitation sent." not in page
    newbie = User.objects.get(username="newbie")
    assert newbie.invitation_status == User.InvitationStatus.PENDING
    assert worker.waiting() == 0

    later = timezone.now() + datetime.timedelta(minutes=10)
    assert tasks.requeue_pending_invitations(later) == [newbie.pk]
    assert tasks.requeue_pending_invitations(later) == []  # claimed: enqueued once
    assert worker.waiting() == 1
    worker.start()
    worker.wait_for(
        "the invitation sent",
        lambda: User.objects.filter(
            pk=newbie.pk, invitation_status=User.InvitationStatus.SENT
        ).exists(),
    )
    sent = worker.emails()
    assert [m["To"] for m in sent] == ["newbie@example.org"]
    assert "/accounts/password-reset/" in sent[0].get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_pending_invitation_is_sent_once_however_often_it_is_delivered(mailoutbox):
    from casework.tasks import send_invitation

    admin = UserFactory(role=Role.ADMINISTRATOR)
    newbie = UserFactory(role=Role.CASEWORKER, organisation=admin.organisation)
    newbie.set_unusable_password()
    newbie.invitation_status = User.InvitationStatus.PENDING
    newbie.save()
    send_invitation.apply(args=[newbie.pk])
    send_invitation.apply(args=[newbie.pk])
    assert len(mailoutbox) == 1
    newbie.refresh_from_db()
    assert newbie.invitation_status == User.InvitationStatus.SENT


# --- ping_worker without a result backend ----------------------------------------------


def ping_worker(worker, timeout):
    return subprocess.run(
        [sys.executable, "manage.py", "ping_worker", "--timeout", str(timeout)],
        cwd=ROOT,
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=timeout + 60,
    )


def test_ping_worker_gets_an_answer_without_a_result_backend(worker):
    assert worker.env["CELERY_RESULT_BACKEND"] == ""  # the documented production setup
    worker.start()
    done = ping_worker(worker, 60)
    assert done.returncode == 0, done.stdout + done.stderr + worker.log()
    assert "worker answered" in done.stdout


def test_ping_worker_fails_clearly_when_no_worker_answers(worker):
    done = ping_worker(worker, 2)
    assert done.returncode != 0
    assert "No answer from a worker within 2" in done.stderr


# --- Redis gives back what a dead worker held --------------------------------------------


def test_redis_gives_back_a_dead_workers_task_after_the_longest_task_not_an_hour():
    timeout = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.BROKER_VISIBILITY_TIMEOUT_SECONDS < 3600
    # Longer than any task runs or waits for its retry, or it would be delivered twice.
    assert timeout > settings.EXPORT_MAX_MINUTES * 60
