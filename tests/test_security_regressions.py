"""Findings of the security review, each pinned by a test so it cannot come back."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_STARTED
from accounts.models import Role
from casework.audit import AuditEvent
from casework.models import EmbassyRequest
from tests.factories import CaseFactory, LiaisonFactory, PersonFactory, UserFactory
from tests.helpers import share_with_embassy
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_portal_shows_only_the_shared_nationality_of_a_dual_national():
    supervisor = UserFactory(role=Role.SUPERVISOR)
    person = PersonFactory(organisation=supervisor.organisation, nationalities=["KE", "IN"])
    case = CaseFactory(person=person)
    share_with_embassy(case, recorded_by=supervisor, approved_by=supervisor)
    EmbassyRequest.objects.create(
        case=case,
        country="IN",
        kind="identity_confirmation",
        message="x",
        due_at="2026-12-30T00:00Z",
    )
    # A liaison speaking for both countries still sees only what Kenya was given.
    liaison = LiaisonFactory(liaison_countries="KE,IN")
    page = signed_in(liaison).get(reverse("embassy-portal")).content.decode()
    assert case.reference in page
    assert "India" not in page
    assert "Identity confirmation" not in page
    assert AuditEvent.objects.filter(action="view", object_type="embassy-portal").exists()


def test_each_password_step_gets_a_new_enrolment_secret():
    user = UserFactory()
    first, second = Client(), Client()
    first.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    secret_first = first.get(reverse("login-enrol")).context["secret"]
    second.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    secret_second = second.get(reverse("login-enrol")).context["secret"]
    assert secret_first != secret_second
    # The first secret is gone: only the newest password step can confirm a device.
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1
    assert first.get(reverse("login-enrol")).status_code == 302


def test_an_insider_signing_in_does_not_clear_failures_against_someone_else(settings):
    from tests.test_auth import current_code, totp_device

    settings.AXES_FAILURE_LIMIT = 5
    victim, insider = UserFactory(), UserFactory()
    insider_device = totp_device(insider)
    shared_address = {"REMOTE_ADDR": "10.20.30.40"}
    for _ in range(4):
        Client(**shared_address).post(
            reverse("login"), {"username": victim.username, "password": "wrong-wrong-wrong"}
        )
    assert AccessAttempt.objects.get(username=victim.username).failures_since_start == 4
    client = Client(**shared_address)
    client.post(reverse("login"), {"username": insider.username, "password": PASSWORD})
    client.post(reverse("login-verify"), {"token": current_code(insider_device)})
    assert AccessAttempt.objects.get(username=victim.username).failures_since_start == 4


def test_collaborator_changes_are_audited():
    supervisor = UserFactory(role=Role.SUPERVISOR)
    worker = UserFactory(role=Role.CASEWORKER, organisation=supervisor.organisation)
    helper = UserFactory(role=Role.CASEWORKER, organisation=supervisor.organisation)
    case = CaseFactory(person=PersonFactory(organisation=supervisor.organisation))
    signed_in(supervisor).post(
        reverse("case-assign", args=[case.reference]),
        {"assigned_to": worker.pk, "collaborators": [helper.pk]},
    )
    assert AuditEvent.objects.filter(
        action="update", object_type="case", fields__contains=["collaborators"]
    ).exists()


def test_audit_details_do_not_name_the_embassy_country():
    supervisor = UserFactory(role=Role.SUPERVISOR)
    case = CaseFactory(
        person=PersonFactory(organisation=supervisor.organisation, nationalities=["IN"])
    )
    signed_in(supervisor).post(
        reverse("disclosure-approve", args=[case.reference]), {"country": "IN"}
    )
    details = " ".join(AuditEvent.objects.values_list("detail", flat=True))
    assert "IN" not in details.split() and "India" not in details


def test_login_redirect_after_expiry_carries_no_query_string(settings):
    user = UserFactory()
    client = signed_in(user)
    session = client.session
    session[SESSION_STARTED] = 0  # long expired
    session.save()
    response = client.get(reverse("case-list") + "?nationality=KE&sort=risk")
    assert response.status_code == 302
    assert "nationality" not in response.url and "sort" not in response.url
