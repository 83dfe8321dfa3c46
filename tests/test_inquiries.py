"""Family inquiry pages: recording, the list, candidates side by side, decisions,
outcomes and the answer to the inquirer, contact requests between organisations, and
what a liaison sees (SPEC section 7, issue 12)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from casework.audit import Action, AuditEvent
from casework.models import Case, ContactRequest, Inquiry, InquiryCandidate, Note
from casework.vocabularies import ConsentScope, InquiryStatus, MatchDecision
from casework.workflows import tracing
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    ContactRequestFactory,
    InquiryCandidateFactory,
    InquiryFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import page_forms, share_with_embassy, signed_in_client

pytestmark = pytest.mark.django_db


def new_inquiry_data(client, **fields):
    """The new-inquiry form as a browser sends it, with a few fields typed in."""
    forms = page_forms(client.get("/inquiries/new/").content)
    form = next(f for f in forms if f.method == "post" and not f.action)
    data = form.as_post_data()
    typed = {
        "channel": "phone",
        "inquirer_name": "Sita Thapa",
        "inquirer_relationship": "mother",
        "inquirer_phone": "+977 981 234 5678",
        "inquirer_language": "fr",
        "consent_to_store": "on",
        "consent_to_contact": "on",
        "names": "राम थापा\nRam Thapa",
        "sex": "male",
        "birth_year": "1995",
        "nationality": "NP",
        "place_of_origin": "Pokhara",
        "phones": "+977 98-1111-2222",
        "handles": "@ramthapa95",
        "told_about_job": "Security guard in Moscow, 3000 dollars a month",
        **fields,
    }
    data.update({name: [value] for name, value in typed.items()})
    return data


@pytest.fixture
def person(org):
    return PersonFactory(
        organisation=org,
        given_name="Ram",
        family_name="Thapa",
        birth_year=1995,
        place_of_origin="Pokhara",
        nationalities=["NP"],
    )


@pytest.fixture
def held_case(person, caseworker):
    return CaseFactory(person=person, assigned_to=caseworker)


@pytest.fixture
def inquiry(org, caseworker):
    return InquiryFactory(organisation=org, assigned_to=caseworker, names=["राम थापा"])


# --- Recording ----------------------------------------------------------------------


def test_recording_an_inquiry_stores_names_digests_and_enqueues_matching(
    caseworker, django_capture_on_commit_callbacks
):
    client = signed_in_client(caseworker)
    photo = SimpleUploadedFile("family photo.png", b"\x89PNG\r\n\x1a\n rest", "image/png")
    data = new_inquiry_data(client, document_number="PA 123 4567")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/inquiries/new/", {**data, "document": photo})
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == inquiry.get_absolute_url()
    assert inquiry.organisation_id == caseworker.organisation_id
    assert inquiry.submitted_by == caseworker
    assert sorted(inquiry.names.values_list("name", flat=True)) == ["Ram Thapa", "राम थापा"]
    kinds = {i.kind: i for i in inquiry.identifiers.all()}
    assert kinds["phone"].value == "+977 98-1111-2222"
    assert kinds["phone"].digest and kinds["handle"].digest
    document = inquiry.documents.get()
    assert document.original_name == "family photo.png" and document.number_digest
    assert len(callbacks) >= 1  # matching, once the inquiry is committed
    assert inquiry.notes.filter(automatic=True).exists()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="inquiry").exists()


def test_sending_the_new_inquiry_form_twice_records_one_inquiry(caseworker):
    client = signed_in_client(caseworker)
    data = new_inquiry_data(client)
    client.post("/inquiries/new/", data)
    client.post("/inquiries/new/", data)
    assert Inquiry.objects.count() == 1


def test_an_inquiry_without_the_inquirers_consent_to_store_is_refused_and_keeps_what_was_typed(
    caseworker,
):
    client = signed_in_client(caseworker)
    data = new_inquiry_data(client, birth_year="1890")
    data.pop("consent_to_store")
    response = client.post("/inquiries/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("consent_to_store") and form.errors.get("birth_year")
    page = response.content.decode()
    for typed in ("Sita Thapa", "राम थापा", "Ram Thapa", "Pokhara", "@ramthapa95", "3000 dollars"):
        assert typed in page, f"{typed!r} was lost"
    assert not Inquiry.objects.exists()


def test_an_edit_keeps_the_names_and_re_enqueues_matching(
    caseworker, inquiry, django_capture_on_commit_callbacks
):
    client = signed_in_client(caseworker)
    url = reverse("inquiry-edit", args=[inquiry.reference])
    form = next(
        f for f in page_forms(client.get(url).content) if f.method == "post" and not f.action
    )
    data = form.as_post_data()
    assert data["names"] == ["राम थापा"]
    data["names"] = ["राम थापा\nRam Tapa"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302
    assert inquiry.names.count() == 2
    assert callbacks


# --- The list -----------------------------------------------------------------------


def test_the_list_shows_the_organisations_inquiries_and_finds_one_by_name(caseworker, inquiry):
    other = InquiryFactory(organisation=OrganisationFactory(), names=["Ram Thapa"])
    second = InquiryFactory(organisation=caseworker.organisation, names=["Bishnu Gurung"])
    client = signed_in_client(caseworker)
    page = client.get("/inquiries/").content.decode()
    assert inquiry.reference in page and second.reference in page
    assert other.reference not in page
    client.post("/inquiries/", {"q": "थापा"})
    page = client.get("/inquiries/").content.decode()
    assert inquiry.reference in page and second.reference not in page


def test_the_list_filters_by_status_and_ignores_a_hostile_filter(caseworker, inquiry):
    InquiryFactory(organisation=caseworker.organisation, status=InquiryStatus.WITHDRAWN)
    client = signed_in_client(caseworker)
    response = client.get("/inquiries/?status=open&nationality=%00&received_from=9999-99-99")
    assert response.status_code == 200
    assert [i.reference for i in response.context["page"]] == [inquiry.reference]


# --- Candidates side by side --------------------------------------------------------


def test_a_visible_candidate_is_shown_side_by_side_with_its_comparison_in_words(
    caseworker, inquiry, held_case
):
    InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    page = signed_in_client(caseworker).get(inquiry.get_absolute_url()).content.decode()
    assert held_case.reference in page and "Ram Thapa" in page
    assert "agrees" in page and "Birth year" in page
    assert "Confirm: this is the person" in page


def test_another_organisations_candidate_shows_no_personal_data(caseworker, inquiry):
    other = OrganisationFactory(name="Bridge Foundation")
    person = PersonFactory(
        organisation=other,
        given_name="Ramesh",
        family_name="Thapamagar",
        native_name="रमेश थापामगर",
        date_of_birth=datetime.date(1995, 3, 14),
        place_of_origin="Baglung",
    )
    foreign_case = CaseFactory(person=person)
    InquiryCandidateFactory(inquiry=inquiry, person=person)
    page = signed_in_client(caseworker).get(inquiry.get_absolute_url()).content.decode()
    assert "Possible match held by Bridge Foundation: name, birth year and nationality agree." in (
        page
    )
    for secret in ("Ramesh", "Thapamagar", "रमेश", "1995-03-14", "14 March", "Baglung"):
        assert secret not in page, f"{secret!r} shown"
    assert foreign_case.reference not in page
    assert "Confirm: this is the person" not in page
    assert "Ask Bridge Foundation" in page


def test_asking_the_holder_opens_one_contact_request(caseworker, inquiry):
    candidate = InquiryCandidateFactory(inquiry=inquiry)
    client = signed_in_client(caseworker)
    url = reverse("inquiry-candidate-ask", args=[inquiry.reference, candidate.pk])
    client.post(url)
    client.post(url)
    request = ContactRequest.objects.get()
    assert request.to_organisation_id == candidate.organisation_id
    assert request.from_organisation_id == inquiry.organisation_id
    page = client.get(inquiry.get_absolute_url()).content.decode()
    assert "awaiting an answer" in page and "Ask " not in page.split('id="candidates"')[1]


# --- Decisions ----------------------------------------------------------------------


def test_confirming_links_the_inquiry_to_the_case_on_both_timelines(caseworker, inquiry, held_case):
    candidate = InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    client = signed_in_client(caseworker)
    url = reverse("inquiry-candidate-decide", args=[inquiry.reference, candidate.pk])
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    candidate.refresh_from_db()
    assert inquiry.status == InquiryStatus.MATCHED and inquiry.matched_case == held_case
    assert inquiry.outcome_at is not None
    assert candidate.decision == MatchDecision.CONFIRMED and candidate.decided_by == caseworker
    assert inquiry.notes.filter(event__code="inquiry_candidate_confirmed").exists()
    case_note = Note.objects.get(case=held_case, event__code="inquiry_linked")
    assert inquiry.reference in case_note.display_text
    case_page = client.get(held_case.get_absolute_url()).content.decode()
    assert inquiry.reference in case_page


def test_rejecting_keeps_the_candidate_and_reopens_the_inquiry(caseworker, inquiry, held_case):
    Inquiry.objects.filter(pk=inquiry.pk).update(status=InquiryStatus.POSSIBLE_MATCH)
    candidate = InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    client = signed_in_client(caseworker)
    url = reverse("inquiry-candidate-decide", args=[inquiry.reference, candidate.pk])
    client.post(url, {"decision": "reject"})
    client.post(url, {"decision": "confirm"})  # decided already: nothing changes
    candidate.refresh_from_db()
    inquiry.refresh_from_db()
    assert candidate.decision == MatchDecision.REJECTED
    assert inquiry.status == InquiryStatus.OPEN and inquiry.matched_case is None


def test_a_candidate_the_user_may_not_see_cannot_be_decided(caseworker, inquiry):
    candidate = InquiryCandidateFactory(inquiry=inquiry)  # another organisation's person
    url = reverse("inquiry-candidate-decide", args=[inquiry.reference, candidate.pk])
    response = signed_in_client(caseworker).post(url, {"decision": "confirm"})
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert candidate.decision == MatchDecision.PENDING


# --- Outcomes and the answer --------------------------------------------------------


def test_an_outcome_is_recorded_with_its_date(caseworker, inquiry):
    client = signed_in_client(caseworker)
    client.post(reverse("inquiry-outcome", args=[inquiry.reference]), {"status": "deceased"})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.DECEASED and inquiry.outcome_at


def test_a_match_without_tracing_consent_is_answered_as_work_in_progress(
    caseworker, inquiry, held_case
):
    candidate = InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    candidate.confirm(caseworker, held_case)
    inquiry.refresh_from_db()
    message = inquiry.answer_message()
    assert "working on your inquiry" in message
    assert "known" not in message
    ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    assert "is known to" in inquiry.answer_message()


def test_the_answer_is_in_the_inquirers_language_and_says_nothing_of_where(caseworker, inquiry):
    Inquiry.objects.filter(pk=inquiry.pk).update(inquirer_language="uk")
    inquiry.refresh_from_db()
    inquiry.set_outcome(InquiryStatus.LOCATED_NO_CONTACT, caseworker)
    assert inquiry.answer_template().endswith("located_no_contact.txt")
    client = signed_in_client(caseworker)
    response = client.get(reverse("inquiry-answer", args=[inquiry.reference]))
    assert response.status_code == 200
    assert 'lang="uk"' in response.content.decode()
    client.post(reverse("inquiry-answer", args=[inquiry.reference]))
    inquiry.refresh_from_db()
    assert inquiry.inquirer_answered_at is not None


# --- Contact requests ---------------------------------------------------------------


@pytest.fixture
def asked(org, held_case):
    """Another organisation's inquiry asks `org` about the person of `held_case`."""
    asking = InquiryFactory(organisation=OrganisationFactory(name="Asking NGO"))
    candidate = InquiryCandidateFactory(inquiry=asking, person=held_case.person)
    return ContactRequestFactory(candidate=candidate)


