"""A catalogue of every page Homeward serves on GET, for every role, with rich data.

`build_world()` makes an organisation whose every page has something to show: a case
with every section filled (nationalities, aliases, languages, identity documents,
recruitment with its means of control, custody and the way home, contacts, consents, a
disclosure, tasks, escalations, an embassy request with its thread and documents, notes
of several kinds, timeline entries, a dossier), other cases in each status, a family
inquiry with its candidates, a contact request, notifications, exports and statistics.

`PAGES` says, for each page (a URL name and, where the route takes a section or a kind,
each of them), who opens it (200) and what everybody else gets (404 for a signed-in
user outside the page's roles, a redirect to sign in for an anonymous visitor).
`EXCLUDED` lists the named routes that are not pages (POST-only actions, downloads),
each with why. tests/test_every_page.py checks that every named route of the URLconf is
in one or the other, and renders every page; tests/browser/test_every_page_axe.py runs
axe-core on each of them.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from casework import matching
from casework.models import (
    Alias,
    ContactRequest,
    ControlMeans,
    Document,
    Dossier,
    EmbassyDisclosure,
    EmbassyMessage,
    InquiryCandidate,
    Note,
    Notification,
    Task,
)
from casework.stats.models import StatsExport
from casework.views.workspace import DEFAULT_TAB
from casework.views.workspace import TABS as CASE_TABS
from tests import factories as f
from tests.helpers import page_forms

ROLES = ("caseworker", "supervisor", "administrator", "data_officer", "liaison")
ANONYMOUS = "anonymous"
EVERYONE = (*ROLES, ANONYMOUS)
LANGUAGES = ("en", "uk", "fr")
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

# --- The URLconf, walked -----------------------------------------------------------


def named_routes(resolver=None, prefix="", namespace=""):
    """{name: route} of every named URL pattern, through every include()."""
    resolver = resolver or get_resolver()
    found = {}
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(named_routes(entry, route, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            found.setdefault(f"{namespace}{entry.name}", route)
    return found


# Named routes that are not pages a person reads, each with why. A new route must be put
# here or in PAGES (tests/test_every_page.py fails otherwise).
EXCLUDED = {
    # Actions: POST only (GET answers 405 or sends back to the page the form is on).
    "case-closure": "POST only: a supervisor's decision on a closure request",
    "escalation-acknowledge": "POST only",
    "task-complete": "POST only",
    "case-next-task-done": "POST only: the next panel's one-click action",
    "case-next-escalation-acknowledge": "POST only: the next panel's one-click action",
    "case-bulk-assign": "POST only: the case list's assignment of the ticked cases",
    "consent-withdraw": "POST only",
    "disclosure-approve": "POST only",
    "disclosure-revoke": "POST only",
    "contact-request-answer": "POST only: a supervisor shares or declines",
    "case-dossier-request": "POST only: asks for a dossier, then its status page",
    "inquiry-candidate-decide": "POST only",
    "inquiry-candidate-ask": "POST only",
    "embassy-export-pdf": "POST only: asks for the PDF list, then its status page",
    "stats-export-create": "POST only (a GET goes back to the dashboard)",
    "notifications-read-all": "POST only",
    "notification-read": "POST only",
    "sign-out-everywhere": "POST only",
    "preferences": "POST only",
    "set_language": "POST only",
    "logout": "POST only",
    "team-member-role": "POST only",
    "team-member-active": "POST only",
    "team-member-2fa": "POST only",
    "team-member-sessions": "POST only",
    # Files, not pages: their access is in tests/test_permission_matrix.py.
    "document-download": "a file download",
    "inquiry-document": "a file download",
    "case-dossier-download": "a file download",
    "embassy-export-download": "a file download",
    "embassy-export-csv": "a CSV file",
    "stats-export-download": "a file download",
}
# Django's admin (its own pages, for verified superusers only) is not Homeward's.
ADMIN_PREFIX = "admin:"


# --- The catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page: its URL name, how to reach it in a world, and who opens it."""

    name: str
    path: Callable[[SimpleNamespace], str]
    opens: tuple[str, ...]
    # A variant of a route that takes a section or kind ("person", "events").
    variant: str = ""
    # What a signed-in user outside `opens` gets (a redirect for the sign-in pages)...
    others: int = 404
    # ... unless said otherwise for that role.
    elsewhere: tuple[tuple[str, int], ...] = ()
    # Sets up the client's session first (a registration draft, a half-done sign-in).
    prepare: Callable[[Client, SimpleNamespace], None] | None = None
    # An htmx fragment of a page, asked for as htmx asks (HX-Request): no page of its own.
    htmx: bool = False

    @property
    def key(self) -> str:
        return f"{self.name} {self.variant}".strip()

    def expected(self, role: str) -> int:
        if role in self.opens:
            return 200
        if role == ANONYMOUS:
            return 302  # sent to sign in
        return dict(self.elsewhere).get(role, self.others)


