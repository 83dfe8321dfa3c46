"""Reminder and escalation rules: thresholds, working days, exactly once."""

import datetime
import io
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from accounts.models import EscalationPolicy, Holiday, Role
from casework import workflows
from casework.models import (
    Consent,
    EmbassyDisclosure,
    EmbassyRequest,
    Escalation,
    Notification,
    Task,
)
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import run_threads

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 2026-11-27 is a Friday.
FRIDAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
SATURDAY = FRIDAY + datetime.timedelta(days=1)
MONDAY = FRIDAY + datetime.timedelta(days=3)


def at(moment, days=0, hours=0, minutes=0):
    return moment + datetime.timedelta(days=days, hours=hours, minutes=minutes)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        counts, _ids = workflows.run_sweep(moment)
    return counts


class World:
    def __init__(self):
        self.org = OrganisationFactory(weekend_days=[6, 7])
        self.caseworker = UserFactory(
            role=Role.CASEWORKER, organisation=self.org, email="cw@example.org"
        )
        self.supervisors = [
            UserFactory(role=Role.SUPERVISOR, organisation=self.org) for _ in range(2)
        ]
        self.admin = UserFactory(role=Role.ADMINISTRATOR, organisation=self.org)
        # Someone of another organisation must never hear of these cases.
        self.stranger = UserFactory(role=Role.SUPERVISOR)
        self.case = CaseFactory(
            person=PersonFactory(organisation=self.org, nationalities=["KE"]),
            assigned_to=self.caseworker,
            status="active",
            risk="medium",
            last_activity_at=FRIDAY,
        )

    def task(self, due):
        return Task.objects.create(
            case=self.case, title="Call", kind="follow_up", due_at=due, assignee=self.caseworker
        )


@pytest.fixture
def world():
    return World()


def notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# Working days.


def test_working_calendar_skips_weekends_and_holidays():
    calendar = workflows.WorkingCalendar([6, 7], [datetime.date(2026, 11, 30)])  # Monday off
    assert calendar.add(FRIDAY, 1) == at(FRIDAY, days=4)  # Tuesday 10:00
    # Due on a Saturday: counted from the start of the next working day.
    assert calendar.add(SATURDAY, 1) == datetime.datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    # The cutoff is the inverse: what is due by then has passed its deadline now.
    for now in [at(FRIDAY, days=d, hours=h) for d in range(0, 10) for h in (0, 5, 13)]:
        for days in (1, 3):
            cutoff = calendar.cutoff(now, days)
            assert calendar.add(cutoff, days) <= now
            assert calendar.add(cutoff + datetime.timedelta(minutes=1), days) > now


# Rule 1.


def test_task_reminder_24h_before_due_once(world):
    world.task(at(FRIDAY, days=3))  # Monday 10:00
    assert sweep(at(FRIDAY, days=1, hours=23))["task_reminder"] == 0  # 48 h before
    assert sweep(at(FRIDAY, days=2, hours=11))["task_reminder"] == 1  # 23 h before
    assert notified("task_reminder") == [world.caseworker.pk]
    assert sweep(at(FRIDAY, days=2, hours=12))["task_reminder"] == 0


# Rule 2.


def test_task_due_friday_is_not_escalated_on_the_weekend(world):
    world.task(FRIDAY)
    assert sweep(SATURDAY)["task_overdue"] == 0
    assert sweep(at(SATURDAY, days=1, hours=12))["task_overdue"] == 0
    assert sweep(at(MONDAY, minutes=-1))["task_overdue"] == 0
    assert sweep(MONDAY)["task_overdue"] == 2  # one per supervisor
    assert notified("task_overdue") == sorted(s.pk for s in world.supervisors)
    assert Escalation.objects.get().rule == "task_overdue"
    assert sweep(at(MONDAY, hours=1))["task_overdue"] == 0
    # Due + 3 working days: Wednesday 10:00, administrators too.
    assert sweep(at(MONDAY, days=2, minutes=-1))["task_overdue"] == 0
    assert sweep(at(MONDAY, days=2))["task_overdue"] == 3
    assert notified("task_overdue_admin") == sorted(
        [*[s.pk for s in world.supervisors], world.admin.pk]
    )
    assert not Notification.objects.filter(recipient=world.stranger).exists()


def test_holiday_delays_the_escalation(world):
    Holiday.objects.create(organisation=world.org, date=MONDAY.date())
    world.task(FRIDAY)
    assert sweep(MONDAY)["task_overdue"] == 0
    assert sweep(at(MONDAY, days=1))["task_overdue"] == 2