def test_the_queue_lists_contact_requests_without_inquirer_data(supervisor, asked, held_case):
    page = signed_in_client(supervisor).get("/queue/").content.decode()
    section = page.split('id="queue-contact-requests"')[1]
    assert "Asking NGO" in section and held_case.reference in section
    assert "name, birth year and nationality" in section
    assert "Sita" not in section and "+977" not in section


def test_sharing_needs_the_persons_tracing_consent(supervisor, asked, held_case):
    client = signed_in_client(supervisor)
    url = reverse("contact-request-answer", args=[held_case.reference, asked.pk])
    response = client.post(url, {"decision": "share"}, follow=True)
    assert "no active consent" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == "pending" and asked.shared_case is None
    ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    client.post(url, {"decision": "share"})
    asked.refresh_from_db()
    assert asked.status == "shared" and asked.shared_case == held_case
    asking = asked.candidate.inquiry
    assert asking.notes.filter(event__code="inquiry_contact_shared").exists()
    staff = UserFactory(role=Role.CASEWORKER, organisation=asking.organisation)
    page = signed_in_client(staff).get(asking.get_absolute_url()).content.decode()
    assert held_case.reference in page and supervisor.email in page
    assert "Ram" not in page.split('id="candidates"')[1].split('id="timeline"')[0]


