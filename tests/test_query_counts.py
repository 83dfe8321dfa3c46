"""Query counts of the busiest pages do not grow with the data they show.

The case list (/cases/), the case page (/cases/<reference>/) and home (/) must run the
same number of queries for 5 rows as for 50, and for 10 cases in the database as for
1,000. A count that grows is an N+1 in the view or its template: fix it there with
select_related, prefetch_related or an annotation. Run with -s to see the counts.
"""

import datetime
import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from accounts.models import Role, User
from casework import matching
from casework.models import (
    Alias,
    Case,
    Consent,
    Contact,
    ControlMeans,
    CustodyEvent,
    CustodyObligations,
    Document,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    Escalation,
    IcrcVisit,
    IdentityDocument,
    LegalProceeding,
    Nationality,
    Note,
    Notification,
    Person,
    Recruitment,
    ReintegrationService,
    ReturnListEntry,
    Task,
    WayHome,
)
from casework.views import cases as case_views
from casework.views import supervision
from casework.views.workspace import TABS
from casework.vocabularies import (
    CaseStatus,
    ConsentScope,
    CustodyEventKind,
    MeansOfControl,
    NoteKind,
    RiskLevel,
    TaskKind,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

# Two-letter codes to give a person or a case as many distinct countries as it needs.
COUNTRY_CODES = [code for code, _name in countries][:60]


def count_queries(client, url, params=None):
    """The number of queries one GET of the page runs, after a warm-up request."""
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def assert_same(page, counts):
    """`counts` maps a size label to a query count; print them and demand one value."""
    shown = ", ".join(f"{size}: {count}" for size, count in counts.items())
    print(f"\n{page}: queries {shown}")
    assert len(set(counts.values())) == 1, f"{page}: the query count grows ({shown})"


@pytest.fixture
def team():
    organisation = OrganisationFactory()
    return {
        "organisation": organisation,
        "supervisor": UserFactory(role=Role.SUPERVISOR, organisation=organisation),
        "caseworkers": UserFactory.create_batch(3, role=Role.CASEWORKER, organisation=organisation),
    }


def make_cases(team, count, assignee=None):
    """`count` open high-risk cases, each with two nationalities, an alias and an overdue
    task; assigned round-robin to the team's caseworkers unless `assignee` is given."""
    organisation = team["organisation"]
    workers = itertools.cycle([assignee] if assignee else team["caseworkers"])
    persons = Person.objects.bulk_create(
        [
            Person(organisation=organisation, given_name="Brian", family_name=f"Otieno{i}")
            for i in range(count)
        ]
    )
    Nationality.objects.bulk_create(
        [Nationality(person=p, country=c) for p in persons for c in ("KE", "UG")]
    )
    Alias.objects.bulk_create([Alias(person=p, name=f"Bryan {p.family_name}") for p in persons])
    matching.refresh_name_keys_bulk(persons)
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                person=p,
                organisation=organisation,
                assigned_to=next(workers),
                status=CaseStatus.ACTIVE,
                risk=RiskLevel.HIGH,
                last_activity_at=now - datetime.timedelta(hours=i),
            )
            for i, p in enumerate(persons)
        ]
    )
    Task.objects.bulk_create(
        [
            Task(
                case=c,
                title="Call the family",
                kind=TaskKind.FOLLOW_UP,
                due_at=now - datetime.timedelta(hours=1),
                assignee=c.assigned_to,
            )
            for c in cases
        ]
    )
    return cases


# --- The case list: 5 rows against 50 ----------------------------------------------

# (query string, searched name): a search is POSTed and kept in the session.
LIST_VIEWS = {
    "default": ({}, ""),
    "filtered": ({"status": "all", "nationality": "ke", "overdue": "1", "sort": "risk"}, ""),
    "search": ({"status": "all"}, "Brian Otieno"),
}


def search_for(client, text):
    """Search as the list's form does; an empty text clears the search."""
    response = client.post(reverse("case-list"), {"q": text})
    assert response.status_code == 302, response.status_code


