"""Who gets what from every case URL: a permission matrix generated from the URLconf.

Every URL pattern that takes a case reference, or any id under cases/, must have an
entry in MATRIX; a new view that is not listed fails `test_every_case_url_is_in_matrix`
and its own parametrized cases, naming it. Each entry says how to call it (method,
kwargs, POST data) and what each role gets for an object in its scope. For an object
outside the user's scope (a case of another organisation, never shared with the
liaison's country) every role gets 404, and the denial is audited; an anonymous visitor
is always sent to the sign-in page.
"""

import datetime
import hashlib
import re
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from casework.audit import Action, AuditEvent
from casework.models import (
    Contact,
    CustodyEvent,
    Document,
    Dossier,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    Escalation,
    Inquiry,
    Note,
    Task,
)
from casework.vocabularies import ConsentScope, NoteKind
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    ContactRequestFactory,
    InquiryCandidateFactory,
    InquiryDocumentFactory,
    InquiryFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

ROLES = ("caseworker", "supervisor", "liaison", "data_officer", "administrator")
ANONYMOUS = "anonymous"
CLIENT_ROLES = (*ROLES, ANONYMOUS)

DOCUMENT_CONTENT = b"%PDF-1.4\n% embassy response for the permission matrix\n"


# --- The URLconf, walked ------------------------------------------------------------


def _parameters(route):
    """Names of the parameters a (joined) route string captures, path() or re_path()."""
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))