def test_do_not_contact_family_blocks_sharing(supervisor, asked, held_case):
    ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    Case.objects.filter(pk=held_case.pk).update(do_not_contact_family=True)
    held_case.refresh_from_db()
    assert not ContactRequest.may_share(held_case)
    url = reverse("contact-request-answer", args=[held_case.reference, asked.pk])
    response = signed_in_client(supervisor).post(url, {"decision": "share"}, follow=True)
    assert "do not contact family" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == "pending" and asked.shared_case is None


def test_shared_case_details_go_once_the_persons_consent_is_withdrawn(supervisor, asked, held_case):
    consent = ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    asked.answer(True, supervisor, held_case)
    asking = asked.candidate.inquiry
    staff = signed_in_client(UserFactory(role=Role.CASEWORKER, organisation=asking.organisation))
    page = staff.get(asking.get_absolute_url()).content.decode()
    assert held_case.reference in page and supervisor.email in page
    consent.withdraw(supervisor)
    page = staff.get(asking.get_absolute_url()).content.decode()
    section = page.split('id="candidates"')[1].split('id="timeline"')[0]
    assert held_case.reference not in section and supervisor.email not in page
    assert "the person agreed" not in section and "no longer holds" in section


def test_declining_tells_the_asking_organisation(supervisor, asked, held_case):
    url = reverse("contact-request-answer", args=[held_case.reference, asked.pk])
    signed_in_client(supervisor).post(url, {"decision": "decline"})
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.shared_case is None
    assert asked.candidate.inquiry.notes.filter(event__code="inquiry_contact_declined").exists()


