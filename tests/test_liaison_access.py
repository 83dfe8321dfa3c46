"""What an embassy liaison sees (SPEC sections 1 and 4), and how staff are scoped.

A liaison for Kenya sees a case only while the person holds Kenyan nationality, an
active consent to share with Kenya is recorded, a supervisor approved disclosure to
Kenya, the case is not marked "do not share with embassy" and the liaison's access has
not expired. Of a shared case they see the embassy field set only: nothing of another
nationality, no contacts, recruitment, notes, risk or flags, and only Kenya's embassy
exchanges.
"""

import datetime
import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from casework import access
from casework.models import (
    Case,
    Contact,
    Document,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    IdentityDocument,
    LegalProceeding,
    Note,
    Recruitment,
)
from casework.vocabularies import Confidentiality, ConsentStatus, NoteKind, RiskLevel, Situation
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import case_page_tabs, signed_in_client

pytestmark = pytest.mark.django_db

FAMILY_NAME = "Grace Wanjiru Achieng"
FAMILY_PHONE = "+254 700 111 222"
NOTE_TEXT = "His brother fears reprisals from the recruiting agent in Nairobi."
RESTRICTED_TEXT = "Restricted: he named the officer who threatened him."
RECRUITER = "Recruiter Sergei Volkov, Telegram @volk_jobs, +7 900 123 45 67"
LEGAL_NOTES = "The prosecutor offers a deal if he names his commander."
KENYAN_PASSPORT = "AK1234567"
INDIAN_PASSPORT = "Z7654321"


# --- Helpers ------------------------------------------------------------------------


def case_url(case):
    return reverse("case-detail", kwargs={"reference": case.reference})


def child_url(name, case, obj):
    return reverse(name, kwargs={"reference": case.reference, "pk": obj.pk})


def make_case(organisation, *, nationalities=("KE",), assigned_to=None, **fields):
    person = PersonFactory(organisation=organisation, nationalities=list(nationalities))
    return CaseFactory(person=person, assigned_to=assigned_to, situation_country="UA", **fields)


def share(case, supervisor, country="KE", *, consent=True, approve=True, **consent_fields):
    """Record consent to share with `country` and the supervisor's approval, as asked."""
    given = approved = None
    if consent:
        given = ConsentFactory(case=case, country=country, recorded_by=supervisor, **consent_fields)
    if approve:
        approved = EmbassyDisclosure.objects.create(
            case=case, country=country, approved_by=supervisor
        )
    return given, approved


def embassy_request(case, country, author, body):
    request = EmbassyRequest.objects.create(
        case=case,
        country=country,
        kind="identity_confirmation",
        message=body,
        due_at=timezone.now() + datetime.timedelta(days=7),
        created_by=author,
    )
    message = EmbassyMessage.objects.create(request=request, from_embassy=True, body=body)
    return request, message


def make_document(case, uploaded_by, message=None, name="embassy-response.pdf"):
    content = f"%PDF-1.4 {name}".encode()
    document = Document(
        case=case,
        embassy_message=message,
        kind="embassy_response" if message else "identity_document",
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by,
    )
    document.file.save(name, ContentFile(content), save=True)
    return document


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def nationalities_shown(response):
    match = re.search(r'id="nationalities">([^<]*)<', response.content.decode())
    assert match, "the case page has no nationality field"
    return match.group(1).strip()


def is_signed_out(client):
    response = client.get(reverse("home"))
    return response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def shared(organisation, caseworker, supervisor):
    """A Kenyan's case, shared with Kenya: consent and approval both in place."""
    case = make_case(organisation, assigned_to=caseworker)
    consent, disclosure = share(case, supervisor)
    return case, consent, disclosure


# --- When a liaison sees a case -----------------------------------------------------


def test_liaison_sees_a_shared_case(liaison, shared):
    case, _, _ = shared
    assert signed_in_client(liaison).get(case_url(case)).status_code == 200
    assert list(access.cases_visible_to(liaison)) == [case]


