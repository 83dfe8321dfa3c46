"""Custody reminders: each fires once at its threshold and not before, to the caseworker
(supervisors when none, and as the escalation), and the supervisors' queue shows what is
overdue."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import EscalationPolicy, Role
from casework import workflows
from casework.models import Escalation, Notification
from casework.notifications import MESSAGES
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    CustodyObligationsFactory,
    FollowUpFactory,
    HolidayFactory,
    IcrcVisitFactory,
    LegalProceedingFactory,
    PersonFactory,
    ReturnListEntryFactory,
    UserFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
CAPTURED = datetime.date(2026, 11, 2)  # a Monday


def on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def after(days: int, start: datetime.date = CAPTURED) -> datetime.datetime:
    return on(start + datetime.timedelta(days=days))


def sweep(moment: datetime.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        counts, _ids = workflows.run_sweep(moment)
    return counts


def notified(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def captive(case):
    """The caseworker's case of a man captured on CAPTURED and still held."""
    CustodyEventFactory(case=case, kind="captured", occurred_on=CAPTURED)
    return case


# --- Family not informed ----------------------------------------------------------------


def test_uninformed_family_reminds_caseworker_at_7_days_then_supervisors_once(
    captive, caseworker, supervisor
):
    assert sweep(after(6))["custody_family"] == 0
    assert sweep(after(7))["custody_family"] == 1
    assert sweep(after(7) + datetime.timedelta(hours=5))["custody_family"] == 0
    reminder = Notification.objects.get(kind="custody_family")
    assert reminder.recipient == caseworker and reminder.case == captive

    assert not Escalation.objects.exists()
    assert sweep(after(13))["custody_family"] == 0
    assert sweep(after(14))["custody_family"] == 1
    assert sweep(after(15))["custody_family"] == 0
    assert notified("custody_family_escalated") == {supervisor.pk}
    escalation = Escalation.objects.get()
    assert escalation.case == captive and escalation.rule == "custody_family_escalated"


def test_family_told_by_the_capture_card_is_not_reminded(captive):
    CustodyObligationsFactory(
        case=captive,
        capture_card_sent_on=CAPTURED + datetime.timedelta(days=2),
        capture_card_received_on=CAPTURED + datetime.timedelta(days=5),
    )
    assert sweep(after(30))["custody_family"] == 0


def test_a_capture_card_sent_but_not_received_still_reminds(captive):
    CustodyObligationsFactory(
        case=captive, capture_card_sent_on=CAPTURED + datetime.timedelta(days=2)
    )
    assert sweep(after(7))["custody_family"] == 1


def test_unassigned_captive_reminds_the_supervisors(org, supervisor):
    other_supervisor = UserFactory(role=Role.SUPERVISOR, organisation=org)
    case = CaseFactory(person=PersonFactory(organisation=org), assigned_to=None)
    CustodyEventFactory(case=case, kind="captured", occurred_on=CAPTURED)
    assert sweep(after(7))["custody_family"] == 2
    assert notified("custody_family") == {supervisor.pk, other_supervisor.pk}


def test_a_released_person_or_a_closed_case_is_not_reminded(captive, caseworker):
    CustodyEventFactory(
        case=captive, kind="released", occurred_on=CAPTURED + datetime.timedelta(days=3)
    )
    closed = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation),
        assigned_to=caseworker,
        status="closed",
        closure_reason="returned_home",
        closed_at=after(1),
    )
    CustodyEventFactory(case=closed, kind="captured", occurred_on=CAPTURED)
    assert sweep(after(70))["custody_family"] == 0
    assert sweep(after(70))["custody_icrc_visit"] == 0


def test_a_new_capture_starts_the_count_again(captive):
    assert sweep(after(7))["custody_family"] == 1
    CustodyEventFactory(
        case=captive, kind="released", occurred_on=CAPTURED + datetime.timedelta(days=8)
    )
    recaptured = CAPTURED + datetime.timedelta(days=20)
    CustodyEventFactory(case=captive, kind="captured", occurred_on=recaptured)
    assert sweep(after(6, recaptured))["custody_family"] == 0
    assert sweep(after(7, recaptured))["custody_family"] == 1


def test_the_threshold_is_the_organisations(captive, org):
    EscalationPolicy.objects.create(organisation=org, custody_family_days=3)
    assert sweep(after(2))["custody_family"] == 0
    assert sweep(after(3))["custody_family"] == 1


# --- No ICRC visit ----------------------------------------------------------------------


def test_no_icrc_visit_reminds_at_60_days_then_supervisors_at_120(captive, caseworker, supervisor):
    assert sweep(after(59))["custody_icrc_visit"] == 0
    assert sweep(after(60))["custody_icrc_visit"] == 1
    assert sweep(after(61))["custody_icrc_visit"] == 0
    assert notified("custody_icrc_visit") == {caseworker.pk}
    assert sweep(after(119))["custody_icrc_visit"] == 0
    assert sweep(after(120))["custody_icrc_visit"] == 1
    assert notified("custody_icrc_visit_escalated") == {supervisor.pk}


def test_a_visit_since_the_capture_satisfies_the_rule_but_an_older_one_does_not(
    captive, org, supervisor
):
    IcrcVisitFactory(case=captive, visited_on=CAPTURED - datetime.timedelta(days=400))
    assert sweep(after(60))["custody_icrc_visit"] == 1
    visited = CaseFactory(person=PersonFactory(organisation=org), assigned_to=captive.assigned_to)
    CustodyEventFactory(case=visited, kind="captured", occurred_on=CAPTURED)
    IcrcVisitFactory(case=visited, visited_on=CAPTURED + datetime.timedelta(days=30))
    assert sweep(after(120))["custody_icrc_visit"] == 1  # the first case's escalation only
    assert not Notification.objects.filter(case=visited, kind__startswith="custody_icrc").exists()