def count_list_queries(client, view):
    params, text = LIST_VIEWS[view]
    search_for(client, text)
    return count_queries(client, reverse("case-list"), params)


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_case_list_counts_do_not_grow_with_rows(team, monkeypatch, role):
    monkeypatch.setattr(case_views, "PAGE_SIZE", 50)
    user = team["supervisor"] if role == "supervisor" else team["caseworkers"][0]
    client = signed_in_client(user)
    counts = {name: {} for name in LIST_VIEWS}
    for rows in (5, 50):
        make_cases(
            team, rows - Case.objects.count(), assignee=user if role == "caseworker" else None
        )
        for name in LIST_VIEWS:
            counts[name][f"{rows} rows"] = count_list_queries(client, name)
            rendered = client.get(reverse("case-list"), LIST_VIEWS[name][0])
            assert rendered.content.count(b"<tr>") == rows + 1  # the header and one per case
    for name in LIST_VIEWS:
        assert_same(f"case list ({role}, {name})", counts[name])


# --- The case page: 5 children of every kind against 50 -------------------------------


def add_children(case, count, team):
    """`count` children of every kind the case page lists, by different people."""
    people = itertools.cycle([team["supervisor"], *team["caseworkers"]])
    now = timezone.now()
    person = case.person
    Nationality.objects.bulk_create(
        [Nationality(person=person, country=c) for c in COUNTRY_CODES[:count]],
        ignore_conflicts=True,
    )
    Alias.objects.bulk_create([Alias(person=person, name=f"Alias {i}") for i in range(count)])
    IdentityDocument.objects.bulk_create(
        [
            IdentityDocument(
                person=person, doc_type="passport", number=f"A{i:07}", issuing_country=c
            )
            for i, c in enumerate(COUNTRY_CODES[:count])
        ]
    )
    recruitment = Recruitment.objects.create(case=case, recruiter_details="Agent 'Max'")
    ControlMeans.objects.bulk_create(
        [ControlMeans(recruitment=recruitment, means=m) for m in list(MeansOfControl)[:count]]
    )
    Note.objects.bulk_create(
        [
            Note(case=case, kind=NoteKind.CALL, text=f"Call {i}", author=next(people))
            for i in range(count)
        ]
    )
    Task.objects.bulk_create(
        [
            Task(
                case=case,
                title=f"Task {i}",
                kind=TaskKind.FOLLOW_UP,
                due_at=now + datetime.timedelta(days=1),
                assignee=next(people),
            )
            for i in range(count)
        ]
    )
    Contact.objects.bulk_create(
        [
            Contact(case=case, kind="family", name=f"Relative {i}", phone=f"+2547000{i:05}")
            for i in range(count)
        ]
    )
    Consent.objects.bulk_create(
        [
            Consent(
                case=case,
                scope=ConsentScope.SHARE_WITH_HUMANITARIAN,
                organisation_name=f"Aid {i}",
                method="written",
                recorded_by=next(people),
            )
            for i in range(count)
        ]
    )
    EmbassyDisclosure.objects.bulk_create(
        [
            EmbassyDisclosure(case=case, country=c, approved_by=team["supervisor"])
            for c in COUNTRY_CODES[:count]
        ]
    )
    requests = EmbassyRequest.objects.bulk_create(
        [
            EmbassyRequest(
                case=case,
                country=c,
                kind="consular_visit",
                message="Please visit.",
                due_at=now + datetime.timedelta(days=7),
                created_by=next(people),
            )
            for c in COUNTRY_CODES[:count]
        ]
    )
    messages = EmbassyMessage.objects.bulk_create(
        [EmbassyMessage(request=r, from_embassy=True, body="Noted.") for r in requests]
    )
    Document.objects.bulk_create(
        [
            Document(
                case=case,
                embassy_message=m,
                kind="embassy_response",
                file=f"documents/test/{i}",
                original_name=f"response-{i}.pdf",
                content_type="application/pdf",
                size=1000 + i,
                sha256="0" * 64,
                uploaded_by=next(people),
            )
            for i, m in enumerate(messages)
        ]
    )


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_case_page_counts_do_not_grow_with_children(team, role):
    small, big = make_cases(team, 2, assignee=team["caseworkers"][0])
    add_children(small, 5, team)
    add_children(big, 50, team)
    user = team["supervisor"] if role == "supervisor" else team["caseworkers"][0]
    client = signed_in_client(user)
    counts = {}
    for rows, case in [(5, small), (50, big)]:
        for tab in TABS:  # one tab at a time; the header and next panel with each
            counts.setdefault(tab, {})[f"{rows} children"] = count_queries(
                client, case.get_absolute_url(), {"tab": tab}
            )
    assert b"Relative 49" in client.get(big.get_absolute_url(), {"tab": "contacts"}).content
    for tab, by_size in counts.items():
        assert_same(f"case page, {tab} tab ({role})", by_size)