def test_indian_national_is_not_shown_to_kenya(organisation, supervisor, liaison):
    case = make_case(organisation, nationalities=["IN"])
    share(case, supervisor, "IN")
    # Even a consent and approval recorded for Kenya by mistake do not make him Kenyan.
    mistaken = make_case(organisation, nationalities=["IN"])
    share(mistaken, supervisor, "KE")
    client = signed_in_client(liaison)
    assert client.get(case_url(case)).status_code == 404
    assert client.get(case_url(mistaken)).status_code == 404
    # India's own liaison does see it: the 404s above are about Kenya, not a broken case.
    india = signed_in_client(LiaisonFactory(liaison_countries="IN"))
    assert india.get(case_url(case)).status_code == 200


def test_kenyan_without_consent_is_not_shown(organisation, supervisor, liaison):
    case = make_case(organisation)
    share(case, supervisor, consent=False)
    assert signed_in_client(liaison).get(case_url(case)).status_code == 404


def test_consent_for_another_embassy_does_not_share_with_kenya(organisation, supervisor, liaison):
    case = make_case(organisation, nationalities=["KE", "UG"])
    share(case, supervisor, "UG")
    share(case, supervisor, "KE", consent=False)
    assert signed_in_client(liaison).get(case_url(case)).status_code == 404


def test_kenyan_without_disclosure_approval_is_not_shown(organisation, supervisor, liaison):
    case = make_case(organisation)
    share(case, supervisor, approve=False)
    assert signed_in_client(liaison).get(case_url(case)).status_code == 404


def test_revoked_disclosure_ends_access(liaison, shared, supervisor):
    case, _, disclosure = shared
    client = signed_in_client(liaison)
    assert client.get(case_url(case)).status_code == 200
    response = signed_in_client(supervisor).post(child_url("disclosure-revoke", case, disclosure))
    assert response.status_code == 302
    assert client.get(case_url(case)).status_code == 404


def test_consent_withdrawal_ends_access_and_revokes_disclosure(liaison, shared, supervisor):
    case, consent, disclosure = shared
    client = signed_in_client(liaison)
    assert client.get(case_url(case)).status_code == 200

    assert consent.withdraw(by=supervisor)

    disclosure.refresh_from_db()
    assert disclosure.revoked_at is not None and disclosure.revoked_by == supervisor
    assert client.get(case_url(case)).status_code == 404
    assert not access.cases_visible_to(liaison).exists()


def test_consent_withdrawn_by_caseworker_through_the_page(liaison, shared, caseworker):
    case, consent, disclosure = shared
    client = signed_in_client(liaison)
    assert client.get(case_url(case)).status_code == 200

    response = signed_in_client(caseworker).post(child_url("consent-withdraw", case, consent))

    assert response.status_code == 302 and response.url.startswith(case_url(case))
    consent.refresh_from_db()
    disclosure.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and consent.withdrawn_at is not None
    assert disclosure.revoked_at is not None and disclosure.revoked_by == caseworker
    assert client.get(case_url(case)).status_code == 404


def test_new_consent_does_not_revive_the_revoked_approval(liaison, shared, supervisor):
    case, consent, _ = shared
    consent.withdraw(by=supervisor)
    ConsentFactory(case=case, country="KE", recorded_by=supervisor)
    # A fresh consent needs a fresh approval.
    assert signed_in_client(liaison).get(case_url(case)).status_code == 404


def test_expired_liaison_sees_nothing_and_is_signed_out(liaison, shared):
    case, _, _ = shared
    client = signed_in_client(liaison)
    assert client.get(case_url(case)).status_code == 200

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    User.objects.filter(pk=liaison.pk).update(access_expires_on=yesterday)
    liaison.refresh_from_db()

    # The access layer alone refuses an expired liaison ...
    assert not access.cases_visible_to(liaison).exists()
    with pytest.raises(Http404):
        access.get_case(request_as(liaison), case.reference)
    # ... and the session ends at the next request.
    response = client.get(case_url(case))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")
    assert "_auth_user_id" not in client.session
    # Ended, not merely blocked: restoring the date does not bring the session back.
    User.objects.filter(pk=liaison.pk).update(access_expires_on=timezone.localdate())
    assert is_signed_out(client)


def test_do_not_share_with_embassy_hides_a_shared_case(liaison, shared):
    case, _, _ = shared
    Case.objects.filter(pk=case.pk).update(do_not_share_with_embassy=True)
    assert signed_in_client(liaison).get(case_url(case)).status_code == 404
    assert not access.cases_visible_to(liaison).exists()
    case.refresh_from_db()
    assert access.shared_countries(liaison, case) == []


