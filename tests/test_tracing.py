"""Family inquiries matched as Celery work: candidates, decisions kept, notifications once,
the sweep's inquiry rules, and the nightly re-match (casework.workflows.tracing)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import EscalationPolicy, Role
from casework import matching, schedule, tasks, workflows
from casework.models import (
    Alias,
    Case,
    Inquiry,
    InquiryCandidate,
    InquiryName,
    Notification,
    Person,
    Recruitment,
)
from casework.notifications import MESSAGES, message_for
from casework.registration import register_case
from casework.vocabularies import InquiryStatus, MatchDecision
from casework.workflows import tracing
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.helpers import signed_in_client

UTC = datetime.UTC
# 2026-11-27 is a Friday.
FRIDAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def make_inquiry(org, names, *, assigned_to=None, **fields) -> Inquiry:
    """An inquiry of `org` for a person known by `names` (any script)."""
    defaults = {
        "channel": "phone",
        "inquirer_name": "Sita Thapa",
        "inquirer_relationship": "mother",
        "consent_to_store": True,
        "consent_to_contact": True,
        "birth_year": 1990,
        "nationality": "NP",
        "sex": "male",
    }
    inquiry = Inquiry.objects.create(
        organisation=org, assigned_to=assigned_to, **{**defaults, **fields}
    )
    InquiryName.objects.bulk_create([InquiryName(inquiry=inquiry, name=n) for n in names])
    return inquiry


def registered(org, given="Ram", family="Thapa", **fields) -> Person:
    """A person with a case in `org`, indexed for matching as registration does."""
    person = PersonFactory(
        organisation=org,
        given_name=given,
        family_name=family,
        birth_year=1990,
        sex="male",
        nationalities=["NP"],
        **fields,
    )
    CaseFactory(person=person)
    matching.refresh_name_keys(person)
    return person


class Office:
    def __init__(self):
        self.org = OrganisationFactory(weekend_days=[6, 7])
        self.caseworker = UserFactory(role=Role.CASEWORKER, organisation=self.org)
        self.supervisors = [
            UserFactory(role=Role.SUPERVISOR, organisation=self.org) for _ in range(2)
        ]
        self.other_org = OrganisationFactory()


@pytest.fixture
def office(db):
    return Office()


def notifications(kind="inquiry_candidate"):
    return Notification.objects.filter(kind=kind)


# --- Matching an inquiry ---------------------------------------------------------------


def test_an_inquiry_in_devanagari_is_offered_a_person_of_another_organisation(office):
    person = registered(office.other_org)
    inquiry = make_inquiry(office.org, ["राम थापा"], assigned_to=office.caseworker)

    candidates = tracing.match_inquiry(inquiry.pk)

    assert [c.person_id for c in candidates] == [person.pk]
    candidate = candidates[0]
    assert candidate.organisation_id == office.other_org.pk
    assert candidate.score >= matching.MATCH_THRESHOLD
    assert {c["field"] for c in candidate.comparisons} >= {"name", "birth_year"}
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.POSSIBLE_MATCH and inquiry.matched_at
    assert inquiry.notes.filter(event__code="inquiry_possible_match").count() == 1


def test_one_notification_per_new_candidate_to_the_caseworker(office):
    first = registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    tracing.match_inquiry(inquiry.pk)
    assert list(notifications().values_list("recipient_id", flat=True)) == [office.caseworker.pk]
    assert InquiryCandidate.objects.get(person=first).notified_at is not None

    second = registered(office.other_org, given="Ram", family="Thapa")
    tracing.match_person(second.pk)
    tracing.match_inquiry(inquiry.pk)
    assert notifications().count() == 2
    assert inquiry.notes.filter(event__code="inquiry_possible_match").count() == 1


def test_an_unassigned_inquirys_candidate_goes_to_the_supervisors(office):
    registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"])
    tracing.match_inquiry(inquiry.pk)
    assert set(notifications().values_list("recipient_id", flat=True)) == {
        s.pk for s in office.supervisors
    }


def test_the_notification_names_the_inquiry_in_the_readers_language(office):
    registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    notification = notifications().get()
    assert notification.case is None and notification.inquiry == inquiry
    assert inquiry.reference in notification.message
    with translation.override("uk"):
        assert inquiry.reference in notification.display_message


def test_a_notification_is_rendered_from_its_inquiry_not_from_the_stored_text(office):
    registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    # The stored English text is for administrators; an edited one changes nothing shown.
    notifications().update(message="Something else entirely")
    notification = notifications().select_related("inquiry").get()
    with translation.override("fr"):
        expected = str(MESSAGES["inquiry_candidate"]) % {"reference": inquiry.reference}
        assert notification.display_message == expected
    assert notification.link == f"/inquiries/{inquiry.reference}/"


def test_the_notifications_pages_link_to_the_inquiry(office):
    registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    client = signed_in_client(office.caseworker)
    link = f'<a href="{inquiry.get_absolute_url()}">{inquiry.reference}</a>'
    for page in ("notifications", "home"):
        html = client.get(reverse(page)).content.decode()
        assert link in html, page
        assert "has a new possible match to review" in html


def test_the_email_about_an_inquiry_links_to_its_page_in_the_readers_language(
    office, settings, mailoutbox
):
    office.caseworker.language = "uk"
    office.caseworker.save()
    registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    notification = notifications().get()

    assert workflows.deliver_notification_email(notification.pk, final_attempt=True) == "sent"
    email = mailoutbox[-1]
    assert f"{settings.SITE_URL}/inquiries/{inquiry.reference}/" in email.body
    with translation.override("uk"):
        assert message_for("inquiry_candidate", inquiry.reference) in email.body
    for private in ("Ram", "Thapa", "Sita"):
        assert private not in email.body and private not in email.subject


def test_a_rejected_pair_is_not_proposed_again(office):
    person = registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    InquiryCandidate.objects.filter(person=person).update(
        decision=MatchDecision.REJECTED, score=1.0
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(status=InquiryStatus.OPEN)

    tracing.match_inquiry(inquiry.pk)
    tracing.match_person(person.pk)

    candidate = InquiryCandidate.objects.get(inquiry=inquiry)
    assert candidate.decision == MatchDecision.REJECTED and candidate.score == 1.0
    assert notifications().count() == 1
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN


def test_a_pending_candidate_that_no_longer_matches_goes_and_the_inquiry_reopens(office):
    person = registered(office.org)
    inquiry = make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker)
    tracing.match_inquiry(inquiry.pk)
    Person.objects.filter(pk=person.pk).update(given_name="Olena", family_name="Kovalenko")
    person.refresh_from_db()
    matching.refresh_name_keys(person)

    tracing.match_person(person.pk)

    assert not InquiryCandidate.objects.filter(inquiry=inquiry).exists()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN
    assert inquiry.notes.filter(event__code="inquiry_candidates_gone").count() == 1


@pytest.mark.parametrize("status", [InquiryStatus.CLOSED_NOT_FOUND, InquiryStatus.WITHDRAWN])
def test_settled_inquiries_are_not_rematched(office, status):
    inquiry = make_inquiry(office.org, ["Ram Thapa"], status=status)
    person = registered(office.org)

    assert tracing.match_inquiry(inquiry.pk) == []
    assert tracing.match_person(person.pk) == {}
    assert tracing.unsettled_inquiry_batches() == []
    assert not InquiryCandidate.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.matched_at is None


def test_a_person_is_offered_only_to_inquiries_sharing_a_name_phone_or_document(office):
    person = registered(office.org)
    near = make_inquiry(office.org, ["Raam Thapaa"])
    far = make_inquiry(office.org, ["Olena Kovalenko"])
    assert tracing.inquiries_near(person.pk) == {near.pk}
    assert far.pk not in tracing.match_person(person.pk)


def test_the_nightly_rematch_is_scheduled_and_batches_unsettled_inquiries(office):
    from django_celery_beat.models import PeriodicTask

    schedule.apply_settings()
    assert PeriodicTask.objects.get(name=schedule.NIGHTLY_REMATCH).task == (
        "casework.tasks.rematch_inquiries"
    )
    inquiries = [make_inquiry(office.org, [f"Name{n}"]) for n in range(5)]
    make_inquiry(office.org, ["Settled"], status=InquiryStatus.DECEASED)
    assert tracing.unsettled_inquiry_batches(size=2) == [
        [inquiries[0].pk, inquiries[1].pk],
        [inquiries[2].pk, inquiries[3].pk],
        [inquiries[4].pk],
    ]


# --- Enqueueing ------------------------------------------------------------------------


def test_a_person_saved_with_new_names_is_matched_once_after_the_commit(
    office, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tracing, "enqueue", lambda task, *ids: sent.append((task.name, ids)))
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory(organisation=office.org, nationalities=["NP"])
        Alias.objects.create(person=person, name="Брайан")
        person.save()
    assert sent == [(tracing.MATCH_PERSON_TASK, (person.pk,))]

    inquiry = make_inquiry(office.org, ["Ram"])
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tracing.enqueue_matching(inquiry)
    assert sent == [(tracing.MATCH_INQUIRY_TASK, (inquiry.pk,))]


@pytest.mark.celery_worker(queue_prefix="test-tracing")
def test_a_person_registered_after_an_inquiry_is_proposed_to_it(
    transactional_db, celery_worker, monkeypatch
):
    """Real worker, real broker: registering the person enqueues their matching on commit."""
    for task in (tasks.match_person, tasks.match_inquiry, tasks.send_notification_emails):
        monkeypatch.setattr(task, "queue", celery_worker.queue, raising=False)
        monkeypatch.setattr(task, "_exec_options", None)
    office = Office()
    with time_machine.travel(FRIDAY - datetime.timedelta(days=30)):
        inquiry = make_inquiry(office.org, ["राम थापा"], assigned_to=office.caseworker)

    registrar = UserFactory(role=Role.CASEWORKER, organisation=office.other_org)
    case = register_case(
        registrar,
        Person(given_name="Ram", family_name="Thapa", birth_year=1990, sex="male"),
        Case(),
        Recruitment(method="online_advertisement"),
        nationalities=["NP"],
    )

    candidate = celery_worker.wait_for(
        "the candidate",
        lambda: InquiryCandidate.objects.filter(inquiry=inquiry, person=case.person).first(),
    )
    assert candidate.organisation_id == office.other_org.pk
    assert candidate.decision == MatchDecision.PENDING
    celery_worker.wait_for(
        "the caseworker told", lambda: notifications().filter(recipient=office.caseworker).exists()
    )
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.POSSIBLE_MATCH


# --- Sweep rules -----------------------------------------------------------------------


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        counts, _ids = workflows.run_sweep(moment)
    return counts


def test_a_quiet_inquiry_reminds_its_caseworker_at_14_days_then_supervisors_once(office):
    make_inquiry(office.org, ["Ram Thapa"], assigned_to=office.caseworker, last_activity_at=FRIDAY)

    assert sweep(FRIDAY + datetime.timedelta(days=14, seconds=-1))["inquiry_stale"] == 0
    assert sweep(FRIDAY + datetime.timedelta(days=14))["inquiry_stale"] == 1
    assert sweep(FRIDAY + datetime.timedelta(days=15))["inquiry_stale"] == 0
    reminded = notifications("inquiry_stale").get()
    assert reminded.recipient == office.caseworker and reminded.case is None

    assert sweep(FRIDAY + datetime.timedelta(days=28, seconds=-1))["inquiry_stale"] == 0
    assert sweep(FRIDAY + datetime.timedelta(days=28))["inquiry_stale"] == 2
    assert sweep(FRIDAY + datetime.timedelta(days=29))["inquiry_stale"] == 0
    assert set(notifications("inquiry_stale_escalated").values_list("recipient", flat=True)) == {
        s.pk for s in office.supervisors
    }


def test_a_settled_inquiry_is_not_reminded_and_the_threshold_is_the_organisations(office):
    EscalationPolicy.objects.create(organisation=office.org, inquiry_stale_days=3)
    make_inquiry(office.org, ["A"], status=InquiryStatus.WITHDRAWN, last_activity_at=FRIDAY)
    make_inquiry(office.org, ["B"], assigned_to=office.caseworker, last_activity_at=FRIDAY)
    assert sweep(FRIDAY + datetime.timedelta(days=3))["inquiry_stale"] == 1


def test_an_inquirer_not_told_of_a_match_is_reminded_after_3_working_days_once(office):
    make_inquiry(
        office.org,
        ["Ram Thapa"],
        assigned_to=office.caseworker,
        status=InquiryStatus.MATCHED,
        outcome_at=FRIDAY,
        last_activity_at=FRIDAY + datetime.timedelta(days=30),
    )
    wednesday = FRIDAY + datetime.timedelta(days=5)  # Mon, Tue, Wed: three working days
    assert sweep(wednesday - datetime.timedelta(seconds=1))["inquiry_unanswered"] == 0
    assert sweep(wednesday)["inquiry_unanswered"] == 1
    assert sweep(wednesday + datetime.timedelta(hours=1))["inquiry_unanswered"] == 0
    assert notifications("inquiry_unanswered").get().recipient == office.caseworker
    # Three more working days: the supervisors.
    assert sweep(wednesday + datetime.timedelta(days=2))["inquiry_unanswered"] == 0
    assert sweep(wednesday + datetime.timedelta(days=5))["inquiry_unanswered"] == 2


def test_sweep_notifications_name_their_inquiry(office):
    stale = make_inquiry(
        office.org, ["Ram Thapa"], assigned_to=office.caseworker, last_activity_at=FRIDAY
    )
    unanswered = make_inquiry(
        office.org,
        ["Hari Gurung"],
        assigned_to=office.caseworker,
        status=InquiryStatus.MATCHED,
        outcome_at=FRIDAY,
        last_activity_at=FRIDAY + datetime.timedelta(days=30),
    )
    sweep(FRIDAY + datetime.timedelta(days=28))
    for kind, inquiry in [
        ("inquiry_stale", stale),
        ("inquiry_stale_escalated", stale),
        ("inquiry_unanswered", unanswered),
        ("inquiry_unanswered_escalated", unanswered),
    ]:
        found = notifications(kind).select_related("inquiry")
        assert found and all(n.inquiry == inquiry and n.case is None for n in found), kind
        with translation.override("uk"):
            assert {n.display_message for n in found} == {message_for(kind, inquiry.reference)}


def test_an_answered_inquirer_is_not_reminded(office):
    make_inquiry(
        office.org,
        ["Ram Thapa"],
        assigned_to=office.caseworker,
        status=InquiryStatus.MATCHED,
        outcome_at=FRIDAY,
        inquirer_answered_at=FRIDAY + datetime.timedelta(days=1),
        last_activity_at=FRIDAY + datetime.timedelta(days=30),
    )
    assert sweep(FRIDAY + datetime.timedelta(days=20))["inquiry_unanswered"] == 0


# --- Statistics ------------------------------------------------------------------------


def test_inquiry_statistics_count_every_inquiry_and_suppress_small_cells(office):
    from casework.stats.inquiries import inquiry_release
    from casework.stats.suppression import CellState

    for _ in range(12):
        make_inquiry(office.org, ["A"], channel="phone", nationality="NP")
    for _ in range(3):
        make_inquiry(office.org, ["B"], channel="embassy", nationality="IN")
    make_inquiry(OrganisationFactory(), ["C"], channel="email")  # another organisation

    release = inquiry_release([office.org.pk], k=5)

    channel = {cell.values["channel"]: cell for cell in release.table("channel").cells}
    assert channel["embassy"].state == CellState.PRIMARY and channel["embassy"].count is None
    # Phone and the total together would give the embassy's 3 away: one is withheld too.
    assert CellState.SECONDARY in {channel["phone"].state, channel["Total"].state}
    assert "email" not in channel
    nationality = {cell.values["nationality"] for cell in release.table("nationality").cells}
    # India, below k, is rolled up into its M49 sub-region; Nepal, above k, is kept.
    assert "NP" in nationality and "IN" not in nationality
    assert any(value.startswith("m49:") for value in nationality)
    assert release.excluded_opt_outs == 0


def test_inquiry_statistics_band_the_time_to_outcome(office):
    from casework.stats.inquiries import inquiry_release

    received = FRIDAY
    for days, n in [(3, 6), (45, 5)]:
        for _ in range(n):
            make_inquiry(
                office.org,
                ["A"],
                received_at=received,
                status=InquiryStatus.CLOSED_NOT_FOUND,
                outcome_at=received + datetime.timedelta(days=days),
            )
    for _ in range(5):
        make_inquiry(office.org, ["A"], received_at=received)

    release = inquiry_release([office.org.pk], [("time_to_outcome",), ("status",)], k=5)
    rows = {r["time_to_outcome"]: r["count"] for r in release.table("time_to_outcome").rows(5)}
    assert rows == {"Within a week": 6, "31 to 90 days": 5, "Not recorded": 5, "Total": 16}
    statuses = {cell.values["status"]: cell.count for cell in release.table("status").cells}
    assert statuses["closed_not_found"] == 11 and statuses["open"] == 5


def test_the_statistics_dashboard_shows_the_inquiry_tables_with_small_counts_withheld(office):
    from django.urls import reverse

    from tests.helpers import signed_in_client

    officer = UserFactory(role=Role.DATA_OFFICER, organisation=office.org)
    for _ in range(12):
        make_inquiry(office.org, ["A"], channel="phone")
    make_inquiry(office.org, ["B"], channel="embassy")

    page = signed_in_client(officer).get(reverse("stats-dashboard")).content.decode()

    assert 'id="inquiry-statistics"' in page and 'id="table-inquiries__channel"' in page
    assert "Received by" in page and "&lt;11" in page


# --- Demo data -------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_records_inquiries_in_other_scripts_and_matches_them(settings):
    import io
    import re

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", cases=300, seed=3, stdout=io.StringIO())

    assert Inquiry.objects.count() >= 2 * 25
    names = " ".join(InquiryName.objects.values_list("name", flat=True))
    for script in (r"[\u0900-\u097f]", r"[\u0600-\u06ff]", r"[\u0400-\u04ff]"):
        assert re.search(script, names), script
    candidates = InquiryCandidate.objects.select_related("inquiry")
    assert candidates.exists()
    assert any(c.organisation_id != c.inquiry.organisation_id for c in candidates)
    assert Inquiry.objects.filter(status=InquiryStatus.POSSIBLE_MATCH).exists()
    assert not Inquiry.objects.filter(matched_at__isnull=True).unsettled().exists()