def add_custody(case, events, services, team):
    """A custody record of `events` events and `services` reintegration services, with
    visits, proceedings, list entries and check-ins: the case page's custody section."""
    people = itertools.cycle([team["supervisor"], *team["caseworkers"]])
    start = datetime.date(2025, 1, 1)
    document = Document.objects.create(
        case=case,
        kind="embassy_response",
        file="documents/test/custody",
        original_name="capture-card.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
    )
    CustodyEvent.objects.bulk_create(
        [
            CustodyEvent(
                case=case,
                kind=list(CustodyEventKind)[i % 6],
                occurred_on=start + datetime.timedelta(days=i),
                facility=f"Facility {i}",
                source=f"Source {i}",
                document=document if i % 2 else None,
                recorded_by=next(people),
            )
            for i in range(events)
        ]
    )
    CustodyEvent.refresh_case_status(case.pk)
    CustodyObligations.objects.create(case=case, icrc_reference="CTA-1")
    request = EmbassyRequest.objects.create(
        case=case,
        country="KE",
        kind="identity_confirmation",
        message="Confirm.",
        due_at=timezone.now(),
    )
    WayHome.objects.create(case=case, nationality_request=request, arrived_on=start)
    IcrcVisit.objects.bulk_create([IcrcVisit(case=case, visited_on=start) for _ in range(services)])
    LegalProceeding.objects.bulk_create(
        [LegalProceeding(case=case, charge=f"Charge {i}") for i in range(services)]
    )
    ReturnListEntry.objects.bulk_create(
        [
            ReturnListEntry(
                case=case, list_kind=("exchange", "repatriation")[i % 2], listed_on=start
            )
            for i in range(services)
        ]
    )
    ReintegrationService.objects.bulk_create(
        [ReintegrationService(case=case, kind="medical") for _ in range(services)]
    )


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_case_page_counts_do_not_grow_with_custody_records(team, role):
    """50 custody events and 20 services cost what 5 events and 2 services do."""
    small, big = make_cases(team, 2, assignee=team["caseworkers"][0])
    add_custody(small, 5, 2, team)
    add_custody(big, 50, 20, team)
    user = team["supervisor"] if role == "supervisor" else team["caseworkers"][0]
    client = signed_in_client(user)
    counts = {}
    for label, case in [("5 events, 2 services", small), ("50 events, 20 services", big)]:
        counts[label] = count_queries(client, case.get_absolute_url(), {"tab": "custody"})
    page = client.get(big.get_absolute_url(), {"tab": "custody"}).content.decode()
    assert "Facility 49" in page and "Source 0" in page
    assert_same(f"case page with custody ({role})", counts)


def test_liaison_case_page_with_custody_stays_within_ten_queries(team):
    from tests.factories import ConsentFactory, LiaisonFactory

    liaison = LiaisonFactory(liaison_countries="KE")
    small, big = make_cases(team, 2, assignee=team["caseworkers"][0])
    counts = {}
    client = signed_in_client(liaison)
    for label, case, size in [("small", small, (5, 2)), ("big", big, (50, 20))]:
        ConsentFactory(case=case, country="KE", recorded_by=team["caseworkers"][0])
        EmbassyDisclosure.objects.create(case=case, country="KE", approved_by=team["supervisor"])
        add_custody(case, *size, team)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        assert "Facility" not in response.content.decode()
        counts[label] = len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]])
    assert_same("liaison case page with custody", counts)
    assert max(counts.values()) <= 10