def test_cases_visible_to_liaison_are_exactly_the_shared_ones(
    organisation, supervisor, caseworker, liaison
):
    shared_here = make_case(organisation, assigned_to=caseworker)
    share(shared_here, supervisor)
    # A liaison belongs to no organisation: another NGO's consent and approval count too.
    other = OrganisationFactory()
    other_supervisor = UserFactory(role=Role.SUPERVISOR, organisation=other)
    shared_elsewhere = make_case(other, nationalities=["UG", "KE"])
    share(shared_elsewhere, other_supervisor)

    share(make_case(organisation, nationalities=["IN"]), supervisor, "IN")
    share(make_case(organisation), supervisor, consent=False)
    share(make_case(organisation), supervisor, approve=False)
    share(make_case(organisation, do_not_share_with_embassy=True), supervisor)
    withdrawn = make_case(organisation)
    consent, _ = share(withdrawn, supervisor)
    consent.withdraw(by=supervisor)
    make_case(organisation)

    visible = access.cases_visible_to(liaison)
    assert sorted(c.pk for c in visible) == sorted([shared_here.pk, shared_elsewhere.pk])
    assert visible.count() == 2  # no duplicates from several matching consents


# --- What a liaison sees of a shared case -------------------------------------------


@pytest.fixture
def dual_national(organisation, caseworker, supervisor):
    """A Kenyan-Indian's case shared with Kenya only, with everything a case can hold."""
    case = make_case(
        organisation,
        nationalities=["KE", "IN"],
        assigned_to=caseworker,
        risk=RiskLevel.CRITICAL,
        media_attention=True,
        do_not_contact_family=True,
    )
    LegalProceeding.objects.create(case=case, charge="Mercenarism", notes=LEGAL_NOTES)
    share(case, supervisor, "KE")
    share(case, supervisor, "IN", approve=False)
    IdentityDocument.objects.create(
        person=case.person, doc_type="passport", number=KENYAN_PASSPORT, issuing_country="KE"
    )
    IdentityDocument.objects.create(
        person=case.person, doc_type="passport", number=INDIAN_PASSPORT, issuing_country="IN"
    )
    Contact.objects.create(
        case=case, kind="family", name=FAMILY_NAME, relationship="sister", phone=FAMILY_PHONE
    )
    Note.objects.create(case=case, kind=NoteKind.CALL, text=NOTE_TEXT, author=caseworker)
    Note.objects.create(
        case=case,
        kind=NoteKind.CALL,
        text=RESTRICTED_TEXT,
        author=caseworker,
        confidentiality=Confidentiality.RESTRICTED,
    )
    Recruitment.objects.create(case=case, country="IN", recruiter_details=RECRUITER)
    return case


FORBIDDEN_ON_LIAISON_PAGE = (
    FAMILY_NAME,
    LEGAL_NOTES,
    "Mercenarism",
    FAMILY_PHONE,
    NOTE_TEXT,
    RESTRICTED_TEXT,
    RECRUITER,
    "Sergei",
    "Risk level",
    "Critical",
    "Media attention",
    "Legal proceedings",
    "Do not contact family",
    "Do not share with embassy",
    "Timeline",
    "Contacts",
)


def test_staff_page_holds_what_the_liaison_page_must_not(dual_national, caseworker):
    # Guards the next tests: the data is on the page for the assigned caseworker.
    page = case_page_tabs(signed_in_client(caseworker), dual_national)
    for text in (FAMILY_NAME, FAMILY_PHONE, NOTE_TEXT, RESTRICTED_TEXT, "India"):
        assert text in page
    assert KENYAN_PASSPORT in page and INDIAN_PASSPORT in page


def test_dual_national_page_shows_kenya_only(dual_national, liaison):
    response = signed_in_client(liaison).get(case_url(dual_national))
    assert response.status_code == 200
    page = response.content.decode()
    assert "India" not in page
    assert nationalities_shown(response) == "Kenya"
    for text in FORBIDDEN_ON_LIAISON_PAGE:
        assert text.lower() not in page.lower(), f"the liaison's page shows {text!r}"
    # Without a consent that includes document numbers, no number at all.
    assert KENYAN_PASSPORT not in page and INDIAN_PASSPORT not in page