# --- Liaisons -----------------------------------------------------------------------


def test_a_liaison_submits_an_inquiry_for_one_of_their_nationals(org):
    liaison = LiaisonFactory(liaison_countries="NP")
    client = signed_in_client(liaison)
    data = new_inquiry_data(client, organisation=str(org.pk))
    data.pop("channel", None)
    response = client.post("/inquiries/new/", data)
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.channel == "embassy" and inquiry.organisation == org
    assert inquiry.submitted_by == liaison
    refused = client.post("/inquiries/new/", new_inquiry_data(client, nationality="KE"))
    assert refused.context["form"].errors.get("nationality")


def test_a_liaison_sees_only_their_own_inquiries_and_only_their_status(org, held_case, caseworker):
    liaison = LiaisonFactory(liaison_countries="NP")
    own = InquiryFactory(organisation=org, submitted_by=liaison)
    someone_elses = InquiryFactory(organisation=org)
    candidate = InquiryCandidateFactory(inquiry=own, person=held_case.person)
    client = signed_in_client(liaison)
    listing = client.get("/inquiries/").content.decode()
    assert own.reference in listing and someone_elses.reference not in listing
    assert "Sita" not in listing and "Ram Thapa" not in listing
    page = client.get(own.get_absolute_url()).content.decode()
    assert "In progress" in page
    for hidden in ("Ram", "Sita", held_case.reference, "Possible match"):
        assert hidden not in page
    assert client.get(someone_elses.get_absolute_url()).status_code == 404
    candidate.confirm(caseworker, held_case)
    page = client.get(own.get_absolute_url()).content.decode()
    assert held_case.reference not in page  # matched, but not shared with the embassy
    share_with_embassy(
        held_case, caseworker, UserFactory(role=Role.SUPERVISOR, organisation=org), "NP"
    )
    page = client.get(own.get_absolute_url()).content.decode()
    assert reverse("case-detail", args=[held_case.reference]) in page


def test_a_liaison_sees_a_possible_match_only_as_in_progress(org, held_case):
    liaison = LiaisonFactory(liaison_countries="NP")
    own = InquiryFactory(organisation=org, submitted_by=liaison)
    InquiryCandidateFactory(inquiry=own, person=held_case.person)
    tracing.follow_status(own)
    assert Inquiry.objects.get(pk=own.pk).status == InquiryStatus.POSSIBLE_MATCH
    client = signed_in_client(liaison)
    for url in (own.get_absolute_url(), "/inquiries/", "/inquiries/?status=possible_match"):
        html = client.get(url).content.decode()
        assert own.reference in html and "In progress" in html
        assert "Possible match" not in html and "Matched" not in html
    # The raw status is no filter for a liaison: the list is the same whatever it asks.
    assert own.reference in client.get("/inquiries/?status=open").content.decode()