# --- Home: 5 due tasks, attention cases and notifications against 50 ------------------


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_home_counts_do_not_grow_with_rows(team, role):
    user = team["supervisor"] if role == "supervisor" else team["caseworkers"][0]
    client = signed_in_client(user)
    counts = {}
    for rows in (5, 50):
        cases = make_cases(team, rows - Case.objects.count(), assignee=team["caseworkers"][0])
        # The supervisor gets tasks of their own on the same cases.
        if role == "supervisor":
            Task.objects.bulk_create(
                [
                    Task(
                        case=c,
                        title="Review",
                        kind=TaskKind.OTHER,
                        due_at=timezone.now(),
                        assignee=user,
                    )
                    for c in cases
                ]
            )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    case=c,
                    kind="task_due",
                    message="A task is due.",
                    event_key=f"task:{c.pk}",
                )
                for c in cases
            ]
        )
        counts[f"{rows} rows"] = count_queries(client, reverse("home"))
    assert_same(f"home ({role})", counts)


# --- The supervisors' queue: 5 items in every section against 60 (two pages) ---------


def fill_queue(team, count):
    """`count` more items in every section of the supervisors' queue."""
    supervisor = team["supervisor"]
    cases = make_cases(team, count * 3)
    escalated, unassigned, closing = cases[:count], cases[count : 2 * count], cases[2 * count :]
    Escalation.objects.bulk_create(
        [
            Escalation(case=c, rule="task_overdue", event_key=f"queue:{c.pk}", message="x")
            for c in escalated
        ]
    )
    Case.objects.filter(pk__in=[c.pk for c in unassigned]).update(
        status=CaseStatus.NEW, assigned_to=None
    )
    Case.objects.filter(pk__in=[c.pk for c in closing]).update(
        status=CaseStatus.CLOSURE_REQUESTED,
        closure_reason="returned_home",
        closure_requested_at=timezone.now(),
    )
    # Consent to Kenya awaiting approval; disclosure to Uganda already approved.
    Consent.objects.bulk_create(
        [
            Consent(
                case=c,
                scope=ConsentScope.SHARE_WITH_EMBASSY,
                country="KE",
                method="written",
                recorded_by=supervisor,
            )
            for c in escalated
        ]
    )
    EmbassyDisclosure.objects.bulk_create(
        [EmbassyDisclosure(case=c, country="UG", approved_by=supervisor) for c in escalated]
    )


def test_queue_counts_do_not_grow_with_rows(team):
    client = signed_in_client(team["supervisor"])
    counts = {}
    for rows in (5, 60):
        fill_queue(team, rows - Escalation.objects.count())
        counts[f"{rows} rows"] = count_queries(client, reverse("queue"))
        # Every section is full (a page of 50 at most) and counted.
        context = client.get(reverse("queue")).context
        for name in ("escalations", "unassigned", "closures", "pending", "active"):
            assert context[name].page.paginator.count == rows, name
            assert len(context[name].page) == min(rows, supervision.QUEUE_SIZE), name
    assert_same("queue", counts)


# --- My tasks: 5 due tasks against 60 (three pages) ----------------------------------


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_my_tasks_counts_do_not_grow_with_rows(team, role):
    user = team["supervisor"] if role == "supervisor" else team["caseworkers"][0]
    client = signed_in_client(user)
    counts = {}
    for rows in (5, 60):
        cases = make_cases(team, rows - Case.objects.count(), assignee=team["caseworkers"][0])
        if role == "supervisor":
            Task.objects.filter(case__in=cases).update(assignee=user)
        counts[f"{rows} rows"] = count_queries(client, reverse("my-tasks"))
        page = client.get(reverse("my-tasks")).context["page"]
        assert page.paginator.count == rows
    assert_same(f"my tasks ({role})", counts)


# --- 10 cases in the database against 1,000 ------------------------------------------


def seed(settings, cases):
    settings.DEBUG = True
    call_command("seed_demo", cases=cases, seed=11, force=True, stdout=io.StringIO())


