"""Custody and the way home on a case: the record, its access rules and its pages."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import access
from casework.audit import Action, AuditEvent
from casework.models import (
    CustodyEvent,
    CustodyObligations,
    FollowUp,
    LegalProceeding,
    Note,
    WayHome,
    add_months,
)
from casework.submissions import new_key
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    EmbassyRequestFactory,
    LegalProceedingFactory,
    PersonFactory,
    ReturnListEntryFactory,
    UserFactory,
)
from tests.helpers import share_with_embassy, signed_in_client

pytestmark = pytest.mark.django_db

FACILITY = "Pre-trial detention centre No. 19, block C"
SOURCE = "His cellmate, released last week"
EVENT_NOTES = "Seen limping at the transfer."
LEGAL_NOTES = "The prosecutor offers a deal if he names his commander."
ICRC_REFERENCE = "CTA-UA-482913"
TODAY = datetime.date(2026, 5, 20)


def case_url(case):
    """The case page with its custody tab open (a liaison's page has no tabs)."""
    return reverse("case-detail", kwargs={"reference": case.reference}) + "?tab=custody"


def add_url(case, kind):
    return reverse("custody-add", kwargs={"reference": case.reference, "kind": kind})


def section_url(case, section):
    return reverse("custody-section", kwargs={"reference": case.reference, "section": section})


@pytest.fixture
def held(case, caseworker, supervisor):
    """The Kenyan's case, shared with Kenya, with a custody record holding everything."""
    share_with_embassy(case, caseworker, supervisor, "KE")
    CustodyEventFactory(case=case, kind="captured", occurred_on=TODAY - datetime.timedelta(60))
    CustodyEventFactory(
        case=case,
        kind="held_at",
        occurred_on=TODAY - datetime.timedelta(50),
        facility=FACILITY,
        source=SOURCE,
        notes=EVENT_NOTES,
    )
    CustodyObligations.objects.create(
        case=case,
        capture_card_sent_on=TODAY - datetime.timedelta(55),
        icrc_registered_on=TODAY - datetime.timedelta(40),
        icrc_reference=ICRC_REFERENCE,
    )
    LegalProceedingFactory(case=case, charge="Mercenarism", notes=LEGAL_NOTES)
    case.refresh_from_db()
    return case


# --- Who sees what --------------------------------------------------------------------


def test_assigned_caseworker_sees_the_whole_custody_record(held, caseworker):
    page = signed_in_client(caseworker).get(case_url(held)).content.decode()
    for text in (FACILITY, SOURCE, EVENT_NOTES, LEGAL_NOTES, ICRC_REFERENCE, "Mercenarism"):
        assert text in page


def test_liaison_sees_custody_status_but_never_facility_sources_or_legal_notes(held, liaison):
    response = signed_in_client(liaison).get(case_url(held))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="custody-status">Held<' in page
    assert 'id="icrc-registered">yes<' in page
    for text in (FACILITY, SOURCE, EVENT_NOTES, LEGAL_NOTES, ICRC_REFERENCE, "Mercenarism"):
        assert text not in page, f"the liaison's page shows {text!r}"
    # Nor a label that says such a record exists.
    for label in ("Facility", "Source", "Legal proceedings", "ICRC reference"):
        assert label not in page


def test_collaborator_sees_the_source_but_not_the_facility(held, organisation):
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    held.collaborators.add(collaborator)
    client = signed_in_client(collaborator)
    page = client.get(case_url(held)).content.decode()
    assert SOURCE in page and FACILITY not in page
    event = held.custody_events.get(kind="held_at")
    form_page = client.get(
        reverse(
            "custody-edit", kwargs={"reference": held.reference, "kind": "events", "pk": event.pk}
        )
    ).content.decode()
    assert 'name="facility"' not in form_page and FACILITY not in form_page


def test_collaborators_correction_keeps_the_facility_they_cannot_see(held, organisation):
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    held.collaborators.add(collaborator)
    event = held.custody_events.get(kind="held_at")
    url = reverse(
        "custody-edit", kwargs={"reference": held.reference, "kind": "events", "pk": event.pk}
    )
    response = signed_in_client(collaborator).post(
        url,
        {
            "kind": "held_at",
            "occurred_on": event.occurred_on.isoformat(),
            "place": "Lviv Oblast",
            "source_reliability": "reliable",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.place == "Lviv Oblast" and event.facility == FACILITY


def test_access_functions_give_a_liaison_no_custody_record(held, liaison):
    held = access.cases_visible_to(liaison).get(pk=held.pk)
    for children in (
        access.custody_events_for,
        access.icrc_visits_for,
        access.legal_proceedings_for,
        access.return_list_entries_for,
        access.services_for,
        access.follow_ups_for,
    ):
        assert not children(liaison, held).exists()
    assert access.custody_obligations_for(liaison, held) is None
    assert access.way_home_for(liaison, held) is None
    overview = access.custody_overview(liaison, held)
    assert overview["icrc_registered"] is True
    assert ICRC_REFERENCE not in repr(overview)
    labels = [label for label, _day in overview["obligations"]]
    assert "ICRC registration" not in labels  # yes or no only, not its date


def test_liaison_is_not_told_of_another_embassys_nationality_request(
    organisation, caseworker, supervisor, liaison
):
    person = PersonFactory(organisation=organisation, nationalities=["KE", "IN"])
    case = CaseFactory(person=person, assigned_to=caseworker)
    share_with_embassy(case, caseworker, supervisor, "KE")
    indian = EmbassyRequestFactory(case=case, country="IN", kind="identity_confirmation")
    WayHome.objects.create(case=case, nationality_request=indian)
    case = access.cases_visible_to(liaison).get(pk=case.pk)
    assert access.custody_overview(liaison, case)["nationality_requested"] is None
    staff_view = access.custody_overview(caseworker, case)
    assert staff_view["nationality_requested"] == indian.created_at


def test_data_officer_gets_no_custody_overview(held, organisation):
    officer = UserFactory(role=Role.DATA_OFFICER, organisation=organisation)
    assert access.custody_overview(officer, held) is None


# --- The record -------------------------------------------------------------------------


def test_custody_status_is_the_kind_of_the_latest_event(case):
    CustodyEventFactory(case=case, kind="held_at", occurred_on=TODAY)
    captured = CustodyEventFactory(
        case=case, kind="captured", occurred_on=TODAY - datetime.timedelta(9)
    )
    case.refresh_from_db()
    assert case.custody_status == "held_at"  # recorded later, happened earlier
    released = CustodyEventFactory(
        case=case, kind="released", occurred_on=TODAY + datetime.timedelta(1)
    )
    case.refresh_from_db()
    assert case.custody_status == "released"
    released.delete()
    case.refresh_from_db()
    assert case.custody_status == "held_at"
    CustodyEvent.objects.exclude(pk=captured.pk).get().delete()
    captured.delete()
    case.refresh_from_db()
    assert case.custody_status == ""


def test_arrival_home_plans_check_ins_at_3_6_and_12_months(case):
    way_home = WayHome.objects.create(case=case, arrived_on=datetime.date(2026, 1, 31))
    due = dict(FollowUp.objects.filter(case=case).values_list("months", "due_on"))
    assert due == {
        3: datetime.date(2026, 4, 30),
        6: datetime.date(2026, 7, 31),
        12: datetime.date(2027, 1, 31),
    }
    # A corrected arrival moves the check-ins not yet done, and makes no new ones.
    FollowUp.objects.filter(case=case, months=3).update(done_on=datetime.date(2026, 5, 2))
    way_home.arrived_on = datetime.date(2026, 2, 10)
    way_home.save()
    due = dict(FollowUp.objects.filter(case=case).values_list("months", "due_on"))
    assert due[3] == datetime.date(2026, 4, 30) and due[6] == datetime.date(2026, 8, 10)
    assert FollowUp.objects.filter(case=case).count() == 3


def test_repatriation_event_plans_check_ins_until_an_arrival_is_recorded(case):
    CustodyEventFactory(case=case, kind="repatriated", occurred_on=datetime.date(2026, 3, 1))
    assert FollowUp.objects.get(case=case, months=3).due_on == datetime.date(2026, 6, 1)
    WayHome.objects.create(case=case, arrived_on=datetime.date(2026, 3, 4))
    assert FollowUp.objects.get(case=case, months=3).due_on == datetime.date(2026, 6, 4)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 12, 15), 12) == datetime.date(2027, 12, 15)


# --- The forms ------------------------------------------------------------------------


def event_data(**overrides):
    return {
        "submission_key": new_key(),
        "kind": "captured",
        "occurred_on": "2026-04-02",
        "place": "Near Vuhledar",
        "authority": "72nd Brigade",
        "facility": "",
        "source": "Video posted by the brigade",
        "source_reliability": "reliable",
        "notes": "",
        **overrides,
    }


def test_recording_a_capture_sets_status_timeline_and_audit(case, caseworker):
    client = signed_in_client(caseworker)
    response = client.post(add_url(case, "events"), event_data())
    assert response.status_code == 302
    assert response.url.endswith("#custody")
    event = CustodyEvent.objects.get(case=case)
    assert event.recorded_by == caseworker and event.source == "Video posted by the brigade"
    case.refresh_from_db()
    assert case.custody_status == "captured"
    entry = Note.objects.get(case=case, kind="custody")
    assert entry.event == {"code": "custody_event", "params": {"kind": "captured"}}
    assert entry.display_text == "Custody event recorded: Captured."
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="custodyevent", object_id=str(event.pk)
    ).exists()