def test_a_liaison_is_not_told_of_a_match_flagged_do_not_share_without_consent(
    org, held_case, caseworker
):
    Case.objects.filter(pk=held_case.pk).update(do_not_share_with_embassy=True)
    liaison = LiaisonFactory(liaison_countries="NP")
    own = InquiryFactory(organisation=org, submitted_by=liaison)
    InquiryCandidateFactory(inquiry=own, person=held_case.person).confirm(caseworker, held_case)
    assert Inquiry.objects.get(pk=own.pk).status == InquiryStatus.MATCHED
    client = signed_in_client(liaison)
    for url in (own.get_absolute_url(), "/inquiries/"):
        html = client.get(url).content.decode()
        assert "In progress" in html
        assert "Matched" not in html and "Possible match" not in html and "Found" not in html
    ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    assert "Found, and agreed that relatives be told" in client.get("/inquiries/").content.decode()


def test_do_not_contact_family_keeps_the_inquirer_from_being_told(caseworker, inquiry, held_case):
    InquiryCandidateFactory(inquiry=inquiry, person=held_case.person).confirm(caseworker, held_case)
    ConsentFactory(case=held_case, scope=ConsentScope.TRACING, country="")
    inquiry.refresh_from_db()
    assert inquiry.answer_template().endswith("matched.txt")
    Case.objects.filter(pk=held_case.pk).update(do_not_contact_family=True)
    assert inquiry.answer_template().endswith("in_progress.txt")
    assert not inquiry.tracing_consent_given()
    page = signed_in_client(caseworker).get(reverse("inquiry-answer", args=[inquiry.reference]))
    assert 'id="family-contact-blocked"' in page.content.decode()


def test_a_candidate_shown_in_full_is_audited_in_its_cases_log(caseworker, inquiry, held_case):
    InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    signed_in_client(caseworker).get(inquiry.get_absolute_url())
    view = AuditEvent.objects.get(
        action=Action.VIEW, object_type="person", case_reference=held_case.reference
    )
    assert view.organisation_id == held_case.organisation_id
    assert view.object_id == str(held_case.person_id)


def test_confirming_twice_changes_nothing_the_second_time(caseworker, inquiry, held_case):
    candidate = InquiryCandidateFactory(inquiry=inquiry, person=held_case.person)
    assert candidate.confirm(caseworker, held_case)
    assert not InquiryCandidate.objects.get(pk=candidate.pk).confirm(caseworker, held_case)
    assert Note.objects.filter(case=held_case, event__code="inquiry_linked").count() == 1


def test_the_list_costs_the_same_queries_for_one_inquiry_or_many(caseworker, inquiry):
    client = signed_in_client(caseworker)
    client.get("/inquiries/")  # the session and language, settled once
    with CaptureQueriesContext(connection) as one:
        client.get("/inquiries/")
    for _ in range(12):
        InquiryFactory(organisation=caseworker.organisation, assigned_to=caseworker)
    with CaptureQueriesContext(connection) as many:
        client.get("/inquiries/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_liaisons_list_costs_the_same_queries_for_one_inquiry_or_many(org, caseworker):
    liaison = LiaisonFactory(liaison_countries="NP")
    InquiryFactory(organisation=org, submitted_by=liaison)
    client = signed_in_client(liaison)
    client.get("/inquiries/")  # the session and language, settled once
    with CaptureQueriesContext(connection) as one:
        client.get("/inquiries/")
    for _ in range(5):
        InquiryFactory(organisation=org, submitted_by=liaison)
    matched = InquiryFactory(organisation=org, submitted_by=liaison)
    held = CaseFactory(organisation=org)
    ConsentFactory(case=held, scope=ConsentScope.TRACING, country="")
    Inquiry.objects.filter(pk=matched.pk).update(status=InquiryStatus.MATCHED, matched_case=held)
    # Told through a case another organisation shared, with its person's consent.
    elsewhere = CaseFactory(organisation=OrganisationFactory())
    ConsentFactory(case=elsewhere, scope=ConsentScope.TRACING, country="")
    ContactRequestFactory(
        candidate=InquiryCandidateFactory(
            inquiry=InquiryFactory(organisation=org, submitted_by=liaison),
            person=elsewhere.person,
        ),
        status="shared",
        shared_case=elsewhere,
    )
    with CaptureQueriesContext(connection) as many:
        listing = client.get("/inquiries/").content.decode()
    assert listing.count("In progress") == 6
    assert listing.count("Found, and agreed that relatives be told") == 2
    assert len(many.captured_queries) == len(one.captured_queries)
