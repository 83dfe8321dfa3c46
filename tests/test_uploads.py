"""Every form that takes a file checks it the same way, and a refused file loses nothing else."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from casework.models import Document, EmbassyMessage, EmbassyRequest
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import share_with_embassy
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def shared_request():
    org = OrganisationFactory()
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=org)
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=org)
    case = CaseFactory(
        person=PersonFactory(organisation=org, nationalities=["KE"]), assigned_to=caseworker
    )
    share_with_embassy(case, recorded_by=caseworker, approved_by=supervisor)
    return EmbassyRequest.objects.create(
        case=case,
        country="KE",
        kind="travel_document",
        message="Please issue a document.",
        due_at="2026-12-10T12:00Z",
        created_by=caseworker,
    )


def _reply_url(embassy_request):
    return reverse(
        "embassy-request-detail", args=[embassy_request.case.reference, embassy_request.pk]
    )


def _replies(embassy_request):
    return EmbassyMessage.objects.filter(request=embassy_request)


@pytest.mark.parametrize("side", ["liaison", "caseworker"])
def test_reply_with_a_too_large_attachment_is_refused_and_keeps_the_message(
    shared_request, settings, side
):
    settings.MAX_UPLOAD_BYTES = 4096
    user = (
        LiaisonFactory(liaison_countries="KE") if side == "liaison" else shared_request.created_by
    )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 20_000, content_type="application/pdf")
    response = signed_in(user).post(
        _reply_url(shared_request), {"body": "Travel document attached.", "file": big}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "too large" in page and "The reply was not sent." in page
    assert "Travel document attached." in page  # the typed message is kept
    assert not _replies(shared_request).exists() and not Document.objects.exists()


def test_reply_with_an_attachment_over_the_default_limit_is_refused(shared_request, settings):
    # The reported case: 11 MB against the default 10 MB limit.
    assert settings.MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    liaison = LiaisonFactory(liaison_countries="KE")
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (11 * 1024 * 1024), "application/pdf")
    response = signed_in(liaison).post(
        _reply_url(shared_request), {"body": "Scan of the passport.", "file": big}
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not _replies(shared_request).exists() and not Document.objects.exists()


def test_reply_with_an_attachment_of_the_wrong_type_is_refused(shared_request):
    liaison = LiaisonFactory(liaison_countries="KE")
    fake = SimpleUploadedFile("reply.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = signed_in(liaison).post(
        _reply_url(shared_request), {"body": "See attached.", "file": fake}
    )
    assert response.status_code == 200
    assert "Only PDF, JPEG and PNG" in response.content.decode()
    assert not _replies(shared_request).exists()


def test_reply_with_a_valid_attachment_attaches_it(shared_request, settings):
    settings.MAX_UPLOAD_BYTES = 4096
    liaison = LiaisonFactory(liaison_countries="KE")
    response = signed_in(liaison).post(
        _reply_url(shared_request),
        {"body": "Issued.", "file": SimpleUploadedFile("doc.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    reply = _replies(shared_request).get()
    assert reply.documents.get().content_type == "application/pdf"


def test_documents_cannot_be_replaced_through_the_admin():
    # The admin's file field has no content or size check: documents come in through
    # the case pages only.
    document_admin = admin.site._registry[Document]
    assert "file" in document_admin.get_readonly_fields(request=None)