def test_a_form_sent_twice_records_one_event(case, caseworker):
    client = signed_in_client(caseworker)
    data = event_data()
    client.post(add_url(case, "events"), data)
    client.post(add_url(case, "events"), data)
    assert CustodyEvent.objects.filter(case=case).count() == 1


def test_an_event_in_the_future_is_refused_and_the_typed_values_kept(case, caseworker):
    response = signed_in_client(caseworker).post(
        add_url(case, "events"),
        event_data(occurred_on="2099-01-01", place="Typed place", notes="Typed notes"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This date is in the future." in page
    assert 'value="Typed place"' in page and "Typed notes" in page
    assert 'value="2099-01-01"' in page
    assert not CustodyEvent.objects.filter(case=case).exists()


def test_obligations_keep_typed_input_when_dates_are_out_of_order(case, caseworker):
    response = signed_in_client(caseworker).post(
        section_url(case, "obligations"),
        {
            "capture_card_sent_on": "2026-03-10",
            "capture_card_received_on": "2026-03-01",
            "icrc_reference": ICRC_REFERENCE,
            "dependent_power": "RU",
            "dependent_power_confirmation": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This date is before the previous step." in page
    assert "Say how the power is known." in page
    assert f'value="{ICRC_REFERENCE}"' in page
    assert not CustodyObligations.objects.filter(case=case).exists()


def test_recording_obligations_and_a_visit_shows_on_the_case_page(case, caseworker):
    client = signed_in_client(caseworker)
    response = client.post(
        section_url(case, "obligations"),
        {
            "capture_card_sent_on": "2026-03-10",
            "icrc_registered_on": "2026-03-12",
            "icrc_reference": ICRC_REFERENCE,
            "dependent_power": "RU",
            "dependent_power_confirmation": "documents_seen",
        },
    )
    assert response.status_code == 302
    client.post(
        add_url(case, "icrc-visits"),
        {"submission_key": new_key(), "visited_on": "2026-04-01", "notes": ""},
    )
    page = client.get(case_url(case)).content.decode()
    assert 'id="icrc-registered">yes<' in page
    assert ICRC_REFERENCE in page
    assert "Documents seen" in page
    codes = [n.event["code"] for n in Note.objects.filter(case=case, kind="custody")]
    assert sorted(codes) == ["custody_record", "custody_record"]
    # Saved again unchanged: no entry claiming a change.
    client.post(
        section_url(case, "obligations"),
        {
            "capture_card_sent_on": "2026-03-10",
            "icrc_registered_on": "2026-03-12",
            "icrc_reference": ICRC_REFERENCE,
            "dependent_power": "RU",
            "dependent_power_confirmation": "documents_seen",
        },
    )
    assert Note.objects.filter(case=case, kind="custody").count() == 2


def test_way_home_offers_only_the_cases_embassy_requests(case, caseworker, organisation):
    own = EmbassyRequestFactory(case=case, country="KE")
    other = EmbassyRequestFactory(
        case=CaseFactory(person=PersonFactory(organisation=organisation)), country="KE"
    )
    client = signed_in_client(caseworker)
    page = client.get(section_url(case, "way-home")).content.decode()
    assert f'value="{own.pk}"' in page and f'value="{other.pk}"' not in page
    response = client.post(section_url(case, "way-home"), {"nationality_request": other.pk})
    assert response.status_code == 200
    assert not WayHome.objects.filter(case=case).exists()


def test_follow_ups_are_only_edited_never_added_by_hand(case, caseworker):
    response = signed_in_client(caseworker).get(add_url(case, "follow-ups"))
    assert response.status_code == 404


def test_case_page_lists_lists_and_proceedings_readably(case, caseworker):
    ReturnListEntryFactory(case=case, list_name="Exchange of 2026-05")
    LegalProceeding.objects.create(case=case, recorded_before_tracking=True)
    page = signed_in_client(caseworker).get(case_url(case)).content.decode()
    assert "Exchange list" in page and "Exchange of 2026-05" in page
    assert "Recorded before proceedings were tracked" in page
    assert "None" not in page.split('id="custody"')[1].split('id="contacts"')[0]


# --- The migration from the yes/no flag ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_legal_proceedings_flag_becomes_one_proceeding_recorded_before_tracking():
    executor = MigrationExecutor(connection)
    before, after = [("casework", "0019_name_search")], [("casework", "0020_custody_and_return")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Organisation = apps.get_model("accounts", "Organisation")
    Person = apps.get_model("casework", "Person")
    Case = apps.get_model("casework", "Case")
    org = Organisation.objects.create(name="Org", code="org", country="UA")
    flagged, plain = (
        Case.objects.create(
            reference=f"HW-0000-000{i}",
            person=Person.objects.create(organisation=org, given_name=f"P{i}"),
            organisation=org,
            legal_proceedings=flag,
            created_at=timezone.now(),
            last_activity_at=timezone.now(),
        )
        for i, flag in enumerate((True, False))
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    proceedings = apps.get_model("casework", "LegalProceeding").objects.all()
    assert [(p.case_id, p.recorded_before_tracking, p.notes) for p in proceedings] == [
        (flagged.pk, True, None)
    ]
    # And back: the flag is set again from the proceedings.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    flags = dict(apps.get_model("casework", "Case").objects.values_list("pk", "legal_proceedings"))
    assert flags == {flagged.pk: True, plain.pk: False}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