def test_done_task_is_not_escalated(world):
    task = world.task(FRIDAY)
    Task.objects.filter(pk=task.pk).update(status="done", completed_at=FRIDAY)
    assert sweep(at(MONDAY, days=5))["task_overdue"] == 0


def test_thresholds_follow_the_organisations_policy(world):
    EscalationPolicy.objects.create(organisation=world.org, task_overdue_supervisor_days=2)
    world.task(FRIDAY)
    assert sweep(MONDAY)["task_overdue"] == 0
    assert sweep(at(MONDAY, days=1))["task_overdue"] == 2


# Rule 3.


@pytest.fixture
def embassy_request(world):
    Consent.objects.create(
        case=world.case,
        scope="share_with_embassy",
        country="KE",
        method="written",
        recorded_by=world.caseworker,
    )
    EmbassyDisclosure.objects.create(
        case=world.case, country="KE", approved_by=world.supervisors[0]
    )
    return EmbassyRequest.objects.create(
        case=world.case,
        country="KE",
        kind="travel_document",
        message="x",
        due_at=at(MONDAY, days=2),  # Wednesday 10:00
    )


def test_embassy_reminder_goes_to_the_liaisons_who_may_see_the_case(world, embassy_request):
    kenya = LiaisonFactory(liaison_countries="KE")
    LiaisonFactory(liaison_countries="IN")
    LiaisonFactory(liaison_countries="KE", access_expires_on=datetime.date(2026, 1, 1))
    assert sweep(at(FRIDAY, hours=1))["embassy_reminder"] == 0  # 3 working days before
    assert sweep(at(MONDAY, hours=1))["embassy_reminder"] == 1  # within 2 working days
    assert notified("embassy_reminder") == [kenya.pk]
    assert sweep(at(MONDAY, hours=2))["embassy_reminder"] == 0


def test_no_embassy_reminder_without_disclosure(world, embassy_request):
    LiaisonFactory(liaison_countries="KE")
    EmbassyDisclosure.objects.update(revoked_at=FRIDAY, revoked_by=world.supervisors[0])
    assert sweep(at(MONDAY, hours=1))["embassy_reminder"] == 0


def test_unanswered_embassy_request_escalates_at_due_and_five_working_days_later(
    world, embassy_request
):
    due = embassy_request.due_at
    assert sweep(at(due, minutes=-1))["embassy_unanswered"] == 0
    assert sweep(due)["embassy_unanswered"] == 3  # caseworker and two supervisors
    assert sorted(notified("embassy_unanswered")) == sorted(
        [world.caseworker.pk, *[s.pk for s in world.supervisors]]
    )
    assert sweep(at(due, days=6, minutes=-1))["embassy_unanswered"] == 0  # Tuesday: 4 wd
    assert sweep(at(due, days=7))["embassy_unanswered"] == 3  # next Wednesday: 5 wd
    embassy_request.status = "fulfilled"
    embassy_request.save()
    assert sweep(at(due, days=20))["embassy_unanswered"] == 0


# Rule 4.


def test_stale_case_reminds_then_escalates_and_starts_over_after_activity(world):
    # Medium risk: 14 days reminds the caseworker, 28 escalates to supervisors.
    assert sweep(at(FRIDAY, days=13))["stale_case"] == 0
    assert sweep(at(FRIDAY, days=14))["stale_case"] == 1
    assert notified("case_stale") == [world.caseworker.pk]
    assert sweep(at(FRIDAY, days=20))["stale_case"] == 0
    assert sweep(at(FRIDAY, days=28))["stale_case"] == 2
    # Activity, then quiet again: a new episode.
    world.case.__class__.objects.filter(pk=world.case.pk).update(
        last_activity_at=at(FRIDAY, days=30)
    )
    assert sweep(at(FRIDAY, days=44))["stale_case"] == 1


def test_stale_thresholds_depend_on_risk(world):
    world.case.__class__.objects.filter(pk=world.case.pk).update(risk="critical")
    assert sweep(at(FRIDAY, days=2))["stale_case"] == 0
    assert sweep(at(FRIDAY, days=3))["stale_case"] == 1


# Rules 5 and 6.


def test_unassigned_new_case_goes_to_supervisors_after_a_working_day(world):
    CaseFactory(person=PersonFactory(organisation=world.org), status="new", created_at=FRIDAY)
    assert sweep(SATURDAY)["unassigned_case"] == 0
    assert sweep(MONDAY)["unassigned_case"] == 2
    assert sweep(at(MONDAY, days=3))["unassigned_case"] == 0