def test_document_numbers_only_with_consent_and_only_kenyas(
    organisation, caseworker, supervisor, liaison
):
    case = make_case(organisation, nationalities=["KE", "IN"], assigned_to=caseworker)
    share(case, supervisor, "KE", includes_document_numbers=True)
    IdentityDocument.objects.create(
        person=case.person, doc_type="passport", number=KENYAN_PASSPORT, issuing_country="KE"
    )
    IdentityDocument.objects.create(
        person=case.person, doc_type="passport", number=INDIAN_PASSPORT, issuing_country="IN"
    )
    page = signed_in_client(liaison).get(case_url(case)).content.decode()
    assert KENYAN_PASSPORT in page
    assert INDIAN_PASSPORT not in page, (
        "a Kenyan liaison is shown the number of the person's Indian passport "
        "(casework/access.py identity_documents_for / _identity_documents)"
    )


def test_visible_fields_for_liaison_hold_only_the_embassy_field_set(dual_national, liaison):
    fields = access.visible_fields(liaison, dual_national)
    assert set(fields) == {
        "person",
        "case",
        "aliases",
        "nationalities",
        "identity_documents",
        "contact_person",
    }
    assert not {"recruitment", "contacts", "notes", "risk", "flags", "tasks"} & set(fields)
    meta = Case._meta
    case_labels = {str(label) for label, _ in fields["case"]}
    assert case_labels == {
        str(meta.get_field(name).verbose_name)
        for name in ("reference", "situation", "situation_country", "situation_region")
    }
    person_meta = dual_national.person._meta
    assert {str(label) for label, _ in fields["person"]} == {
        str(person_meta.get_field(name).verbose_name) for name in access.LIAISON_PERSON_FIELDS
    }
    assert fields["nationalities"] == ["Kenya"]
    for doc in fields["identity_documents"]:
        assert doc["number"] is None
    text = repr(fields)
    for forbidden in (FAMILY_NAME, FAMILY_PHONE, NOTE_TEXT, RECRUITER, "Critical", "risk"):
        assert forbidden not in text


def test_visible_fields_for_liaison_hold_nothing_of_the_other_nationality(dual_national, liaison):
    fields = access.visible_fields(liaison, dual_national)
    assert "India" not in repr(fields), (
        "visible_fields(liaison) lists the person's Indian passport (issuing country India): "
        f"{fields['identity_documents']}"
    )


def test_staff_visible_fields_are_not_narrowed(dual_national, caseworker):
    fields = access.visible_fields(caseworker, dual_national)
    assert sorted(fields["nationalities"]) == ["India", "Kenya"]
    assert {doc["number"] for doc in fields["identity_documents"]} == {
        KENYAN_PASSPORT,
        INDIAN_PASSPORT,
    }


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.ADMINISTRATOR])
def test_no_person_level_fields_for_data_officer_or_administrator(
    dual_national, organisation, role
):
    user = UserFactory(role=role, organisation=organisation)
    assert access.visible_fields(user, dual_national) == {}


def test_liaison_sees_only_kenyas_embassy_exchanges(dual_national, liaison, caseworker):
    case = dual_national
    to_kenya, kenya_message = embassy_request(case, "KE", caseworker, "Kenya, please confirm.")
    to_india, india_message = embassy_request(case, "IN", caseworker, "India, please confirm.")
    kenya_document = make_document(case, caseworker, kenya_message, "kenya-answer.pdf")
    india_document = make_document(case, caseworker, india_message, "india-answer.pdf")
    passport_scan = make_document(case, caseworker, name="passport-scan.pdf")

    client = signed_in_client(liaison)
    page = client.get(case_url(case)).content.decode()
    assert child_url("embassy-request-detail", case, to_kenya) in page
    assert child_url("embassy-request-detail", case, to_india) not in page
    assert "kenya-answer.pdf" in page
    assert "india-answer.pdf" not in page and "passport-scan.pdf" not in page
    assert "India" not in page

    assert list(access.embassy_requests_for(liaison, case)) == [to_kenya]
    detail = client.get(child_url("embassy-request-detail", case, to_kenya))
    assert detail.status_code == 200 and "Kenya, please confirm." in detail.content.decode()
    assert client.get(child_url("embassy-request-detail", case, to_india)).status_code == 404
    download = client.get(child_url("document-download", case, kenya_document))
    assert download.status_code == 200
    # Consuming the stream closes the file (the test client's wrapper keeps the connection).
    assert b"".join(download.streaming_content) == b"%PDF-1.4 kenya-answer.pdf"
    assert client.get(child_url("document-download", case, india_document)).status_code == 404
    assert client.get(child_url("document-download", case, passport_scan)).status_code == 404