def measure_seeded_pages():
    """Query counts of every page for the seeded supervisor and a seeded caseworker."""
    counts = {}
    for username in ("supervisor", "caseworker"):
        user = User.objects.get(username=username)
        client = signed_in_client(user)
        visible = Case.objects.filter(organisation_id=user.organisation_id)
        if username == "caseworker":
            visible = visible.filter(assigned_to=user)
        case = visible.select_related("person").order_by("pk").first()
        counts[(username, "home")] = count_queries(client, reverse("home"))
        counts[(username, "case list")] = count_queries(client, reverse("case-list"))
        counts[(username, "case list, all by risk")] = count_queries(
            client, reverse("case-list"), {"status": "all", "sort": "risk"}
        )
        search_for(client, case.person.full_name)
        counts[(username, "case list, name search")] = count_queries(
            client, reverse("case-list"), {"status": "all"}
        )
        assert case.reference.encode() in client.get(reverse("case-list")).content
        search_for(client, "")
        counts[(username, "case page")] = count_queries(client, case.get_absolute_url())
    return counts


@pytest.mark.django_db(transaction=True)
def test_counts_do_not_grow_with_the_number_of_cases(settings):
    seed(settings, 10)
    few = measure_seeded_pages()
    call_command("flush", interactive=False)
    seed(settings, 1000)
    assert Case.objects.count() == 1000
    many = measure_seeded_pages()
    for key in few:
        assert_same(" ".join(key), {"10 cases": few[key], "1,000 cases": many[key]})


def test_search_by_resolved_persons_finds_what_the_exists_search_finds(team, monkeypatch):
    """The list's search (persons looked up first) and the plain EXISTS search agree,
    also past MAX_RESOLVED_PERSONS, where the list falls back to EXISTS."""
    make_cases(team, 12)
    other = OrganisationFactory()
    make_cases({"organisation": other, "caseworkers": [UserFactory(organisation=other)]}, 3)
    organisation_id = team["organisation"].pk
    visible = Case.objects.filter(organisation_id=organisation_id)
    for limit in (1000, 5):
        monkeypatch.setattr(matching, "MAX_RESOLVED_PERSONS", limit)
        for text in ["Brian Otieno", "Bryan Otieno1", "Otieno11", "B. Otieno3", "Nobody", "b"]:
            expected = set(matching.search_persons(visible, text))
            found = set(matching.search_persons(visible, text, organisation_id=organisation_id))
            assert found == expected, (text, limit)
    assert len(matching.search_persons(visible, "Otieno", organisation_id=organisation_id)) == 12


# --- A liaison's case page ------------------------------------------------------------


def test_liaison_case_page_runs_at_most_ten_queries_whatever_it_shows(team):
    """The embassy field set of a disclosed case, its requests, threads and documents."""
    from tests.factories import ConsentFactory, LiaisonFactory

    liaison = LiaisonFactory(liaison_countries="KE")
    small, big = make_cases(team, 2, assignee=team["caseworkers"][0])
    for case in (small, big):
        ConsentFactory(case=case, country="KE", recorded_by=team["caseworkers"][0])
        EmbassyDisclosure.objects.create(case=case, country="KE", approved_by=team["supervisor"])
    for case, count in ((small, 2), (big, 20)):
        now = timezone.now()
        requests = EmbassyRequest.objects.bulk_create(
            [
                EmbassyRequest(
                    case=case,
                    country="KE",
                    kind="consular_visit",
                    message="Please visit.",
                    due_at=now + datetime.timedelta(days=7),
                    created_by=team["caseworkers"][0],
                )
                for _ in range(count)
            ]
        )
        EmbassyMessage.objects.bulk_create(
            [EmbassyMessage(request=r, from_embassy=True, body="Noted.") for r in requests]
        )
    client = signed_in_client(liaison)
    counts = {}
    for rows, case in [(2, small), (20, big)]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(case.get_absolute_url()).status_code == 200
        # The session's save is a savepoint here only because the test runs in a
        # transaction; a GET runs in none, and BEGIN and COMMIT are not counted.
        statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        counts[f"{rows} requests"] = len(statements)
    assert_same("liaison case page", counts)
    assert max(counts.values()) <= 10, "\n".join(s[:200] for s in statements)