def walk_urlconf(resolver=None, prefix="", namespace=""):
    """(full route, full name or None) of every URLPattern, through every include()."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk_urlconf(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, (f"{namespace}{entry.name}" if entry.name else None)


def takes_case_object(route):
    """A case reference anywhere, or any id under cases/: the matrix must cover it."""
    params = _parameters(route)
    return "reference" in params or (route.lstrip("^").startswith("cases/") and bool(params))


def case_urls():
    """{key: route} of every case URL; the key is the URL name, or the route if unnamed."""
    return {name or route: route for route, name in walk_urlconf() if takes_case_object(route)}


# --- The matrix ---------------------------------------------------------------------
# kwargs(scope) builds the URL kwargs from a scope (see build_case); data(scope) the POST
# body. `expected` is the status for an object in the role's scope.


def _case(scope):
    return {"reference": scope.case.reference}


def _child(attribute):
    def kwargs(scope):
        return {"reference": scope.case.reference, "pk": getattr(scope, attribute).pk}

    return kwargs


def _inquiry(scope):
    return {"reference": scope.inquiry.reference}


def _inquiry_child(attribute):
    def kwargs(scope):
        return {"reference": scope.inquiry.reference, "pk": getattr(scope, attribute).pk}

    return kwargs


def _inquiry_page(scope):
    return reverse("inquiry-detail", kwargs=_inquiry(scope))


STAFF_ONLY = {
    "caseworker": 200,
    "supervisor": 200,
    "liaison": 404,
    "data_officer": 404,
    "administrator": 404,
}
STAFF_WRITE = {**STAFF_ONLY, "caseworker": 302, "supervisor": 302}

MATRIX = {
    "case-detail": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 200,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    # Without htmx: the case page at the same place in the timeline.
    "case-timeline": {"method": "GET", "kwargs": _case, "expected": STAFF_WRITE},
    "note-detail": {
        "method": "GET",
        "kwargs": _child("note"),
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "embassy-request-detail": {
        "method": "GET",
        "kwargs": _child("embassy_request"),
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 200,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "document-download": {
        "method": "GET",
        "kwargs": _child("document"),
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 200,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "disclosure-approve": {
        "method": "POST",
        "kwargs": _case,
        # Uganda: the person's second nationality, not yet approved (the success path).
        "data": lambda scope: {"country": "UG"},
        "expected": {
            "caseworker": 404,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "disclosure-revoke": {
        "method": "POST",
        "kwargs": _child("disclosure"),
        "expected": {
            "caseworker": 404,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-edit": {
        "method": "GET",
        "kwargs": lambda scope: {"reference": scope.case.reference, "section": "person"},
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-status": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "note-add": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "task-add": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "contact-add": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "contact-edit": {
        "method": "GET",
        "kwargs": _child("contact"),
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "consent-add": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "document-upload": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "embassy-request-add": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "task-complete": {
        "method": "POST",
        "kwargs": _child("task"),
        "expected": {
            "caseworker": 302,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-next-task-done": {
        "method": "POST",
        "kwargs": _child("task"),
        "expected": {
            "caseworker": 302,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-next-escalation-acknowledge": {
        "method": "POST",
        "kwargs": _child("escalation"),
        "expected": {
            "caseworker": 404,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-assign": {
        "method": "GET",
        "kwargs": _case,
        "expected": {
            "caseworker": 404,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "case-closure": {
        "method": "POST",
        "kwargs": _case,
        "expected": {
            "caseworker": 404,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "escalation-acknowledge": {
        "method": "POST",
        "kwargs": _child("escalation"),
        "expected": {
            "caseworker": 404,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "consent-withdraw": {
        "method": "POST",
        "kwargs": _child("consent"),
        "expected": {
            "caseworker": 302,
            "supervisor": 302,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "custody-section": {
        "method": "GET",
        "kwargs": lambda scope: {"reference": scope.case.reference, "section": "obligations"},
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "custody-add": {
        "method": "GET",
        "kwargs": lambda scope: {"reference": scope.case.reference, "kind": "events"},
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
    "custody-edit": {
        "method": "GET",
        "kwargs": lambda scope: {
            "reference": scope.case.reference,
            "kind": "events",
            "pk": scope.custody_event.pk,
        },
        "expected": {
            "caseworker": 200,
            "supervisor": 200,
            "liaison": 404,
            "data_officer": 404,
            "administrator": 404,
        },
    },
}

# Dossiers: anyone who may open the case asks for one; each is its requester's alone (the
# scope's was asked for by the caseworker).
MATRIX.update(
    {
        "case-dossier-request": {
            "method": "POST",
            "kwargs": _case,
            "expected": {**STAFF_WRITE, "liaison": 302},
        },
        "case-dossier": {
            "method": "GET",
            "kwargs": _child("dossier"),
            "expected": {**STAFF_ONLY, "supervisor": 404},
        },
        "case-dossier-download": {
            "method": "GET",
            "kwargs": lambda scope: {
                "reference": scope.case.reference,
                "pk": scope.dossier.pk,
                "token": scope.dossier.token,
            },
            "expected": {**STAFF_ONLY, "supervisor": 404},
        },
    }
)

# Family inquiries: a reference of their own (IQ-...), the same rules. A POST answers
# with the inquiry page (or the queue), given as "redirect".
MATRIX.update(
    {
        "inquiry-detail": {
            "method": "GET",
            "kwargs": _inquiry,
            # The liaison submitted it: they see its status.
            "expected": {**STAFF_ONLY, "liaison": 200},
        },
        "inquiry-edit": {"method": "GET", "kwargs": _inquiry, "expected": STAFF_ONLY},
        "inquiry-note-add": {"method": "GET", "kwargs": _inquiry, "expected": STAFF_ONLY},
        "inquiry-assign": {
            "method": "GET",
            "kwargs": _inquiry,
            "expected": {**STAFF_ONLY, "caseworker": 404},
        },
        "inquiry-outcome": {"method": "GET", "kwargs": _inquiry, "expected": STAFF_ONLY},
        "inquiry-answer": {"method": "GET", "kwargs": _inquiry, "expected": STAFF_ONLY},
        "inquiry-document": {
            "method": "GET",
            "kwargs": _inquiry_child("inquiry_document"),
            "expected": STAFF_ONLY,
        },
        "inquiry-candidate-decide": {
            "method": "POST",
            "kwargs": _inquiry_child("candidate"),
            "data": lambda scope: {"decision": "reject"},
            "expected": STAFF_WRITE,
            "redirect": _inquiry_page,
        },
        "inquiry-candidate-ask": {
            "method": "POST",
            "kwargs": _inquiry_child("foreign_candidate"),
            "expected": STAFF_WRITE,
            "redirect": _inquiry_page,
        },
        "contact-request-answer": {
            "method": "POST",
            "kwargs": _child("contact_request"),
            "data": lambda scope: {"decision": "decline"},
            "expected": {**STAFF_ONLY, "caseworker": 404, "supervisor": 302},
            "redirect": lambda scope: reverse("queue"),
        },
    }
)

CASE_URLS = case_urls()
URL_KEYS = sorted(set(CASE_URLS) | set(MATRIX))
CHILD_URL_KEYS = sorted(
    key for key in URL_KEYS if "pk" in _parameters(CASE_URLS.get(key, "")) and key in MATRIX
)


# --- Helpers ------------------------------------------------------------------------


def make_document(case, message, uploaded_by, content=DOCUMENT_CONTENT):
    document = Document(
        case=case,
        embassy_message=message,
        kind="embassy_response",
        original_name="embassy-response.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by,
    )
    document.file.save("embassy-response.pdf", ContentFile(content), save=True)
    return document


def build_case(*, organisation, caseworker, supervisor, share_with_kenya):
    """A Kenyan-Ugandan's case with one child of every kind, shared with Kenya or not."""
    person = PersonFactory(organisation=organisation, nationalities=["KE", "UG"])
    case = CaseFactory(person=person, assigned_to=caseworker, situation_country="UA")
    consent = ConsentFactory(
        case=case, scope=ConsentScope.SHARE_WITH_EMBASSY, country="KE", recorded_by=caseworker
    )
    # Not shared: the approval is for Uganda, so Kenya has consent but no approval.
    disclosure = EmbassyDisclosure.objects.create(
        case=case, country="KE" if share_with_kenya else "UG", approved_by=supervisor
    )
    note = Note.objects.create(
        case=case, kind=NoteKind.CALL, text="Spoke with the person.", author=caseworker
    )
    embassy_request = EmbassyRequest.objects.create(
        case=case,
        country="KE",
        kind="identity_confirmation",
        message="Please confirm identity.",
        due_at=timezone.now() + datetime.timedelta(days=7),
        created_by=caseworker,
    )
    message = EmbassyMessage.objects.create(
        request=embassy_request, from_embassy=True, body="Identity confirmed."
    )
    document = make_document(case, message, uploaded_by=caseworker)
    task = Task.objects.create(
        case=case,
        title="Call back",
        kind="follow_up",
        due_at=timezone.now() + datetime.timedelta(days=1),
        assignee=caseworker,
    )
    contact = Contact.objects.create(case=case, kind="family", name="Mother", phone="+254700000001")
    escalation = Escalation.objects.create(
        case=case, rule="task_overdue", event_key=f"test:{case.pk}", message="x"
    )
    inquiry = InquiryFactory(organisation=organisation, assigned_to=caseworker)
    # Asked about by another organisation's inquiry, which found the person.
    asking = InquiryFactory(organisation=OrganisationFactory())
    contact_request = ContactRequestFactory(
        candidate=InquiryCandidateFactory(inquiry=asking, person=person)
    )
    custody_event = CustodyEvent.objects.create(
        case=case, kind="captured", occurred_on=datetime.date(2025, 3, 1), recorded_by=caseworker
    )
    dossier = Dossier.objects.create(
        case=case,
        requested_by=caseworker,
        state=Dossier.State.DONE,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    dossier.file.save("dossier", ContentFile(DOCUMENT_CONTENT), save=True)
    return SimpleNamespace(
        dossier=dossier,
        inquiry=inquiry,
        # The person of the case, and one held by a third organisation.
        candidate=InquiryCandidateFactory(inquiry=inquiry, person=person),
        foreign_candidate=InquiryCandidateFactory(inquiry=inquiry),
        inquiry_document=InquiryDocumentFactory(inquiry=inquiry),
        contact_request=contact_request,
        custody_event=custody_event,
        case=case,
        task=task,
        contact=contact,
        escalation=escalation,
        consent=consent,
        disclosure=disclosure,
        note=note,
        embassy_request=embassy_request,
        message=message,
        document=document,
    )


def users_and_shared_case():
    """Users of every role and a case of their organisation, shared with Kenya's
    embassy, with a child of every kind: every page is reached in the user's scope."""
    organisation = OrganisationFactory()
    users = {
        "caseworker": UserFactory(role=Role.CASEWORKER, organisation=organisation),
        "supervisor": UserFactory(role=Role.SUPERVISOR, organisation=organisation),
        "liaison": LiaisonFactory(liaison_countries="KE"),
        "data_officer": UserFactory(role=Role.DATA_OFFICER, organisation=organisation),
        "administrator": UserFactory(role=Role.ADMINISTRATOR, organisation=organisation),
    }
    inside = build_case(
        organisation=organisation,
        caseworker=users["caseworker"],
        supervisor=users["supervisor"],
        share_with_kenya=True,
    )
    # The liaison submitted the inquiry on a family's behalf: they may see its status.
    Inquiry.objects.filter(pk=inside.inquiry.pk).update(submitted_by=users["liaison"])
    return users, inside


@pytest.fixture
def world():
    users, inside = users_and_shared_case()
    other = OrganisationFactory()
    outside = build_case(
        organisation=other,
        caseworker=UserFactory(role=Role.CASEWORKER, organisation=other),
        supervisor=UserFactory(role=Role.SUPERVISOR, organisation=other),
        share_with_kenya=False,
    )
    return SimpleNamespace(users=users, inside=inside, outside=outside)


def entry_for(key):
    if key not in MATRIX:
        pytest.fail(
            f"URL {key!r} ({CASE_URLS[key]}) takes a case reference or id but is not in "
            "MATRIX in tests/test_permission_matrix.py: add its expected status per role."
        )
    if key not in CASE_URLS:
        pytest.fail(f"MATRIX lists {key!r}, which is no longer a case URL in the URLconf.")
    return MATRIX[key]


def client_for(world, role):
    return Client() if role == ANONYMOUS else signed_in_client(world.users[role])


def call(client, entry, key, kwargs, scope):
    url = reverse(key, kwargs=kwargs)
    if entry["method"] == "POST":
        data = entry.get("data", lambda scope: {})(scope)
        return client.post(url, data)
    assert entry["method"] == "GET"
    return client.get(url)


def last_seq():
    return AuditEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0


def events_since(seq, user, action):
    return AuditEvent.objects.filter(seq__gt=seq, actor_id=user.pk, action=action)


def assert_sent_to_login(response, key):
    assert response.status_code == 302, f"{key} anonymous: {response.status_code}"
    assert response.url.startswith(reverse("login") + "?next="), response.url


def assert_denied(response, key, role, user, seq):
    assert response.status_code == 404, f"{key} as {role}: {response.status_code}, not 404"
    assert events_since(seq, user, Action.DENIED).exists(), (
        f"{key} as {role}: the 404 wrote no DENIED audit event"
    )


# --- The matrix is complete ---------------------------------------------------------


def test_the_urlconf_walk_finds_the_case_urls():
    # Guards the walker itself: if it found nothing, the coverage test would pass vacuously.
    assert CASE_URLS["case-detail"] == "cases/<str:reference>/"
    assert CASE_URLS["note-detail"] == "cases/<str:reference>/notes/<int:pk>/"
    assert "team-member" not in CASE_URLS  # an <int:pk> outside cases/ is not a case URL


def test_every_case_url_is_in_matrix():
    missing = sorted(key for key in CASE_URLS if key not in MATRIX)
    assert not missing, (
        "Case URLs missing from MATRIX in tests/test_permission_matrix.py: "
        + ", ".join(f"{key} ({CASE_URLS[key]})" for key in missing)
    )
    stale = sorted(key for key in MATRIX if key not in CASE_URLS)
    assert not stale, f"MATRIX entries that are not case URLs: {', '.join(stale)}"


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_matrix_entry_is_complete(key):
    entry = MATRIX[key]
    assert entry["method"] in ("GET", "POST")
    assert set(entry["expected"]) == set(ROLES), f"{key}: expected status for every role"
    assert set(entry["expected"].values()) <= {200, 302, 404}


# --- In scope: the matrix -----------------------------------------------------------


@pytest.mark.parametrize("role", CLIENT_ROLES)
@pytest.mark.parametrize("key", URL_KEYS)
def test_in_scope(world, key, role):
    entry = entry_for(key)
    client = client_for(world, role)
    seq = last_seq()
    response = call(client, entry, key, entry["kwargs"](world.inside), world.inside)
    if role == ANONYMOUS:
        assert_sent_to_login(response, key)
        return
    user = world.users[role]
    expected = entry["expected"][role]
    assert response.status_code == expected, (
        f"{key} as {role}: {response.status_code}, expected {expected}"
    )
    if expected == 404:
        assert_denied(response, key, role, user, seq)
    elif expected == 302:
        case_page = lambda scope: reverse("case-detail", kwargs=_case(scope))  # noqa: E731
        assert response.url.startswith(entry.get("redirect", case_page)(world.inside))
    elif key == "document-download":
        assert b"".join(response.streaming_content) == DOCUMENT_CONTENT
        assert response["Content-Disposition"].startswith("attachment")
        assert events_since(seq, user, Action.DOWNLOAD).exists()
    elif key == "case-dossier-download":
        assert b"".join(response.streaming_content) == DOCUMENT_CONTENT
        assert events_since(seq, user, Action.DOWNLOAD).exists()
    else:
        # Every person-level page anyone opens is audited (SPEC section 5).
        assert events_since(seq, user, Action.VIEW).exists(), f"{key} as {role}: not audited"


# --- Out of scope: always 404, always audited ---------------------------------------


@pytest.mark.parametrize("role", CLIENT_ROLES)
@pytest.mark.parametrize("key", URL_KEYS)
def test_out_of_scope(world, key, role):
    entry = entry_for(key)
    client = client_for(world, role)
    seq = last_seq()
    response = call(client, entry, key, entry["kwargs"](world.outside), world.outside)
    if role == ANONYMOUS:
        assert_sent_to_login(response, key)
        return
    assert_denied(response, key, role, world.users[role], seq)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", CHILD_URL_KEYS)
def test_child_of_another_case_under_an_in_scope_reference(world, key, role):
    """/cases/<my case>/notes/<someone else's note>/ is 404 too: ids are not guessable keys."""
    entry = entry_for(key)
    client = client_for(world, role)
    kwargs = {**entry["kwargs"](world.inside), "pk": entry["kwargs"](world.outside)["pk"]}
    seq = last_seq()
    response = call(client, entry, key, kwargs, world.inside)
    assert_denied(response, key, role, world.users[role], seq)


def test_out_of_scope_answers_exactly_like_a_missing_case(world):
    client = signed_in_client(world.users["supervisor"])
    foreign = client.get(reverse("case-detail", kwargs=_case(world.outside)))
    missing = client.get(reverse("case-detail", kwargs={"reference": "HW-0000-0000"}))
    assert foreign.status_code == missing.status_code == 404

    def page(response):
        # The CSRF token differs on every response; the language form echoes the path
        # that was asked for. Neither says anything about whether the case exists.
        content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
        return re.sub(rb'name="next" type="hidden" value="[^"]*"', b"", content)

    assert page(foreign) == page(missing)


def test_denied_posts_change_nothing(world):
    """A 404 on a POST is not just a status: the disclosure and consent stay as they were."""
    outside = world.outside
    for role in ROLES:
        client = signed_in_client(world.users[role])
        client.post(reverse("disclosure-revoke", kwargs=_child("disclosure")(outside)))
        client.post(reverse("consent-withdraw", kwargs=_child("consent")(outside)))
        client.post(reverse("disclosure-approve", kwargs=_case(outside)), {"country": "KE"})
    outside.disclosure.refresh_from_db()
    outside.consent.refresh_from_db()
    assert outside.disclosure.revoked_at is None
    assert outside.consent.is_active
    assert not EmbassyDisclosure.objects.filter(case=outside.case, country="KE").exists()


# --- Pages outside cases/ that list objects of many cases ---------------------------
# Not case URLs (no reference), so not in MATRIX: who reaches each, and that it lists
# nothing outside the user's scope even when the object is assigned to them.

LIST_PAGES = {
    "my-tasks": {
        "caseworker": 200,
        "supervisor": 200,
        "liaison": 404,
        "data_officer": 404,
        "administrator": 404,
    },
    "embassy-export-csv": {
        "caseworker": 404,
        "supervisor": 404,
        "liaison": 200,
        "data_officer": 404,
        "administrator": 404,
    },
}
# How a list page's use is audited, if not as a view: a file handed out is an export.
LIST_PAGE_AUDIT = {"embassy-export-csv": Action.EXPORT}


@pytest.mark.parametrize("role", CLIENT_ROLES)
@pytest.mark.parametrize("key", sorted(LIST_PAGES))
def test_list_page(world, key, role):
    if role != ANONYMOUS:
        # Both cases' tasks are overdue and the user's own: only the one in scope shows.
        Task.objects.filter(pk__in=[world.inside.task.pk, world.outside.task.pk]).update(
            due_at=timezone.now() - datetime.timedelta(hours=1), assignee=world.users[role]
        )
    client = client_for(world, role)
    seq = last_seq()
    response = client.get(reverse(key))
    if role == ANONYMOUS:
        assert_sent_to_login(response, key)
        return
    expected = LIST_PAGES[key][role]
    if expected == 404:
        assert_denied(response, key, role, world.users[role], seq)
        return
    assert response.status_code == expected, f"{key} as {role}: {response.status_code}"
    content = response.content.decode()
    assert world.inside.case.reference in content
    assert world.outside.case.reference not in content
    action = LIST_PAGE_AUDIT.get(key, Action.VIEW)
    assert events_since(seq, world.users[role], action).exists(), f"{key}: not audited"
