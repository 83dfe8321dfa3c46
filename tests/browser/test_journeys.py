"""Four journeys through the real pages, in Chromium: caseworker, supervisor, embassy
liaison and the language switch, each in English, Ukrainian and French. Each ends with
no console error, no uncaught exception and no Content-Security-Policy violation on any
page it went through.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from casework import matching
from casework.models import (
    Case,
    Contact,
    Document,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    LegalProceeding,
    Note,
    Recruitment,
    Task,
)
from casework.vocabularies import (
    CaseStatus,
    ClosureReason,
    ContactKind,
    EmbassyRequestKind,
    EmbassyRequestStatus,
    MeansOfControl,
    Platform,
    PromisedJob,
    RecruitmentMethod,
    RiskLevel,
    Situation,
)
from tests.browser.support import (
    Catalogue,
    assert_clean,
    assert_translated,
    sign_in,
    switch_language,
)
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

# Each journey runs in every language of the interface: signed in (the sign-in pages
# follow the browser's locale), the user switches with the selector, and every label the
# journey looks for is read from the server's own catalogue for that language.
LANGUAGES = pytest.mark.parametrize("language", ["en", "uk", "fr"])

REFERENCE_URL = re.compile(r"/cases/([A-Z0-9-]+)/$")


def make_case(organisation, given_name, family_name, *, nationalities=("KE",), **fields):
    person = PersonFactory(
        organisation=organisation,
        given_name=given_name,
        family_name=family_name,
        nationalities=list(nationalities),
    )
    matching.refresh_name_keys(person)
    fields.setdefault("status", CaseStatus.ACTIVE)
    return CaseFactory(person=person, situation_country="UA", **fields)


def main_nav(page, t):
    return page.get_by_role("navigation", name=t("Main"), exact=True)


@LANGUAGES
def test_caseworker_registers_a_case_then_is_warned_of_a_second_spelling(page, language):
    t = Catalogue(language)
    organisation = OrganisationFactory()
    worker = UserFactory(
        role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
    )
    sign_in(page, worker)
    switch_language(page, language)

    # Registration, in steps: who, from where, how he was recruited, where he is now.
    main_nav(page, t).get_by_role("link", name=t("Register a case")).click()
    expect(page).to_have_url(re.compile(r"/cases/new/$"))
    next_step = page.get_by_role("button", name=t("Continue"), exact=True)
    page.fill("#id_person-given_name", "Ravi")
    page.fill("#id_person-family_name", "Sharma")
    page.fill("#id_person-birth_year", "1994")
    page.select_option("#id_person-sex", "male")
    next_step.click()
    # The searchable list: typed in the reader's language, taken with Enter.
    page.locator("#id_identity-nationalities-ts-control").fill(t.country("IN"))
    expect(page.locator(".ts-dropdown .option.active")).to_have_text(t.country("IN"))
    page.keyboard.press("Enter")
    next_step.click()
    page.fill("#id_recruitment-recruited_in", "2024-09")
    page.select_option("#id_recruitment-method", "online_advertisement")
    page.select_option("#id_recruitment-platform", "telegram")
    page.select_option("#id_recruitment-promised_job", "security")
    page.fill("#id_recruitment-promised_salary", "2000")
    page.fill("#id_recruitment-promised_salary_currency", "usd")
    page.check("#id_recruitment-promised_visa")
    page.select_option("#id_recruitment-unit_type", "assault")
    page.check('input[name="recruitment-means_of_control"][value="false_promises"]')
    page.check('input[name="recruitment-means_of_control"][value="withholds_documents"]')
    page.fill("#id_recruitment-recruiter_details", "Agent 'Timur', Telegram @jobs_moscow")
    next_step.click()
    page.select_option("#id_case-situation", "pow_in_ukraine")
    page.locator("#id_case-situation_country-ts-control").fill(t.country("UA"))
    expect(page.locator(".ts-dropdown .option.active")).to_have_text(t.country("UA"))
    page.keyboard.press("Enter")
    page.fill("#id_case-situation_region", "Zaporizhzhia oblast")
    page.select_option("#id_case-risk", "high")
    next_step.click()
    page.get_by_role("button", name=t("Register"), exact=True).click()

    expect(page).to_have_url(REFERENCE_URL)
    reference = REFERENCE_URL.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ravi Sharma")
    expect(page.get_by_role("status")).to_contain_text(t("Case %(ref)s registered.", ref=reference))
    # The case page shows one section at a time, as tabs.
    page.locator("#case-tab-recruitment").click()
    recruitment_fields = page.locator("#recruitment-fields")
    # Localised, as every date: "September 2024", "вересень 2024", "septembre 2024".
    expect(recruitment_fields).to_contain_text(
        t.date(datetime.date(2024, 9, 1), "YEAR_MONTH_FORMAT")
    )
    method, platform = RecruitmentMethod.ONLINE_ADVERTISEMENT.label, Platform.TELEGRAM.label
    expect(recruitment_fields).to_contain_text(f"{t.label(method)} · {t.label(platform)}")
    expect(recruitment_fields).to_contain_text(
        f"{t.label(PromisedJob.SECURITY.label)} · {t.number(Decimal('2000.00'))} USD"
        f" · {t('visa or residency')}"
    )
    means = (MeansOfControl.FALSE_PROMISES.label, MeansOfControl.WITHHOLDS_DOCUMENTS.label)
    expect(recruitment_fields).to_contain_text("; ".join(map(t.label, means)))
    expect(page.locator("#recruiter-details")).to_have_text("Agent 'Timur', Telegram @jobs_moscow")
    case = Case.objects.get(reference=reference)
    assert case.assigned_to == worker and case.status == CaseStatus.ACTIVE
    assert Recruitment.objects.get(case=case).promised_job == "security"

    # A family contact, on the contact page.
    page.locator("#case-tab-contacts").click()
    page.locator("#contacts").get_by_role("link", name=t("Add")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Add a contact"))
    page.select_option("#id_kind", "family")
    page.fill("#id_name", "Sunita Sharma")
    page.fill("#id_relationship", "sister")
    page.fill("#id_phone", "+91 98765 43210")
    page.check("#id_person_agreed")
    page.check("#id_safe_to_contact")
    page.get_by_role("button", name=t("Save")).click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}/\?tab=contacts#contacts$"))
    expect(page.locator("#contact-list")).to_contain_text(
        f"Sunita Sharma · {t.label(ContactKind.FAMILY.label)} (sister)"
    )
    expect(page.locator("#contact-list")).to_contain_text("+919876543210")
    assert Contact.objects.get(case=case).phone == "+919876543210"

    # The same man again, as his family wrote him: warned once names and birth year are in.
    main_nav(page, t).get_by_role("link", name=t("Register a case")).click()
    page.fill("#id_person-given_name", "Ravi")
    page.fill("#id_person-family_name", "Scharma")
    page.fill("#id_person-native_name", "Раві Шарма")
    page.fill("#id_person-birth_year", "1994")
    page.get_by_role("button", name=t("Continue"), exact=True).click()
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(t("This person may already be registered"))
    expect(warning.get_by_role("link", name=reference)).to_be_visible()
    expect(warning).to_contain_text(f"Ravi Sharma · {t.country('IN')} · {t('similar name')}")
    # What was typed is kept, and nothing was registered.
    expect(page.locator("#id_person-native_name")).to_have_value("Раві Шарма")
    assert Case.objects.count() == 1

    # Back on the first case: a task and a note, added in place by htmx.
    page.goto(f"/cases/{reference}/")
    page.evaluate("window.__sameDocument = true")
    page.locator("#case-tab-tasks").click()  # a tab, loaded in place too
    # Labels are the fields' verbose names ("title", "kind"), matched ignoring case.
    task_form = page.locator("#task-form")
    task_form.get_by_label(t("title")).fill("Ask the sister for a copy of the passport")
    task_form.get_by_label(t("kind")).select_option("document")
    task_form.get_by_role("button", name=t("Add task")).click()
    expect(page.locator("#task-list")).to_contain_text("Ask the sister for a copy of the passport")
    expect(page.locator("#task-form").get_by_label(t("title"))).to_have_value("")

    page.locator("#case-tab-timeline").click()
    note_form = page.locator("#note-form")
    note_form.get_by_label(t("kind")).select_option("call")
    note_form.get_by_label(t("text")).fill("Sunita says he called from the camp on Sunday.")
    note_form.get_by_role("button", name=t("Add note")).click()
    expect(page.locator("#timeline-list")).to_contain_text(
        "Sunita says he called from the camp on Sunday."
    )
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert Task.objects.filter(case=case, title__startswith="Ask the sister").exists()
    assert any(n.text.startswith("Sunita says") for n in Note.objects.filter(case=case))
    assert_clean(page)


@LANGUAGES
def test_supervisor_assigns_approves_disclosure_and_closure(page, language):
    t = Catalogue(language)
    organisation = OrganisationFactory()
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=organisation)
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=organisation, username="amina")
    UserFactory(role=Role.CASEWORKER, organisation=organisation, username="bohdan")
    new = make_case(organisation, "Peter", "Mwangi", status=CaseStatus.NEW)
    kenyan = make_case(organisation, "Brian", "Otieno", assigned_to=caseworker)
    ConsentFactory(case=kenyan, country="KE", recorded_by=caseworker)
    closing = make_case(
        organisation,
        "Samuel",
        "Kiprono",
        assigned_to=caseworker,
        status=CaseStatus.CLOSURE_REQUESTED,
        closure_reason="returned_home",
    )
    sign_in(page, supervisor)
    switch_language(page, language)

    main_nav(page, t).get_by_role("link", name=t("Queue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Supervisor queue"))

    # Assign the new case to amina.
    row = page.locator("#unassigned li", has_text=new.reference)
    row.get_by_label(t("Caseworker")).select_option(label="amina")
    row.get_by_role("button", name=t("Assign")).click()
    expect(page.get_by_role("status")).to_have_text(t("Case assigned."))
    expect(page.locator("#unassigned")).not_to_contain_text(new.reference)
    new.refresh_from_db()
    assert new.assigned_to == caseworker and new.status == CaseStatus.ACTIVE

    # Approve disclosure to Kenya of the case whose person consented to it.
    kenya = t.country("KE")
    row = page.locator("#pending-disclosures li", has_text=kenyan.reference)
    row.get_by_role("button", name=t("Approve disclosure to %(country)s", country=kenya)).click()
    expect(page.get_by_role("status")).to_have_text(t("Disclosure approved."))
    expect(page.locator("#pending-disclosures")).not_to_contain_text(kenyan.reference)
    expect(page.locator("#active-disclosures li", has_text=kenyan.reference)).to_contain_text(kenya)
    assert EmbassyDisclosure.objects.active().filter(case=kenyan, country="KE").exists()

    # Approve the requested closure.
    row = page.locator("#closures li", has_text=closing.reference)
    expect(row).to_contain_text(t.label(ClosureReason.RETURNED_HOME.label))
    row.get_by_role("button", name=t("Approve closure")).click()
    expect(page.get_by_role("status")).to_have_text(t("Case closed."))
    expect(page.locator("#closures")).not_to_contain_text(closing.reference)
    closing.refresh_from_db()
    assert closing.status == CaseStatus.CLOSED and closing.closed_at is not None
    assert_clean(page)


FAMILY_NAME = "Grace Wanjiru Achieng"
FAMILY_PHONE = "+254700111222"
NOTE_TEXT = "His brother fears reprisals from the recruiting agent in Nairobi."
RECRUITER = "Recruiter Sergei Volkov, Telegram @volk_jobs"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@LANGUAGES
def test_liaison_sees_only_shared_cases_and_answers_a_request(page, language):
    t = Catalogue(language)
    organisation = OrganisationFactory()
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=organisation)
    caseworker = UserFactory(
        role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
    )
    liaison = LiaisonFactory(liaison_countries="KE")

    shared = make_case(
        organisation,
        "Brian",
        "Otieno",
        assigned_to=caseworker,
        situation="pow_in_ukraine",
        risk="critical",
        do_not_contact_family=True,
        media_attention=True,
    )
    LegalProceeding.objects.create(case=shared, charge="Mercenarism")
    ConsentFactory(case=shared, country="KE", recorded_by=caseworker)
    EmbassyDisclosure.objects.create(case=shared, country="KE", approved_by=supervisor)
    Contact.objects.create(case=shared, kind="family", name=FAMILY_NAME, phone=FAMILY_PHONE)
    Note.objects.create(case=shared, kind="call", text=NOTE_TEXT, author=caseworker)
    Recruitment.objects.create(
        case=shared,
        method="individual_recruiter",
        promised_job="driver",
        recruiter_details=RECRUITER,
    )
    request = EmbassyRequest.objects.create(
        case=shared,
        country="KE",
        kind="identity_confirmation",
        message="Please confirm his identity: passport lost at the front.",
        due_at=timezone.now() + datetime.timedelta(days=10),
        created_by=caseworker,
    )
    EmbassyMessage.objects.create(request=request, author=caseworker, body=request.message)

    # A Kenyan whose disclosure was never approved, and an Indian shared with India.
    not_shared = make_case(organisation, "Kevin", "Kamau", assigned_to=caseworker)
    ConsentFactory(case=not_shared, country="KE", recorded_by=caseworker)
    indian = make_case(organisation, "Arjun", "Patel", nationalities=("IN",))
    ConsentFactory(case=indian, country="IN", recorded_by=caseworker)
    EmbassyDisclosure.objects.create(case=indian, country="IN", approved_by=supervisor)

    sign_in(page, liaison)
    expect(page).to_have_url(re.compile(r"/embassy/$"))
    switch_language(page, language)
    expect(page).to_have_url(re.compile(r"/embassy/$"))
    table = page.locator("#shared-cases")
    expect(table).to_contain_text(shared.reference)
    expect(table).to_contain_text("Brian Otieno")
    expect(table.locator("tbody tr")).to_have_count(1)
    for absent in (not_shared.reference, "Kevin Kamau", indian.reference, "Arjun Patel"):
        expect(page.locator("main")).not_to_contain_text(absent)
    identity_confirmation = t.label(EmbassyRequestKind.IDENTITY_CONFIRMATION.label)
    expect(page.locator("#open-requests")).to_contain_text(
        f"{shared.reference} · {identity_confirmation}"
    )

    # The shared case: the embassy field set and nothing else.
    table.get_by_role("link", name=shared.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shared.reference)
    expect(page.locator("#person-fields")).to_contain_text("Brian")
    expect(page.locator("#nationalities")).to_have_text(t.country("KE"))
    expect(page.locator("#case-fields")).to_contain_text(t.label(Situation.POW_IN_UKRAINE.label))
    expect(page.locator("#case-fields")).to_contain_text("Olena Koval")
    text = page.locator("main").inner_text().lower()
    html = page.content()
    forbidden = [
        FAMILY_NAME,
        FAMILY_PHONE,
        "+254 700 111 222",
        NOTE_TEXT,
        RECRUITER,
        "Volkov",
        t.label(RecruitmentMethod.INDIVIDUAL_RECRUITER.label),
        t.label(PromisedJob.DRIVER.label),
    ]
    for value in forbidden:
        assert value not in html, f"{value!r} is shown to the liaison"
    # The labels of what a liaison may not see, in the page's language; the English
    # stems too, which would show through any string left untranslated.
    recruitment, case = Recruitment._meta, Case._meta
    flags_and_labels = {
        "recruit",
        "risk",
        "critical",
        "do not contact family",
        "media attention",
        "legal proceedings",
        "family member",
        "timeline",
        t("Recruitment"),
        t("Recruited"),
        t.label(recruitment.verbose_name),
        t.label(recruitment.get_field("recruited_in").verbose_name),
        t.label(recruitment.get_field("recruiter_details").verbose_name),
        t("risk"),
        t.label(case.get_field("risk").verbose_name),
        t.label(RiskLevel.CRITICAL.label),
        t.label(case.get_field("do_not_contact_family").verbose_name),
        t("Do not contact the family."),
        t.label(case.get_field("media_attention").verbose_name),
        t.label(LegalProceeding._meta.verbose_name_plural),
        t.label(ContactKind.FAMILY.label),
        t("Timeline"),
    }
    for label in flags_and_labels:
        assert label.lower() not in text, f"{label!r} is shown to the liaison"

    # Answer the request with a document and a new status.
    page.locator("#embassy-requests").get_by_role("link", name=identity_confirmation).click()
    thread = page.locator("#thread")
    expect(thread).to_contain_text("passport lost at the front")
    reply_form = page.locator("#reply-form")
    reply_form.get_by_label(t("Message")).fill(
        "Identity confirmed. An emergency travel document follows."
    )
    reply_form.get_by_label(t("Status")).select_option("fulfilled")
    reply_form.get_by_label(t("Attach a document (PDF, JPEG or PNG)")).set_input_files(
        {"name": "confirmation.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=t("Send")).click()
    expect(page.get_by_role("status")).to_have_text(t("Reply sent."))
    reply = thread.locator("li").last
    expect(reply).to_contain_text(t("Embassy"))
    expect(reply).to_contain_text("Identity confirmed. An emergency travel document follows.")
    expect(reply.get_by_role("link", name="confirmation.pdf")).to_be_visible()
    expect(page.locator("#request-status")).to_contain_text(
        t.label(EmbassyRequestStatus.FULFILLED.label)
    )
    request.refresh_from_db()
    assert request.status == EmbassyRequestStatus.FULFILLED
    document = Document.objects.get(embassy_message__request=request)
    assert document.kind == "embassy_response" and document.content_type == "application/pdf"
    assert_clean(page)


@LANGUAGES
def test_language_switch_to_ukrainian_then_french(page, language):
    """From each language of the interface, switching to Ukrainian then French."""
    t = Catalogue(language)
    worker = UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory())
    sign_in(page, worker)
    switch_language(page, language)
    # The pages carry the CSP that the watchers hold them to.
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The live server serves /static/ from the finders: Bootstrap's CSS applies, and the
    # scripts loaded (a 404 would also be a console error).
    skip_link = page.get_by_role("link", name=t("Skip to content"))
    expect(skip_link).to_have_css("position", "absolute")
    assert page.evaluate("typeof htmx === 'object' && typeof bootstrap === 'object'")
    expect(page.locator("html")).to_have_attribute("lang", language)
    # By address, not by name: the navigation's own label is translated too.
    cases_link = page.locator('#main-nav a[href="/cases/"]')
    expect(cases_link).to_have_text(t("Cases"))

    for target in ("uk", "fr"):
        switch_language(page, target)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.locator("#language-select")).to_have_value(target)
        assert_translated(cases_link, target, "Cases")
    assert_clean(page)
