"""The pages caseworkers, supervisors and liaisons use every day."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import matching
from casework.audit import AuditEvent
from casework.models import (
    Case,
    Contact,
    Document,
    EmbassyMessage,
    EmbassyRequest,
    IdentityDocument,
    Note,
    Person,
    Task,
)
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import register_in_steps, share_with_embassy
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def registration(**overrides):
    data = {
        "person-given_name": "Brian",
        "person-family_name": "Otieno",
        "person-native_name": "",
        "person-sex": "male",
        "person-birth_year": "1996",
        "person-languages": "sw, en",
        "identity-nationalities": ["KE"],
        "identity-aliases": "Brayan Otyeno",
        "identity-document_type": "passport",
        "identity-document_number": "AK1234567",
        "identity-document_country": "KE",
        "identity-document_status": "confiscated",
        "case-situation": "pow_in_ukraine",
        "case-situation_country": "UA",
        "case-situation_region": "Lviv Oblast",
        "case-risk": "high",
        "recruitment-recruited_in": "2025-03",
        "recruitment-country": "KE",
        "recruitment-method": "online_advertisement",
        "recruitment-platform": "tiktok",
        "recruitment-promised_job": "security",
        "recruitment-promised_salary": "2500",
        "recruitment-promised_salary_currency": "usd",
        "recruitment-means_of_control": ["false_promises", "withholds_documents"],
        "recruitment-unit_type": "assault",
        "recruitment-recruiter_details": "Agent on TikTok @jobs_ru",
    }
    data.update(overrides)
    return data


def test_caseworker_registers_a_case_with_recruitment(caseworker):
    client = signed_in(caseworker)
    response = register_in_steps(client, registration())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.assigned_to == caseworker and case.status == "active"
    assert case.person.nationalities.get().country == "KE"
    assert case.recruitment.method == "online_advertisement"
    assert case.recruitment.promised_salary_currency == "USD"
    assert case.recruitment.recruited_in == datetime.date(2025, 3, 1)
    assert set(case.recruitment.means_of_control.values_list("means", flat=True)) == {
        "false_promises",
        "withholds_documents",
    }
    assert IdentityDocument.objects.get().number == "AK1234567"
    assert case.notes.filter(automatic=True).exists()  # registration on the timeline
    # Searchable by any spelling at once.
    assert matching.search_persons(Case.objects.all(), "Отиено").get() == case
    assert matching.search_persons(Case.objects.all(), "Brayan").get() == case


def test_invalid_registration_keeps_what_was_typed_and_says_what_is_wrong(caseworker):
    client = signed_in(caseworker)
    data = registration(
        **{
            "person-birth_year": "2999",
            "recruitment-arrived_in_russia_on": "2025-05-01",
            "recruitment-deployed_on": "2025-04-01",
            "identity-nationalities": [],
        }
    )
    # Each step says what is wrong with it, and keeps what was typed.
    response = register_in_steps(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Otieno"' in page and "Brayan Otyeno" in page
    assert "birth_year" in response.context["person_form"].errors
    data["person-birth_year"] = "1996"
    response = register_in_steps(client, data)
    assert "AK1234567" in response.content.decode()
    assert "nationalities" in response.context["identity_form"].errors
    data["identity-nationalities"] = ["KE"]
    response = register_in_steps(client, data)
    assert "deployed_on" in response.context["recruitment_form"].errors
    assert 'value="2025-05-01"' in response.content.decode()
    assert not Case.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize("method", ["agency", "individual_recruiter", "friend_or_relative"])
def test_a_platform_is_recorded_whatever_the_recruitment_method(caseworker, method):
    # Agents and agencies recruit over Telegram and WhatsApp too, not only online ads.
    client = signed_in(caseworker)
    data = registration(**{"recruitment-method": method, "recruitment-platform": "telegram"})
    response = register_in_steps(client, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.recruitment.method, case.recruitment.platform) == (method, "telegram")
    response = client.post(
        reverse("case-edit", args=[case.reference, "recruitment"]),
        {
            "method": "friend_or_relative",
            "platform": "whatsapp",
            "unit_type": "unknown",
            "recruited_in": "2025-03",
        },
    )
    assert response.status_code == 302
    case.recruitment.refresh_from_db()
    assert case.recruitment.platform == "whatsapp"


def test_registration_warns_of_a_duplicate_before_saving(caseworker):
    client = signed_in(caseworker)
    register_in_steps(client, registration())
    assert Case.objects.count() == 1
    second = registration(
        **{
            "person-given_name": "Брайан",
            "person-family_name": "Отиено",
            "identity-aliases": "",
            "identity-document_number": "",
            "identity-document_type": "",
        }
    )
    response = register_in_steps(client, second)
    assert response.status_code == 200
    assert Case.objects.count() == 1
    warning = response.context["duplicates"]
    assert warning and warning[0]["reference"] == Case.objects.get().reference
    assert "duplicate-warning" in response.content.decode()
    # The caseworker checked: a different person.
    second["not_a_duplicate"] = "1"
    response = register_in_steps(client, second)
    assert response.status_code == 302 and Case.objects.count() == 2


def test_same_document_number_is_flagged_even_typed_differently(caseworker):
    client = signed_in(caseworker)
    register_in_steps(client, registration())
    other = registration(
        **{
            "person-given_name": "John",
            "person-family_name": "Kamau",
            "identity-aliases": "",
            "identity-document_number": "ak 123 4567",
        }
    )
    response = register_in_steps(client, other)
    assert response.context["duplicates"][0]["reason"] == "same document number"


def test_caseworker_sees_duplicates_of_cases_not_assigned_to_them_only_minimally(org, caseworker):
    colleague = UserFactory(role=Role.CASEWORKER, organisation=org)
    register_in_steps(signed_in(colleague), registration())
    response = register_in_steps(signed_in(caseworker), registration())
    row = response.context["duplicates"][0]
    assert row["can_open"] is False
    assert set(row) == {"reference", "can_open", "name", "nationalities", "reason"}


def test_note_added_in_place_with_htmx(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    response = client.post(
        reverse("note-add", args=[case.reference]),
        {
            "kind": "call",
            "occurred_at": "2026-11-20T10:00",
            "text": "Spoke to the brother.",
            "confidentiality": "normal",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        b'id="timeline-block"' in response.content and b"Spoke to the brother." in response.content
    )
    assert b"<html" not in response.content  # a fragment, not a page
    invalid = client.post(
        reverse("note-add", args=[case.reference]), {"kind": "call"}, HTTP_HX_REQUEST="true"
    )
    assert invalid.status_code == 200 and b"is-invalid" in invalid.content
    assert Note.objects.filter(case=case, automatic=False).count() == 1


def test_collaborator_cannot_write_a_restricted_note(org, caseworker):
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=org)
    case = CaseFactory(person=PersonFactory(organisation=org), assigned_to=caseworker)
    case.collaborators.add(collaborator)
    signed_in(collaborator).post(
        reverse("note-add", args=[case.reference]),
        {
            "kind": "call",
            "occurred_at": "2026-11-20T10:00",
            "text": "x",
            "confidentiality": "restricted",
        },
    )
    assert Note.objects.get(case=case).confidentiality == "normal"


def test_task_added_and_completed_once(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    client.post(
        reverse("task-add", args=[case.reference]),
        {
            "title": "Call the family",
            "kind": "family_update",
            "due_at": "2026-12-01T09:00",
            "assignee": caseworker.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    task = Task.objects.get()
    for _ in range(2):
        client.post(reverse("task-complete", args=[case.reference, task.pk]))
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    updates = AuditEvent.objects.filter(action="update", object_type="task", object_id=str(task.pk))
    assert updates.count() == 1


def test_task_cannot_be_assigned_to_another_organisations_user(caseworker):
    stranger = UserFactory(role=Role.CASEWORKER)
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    response = signed_in(caseworker).post(
        reverse("task-add", args=[case.reference]),
        {"title": "x", "kind": "other", "due_at": "2026-12-01T09:00", "assignee": stranger.pk},
    )
    assert response.status_code == 200 and not Task.objects.exists()


def test_status_change_and_closure_approval_are_on_the_timeline(caseworker, supervisor):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation),
        assigned_to=caseworker,
        status="active",
    )
    signed_in(caseworker).post(
        reverse("case-status", args=[case.reference]),
        {"status": "closure_requested", "closure_reason": "returned_home"},
    )
    case.refresh_from_db()
    assert case.status == "closure_requested" and case.closure_reason == "returned_home"
    # A caseworker cannot close it themselves.
    response = signed_in(caseworker).post(
        reverse("case-closure", args=[case.reference]), {"decision": "approve"}
    )
    assert response.status_code == 404
    signed_in(supervisor).post(
        reverse("case-closure", args=[case.reference]), {"decision": "approve", "next": "queue"}
    )
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    kinds = list(case.notes.filter(automatic=True).values_list("kind", flat=True))
    assert kinds.count("status_change") == 2


def test_closure_request_needs_a_reason(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation),
        assigned_to=caseworker,
        status="active",
    )
    response = signed_in(caseworker).post(
        reverse("case-status", args=[case.reference]), {"status": "closure_requested"}
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "active"


def test_closure_request_without_a_reason_shows_a_form_error_and_keeps_the_choice(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation),
        assigned_to=caseworker,
        status="active",
    )
    response = signed_in(caseworker).post(
        reverse("case-status", args=[case.reference]),
        {"status": "closure_requested", "closure_reason": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give a reason to request closure." in page
    assert response.context["form"].errors == {
        "closure_reason": ["Give a reason to request closure."]
    }
    # The chosen status is still selected: nothing the user entered is lost.
    assert '<option value="closure_requested" selected>' in page
    case.refresh_from_db()
    assert case.status == "active" and case.closure_reason == ""


def test_supervisor_assigns_from_the_queue(org, caseworker, supervisor):
    case = CaseFactory(person=PersonFactory(organisation=org), status="new")
    client = signed_in(supervisor)
    assert case.reference in client.get(reverse("queue")).content.decode()
    client.post(
        reverse("case-assign", args=[case.reference]),
        {"assigned_to": caseworker.pk, "next": "queue"},
    )
    case.refresh_from_db()
    assert case.assigned_to == caseworker and case.status == "active"
    assert case.notes.filter(kind="assignment").exists()


def test_upload_is_checked_by_content_and_stored_under_a_random_name(caseworker, settings):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    fake = SimpleUploadedFile(
        "passport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        reverse("document-upload", args=[case.reference]),
        {"kind": "identity_document", "file": fake},
    )
    assert response.status_code == 200 and not Document.objects.exists()
    assert "Only PDF, JPEG and PNG" in response.content.decode()

    image = SimpleUploadedFile(
        "Brian Otieno passport.exe", PNG, content_type="application/x-msdownload"
    )
    client.post(
        reverse("document-upload", args=[case.reference]),
        {"kind": "identity_document", "file": image},
    )
    document = Document.objects.get()
    assert document.content_type == "image/png"
    assert document.original_name == "Brian Otieno passport.png"
    assert "Otieno" not in document.file.name and "passport" not in document.file.name
    download = client.get(reverse("document-download", args=[case.reference, document.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="download", object_id=str(document.pk)).exists()


def test_upload_size_limit(caseworker, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = signed_in(caseworker).post(
        reverse("document-upload", args=[case.reference]), {"kind": "other", "file": big}
    )
    assert response.status_code == 200 and not Document.objects.exists()
    assert "too large" in response.content.decode()


def test_contact_phone_must_be_international(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    data = {
        "kind": "family",
        "name": "Mama",
        "relationship": "mother",
        "phone": "0712 345678",
        "country": "KE",
        "person_agreed": "on",
        "safe_to_contact": "on",
    }
    response = client.post(reverse("contact-add", args=[case.reference]), data)
    assert response.status_code == 200 and not Contact.objects.exists()
    assert 'value="Mama"' in response.content.decode()
    data["phone"] = "+254 712 345678"
    client.post(reverse("contact-add", args=[case.reference]), data)
    assert Contact.objects.get().phone == "+254712345678"


@pytest.fixture
def shared_request(org, caseworker, supervisor):
    person = PersonFactory(organisation=org, nationalities=["KE"])
    case = CaseFactory(person=person, assigned_to=caseworker)
    share_with_embassy(case, recorded_by=caseworker, approved_by=supervisor)
    client = signed_in(caseworker)
    client.post(
        reverse("embassy-request-add", args=[case.reference]),
        {
            "country": "KE",
            "kind": "travel_document",
            "message": "Please issue a document.",
            "due_at": "2026-12-10T12:00",
        },
    )
    return EmbassyRequest.objects.get()


def test_liaison_answers_a_request_with_a_document_and_status(shared_request):
    liaison = LiaisonFactory(liaison_countries="KE")
    client = signed_in(liaison)
    case = shared_request.case
    portal = client.get(reverse("embassy-portal")).content.decode()
    assert case.reference in portal
    url = reverse("embassy-request-detail", args=[case.reference, shared_request.pk])
    response = client.post(
        url,
        {
            "body": "Travel document issued.",
            "status": "fulfilled",
            "file": SimpleUploadedFile("reply.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    shared_request.refresh_from_db()
    assert shared_request.status == "fulfilled"
    reply = EmbassyMessage.objects.get(from_embassy=True)
    assert reply.documents.get().kind == "embassy_response"
    # The caseworker sees the reply and can download the document.
    staff_page = signed_in(case.assigned_to).get(url).content.decode()
    assert "Travel document issued." in staff_page
    assert case.notes.filter(kind="embassy").count() >= 2


def test_caseworker_cannot_change_an_embassy_requests_status(shared_request):
    case = shared_request.case
    url = reverse("embassy-request-detail", args=[case.reference, shared_request.pk])
    signed_in(case.assigned_to).post(url, {"body": "Any news?", "status": "fulfilled"})
    shared_request.refresh_from_db()
    assert shared_request.status == "sent"


def test_embassy_request_only_to_a_country_of_nationality(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation, nationalities=["KE"]),
        assigned_to=caseworker,
    )
    response = signed_in(caseworker).post(
        reverse("embassy-request-add", args=[case.reference]),
        {"country": "IN", "kind": "other", "message": "x", "due_at": "2026-12-10T12:00"},
    )
    assert response.status_code == 200 and not EmbassyRequest.objects.exists()


def test_case_list_filters_and_searches(org, caseworker, supervisor):
    kenyan = CaseFactory(
        person=PersonFactory(
            organisation=org, given_name="Brian", family_name="Otieno", nationalities=["KE"]
        ),
        assigned_to=caseworker,
        risk="critical",
    )
    nepali = CaseFactory(
        person=PersonFactory(
            organisation=org, given_name="Ram", family_name="Thapa", nationalities=["NP"]
        ),
        assigned_to=caseworker,
        risk="low",
    )
    for case in (kenyan, nepali):
        matching.refresh_name_keys(case.person)
    Task.objects.create(
        case=nepali, title="x", kind="other", due_at=timezone.now() - datetime.timedelta(days=1)
    )
    client = signed_in(supervisor)

    def refs(**params):
        # Filters are POSTed (the searched name must not land in a URL), then shown.
        response = client.post(reverse("case-list"), {"q": "", **params}, follow=True)
        assert "Отиено" not in response.redirect_chain[-1][0] if response.redirect_chain else True
        return [c.reference for c in response.context["page"]]

    assert set(refs()) == {kenyan.reference, nepali.reference}
    assert refs(nationality="KE") == [kenyan.reference]
    assert refs(risk="critical") == [kenyan.reference]
    assert refs(overdue="1") == [nepali.reference]
    assert refs(q="Отиено") == [kenyan.reference]
    assert refs(q=nepali.reference.lower()) == [nepali.reference]
    assert refs(sort="risk")[0] == kenyan.reference
    fragment = client.post(reverse("case-list"), {"risk": "low"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and nepali.reference.encode() in fragment.content


def test_home_shows_due_tasks_attention_and_notifications(caseworker):
    from casework.models import Notification

    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation),
        assigned_to=caseworker,
        risk="critical",
    )
    Task.objects.create(
        case=case,
        title="Overdue welfare check",
        kind="welfare_check",
        due_at=timezone.now() - datetime.timedelta(hours=3),
        assignee=caseworker,
    )
    Notification.objects.create(
        recipient=caseworker,
        case=case,
        kind="task_overdue",
        message="A task is overdue.",
        event_key="t:1",
    )
    client = signed_in(caseworker)
    page = client.get(reverse("home")).content.decode()
    assert (
        "Overdue welfare check" in page and f"A task on case {case.reference} is overdue." in page
    )
    notification = Notification.objects.get()
    client.post(reverse("notification-read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_no_inline_script_or_style_and_a_csp_header(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    for url in [
        reverse("home"),
        reverse("case-list"),
        reverse("case-register"),
        case.get_absolute_url(),
    ]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_language_switch_is_remembered_on_the_account(caseworker):
    client = signed_in(caseworker)
    response = client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.language == "uk"
    page = client.get(reverse("home"))
    assert '<html lang="uk">' in page.content.decode()


def test_searched_name_never_lands_in_a_url(caseworker):
    client = signed_in(caseworker)
    response = client.post(reverse("case-list"), {"q": "Otieno", "risk": "high"})
    assert response.status_code == 302
    assert "Otieno" not in response.url and "risk=high" in response.url
    page = client.get(response.url)
    assert page.context["params"]["q"] == "Otieno"  # kept in the session
    assert "Otieno" not in "".join(page.context["query"])


def test_an_upload_too_large_stops_streaming_and_says_so(caseworker, settings):
    settings.MAX_UPLOAD_BYTES = 4096
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 100_000, content_type="application/pdf")
    response = signed_in(caseworker).post(
        reverse("document-upload", args=[case.reference]), {"kind": "other", "file": big}
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode() and not Document.objects.exists()


def _nationality_options(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select[^>]*name="nationality"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no nationality select"
    return re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', select.group(1))


def test_case_list_filters_by_a_country_chosen_by_name(org, supervisor):
    nepali = CaseFactory(person=PersonFactory(organisation=org, nationalities=["NP"]))
    CaseFactory(person=PersonFactory(organisation=org, nationalities=["NE"]))  # Niger
    CaseFactory(person=PersonFactory(organisation=org, nationalities=["KE"]))
    client = signed_in(supervisor)
    response = client.get(reverse("case-list"), {"nationality": "NP"})
    assert [c.reference for c in response.context["page"]] == [nepali.reference]
    page = response.content.decode()
    assert ("NP", "Nepal") in _nationality_options(page)
    assert '<option value="NP" selected>Nepal</option>' in page
    # A name, or a code that is no country, is not a choice: no filter, nothing selected.
    for typed in ("Nepal", "XX", "ne"):
        response = client.get(reverse("case-list"), {"nationality": typed})
        assert response.status_code == 200
        assert response.context["page"].total == 3
        assert " selected>" not in re.search(
            r'<select[^>]*name="nationality"[^>]*>(.*?)</select>', response.content.decode(), re.S
        ).group(1)


@pytest.mark.parametrize(
    ("language", "nepal", "in_order"),
    [
        ("en", "Nepal", ["Åland Islands", "Albania", "Nepal", "Zimbabwe"]),
        ("fr", "Népal", ["Égypte", "Émirats arabes unis", "Équateur", "Espagne", "Népal"]),
        (
            "uk",
            "Непал",
            ["Аруба", "Вірменія", "Естонія", "Єгипет", "Зімбабве", "Ізраїль", "Йорданія"],
        ),
    ],
)
def test_nationality_filter_names_countries_in_the_readers_language(
    supervisor, language, nepal, in_order
):
    client = signed_in(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    options = _nationality_options(client.get(reverse("case-list")).content.decode())
    names = [name for _code, name in options]
    assert ("NP", nepal) in options and len(options) >= 249
    positions = [names.index(name) for name in in_order]
    assert positions == sorted(positions), [names[i] for i in sorted(positions)]


def test_the_same_contact_twice_is_saved_only_once_confirmed(caseworker):
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    client = signed_in(caseworker)
    url = reverse("contact-add", args=[case.reference])
    data = {"kind": "family", "name": "Sunita Sharma", "phone": "+254 712 345678"}
    assert client.post(url, data).status_code == 302
    again = {
        "kind": "family",
        "name": " sunita  SHARMA ",
        "relationship": "sister",
        "email": "sunita@example.org",
    }
    response = client.post(url, again)
    page = response.content.decode()
    # Not saved; said why; everything typed is still there; a box to save it anyway.
    assert response.status_code == 200 and Contact.objects.count() == 1
    assert "Sunita Sharma" in page and "already has a contact" in page
    assert 'value="sister"' in page and 'value="sunita@example.org"' in page
    assert 'type="checkbox" name="confirm_duplicate"' in page
    # The same phone number under another name is the same contact too.
    response = client.post(url, {"kind": "other", "name": "S.", "phone": "+254712345678"})
    assert response.status_code == 200 and Contact.objects.count() == 1
    # Confirmed: saved.
    assert client.post(url, {**again, "confirm_duplicate": "on"}).status_code == 302
    assert Contact.objects.count() == 2
    # Editing a contact is no duplicate of itself.
    first = Contact.objects.order_by("pk").first()
    response = client.post(
        reverse("contact-edit", args=[case.reference, first.pk]),
        {
            "kind": "family",
            "name": "Sunita Sharma",
            "phone": "+254712345678",
            "relationship": "aunt",
        },
    )
    assert response.status_code == 302