# --- Hearings -----------------------------------------------------------------------------

HEARING = datetime.date(2026, 11, 11)  # a Wednesday


def test_a_hearing_reminds_three_working_days_before_once(case, caseworker):
    LegalProceedingFactory(case=case, next_hearing_on=HEARING)
    assert sweep(on(datetime.date(2026, 11, 5)))["hearing_soon"] == 0  # Thursday
    assert sweep(on(datetime.date(2026, 11, 6)))["hearing_soon"] == 1  # Friday: Mon, Tue, Wed
    assert sweep(on(datetime.date(2026, 11, 9)))["hearing_soon"] == 0
    assert notified("hearing_soon") == {caseworker.pk}


def test_a_holiday_brings_the_hearing_reminder_forward(case, org):
    HolidayFactory(organisation=org, date=datetime.date(2026, 11, 10))
    LegalProceedingFactory(case=case, next_hearing_on=HEARING)
    assert sweep(on(datetime.date(2026, 11, 4)))["hearing_soon"] == 0
    assert sweep(on(datetime.date(2026, 11, 5)))["hearing_soon"] == 1


def test_a_postponed_hearing_reminds_again_and_a_decided_one_never(case):
    proceeding = LegalProceedingFactory(case=case, next_hearing_on=HEARING)
    LegalProceedingFactory(case=case, next_hearing_on=HEARING, outcome="convicted")
    assert sweep(on(datetime.date(2026, 11, 6)))["hearing_soon"] == 1
    proceeding.next_hearing_on = datetime.date(2026, 11, 25)
    proceeding.save()
    assert sweep(on(datetime.date(2026, 11, 19)))["hearing_soon"] == 0
    assert sweep(on(datetime.date(2026, 11, 20)))["hearing_soon"] == 1


# --- Follow-up check-ins ---------------------------------------------------------------------


def test_a_follow_up_reminds_on_its_due_day_once_unless_done(case, caseworker):
    due = datetime.date(2027, 2, 15)
    FollowUpFactory(case=case, months=3, due_on=due)
    FollowUpFactory(case=case, months=6, due_on=due, done_on=due)
    assert sweep(after(-1, due))["follow_up_due"] == 0
    assert sweep(on(due, hour=0))["follow_up_due"] == 1
    assert sweep(after(1, due))["follow_up_due"] == 0
    assert notified("follow_up_due") == {caseworker.pk}


# --- Exchange and repatriation lists ------------------------------------------------------------


def test_a_list_without_news_reminds_at_30_days_and_news_starts_over(captive, caseworker):
    listed = datetime.date(2026, 12, 1)
    entry = ReturnListEntryFactory(case=captive, listed_on=listed)
    assert sweep(after(29, listed))["return_list_silent"] == 0
    assert sweep(after(30, listed))["return_list_silent"] == 1
    assert notified("return_list_silent") == {caseworker.pk}
    entry.last_news_on = listed + datetime.timedelta(days=40)
    entry.save()
    assert sweep(after(60, listed))["return_list_silent"] == 0  # no escalation: news came
    assert sweep(after(69, listed))["return_list_silent"] == 0
    assert sweep(after(70, listed))["return_list_silent"] == 1


def test_only_the_latest_list_entry_counts_and_not_after_the_exchange(captive):
    listed = datetime.date(2026, 12, 1)
    ReturnListEntryFactory(case=captive, listed_on=listed - datetime.timedelta(days=90))
    ReturnListEntryFactory(case=captive, listed_on=listed)
    assert sweep(after(29, listed))["return_list_silent"] == 0
    assert sweep(after(30, listed))["return_list_silent"] == 1
    CustodyEventFactory(case=captive, kind="exchanged", occurred_on=listed)
    assert sweep(after(60, listed))["return_list_silent"] == 0


# --- Messages and the queue ---------------------------------------------------------------------


def test_custody_notifications_are_rendered_in_the_readers_language(captive):
    sweep(after(7))
    reminder = Notification.objects.get(kind="custody_family")
    assert reminder.message.startswith("The family of")  # stored in English
    for language in ("fr", "uk"):
        with translation.override(language):
            expected = str(MESSAGES["custody_family"]) % {"reference": captive.reference}
            assert reminder.display_message == expected


def overdue_section(supervisor, moment: datetime.datetime) -> str:
    """The queue's list of overdue custody obligations, as the supervisor sees it then."""
    with time_machine.travel(moment, tick=False):
        page = signed_in_client(supervisor).get(reverse("queue")).content.decode()
    return page.split('id="custody-overdue"')[1].split("</ul>")[0]


def test_queue_shows_overdue_custody_obligations(captive, caseworker, supervisor):
    informed = CaseFactory(person=PersonFactory(organisation=caseworker.organisation))
    CustodyEventFactory(case=informed, kind="captured", occurred_on=CAPTURED)
    CustodyObligationsFactory(case=informed, capture_card_received_on=CAPTURED)
    other_org = CaseFactory()
    CustodyEventFactory(case=other_org, kind="captured", occurred_on=CAPTURED)
    section = overdue_section(supervisor, after(6))
    assert captive.reference not in section
    section = overdue_section(supervisor, after(10))
    assert captive.reference in section and "Family not yet told" in section
    assert "No ICRC visit" not in section
    assert informed.reference not in section and other_org.reference not in section
    section = overdue_section(supervisor, after(61))
    assert captive.reference in section and informed.reference in section
    assert "No ICRC visit" in section