def test_liaison_for_two_countries_sees_each_only_where_shared(organisation, supervisor):
    two = LiaisonFactory(liaison_countries=["KE", "IN"])
    case = make_case(organisation, nationalities=["KE", "IN"])
    share(case, supervisor, "KE")
    # Shared with Kenya only: a KE+IN liaison still sees Kenya's view, not India's.
    assert access.shared_countries(two, case) == ["KE"]
    assert access.visible_fields(two, case)["nationalities"] == ["Kenya"]


REGION = "Kharkiv Oblast"
TOWN = "Pisochyn"


def test_liaison_sees_the_region_of_the_situation_never_the_town(
    organisation, caseworker, supervisor, liaison
):
    # SPEC section 4: the place only at country or oblast level, on every page.
    case = make_case(
        organisation,
        assigned_to=caseworker,
        situation=Situation.POW_IN_UKRAINE,
        situation_region=REGION,
        situation_place=TOWN,
    )
    share(case, supervisor)
    request, _message = embassy_request(case, "KE", supervisor, "Please confirm his identity.")
    staff_page = signed_in_client(caseworker).get(case_url(case)).content.decode()
    assert TOWN in staff_page and REGION in staff_page  # guards the assertions below

    client = signed_in_client(liaison)
    case_page = client.get(case_url(case))
    assert case_page.status_code == 200
    assert REGION in case_page.content.decode()
    shown_values = [value for _label, value in access.visible_fields(liaison, case)["case"]]
    assert REGION in shown_values and TOWN not in shown_values
    pages = {
        "case page": case_page,
        "portal": client.get(reverse("embassy-portal")),
        "home": client.get(reverse("home"), follow=True),
        "embassy request": client.get(child_url("embassy-request-detail", case, request)),
        "notifications": client.get(reverse("notifications")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert TOWN not in response.content.decode(), f"the liaison's {name} shows the town"
    assert case.reference in pages["portal"].content.decode()


# --- Staff scoping ------------------------------------------------------------------


def test_caseworker_sees_assigned_and_collaborating_cases_only(organisation, caseworker):
    assigned = make_case(organisation, assigned_to=caseworker)
    collaborating = make_case(organisation)
    collaborating.collaborators.add(caseworker)
    colleague = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    someone_elses = make_case(organisation, assigned_to=colleague)
    unassigned = make_case(organisation)
    # Even a case of another organisation naming this caseworker stays out of reach.
    other = OrganisationFactory()
    foreign_assigned = make_case(other, assigned_to=caseworker)
    foreign_collaborating = make_case(other)
    foreign_collaborating.collaborators.add(caseworker)

    visible = access.cases_visible_to(caseworker)
    assert sorted(c.pk for c in visible) == sorted([assigned.pk, collaborating.pk])
    client = signed_in_client(caseworker)
    for case in (assigned, collaborating):
        assert client.get(case_url(case)).status_code == 200
    for case in (someone_elses, unassigned, foreign_assigned, foreign_collaborating):
        assert client.get(case_url(case)).status_code == 404


def test_caseworker_with_several_collaborators_sees_the_case_once(organisation, caseworker):
    case = make_case(organisation, assigned_to=caseworker)
    case.collaborators.add(caseworker, UserFactory(organisation=organisation))
    assert list(access.cases_visible_to(caseworker)) == [case]


def test_supervisor_sees_their_organisation_and_none_of_another(organisation, supervisor):
    mine = [make_case(organisation), make_case(organisation, assigned_to=UserFactory())]
    other = OrganisationFactory()
    theirs = make_case(other, assigned_to=UserFactory(organisation=other))
    assert sorted(c.pk for c in access.cases_visible_to(supervisor)) == sorted(c.pk for c in mine)
    client = signed_in_client(supervisor)
    assert client.get(case_url(mine[0])).status_code == 200
    assert client.get(case_url(theirs)).status_code == 404


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.ADMINISTRATOR])
def test_data_officer_and_administrator_see_no_case(organisation, supervisor, role):
    case = make_case(organisation)
    share(case, supervisor)
    user = UserFactory(role=role, organisation=organisation)
    assert not access.cases_visible_to(user).exists()
    with pytest.raises(Http404):
        access.get_case(request_as(user), case.reference)
    assert signed_in_client(user).get(case_url(case)).status_code == 404


