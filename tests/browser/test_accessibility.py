"""axe-core (vendored, static/vendor/axe-core-4.14.1) on the main pages, in Chromium.

No serious or critical violation is allowed. axe is loaded as a context init script,
which the browser injects outside the page's Content-Security-Policy: the CSP stays on
(script-src 'self' refuses an injected <script> tag, so page.add_script_tag cannot be
used without bypass_csp), and the pages are checked exactly as they are served.
"""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from casework import matching
from casework.models import (
    Contact,
    ControlMeans,
    Document,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    Note,
    Recruitment,
    Task,
)
from casework.vocabularies import CaseStatus
from tests.browser.support import AXE, assert_clean, sign_in
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}

RUN_AXE = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""


def axe_violations(page):
    """Serious and critical violations on the page as it is now, one line each."""
    expect(page.locator("main")).to_be_visible()
    found = page.evaluate(RUN_AXE)
    return [
        f"{page.url}: {v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def shared_kenyan_case(organisation, caseworker, supervisor):
    """A case with something in every section, shared with Kenya's embassy."""
    person = PersonFactory(
        organisation=organisation,
        given_name="Brian",
        family_name="Otieno",
        native_name="Брайан Отієно",
        nationalities=["KE"],
    )
    matching.refresh_name_keys(person)
    case = CaseFactory(
        person=person,
        assigned_to=caseworker,
        status=CaseStatus.AWAITING_EMBASSY,
        situation="pow_in_ukraine",
        situation_country="UA",
        risk="high",
        media_attention=True,
    )
    recruitment = Recruitment.objects.create(
        case=case,
        method="online_advertisement",
        platform="telegram",
        promised_job="security",
        recruiter_details="Agent on Telegram",
    )
    ControlMeans.objects.create(recruitment=recruitment, means="false_promises")
    Contact.objects.create(case=case, kind="family", name="Grace Achieng", phone="+254700111222")
    ConsentFactory(case=case, country="KE", recorded_by=caseworker)
    EmbassyDisclosure.objects.create(case=case, country="KE", approved_by=supervisor)
    Task.objects.create(
        case=case,
        title="Call the family",
        kind="family_update",
        due_at=timezone.now() - datetime.timedelta(days=1),
        assignee=caseworker,
    )
    Note.objects.create(case=case, kind="call", text="Spoke with his mother.", author=caseworker)
    Note.objects.create(
        case=case,
        kind="call",
        text="He named the recruiter.",
        author=caseworker,
        confidentiality="restricted",
    )
    request = EmbassyRequest.objects.create(
        case=case,
        country="KE",
        kind="travel_document",
        message="Please issue an emergency travel document.",
        due_at=timezone.now() + datetime.timedelta(days=10),
        created_by=caseworker,
    )
    message = EmbassyMessage.objects.create(
        request=request, author=caseworker, body=request.message
    )
    content = b"%PDF-1.4 consent form"
    document = Document(
        case=case,
        embassy_message=message,
        kind="consent_form",
        original_name="consent.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=caseworker,
    )
    document.file.save("consent.pdf", ContentFile(content), save=True)
    return case, request


def test_main_pages_have_no_serious_accessibility_violation(page_factory):
    organisation = OrganisationFactory()
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=organisation)
    caseworker = UserFactory(
        role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
    )
    liaison = LiaisonFactory(liaison_countries="KE")
    case, request = shared_kenyan_case(organisation, caseworker, supervisor)
    violations = []

    staff = page_factory(init_scripts=[AXE])
    sign_in(staff, caseworker)
    for url in ["/", "/cases/", f"/cases/{case.reference}/", "/tasks/", "/cases/new/"]:
        staff.goto(url)
        violations += axe_violations(staff)
    # The registration's first step again, with its error messages shown.
    staff.get_by_role("button", name="Continue", exact=True).click()
    expect(staff.locator(".invalid-feedback").first).to_be_visible()
    violations += axe_violations(staff)
    assert_clean(staff)

    embassy = page_factory(init_scripts=[AXE])
    sign_in(embassy, liaison)
    for url in [
        "/embassy/",
        f"/cases/{case.reference}/",
        reverse("embassy-request-detail", args=[case.reference, request.pk]),
    ]:
        embassy.goto(url)
        violations += axe_violations(embassy)
    assert_clean(embassy)

    assert not violations, "\n".join(violations)