def test_undecided_closure_request_goes_to_supervisors_again(world):
    world.case.__class__.objects.filter(pk=world.case.pk).update(
        status="closure_requested", closure_reason="returned_home", closure_requested_at=FRIDAY
    )
    assert sweep(at(MONDAY, days=3))["closure_pending"] == 0  # Thursday: 4 wd
    assert sweep(at(MONDAY, days=4))["closure_pending"] == 2  # Friday: 5 wd


# Exactly once.


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_notify_once(settings):
    world = World()
    for i in range(30):
        world.task(at(FRIDAY, minutes=-i))
    results = []
    errors = run_threads(2, lambda n: results.append(workflows.run_sweep(at(MONDAY, days=3))[0]))
    assert not errors
    # 30 tasks, 2 steps, 2 supervisors (+1 administrator at step 2): 30 * (2 + 3).
    assert sum(r["task_overdue"] for r in results) == 150
    assert Notification.objects.filter(kind__startswith="task_overdue").count() == 150
    assert Escalation.objects.count() == 60


def test_a_sweep_interrupted_midway_is_completed_by_the_next(world, monkeypatch):
    for i in range(5):
        world.task(at(FRIDAY, minutes=-i))
    CaseFactory(person=PersonFactory(organisation=world.org), status="new", created_at=FRIDAY)
    original = workflows.escalate_unassigned_cases

    def crash(now, org):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(
        workflows.sweep,  # the module run_sweep reads its rules from
        "RULES",
        [(name, crash if rule is original else rule) for name, rule in workflows.RULES],
    )
    with pytest.raises(RuntimeError):
        sweep(MONDAY)
    done_before = Notification.objects.count()
    assert done_before == 10  # the overdue tasks were notified before the crash
    monkeypatch.undo()
    counts = sweep(MONDAY)
    assert counts["task_overdue"] == 0 and counts["unassigned_case"] == 2
    assert Notification.objects.count() == done_before + 2


def test_sweep_command_prints_counts_as_json(world):
    world.task(FRIDAY)
    out = io.StringIO()
    call_command("sweep", "--at", MONDAY.isoformat(), "--json", "--no-email", stdout=out)
    counts = json.loads(out.getvalue())
    assert set(counts) == {name for name, _rule in workflows.RULES}
    assert counts["task_overdue"] == 2
    out = io.StringIO()
    call_command("sweep", "--at", MONDAY.isoformat(), "--no-email", stdout=out)
    assert "task_overdue" in out.getvalue() and "0 notifications" in out.getvalue()


def test_query_count_does_not_grow_with_due_items(world):
    from django.test.utils import CaptureQueriesContext

    moment = at(MONDAY, days=3)

    def count_for(n):
        Notification.objects.all().delete()
        Escalation.objects.all().delete()
        Task.objects.all().delete()
        for i in range(n):
            world.task(at(FRIDAY, minutes=-i))
        with CaptureQueriesContext(connection) as queries:
            counts = sweep(moment)
        assert counts["task_overdue"] == n * 5
        return len(queries)

    sweep(FRIDAY)  # the first sweep creates each organisation's default policy
    assert count_for(3) == count_for(60)


# Email.


def test_email_in_the_recipients_language_with_no_personal_data(world):
    world.caseworker.language = "fr"
    world.caseworker.save()
    world.task(at(FRIDAY, hours=5))
    sweep(FRIDAY)
    notification = Notification.objects.get(kind="task_reminder")
    assert workflows.deliver_notification_email(notification.pk, final_attempt=False) == "sent"
    email = mail.outbox[-1]
    assert world.case.reference in email.body
    person = world.case.person
    for private in (person.given_name, person.family_name):
        assert private not in email.body and private not in email.subject
    assert email.alternatives and email.alternatives[0][1] == "text/html"
    notification.refresh_from_db()
    assert notification.email_status == "sent"
    # Claimed: a second delivery of the same id sends nothing.
    assert workflows.deliver_notification_email(notification.pk, final_attempt=False) == "skipped"
    assert len(mail.outbox) == 1


def test_failing_email_is_retried_then_recorded(world, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.failing_email.EmailBackend"}}
    world.task(at(FRIDAY, hours=5))
    sweep(FRIDAY)
    notification = Notification.objects.get(kind="task_reminder")
    with pytest.raises(workflows.EmailFailed):
        workflows.deliver_notification_email(notification.pk, final_attempt=False)
    notification.refresh_from_db()
    assert notification.email_status == "pending" and notification.email_attempts == 1
    assert workflows.deliver_notification_email(notification.pk, final_attempt=True) == "failed"
    notification.refresh_from_db()
    assert notification.email_status == "failed" and "SMTP" in notification.email_error
    assert notification.email_attempts == 2