STAFF = ("caseworker", "supervisor")
EMBASSY_TOO = (*STAFF, "liaison")


def _case(world):
    return world.case.reference


def case_page(name, attribute=None, **kwargs):
    def path(world):
        args = {"reference": _case(world), **kwargs}
        if attribute:
            args["pk"] = getattr(world, attribute).pk
        return reverse(name, kwargs=args)

    return path


def inquiry_page(name, attribute=None):
    def path(world):
        args = {"reference": world.inquiry.reference}
        if attribute:
            args["pk"] = getattr(world, attribute).pk
        return reverse(name, kwargs=args)

    return path


def plain(name, attribute=None):
    def path(world):
        return reverse(name, kwargs={"pk": getattr(world, attribute).pk} if attribute else None)

    return path


# --- Pages reached through a form first ----------------------------------------------

REGISTRATION_KEY = "everypage-registration-draft"
REGISTRATION = {
    "person-given_name": "Joseph",
    "person-family_name": "Wanjiru",
    "person-native_name": "Джозеф Ванджиру",
    "person-sex": "male",
    "person-date_of_birth": "1996-02-14",
    "identity-aliases": "Josef Vanjiru",
    "identity-nationalities": ["KE", "UG"],
    "identity-document_type": "passport",
    "identity-document_number": "AK7654321",
    "identity-document_country": "KE",
    "identity-document_status": "confiscated",
    "person-place_of_origin": "Eldoret",
    "person-languages": "sw, en",
    "person-interpreter_needed": "on",
    "recruitment-recruited_in": "2025-01",
    "recruitment-country": "KE",
    "recruitment-method": "agency",
    "recruitment-platform": "telegram",
    "recruitment-promised_job": "driver",
    "recruitment-promised_salary": "2000",
    "recruitment-promised_salary_currency": "USD",
    "recruitment-contract_language": "ru",
    "recruitment-unit_type": "assault",
    "recruitment-means_of_control": ["false_promises", "withholds_documents"],
    "case-situation": "pow_in_ukraine",
    "case-situation_country": "UA",
    "case-risk": "high",
    "person-vulnerabilities": ["injured"],
}


def fill_registration(client, world):
    """Send each step of a registration under a known draft key, up to the summary."""
    url = reverse("case-register")
    page = client.get(f"{url}?r={REGISTRATION_KEY}")
    while True:
        assert page.status_code == 200, f"registration: {page.status_code}"
        [form] = [form for form in page_forms(page.content) if form.action == url]
        if dict(form.data).get("step") == "confirm":
            return
        posted = form.as_post_data()
        for name in form.names:
            if name in REGISTRATION:
                value = REGISTRATION[name]
                posted[name] = list(value) if isinstance(value, list) else [value]
        response = client.post(url, posted)
        assert response.status_code == 302, (
            f"registration step {dict(form.data).get('step')} was refused: "
            f"{response.content.decode()[:2000]}"
        )
        page = client.get(response.url)


def registration_step(step):
    def path(world):
        return f"{reverse('case-register')}?r={REGISTRATION_KEY}&step={step}"

    return path


