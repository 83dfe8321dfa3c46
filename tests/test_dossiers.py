"""Case dossiers and the liaison's export: only what the viewer may see, watermarked,
audited with the file's SHA-256, and gone from the export as soon as consent is."""

import datetime
import hashlib
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from accounts.models import Role
from casework import dossiers, tasks
from casework.audit import Action, AuditEvent
from casework.models import Consent, CustodyObligations, Dossier, Note
from casework.vocabularies import Confidentiality, NoteKind
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    DossierFactory,
    LegalProceedingFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import share_with_embassy, signed_in_client

pytestmark = pytest.mark.django_db

FACILITY = "Pretrial detention centre Nineteen block C"
SOURCE = "His cellmate released last week"
LEGAL_NOTES = "Prosecutor offers a deal for the commander"
RESTRICTED_NOTE = "Brother paid the recruiter twice"
NORMAL_NOTE = "Called the family hotline"
TOWN = "Olenivka"
ORIGIN = "Kakamega"
EVENT_PLACE = "Vuhledar outskirts"
ICRC_REFERENCE = "ICRC-KE-77341"


def squash(text: str) -> str:
    """Text without whitespace: a value wrapped across lines of the PDF still matches."""
    return re.sub(r"\s+", "", text)


def pdf_pages(content: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def world(org, caseworker, supervisor):
    """A Kenyan-Ugandan in custody, shared with Kenya, with a value of every kind a role
    may or may not see."""
    person = PersonFactory(
        organisation=org, nationalities=["KE", "UG"], given_name="Brian", place_of_origin=ORIGIN
    )
    case = CaseFactory(person=person, assigned_to=caseworker, situation_place=TOWN)
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=org)
    case.collaborators.add(collaborator)
    share_with_embassy(case, caseworker, supervisor, "KE")
    CustodyEventFactory(case=case, facility=FACILITY, source=SOURCE, place=EVENT_PLACE)
    CustodyObligations.objects.create(
        case=case, icrc_registered_on=datetime.date(2025, 4, 2), icrc_reference=ICRC_REFERENCE
    )
    LegalProceedingFactory(case=case, notes=LEGAL_NOTES)
    Note.objects.create(
        case=case,
        kind=NoteKind.CALL,
        text=RESTRICTED_NOTE,
        confidentiality=Confidentiality.RESTRICTED,
        author=caseworker,
    )
    Note.objects.create(case=case, kind=NoteKind.CALL, text=NORMAL_NOTE, author=caseworker)
    return {
        "case": case,
        "assigned caseworker": caseworker,
        "collaborator": collaborator,
        "supervisor": supervisor,
        "liaison": LiaisonFactory(liaison_countries="KE"),
    }


def built(world, role) -> tuple[Dossier, list[str]]:
    dossier = DossierFactory(case=world["case"], requested_by=world[role])
    assert dossiers.build_dossier(dossier.pk) == "done"
    dossier.refresh_from_db()
    with dossier.file.open("rb") as f:
        return dossier, pdf_pages(f.read())


# What each role must not find in its dossier, and what it must (so that an absence is
# not just an empty file).
HIDDEN = {
    "assigned caseworker": [],
    "supervisor": [],
    "collaborator": [FACILITY, RESTRICTED_NOTE],
    "liaison": [
        FACILITY,
        SOURCE,
        LEGAL_NOTES,
        RESTRICTED_NOTE,
        NORMAL_NOTE,
        TOWN,
        ORIGIN,
        EVENT_PLACE,
        ICRC_REFERENCE,
        "Uganda",
    ],
}
SHOWN = {
    "assigned caseworker": [FACILITY, SOURCE, LEGAL_NOTES, RESTRICTED_NOTE, TOWN, ORIGIN],
    "supervisor": [FACILITY, SOURCE, LEGAL_NOTES, RESTRICTED_NOTE, TOWN, ICRC_REFERENCE],
    "collaborator": [SOURCE, LEGAL_NOTES, NORMAL_NOTE, TOWN, EVENT_PLACE],
    "liaison": ["Kenya", "Brian"],
}


@pytest.mark.parametrize("role", sorted(HIDDEN))
def test_dossier_holds_exactly_what_the_role_may_see(world, role):
    _dossier, pages = built(world, role)
    text = "".join(pages)
    assert world["case"].reference in text
    for value in SHOWN[role]:
        assert squash(value) in text, f"{role} should see {value!r}"
    for value in HIDDEN[role]:
        assert squash(value) not in text, f"{role} must not see {value!r}"


def test_every_page_carries_the_viewer_and_the_day(world):
    for i in range(60):  # enough for several pages
        Note.objects.create(
            case=world["case"], kind=NoteKind.CALL, text=f"Call {i} " * 12, author=None
        )
    user = world["supervisor"]
    _dossier, pages = built(world, "supervisor")
    assert len(pages) > 1
    day = squash(date_format(timezone.now(), "DATE_FORMAT"))  # the day, not just the year
    for page in pages:
        assert squash(user.get_username()) in page and day in page