def test_inactive_caseworker_sees_nothing(organisation, caseworker):
    make_case(organisation, assigned_to=caseworker)
    caseworker.is_active = False
    assert not access.cases_visible_to(caseworker).exists()


# --- Restricted notes ---------------------------------------------------------------


def test_restricted_notes_are_for_the_assigned_caseworker_and_supervisors(
    organisation, caseworker, supervisor
):
    case = make_case(organisation, assigned_to=caseworker)
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    case.collaborators.add(collaborator)
    normal = Note.objects.create(case=case, kind=NoteKind.CALL, text=NOTE_TEXT, author=caseworker)
    restricted = Note.objects.create(
        case=case,
        kind=NoteKind.CALL,
        text=RESTRICTED_TEXT,
        author=caseworker,
        confidentiality=Confidentiality.RESTRICTED,
    )
    note_url = child_url("note-detail", case, restricted)

    for user in (caseworker, supervisor):
        client = signed_in_client(user)
        response = client.get(note_url)
        assert response.status_code == 200
        assert RESTRICTED_TEXT in response.content.decode()
        assert RESTRICTED_TEXT in client.get(case_url(case)).content.decode()

    client = signed_in_client(collaborator)
    assert client.get(note_url).status_code == 404
    assert client.get(child_url("note-detail", case, normal)).status_code == 200
    page = client.get(case_url(case)).content.decode()
    assert NOTE_TEXT in page and RESTRICTED_TEXT not in page
    assert note_url not in page

    assert not access.may_see_restricted(collaborator, case)
    other = OrganisationFactory()
    foreign_supervisor = UserFactory(role=Role.SUPERVISOR, organisation=other)
    assert not access.may_see_restricted(foreign_supervisor, case)
    assert signed_in_client(foreign_supervisor).get(note_url).status_code == 404


def test_reassignment_moves_restricted_access(organisation, caseworker):
    case = make_case(organisation, assigned_to=caseworker)
    successor = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    restricted = Note.objects.create(
        case=case,
        kind=NoteKind.CALL,
        text=RESTRICTED_TEXT,
        author=caseworker,
        confidentiality=Confidentiality.RESTRICTED,
    )
    Case.objects.filter(pk=case.pk).update(assigned_to=successor)
    case.collaborators.add(caseworker)
    url = child_url("note-detail", case, restricted)
    assert signed_in_client(successor).get(url).status_code == 200
    assert signed_in_client(caseworker).get(url).status_code == 404


# --- One meaning of "liaison", one grant per case ------------------------------------


def test_an_expired_liaison_keeps_the_role_but_may_no_longer_act_as_liaison(liaison):
    assert liaison.has_liaison_role and access.is_liaison(liaison)
    User.objects.filter(pk=liaison.pk).update(
        access_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    liaison.refresh_from_db()
    # The role is a fact about the account; acting as a liaison is the access decision.
    assert liaison.has_liaison_role
    assert not access.is_liaison(liaison)
    assert not UserFactory(role=Role.CASEWORKER).has_liaison_role


def test_get_case_grants_a_liaison_their_shared_countries_once(
    organisation, supervisor, django_assert_num_queries
):
    two = LiaisonFactory(liaison_countries=["KE", "IN"])
    case = make_case(organisation, nationalities=["KE", "IN"])
    share(case, supervisor, "KE", includes_document_numbers=True)
    share(case, supervisor, "IN")

    fetched = access.get_case(request_as(two), case.reference, viewing=False)
    with django_assert_num_queries(0):
        grant = access.grant_on(two, fetched)
        assert access.shared_countries(two, fetched) == ["IN", "KE"]
    assert grant == access.CaseGrant(
        user_id=two.pk,
        shared_countries=("IN", "KE"),
        document_number_countries=frozenset({"KE"}),
    )


def test_staff_have_the_empty_grant_without_a_query(
    organisation, supervisor, django_assert_num_queries
):
    case = make_case(organisation)
    share(case, supervisor, "KE")
    fetched = access.get_case(request_as(supervisor), case.reference, viewing=False)
    with django_assert_num_queries(0):
        assert access.grant_on(supervisor, fetched).shared_countries == ()