def password_step(client, world, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302, f"sign-in of {user.username}: {response.status_code}"


def _reset_link(world, token=None):
    user = world.forgetful  # never signs in: the token stays valid
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = token or default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def open_reset_link(client, world):
    """Follow the emailed link: Django keeps its token in the session and sends the
    browser on to the same address without it (…/set-password/)."""
    response = client.get(_reset_link(world))
    assert response.status_code == 302, f"reset link: {response.status_code}"


def reset_page(world):
    return _reset_link(world, token="set-password")


def _custody_pages():
    kinds = {
        "events": "custody_event",
        "icrc-visits": "icrc_visit",
        "proceedings": "proceeding",
        "lists": "list_entry",
        "services": "service",
        "follow-ups": "follow_up",
    }
    pages = [
        Page(
            "custody-section",
            case_page("custody-section", section=section),
            STAFF,
            variant=section,
        )
        for section in ("obligations", "way-home")
    ]
    pages += [
        Page("custody-add", case_page("custody-add", kind=kind), STAFF, variant=kind)
        for kind in kinds
        if kind != "follow-ups"  # made by the return, never added by hand
    ]
    pages += [
        Page("custody-edit", case_page("custody-edit", attribute, kind=kind), STAFF, variant=kind)
        for kind, attribute in kinds.items()
    ]
    return pages


PAGES = [
    # Signing in, and a forgotten password.
    Page("login", plain("login"), (ANONYMOUS,), others=302),
    Page(
        "login-verify",
        plain("login-verify"),
        (ANONYMOUS,),
        others=302,
        prepare=lambda client, world: password_step(client, world, world.users["supervisor"]),
    ),
    Page(
        "login-enrol",
        plain("login-enrol"),
        (ANONYMOUS,),
        others=302,
        prepare=lambda client, world: password_step(client, world, world.newcomer),
    ),
    Page("password_reset", plain("password_reset"), EVERYONE),
    Page("password_reset_done", plain("password_reset_done"), EVERYONE),
    Page("password_reset_confirm", reset_page, EVERYONE, prepare=open_reset_link),
    Page("password_reset_complete", plain("password_reset_complete"), EVERYONE),
    # Everyone signed in.
    # A liaison's home is the embassy portal.
    Page(
        "home",
        plain("home"),
        (*STAFF, "administrator", "data_officer"),
        elsewhere=(("liaison", 302),),
    ),
    Page("notifications", plain("notifications"), ROLES),
    Page("recovery-codes", plain("recovery-codes"), ROLES),
    # Cases.
    Page("case-list", plain("case-list"), STAFF),
    Page("case-register", plain("case-register"), STAFF),
    *[
        Page(
            "case-register",
            registration_step(step),
            STAFF,
            variant=step,
            prepare=fill_registration,
        )
        for step in ("origin", "recruitment", "situation", "confirm")
    ],
    Page("case-detail", case_page("case-detail"), EMBASSY_TOO),
    # Staff read the case in tabs (a liaison's page has none: ?tab= changes nothing).
    *[
        Page(
            "case-detail",
            lambda world, tab=tab: f"{case_page('case-detail')(world)}?tab={tab}",
            STAFF,
            variant=tab,
            elsewhere=(("liaison", 200),),
        )
        for tab in CASE_TABS
        if tab != DEFAULT_TAB  # the case page itself, above
    ],
    *[
        Page(
            "case-timeline",
            lambda world, query=query: f"{case_page('case-timeline')(world)}{query}",
            STAFF,
            variant=query,
            htmx=True,
        )
        for query in ("", "?kind=call", "?page=2")
    ],
    *[
        Page("case-edit", case_page("case-edit", section=section), STAFF, variant=section)
        for section in ("person", "situation", "recruitment")
    ],
    Page("case-status", case_page("case-status"), STAFF),
    Page("case-assign", case_page("case-assign"), ("supervisor",)),
    Page("note-add", case_page("note-add"), STAFF),
    Page("note-detail", case_page("note-detail", "note"), STAFF),
    Page("task-add", case_page("task-add"), STAFF),
    Page("contact-add", case_page("contact-add"), STAFF),
    Page("contact-edit", case_page("contact-edit", "contact"), STAFF),
    Page("consent-add", case_page("consent-add"), STAFF),
    Page("document-upload", case_page("document-upload"), STAFF),
    Page("embassy-request-add", case_page("embassy-request-add"), STAFF),
    Page(
        "embassy-request-detail",
        case_page("embassy-request-detail", "embassy_request"),
        EMBASSY_TOO,
    ),
    *_custody_pages(),
    # A dossier's page is its requester's alone (the caseworker's here).
    Page("case-dossier", case_page("case-dossier", "dossier"), ("caseworker",)),
    Page("my-tasks", plain("my-tasks"), STAFF),
    Page("queue", plain("queue"), ("supervisor",)),
    # Family inquiries; the liaison sees the status of the one they submitted.
    Page("inquiry-list", plain("inquiry-list"), EMBASSY_TOO),
    Page("inquiry-new", plain("inquiry-new"), EMBASSY_TOO),
    Page("inquiry-detail", inquiry_page("inquiry-detail"), STAFF),
    Page(
        "inquiry-detail",
        lambda world: reverse("inquiry-detail", args=[world.liaison_inquiry.reference]),
        EMBASSY_TOO,
        variant="submitted by the liaison",
    ),
    Page("inquiry-edit", inquiry_page("inquiry-edit"), STAFF),
    Page("inquiry-note-add", inquiry_page("inquiry-note-add"), STAFF),
    Page("inquiry-assign", inquiry_page("inquiry-assign"), ("supervisor",)),
    Page("inquiry-outcome", inquiry_page("inquiry-outcome"), STAFF),
    Page("inquiry-answer", inquiry_page("inquiry-answer"), STAFF),
    # Embassy liaisons.
    Page("embassy-portal", plain("embassy-portal"), ("liaison",)),
    Page("embassy-export", plain("embassy-export", "embassy_export"), ("liaison",)),
    # Statistics.
    Page("stats-dashboard", plain("stats-dashboard"), ("data_officer",)),
    Page(
        "stats-crosstab",
        lambda world: reverse("stats-crosstab") + "?rows=nationality&columns=situation",
        ("data_officer",),
    ),
    Page("stats-export", plain("stats-export", "stats_export"), ("data_officer",)),
    # Administration.
    Page("team", plain("team"), ("administrator",)),
    Page("team-invite", plain("team-invite"), ("administrator",)),
    Page("team-member", plain("team-member", "invited"), ("administrator",)),
    Page("escalation-policy", plain("escalation-policy"), ("administrator",)),
    Page("email-failures", plain("email-failures"), ("administrator",)),
    Page("audit-log", plain("audit-log"), ("administrator",)),
]


def pages_for(role: str) -> list[Page]:
    return [page for page in PAGES if role in page.opens]


# --- The world ---------------------------------------------------------------------


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _at(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def _stored(model_factory, content: bytes, name: str, **fields):
    """A file stored with its size and digest, as an upload records them."""
    document = model_factory(
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **fields,
    )
    document.file.save(name, ContentFile(content), save=True)
    return document


def _people(organisation):
    users = {
        "caseworker": f.UserFactory(
            role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
        ),
        "supervisor": f.UserFactory(
            role=Role.SUPERVISOR,
            organisation=organisation,
            first_name="Marta",
            last_name="Shevchuk",
        ),
        "administrator": f.UserFactory(role=Role.ADMINISTRATOR, organisation=organisation),
        "data_officer": f.UserFactory(role=Role.DATA_OFFICER, organisation=organisation),
        "liaison": f.LiaisonFactory(liaison_countries="KE", first_name="Daniel"),
    }
    # Signed in with both factors already: the sign-in pages need a device to ask for.
    TOTPDevice.objects.create(user=users["supervisor"], name="phone", confirmed=True)
    return users


def _rich_case(world):
    """A Kenyan-Ugandan prisoner of war's case with every section filled."""
    organisation, users = world.organisation, world.users
    caseworker, supervisor = users["caseworker"], users["supervisor"]
    person = f.PersonFactory(
        organisation=organisation,
        given_name="Brian",
        family_name="Otieno",
        native_name="Брайан Отієно",
        sex="male",
        date_of_birth=datetime.date(1994, 6, 23),
        birth_year=1994,
        languages=["sw", "en"],
        interpreter_needed=True,
        place_of_origin="Kisumu",
        vulnerabilities=["injured", "minor_at_recruitment"],
        nationalities=["KE", "UG"],
    )
    Alias.objects.create(person=person, name="Brayan Otiyeno", source="Orodha ya kambi")
    Alias.objects.create(person=person, name="Брайан Отиено")
    f.IdentityDocumentFactory(person=person, doc_type="passport", status="confiscated")
    f.IdentityDocumentFactory(
        person=person, doc_type="military_contract", issuing_country="RU", status="with_person"
    )
    matching.refresh_name_keys(person)
    case = f.CaseFactory(
        person=person,
        assigned_to=caseworker,
        status="active",
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_place="Lviv oblast",
        situation_date=_days(-40),
        risk="high",
        media_attention=True,
        do_not_contact_family=False,
        next_review_on=_days(10),
    )
    case.collaborators.add(world.colleague)
    recruitment = f.RecruitmentFactory(
        case=case,
        recruited_in=datetime.date(2024, 11, 1),
        country="KE",
        method="online_advertisement",
        platform="telegram",
        promised_job="security",
        promised_salary=2500,
        promised_salary_currency="USD",
        promised_visa=True,
        promised_citizenship=True,
        arrived_in_russia_on=datetime.date(2024, 12, 3),
        transit_countries=["AE", "TR"],
        contract_signed=True,
        contract_language="ru",
        unit_type="assault",
        deployed_on=datetime.date(2025, 1, 20),
        captured_on=datetime.date(2025, 3, 1),
        capture_kind="surrendered",
        capture_place="Vuhledar",
        recruiter_details="Wakala Sergei, kwenye Telegram",
    )
    for means in ("false_promises", "withholds_documents", "contract_not_understood"):
        ControlMeans.objects.create(recruitment=recruitment, means=means)
    world.contact = f.ContactFactory(
        case=case, name="Grace Achieng", relationship="sister", languages=["sw"]
    )
    f.ContactFactory(
        case=case,
        kind="lawyer",
        name="Taras Melnyk",
        relationship="",
        country="UA",
        email="t.melnyk@example.org",
        phone="",
        languages=["uk"],
    )
    for scope, country, extra in [
        ("share_with_embassy", "KE", {}),
        ("contact_family", "", {}),
        ("include_in_statistics", "", {}),
        ("tracing", "", {}),
        ("share_with_humanitarian", "", {"organisation_name": "ICRC", "method": "verbal"}),
    ]:
        consent = f.ConsentFactory(
            case=case, scope=scope, country=country, recorded_by=caseworker, **extra
        )
        case.record_event("consent_given", caseworker, **consent.event_params())
    withdrawn = f.ConsentFactory(case=case, scope="share_with_embassy", country="UG")
    withdrawn.withdraw(caseworker)
    case.approve_disclosure("KE", supervisor)
    world.disclosure = EmbassyDisclosure.objects.get(case=case, country="KE")
    # Tasks: overdue, due today, later, done.
    Task.objects.create(
        case=case,
        title="Mpigie dada yake",
        kind="family_update",
        due_at=_at(-2),
        assignee=caseworker,
    )
    world.task = Task.objects.create(
        case=case, title="Angalia orodha", kind="follow_up", due_at=_at(0.01), assignee=caseworker
    )
    Task.objects.create(
        case=case, title="Omba kadi", kind="document", due_at=_at(5), assignee=caseworker
    )
    done = Task.objects.create(
        case=case,
        title="Ziara ya kwanza",
        kind="welfare_check",
        due_at=_at(-9),
        assignee=caseworker,
    )
    done.complete()
    # Escalations, one acknowledged.
    f.EscalationFactory(case=case, rule="task_overdue", message="English task_overdue")
    seen = f.EscalationFactory(
        case=case, rule="custody_icrc_visit", message="English custody_icrc_visit"
    )
    seen.acknowledge(supervisor)
    # An embassy request with its thread, an answer with a document.
    request = f.EmbassyRequestFactory(
        case=case, created_by=caseworker, kind="travel_document", message="Tafadhali toa hati."
    )
    case.record_event("embassy_request_sent", caseworker, kind=request.kind, country="KE")
    EmbassyMessage.objects.create(request=request, author=caseworker, body=request.message)
    answer = EmbassyMessage.objects.create(
        request=request, author=users["liaison"], from_embassy=True, body="Tunahitaji picha."
    )
    request.status = "in_progress"
    request.save()
    case.record_event(
        "embassy_replied",
        users["liaison"],
        kind=request.kind,
        from_embassy=True,
        status="in_progress",
    )
    world.embassy_request = request
    _stored(
        lambda **kw: Document(case=case, embassy_message=answer, kind="embassy_response", **kw),
        b"%PDF-1.4 the embassy's answer",
        "answer.pdf",
        content_type="application/pdf",
        uploaded_by=users["liaison"],
    )
    _stored(
        lambda **kw: Document(case=case, kind="identity_document", **kw),
        b"%PDF-1.4 a scanned passport page",
        "passport.pdf",
        content_type="application/pdf",
        uploaded_by=caseworker,
    )
    case.record_event("document_uploaded", caseworker)
    # Notes of several kinds, one restricted, and timeline entries.
    world.note = Note.objects.create(
        case=case, kind="call", text="Yuko salama na anamuulizia dada yake.", author=caseworker
    )
    Note.objects.create(case=case, kind="visit", text="Nilimtembelea kambini.", author=caseworker)
    Note.objects.create(
        case=case,
        kind="meeting",
        text="Alimtaja wakala.",
        author=caseworker,
        confidentiality="restricted",
    )
    case.record_event("section_updated", caseworker, section="recruitment")
    case.record_event("status_changed", caseworker, old="new", new="active")
    case.record_event("assigned", supervisor, before="", after="Olena Koval")
    _custody(world, case)
    world.dossier = Dossier.objects.create(
        case=case,
        requested_by=caseworker,
        state=Dossier.State.DONE,
        finished_at=timezone.now(),
        expires_at=_at(0.04),
    )
    world.dossier.file.save("dossier.pdf", ContentFile(b"%PDF-1.4 dossier"), save=True)
    return case


def _custody(world, case):
    caseworker = world.users["caseworker"]
    world.custody_event = f.CustodyEventFactory(
        case=case,
        kind="captured",
        authority="Збройні сили України",
        occurred_on=_days(-60),
        source_reliability="confirmed",
        recorded_by=caseworker,
    )
    f.CustodyEventFactory(
        case=case,
        kind="held_at",
        occurred_on=_days(-50),
        facility="Табір 3",
        authority="Збройні сили України",
        source_reliability="reliable",
        recorded_by=caseworker,
    )
    case.record_event("custody_event", caseworker, kind="held_at")
    f.CustodyObligationsFactory(
        case=case,
        capture_card_sent_on=_days(-55),
        icrc_registered_on=_days(-45),
        icrc_reference="UA-2025-00412",
        dependent_power="KE",
        dependent_power_confirmation="documents_seen",
    )
    world.icrc_visit = f.IcrcVisitFactory(case=case, notes="Afya njema.")
    world.proceeding = f.LegalProceedingFactory(
        case=case,
        charge="Найманство (ст. 447 КК України)",
        court="Личаківський районний суд",
        next_hearing_on=_days(20),
        lawyer="Taras Melnyk",
        outcome="pending",
    )
    f.WayHomeFactory(
        case=case,
        nationality_request=world.embassy_request,
        travel_documents="Hati ya dharura",
        travel_on=_days(30),
    )
    world.list_entry = f.ReturnListEntryFactory(
        case=case, list_name="Orodha ya Machi", listed_by="Coordination HQ", last_news_on=_days(-3)
    )
    world.service = f.ReintegrationServiceFactory(
        case=case, started_on=_days(-20), outcome="in_progress"
    )
    world.follow_up = f.FollowUpFactory(case=case, months=3)
    case.record_event("custody_record", caseworker, what="icrc_visit")


def _other_cases(world):
    """Cases in every status, and enough of them for the statistics to show numbers."""
    organisation, users = world.organisation, world.users
    caseworker, supervisor = users["caseworker"], users["supervisor"]
    closure = f.CaseFactory(
        person=f.PersonFactory(organisation=organisation, given_name="Peter", nationalities=["IN"]),
        assigned_to=caseworker,
        status="active",
        situation="returned_home",
        risk="low",
    )
    closure.change_status("closure_requested", caseworker, "returned_home")
    f.CaseFactory(
        person=f.PersonFactory(organisation=organisation, given_name="Ram", nationalities=["NP"]),
        status="new",
        situation="missing",
        risk="critical",
    )
    pending = f.CaseFactory(
        person=f.PersonFactory(organisation=organisation, given_name="Amit", nationalities=["IN"]),
        assigned_to=caseworker,
        status="awaiting_embassy",
        situation="at_front",
        risk="medium",
    )
    f.ConsentFactory(case=pending, country="IN", recorded_by=caseworker)
    closed = f.CaseFactory(
        person=f.PersonFactory(organisation=organisation, given_name="Sam", nationalities=["ZA"]),
        assigned_to=caseworker,
        status="closure_requested",
        closure_reason="lost_contact",
        situation="unknown",
    )
    closed.decide_closure(True, supervisor)
    statuses = ["active", "awaiting_repatriation", "active", "awaiting_embassy"]
    situations = ["pow_in_ukraine", "at_front", "deceased", "third_country", "missing"]
    for n in range(14):
        case = f.CaseFactory(
            person=f.PersonFactory(
                organisation=organisation,
                given_name=f"Moses{n}",
                nationalities=[["KE", "IN", "NP"][n % 3]],
                sex="male",
                birth_year=1985 + n,
            ),
            assigned_to=caseworker if n % 2 else world.colleague,
            status=statuses[n % 4],
            situation=situations[n % 5],
            risk=["low", "medium", "high"][n % 3],
        )
        f.RecruitmentFactory(case=case, method=["agency", "online_advertisement"][n % 2])
        f.ConsentFactory(
            case=case, scope="include_in_statistics", country="", recorded_by=caseworker
        )


def _inquiries(world):
    organisation, users = world.organisation, world.users
    caseworker = users["caseworker"]
    inquiry = f.InquiryFactory(
        organisation=organisation,
        assigned_to=caseworker,
        status="possible_match",
        channel="phone",
        inquirer_name="Mary Otieno",
        inquirer_relationship="mother",
        inquirer_language="sw",
        nationality="KE",
        birth_year=1994,
        place_of_origin="Kisumu",
        last_contact_on=_days(-300),
        last_contact_place="Moscow",
        told_about_job="Kazi ya ulinzi Moscow",
        names=["Brian Otieno", "Брайан Отиено"],
    )
    f.InquiryIdentifierFactory(inquiry=inquiry, kind="phone", value="+254711000111")
    world.inquiry_document = f.InquiryDocumentFactory(inquiry=inquiry, uploaded_by=caseworker)
    f.InquiryNoteFactory(inquiry=inquiry, author=caseworker, text="Mama alipiga simu tena.")
    inquiry.record_event("inquiry_recorded", caseworker)
    f.InquiryCandidateFactory(inquiry=inquiry, person=world.case.person)
    # A person another organisation holds: only its existence and agreement are shown.
    other = f.OrganisationFactory(name="Frontline Families Aid")
    world.foreign_candidate = f.InquiryCandidateFactory(
        inquiry=inquiry,
        person=f.PersonFactory(organisation=other, given_name="Brayan", family_name="Otiyeno"),
        decision="rejected",
        decided_by=caseworker,
        decided_at=timezone.now(),
    )
    world.inquiry = inquiry
    # The liaison's own inquiry, about someone else.
    world.liaison_inquiry = f.InquiryFactory(
        organisation=organisation,
        submitted_by=users["liaison"],
        channel="embassy",
        nationality="KE",
        status="open",
        names=["John Kamau"],
    )
    # Another organisation asks whether it holds our person.
    asking = f.InquiryFactory(organisation=other, names=["Brian Otieno"])
    world.contact_request = ContactRequest.objects.create(
        candidate=InquiryCandidate.objects.create(
            inquiry=asking,
            person=world.case.person,
            organisation=world.organisation,
            score=11.0,
            comparisons=[],
        ),
        from_organisation=other,
        to_organisation=world.organisation,
        message="Mama anamtafuta.",
    )


def _notifications(world):
    case, users = world.case, world.users
    for role, kinds in [
        ("caseworker", ["task_overdue", "custody_family", "hearing_soon"]),
        ("supervisor", ["task_overdue_admin", "closure_pending", "case_unassigned"]),
        ("administrator", ["task_overdue_admin"]),
    ]:
        for n, kind in enumerate(kinds):
            f.NotificationFactory(
                case=case,
                recipient=users[role],
                kind=kind,
                message=f"English {kind}",
                email_status=["failed", "sent", "not_sent"][n % 3],
                email_error="550 mailbox unavailable" if n % 3 == 0 else "",
            )
    f.NotificationFactory(
        case=None,
        inquiry=world.inquiry,
        recipient=users["caseworker"],
        kind="inquiry_candidate",
        message="English inquiry_candidate",
    )
    f.NotificationFactory(
        case=case,
        recipient=users["liaison"],
        kind="embassy_reminder",
        message="English embassy_reminder",
    )
    Notification.objects.filter(recipient=users["caseworker"], kind="hearing_soon").update(
        read_at=timezone.now()
    )


def _exports(world):
    users = world.users
    world.stats_export = f.StatsExportFactory(
        organisation=world.organisation,
        requested_by=users["data_officer"],
        format="xlsx",
        state=StatsExport.State.FAILED,
        error="worker lost",
    )
    done = f.StatsExportFactory(
        organisation=world.organisation,
        requested_by=users["data_officer"],
        format="microdata",
        state=StatsExport.State.DONE,
        finished_at=timezone.now(),
        expires_at=_at(1),
    )
    done.file.save("stats.csv", ContentFile(b"a,b\n"), save=True)
    world.embassy_export = Dossier.objects.create(
        kind=Dossier.Kind.EMBASSY_CASES,
        requested_by=users["liaison"],
        state=Dossier.State.DONE,
        case_ids=[world.case.pk],
        finished_at=timezone.now(),
        expires_at=_at(0.04),
    )
    world.embassy_export.file.save("list.pdf", ContentFile(b"%PDF-1.4 list"), save=True)


def build_world() -> SimpleNamespace:
    """An organisation with something on every page, and a user of every role.

    What people typed (notes, titles, messages) is in Swahili or Ukrainian, never in
    English: English on a Ukrainian or French page is then the application's own.
    Stored English messages that pages must tell in the reader's words (notifications,
    escalations) hold their code ("English task_overdue"): shown as stored, they fail.
    """
    world = SimpleNamespace()
    world.organisation = f.OrganisationFactory(name="Safe Return Network")
    world.users = _people(world.organisation)
    world.colleague = f.UserFactory(
        role=Role.CASEWORKER, organisation=world.organisation, first_name="Ivan", last_name="Bondar"
    )
    # Invited, the email not yet sent; and one without a second factor yet.
    world.invited = f.UserFactory(
        role=Role.DATA_OFFICER,
        organisation=world.organisation,
        invitation_status="pending",
        email="new.officer@example.org",
    )
    world.newcomer = f.UserFactory(role=Role.CASEWORKER, organisation=world.organisation)
    world.forgetful = f.UserFactory(role=Role.CASEWORKER, organisation=world.organisation)
    f.EscalationPolicyFactory(organisation=world.organisation, stale_high_days=5)
    f.HolidayFactory(organisation=world.organisation, name="Independence Day")
    world.case = _rich_case(world)
    _other_cases(world)
    _inquiries(world)
    _notifications(world)
    _exports(world)
    return world


# The attributes the catalogue's paths read from a world (a check for build_world).
WORLD_ATTRIBUTES = (
    "case",
    "note",
    "contact",
    "embassy_request",
    "dossier",
    "custody_event",
    "icrc_visit",
    "proceeding",
    "list_entry",
    "service",
    "follow_up",
    "inquiry",
    "embassy_export",
    "stats_export",
    "invited",
    "liaison_inquiry",
    "forgetful",
)