def test_the_built_dossier_is_audited_with_its_sha256(world):
    dossier, _pages = built(world, "collaborator")
    with dossier.file.open("rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    assert dossier.sha256 == digest
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="dossier")
    assert event.actor_id == world["collaborator"].pk
    assert event.case_reference == world["case"].reference
    assert f"sha256={digest}" in event.detail


def test_a_second_delivery_of_the_build_does_nothing(world):
    dossier = DossierFactory(case=world["case"], requested_by=world["supervisor"])
    assert dossiers.build_dossier(dossier.pk) == "done"
    assert dossiers.build_dossier(dossier.pk) == "skipped"
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_a_dossier_asked_before_consent_was_withdrawn_is_not_built(world):
    dossier = DossierFactory(case=world["case"], requested_by=world["liaison"])
    Consent.objects.get(case=world["case"]).withdraw(by=world["assigned caseworker"])
    assert dossiers.build_dossier(dossier.pk) == "refused"
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.FAILED and not dossier.file


def test_dossier_downloads_for_its_requester_with_its_token_only(world):
    dossier, _pages = built(world, "liaison")
    case = world["case"]
    url = reverse("case-dossier-download", args=[case.reference, dossier.pk, dossier.token])
    response = signed_in_client(world["liaison"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, actor_id=world["liaison"].pk)
    wrong = reverse("case-dossier-download", args=[case.reference, dossier.pk, "x" * 43])
    assert signed_in_client(world["liaison"]).get(wrong).status_code == 404
    assert signed_in_client(world["supervisor"]).get(url).status_code == 404
    Dossier.objects.filter(pk=dossier.pk).update(expires_at=timezone.now())
    assert signed_in_client(world["liaison"]).get(url).status_code == 404


def test_an_expired_dossier_is_deleted_with_its_file_by_the_sweep(
    world, django_capture_on_commit_callbacks
):
    dossier, _pages = built(world, "supervisor")
    fresh, _pages = built(world, "collaborator")
    storage, name = dossier.file.storage, dossier.file.name
    assert storage.exists(name)
    Dossier.objects.filter(pk=dossier.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_sweep(timezone.now() + datetime.timedelta(seconds=1), enqueue_email=False)
    assert not Dossier.objects.filter(pk=dossier.pk).exists() and not storage.exists(name)
    assert Dossier.objects.filter(pk=fresh.pk).exists() and storage.exists(fresh.file.name)


def test_deleting_a_dossier_deletes_its_file(world, django_capture_on_commit_callbacks):
    dossier, _pages = built(world, "supervisor")
    storage, name = dossier.file.storage, dossier.file.name
    with django_capture_on_commit_callbacks(execute=True):
        dossier.delete()
    assert not storage.exists(name)


def test_a_dossier_with_restricted_content_is_not_served_once_the_requester_loses_it(world):
    case, caseworker = world["case"], world["assigned caseworker"]
    collaborators, _pages = built(world, "collaborator")
    assert not collaborators.included_restricted
    dossier, pages = built(world, "assigned caseworker")
    assert dossier.included_restricted and squash(RESTRICTED_NOTE) in "".join(pages)
    url = reverse("case-dossier-download", args=[case.reference, dossier.pk, dossier.token])
    client = signed_in_client(caseworker)
    assert client.get(url).status_code == 200
    case.collaborators.add(caseworker)  # still on the case, no longer its assigned worker
    type(case).objects.filter(pk=case.pk).update(assigned_to=world["collaborator"])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, object_id=str(dossier.pk)).exists()


def test_asking_for_a_dossier_queues_it_and_shows_its_status(world):
    client = signed_in_client(world["collaborator"])
    response = client.post(reverse("case-dossier-request", args=[world["case"].reference]))
    dossier = Dossier.objects.get()
    assert response.url == reverse("case-dossier", args=[world["case"].reference, dossier.pk])
    assert dossier.requested_by == world["collaborator"] and dossier.state == "queued"
    assert client.get(response.url).status_code == 200


# --- The liaison's export ---------------------------------------------------------------


def export_csv(client) -> str:
    response = client.get(reverse("embassy-export-csv"))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_liaison_export_lists_custody_status_within_the_allowlist(world):
    case = world["case"]
    unshared = CaseFactory(person=PersonFactory(organisation=case.organisation))
    text = export_csv(signed_in_client(world["liaison"]))
    assert case.reference in text and unshared.reference not in text
    assert "Captured" in text and "Registered with the ICRC" in text
    for value in HIDDEN["liaison"]:
        assert value not in text, value


def test_liaison_export_is_audited_with_the_files_sha256(world):
    client = signed_in_client(world["liaison"])
    response = client.get(reverse("embassy-export-csv"))
    digest = hashlib.sha256(response.content).hexdigest()
    event = AuditEvent.objects.get(action=Action.EXPORT, actor_id=world["liaison"].pk)
    assert event.detail.endswith(f"sha256={digest}") and "cases=1" in event.detail


def test_liaison_exports_are_audited_in_each_holding_organisations_log(world):
    other_org = OrganisationFactory()
    other = CaseFactory(person=PersonFactory(organisation=other_org, nationalities=["KE"]))
    share_with_embassy(
        other,
        UserFactory(role=Role.CASEWORKER, organisation=other_org),
        UserFactory(role=Role.SUPERVISOR, organisation=other_org),
        "KE",
    )
    liaison = world["liaison"]
    client = signed_in_client(liaison)
    digest = hashlib.sha256(client.get(reverse("embassy-export-csv")).content).hexdigest()
    dossier = DossierFactory(case=None, kind=Dossier.Kind.EMBASSY_CASES, requested_by=liaison)
    assert dossiers.build_dossier(dossier.pk) == "done"
    dossier.refresh_from_db()
    url = reverse("embassy-export-download", args=[dossier.pk, dossier.token])
    assert client.get(url).status_code == 200
    holders = sorted([world["case"].organisation_id, other_org.pk])
    for action, sha in (
        (Action.EXPORT, digest),
        (Action.EXPORT, dossier.sha256),
        (Action.DOWNLOAD, dossier.sha256),
    ):
        events = AuditEvent.objects.filter(
            action=action, actor_id=liaison.pk, detail__endswith=f"sha256={sha}"
        )
        assert sorted(e.organisation_id for e in events) == holders
        assert all("cases=1" in e.detail for e in events)


def test_withdrawing_the_embassy_consent_removes_the_case_from_the_export_at_once(world):
    client = signed_in_client(world["liaison"])
    assert world["case"].reference in export_csv(client)
    Consent.objects.get(case=world["case"]).withdraw(by=world["assigned caseworker"])
    assert world["case"].reference not in export_csv(client)


def test_a_built_pdf_list_is_not_served_once_a_case_in_it_is_withdrawn(world):
    liaison = world["liaison"]
    dossier = DossierFactory(case=None, kind=Dossier.Kind.EMBASSY_CASES, requested_by=liaison)
    assert dossiers.build_dossier(dossier.pk) == "done"
    dossier.refresh_from_db()
    with dossier.file.open("rb") as f:
        text = "".join(pdf_pages(f.read()))
    assert squash(world["case"].reference) in text and squash(FACILITY) not in text
    assert squash(liaison.get_username()) in text
    url = reverse("embassy-export-download", args=[dossier.pk, dossier.token])
    client = signed_in_client(liaison)
    assert client.get(url).status_code == 200
    Consent.objects.get(case=world["case"]).withdraw(by=world["assigned caseworker"])
    assert client.get(url).status_code == 404


def test_a_liaison_list_is_its_requesters_alone(world):
    mine = DossierFactory(case=None, kind=Dossier.Kind.EMBASSY_CASES, requested_by=world["liaison"])
    other = signed_in_client(LiaisonFactory(liaison_countries="KE"))
    assert other.get(reverse("embassy-export", args=[mine.pk])).status_code == 404
    own = signed_in_client(world["liaison"])
    assert own.get(reverse("embassy-export", args=[mine.pk])).status_code == 200
    response = own.post(reverse("embassy-export-pdf"))
    assert response.status_code == 302
    assert Dossier.objects.filter(kind=Dossier.Kind.EMBASSY_CASES).count() == 2
    staff = signed_in_client(world["supervisor"])
    assert staff.get(reverse("embassy-export", args=[mine.pk])).status_code == 404
    assert staff.post(reverse("embassy-export-pdf")).status_code == 404


# --- A real worker ----------------------------------------------------------------------


@pytest.mark.celery_worker(queue_prefix="test-dossier")
def test_a_worker_builds_the_dossier_asked_for_on_the_case_page(
    transactional_db, celery_worker, monkeypatch
):
    monkeypatch.setattr(tasks.build_dossier, "queue", celery_worker.queue, raising=False)
    monkeypatch.setattr(tasks.build_dossier, "_exec_options", None)
    caseworker = UserFactory(role=Role.CASEWORKER)
    case = CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
    )
    CustodyEventFactory(case=case, facility=FACILITY)
    client = signed_in_client(caseworker)
    client.post(reverse("case-dossier-request", args=[case.reference]))
    dossier = celery_worker.wait_for(
        "the dossier built", lambda: Dossier.objects.filter(state="done").first()
    )
    with dossier.file.open("rb") as f:
        text = "".join(pdf_pages(f.read()))
    assert squash(case.reference) in text and squash(FACILITY) in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, detail__contains=dossier.sha256)
