"""The case list: saved views, its columns, bulk assignment and totals that are estimated
when counting every match would be slow."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import caselist
from casework.audit import Action, AuditEvent
from casework.models import Case, Note
from casework.views import cases as case_views
from casework.vocabularies import CaseStatus, Confidentiality, NoteKind
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    EmbassyRequestFactory,
    IcrcVisitFactory,
    NoteFactory,
    OrganisationFactory,
    PersonFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

NOW = timezone.now


def listed(client, **params):
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200
    return [case.reference for case in response.context["page"]]


def make_case(org, **fields):
    return CaseFactory(person=PersonFactory(organisation=org), **fields)


# --- Saved views -------------------------------------------------------------------------


def test_my_overdue_is_my_cases_with_an_open_task_past_due(org, caseworker, supervisor):
    other = UserFactory(role=Role.CASEWORKER, organisation=org)
    mine_overdue = make_case(org, assigned_to=caseworker)
    mine_on_time = make_case(org, assigned_to=caseworker)
    mine_done = make_case(org, assigned_to=caseworker)
    theirs_overdue = make_case(org, assigned_to=other)
    yesterday = NOW() - datetime.timedelta(days=1)
    TaskFactory(case=mine_overdue, due_at=yesterday)
    TaskFactory(case=mine_on_time, due_at=NOW() + datetime.timedelta(days=1))
    TaskFactory(case=mine_done, due_at=yesterday, status="done", completed_at=NOW())
    TaskFactory(case=theirs_overdue, due_at=yesterday)
    assert listed(signed_in_client(caseworker), view="my-overdue") == [mine_overdue.reference]
    # A supervisor's "my overdue" is the cases assigned to the supervisor: none here.
    assert listed(signed_in_client(supervisor), view="my-overdue") == []


def test_pows_without_icrc_visit_since_their_capture(org, supervisor):
    today = timezone.localdate()
    never_visited = make_case(org)
    CustodyEventFactory(case=never_visited, kind="captured")
    visited = make_case(org)
    CustodyEventFactory(case=visited, kind="captured", occurred_on=today - datetime.timedelta(30))
    IcrcVisitFactory(case=visited, visited_on=today - datetime.timedelta(5))
    # Visited during an earlier captivity only: this capture has had no visit.
    recaptured = make_case(org)
    CustodyEventFactory(case=recaptured, kind="captured", occurred_on=today - datetime.timedelta(9))
    IcrcVisitFactory(case=recaptured, visited_on=today - datetime.timedelta(400))
    released = make_case(org)
    CustodyEventFactory(case=released, kind="captured", occurred_on=today - datetime.timedelta(90))
    CustodyEventFactory(case=released, kind="released", occurred_on=today - datetime.timedelta(3))
    # A prisoner of war by situation, no custody record yet: no visit recorded either.
    pow_unrecorded = make_case(org, situation="pow_in_ukraine")
    make_case(org, situation="at_front")
    shown = listed(signed_in_client(supervisor), view="pow-no-icrc-visit")
    assert sorted(shown) == sorted(
        [never_visited.reference, recaptured.reference, pow_unrecorded.reference]
    )


def test_awaiting_embassy_is_a_request_still_unanswered(org, supervisor):
    sent = make_case(org)
    EmbassyRequestFactory(case=sent, status="sent")
    in_progress = make_case(org)
    EmbassyRequestFactory(case=in_progress, status="in_progress")
    answered = make_case(org)
    EmbassyRequestFactory(case=answered, status="fulfilled")
    make_case(org)
    shown = listed(signed_in_client(supervisor), view="awaiting-embassy")
    assert sorted(shown) == sorted([sent.reference, in_progress.reference])


def test_saved_views_combine_with_filters_and_stay_in_scope(org, caseworker):
    other_org = OrganisationFactory()
    high = make_case(org, assigned_to=caseworker, risk="high")
    low = make_case(org, assigned_to=caseworker, risk="low")
    not_mine = make_case(org, risk="high")
    elsewhere = make_case(other_org, risk="high")
    for case in (high, low, not_mine, elsewhere):
        EmbassyRequestFactory(case=case, status="sent")
    client = signed_in_client(caseworker)
    assert sorted(listed(client, view="awaiting-embassy")) == sorted(
        [high.reference, low.reference]
    )
    assert listed(client, view="awaiting-embassy", risk="high") == [high.reference]
    # The filter form keeps the view; a view that does not exist is no filter.
    page = client.get(reverse("case-list"), {"view": "awaiting-embassy"}).content.decode()
    assert '<input type="hidden" name="view" value="awaiting-embassy">' in page
    assert sorted(listed(client, view="no-such-view")) == sorted([high.reference, low.reference])


def test_saved_views_are_links_marking_the_current_one(org, supervisor):
    client = signed_in_client(supervisor)
    page = client.get(reverse("case-list"), {"view": "my-overdue", "risk": "high"})
    html = page.content.decode()
    nav = re.search(r'<nav aria-label="Saved views" id="case-views">(.*?)</nav>', html, re.S)
    links = re.findall(
        r'<a class="nav-link( active)?" href="([^"]*)"( aria-current="page")?>([^<]*)</a>',
        nav.group(1),
    )
    assert [(text, bool(current)) for _active, _href, current, text in links] == [
        ("All cases", False),
        ("My overdue", True),
        ("POWs without ICRC visit", False),
        ("Awaiting embassy", False),
    ]
    hrefs = {text: href.replace("&amp;", "&") for _a, href, _c, text in links}
    assert hrefs["All cases"] == "/cases/?risk=high"
    assert hrefs["Awaiting embassy"] == "/cases/?risk=high&view=awaiting-embassy"


def test_saved_view_labels_are_translated(org, supervisor):
    client = signed_in_client(supervisor)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("case-list")).content.decode()
    assert "My overdue" not in html and "Awaiting embassy" not in html


# --- Columns -----------------------------------------------------------------------------


def test_columns_show_situation_custody_last_contact_and_next_due(org, supervisor):
    case = make_case(org, situation="pow_in_ukraine")
    CustodyEventFactory(case=case, kind="captured")
    NoteFactory(
        case=case,
        kind=NoteKind.CALL,
        occurred_at=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC),
    )
    NoteFactory(
        case=case,
        kind=NoteKind.DOCUMENT,
        occurred_at=datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC),
    )
    TaskFactory(case=case, due_at=datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC))
    TaskFactory(case=case, due_at=datetime.datetime(2026, 12, 24, 12, tzinfo=datetime.UTC))
    row = _row(signed_in_client(supervisor), case)
    assert "Prisoner of war held by Ukraine" in row and "Captured" in row
    # A call is a contact, a document is not; the earliest open task is next.
    assert "March 2, 2026" in row and "March 9, 2026" not in row
    assert "Dec. 20, 2026" in row and "Dec. 24, 2026" not in row


def test_a_restricted_contact_is_dated_only_for_those_who_may_read_it(org, caseworker, supervisor):
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=org)
    case = make_case(org, assigned_to=caseworker)
    case.collaborators.add(collaborator)
    NoteFactory(
        case=case,
        kind=NoteKind.VISIT,
        confidentiality=Confidentiality.RESTRICTED,
        occurred_at=datetime.datetime(2026, 4, 7, 12, tzinfo=datetime.UTC),
    )
    for reader in (caseworker, supervisor):
        assert "April 7, 2026" in _row(signed_in_client(reader), case)
    assert "April 7, 2026" not in _row(signed_in_client(collaborator), case)


def test_columns_are_words_in_the_readers_language(org, supervisor):
    case = make_case(org, situation="pow_in_ukraine")
    CustodyEventFactory(case=case, kind="captured")
    NoteFactory(case=case, occurred_at=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC))
    client = signed_in_client(supervisor)
    client.cookies["django_language"] = "uk"
    row = _row(client, case)
    assert "Captured" not in row and "captured" not in row and "pow_in_ukraine" not in row
    assert "March" not in row and "None" not in row
    assert "2026" in row


def _row(client, case):
    html = client.get(reverse("case-list"), {"status": "all"}).content.decode()
    match = re.search(rf"<tr>(?:(?!</tr>).)*{case.reference}.*?</tr>", html, re.S)
    assert match, f"{case.reference} not listed"
    return match.group(0)


@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_columns_cost_the_same_queries_for_5_rows_as_for_25(org, caseworker, supervisor, role):
    user = supervisor if role == "supervisor" else caseworker
    client = signed_in_client(user)
    counts = []
    for rows in (5, 25):
        while Case.objects.count() < rows:
            case = make_case(org, assigned_to=caseworker)
            CustodyEventFactory(case=case)
            NoteFactory(case=case)
            TaskFactory(case=case, due_at=NOW() - datetime.timedelta(hours=1))
        client.get(reverse("case-list"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("case-list"))
        assert len(response.context["page"]) == rows
        assert all(case.has_overdue for case in response.context["page"])
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- Totals and pages --------------------------------------------------------------------


def test_small_totals_are_exact_and_pages_need_no_full_count(org, supervisor, monkeypatch):
    monkeypatch.setattr(case_views, "PAGE_SIZE", 2)
    cases = [make_case(org) for _ in range(5)]
    client = signed_in_client(supervisor)
    response = client.get(reverse("case-list"))
    page = response.context["page"]
    assert (page.total, page.approximate, page.has_next) == (5, False, True)
    html = response.content.decode()
    assert "<caption>5 cases</caption>" in html and "Page 1 of 3" in html
    last = client.get(reverse("case-list"), {"page": "3"}).context["page"]
    assert [c.reference for c in last] == [cases[0].reference] and not last.has_next
    # Past the end: the last page; garbage: the first.
    assert client.get(reverse("case-list"), {"page": "99"}).context["page"].number == 3
    for garbage in ("abc", "-1", "٣", "0"):
        assert client.get(reverse("case-list"), {"page": garbage}).context["page"].number == 1


def test_a_total_over_the_limit_is_an_estimate(org, supervisor, monkeypatch):
    monkeypatch.setattr(case_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(caselist, "EXACT_COUNT_LIMIT", 3)
    for _ in range(6):
        make_case(org)
    # What the planner would say once autovacuum has analysed the table. (Not ANALYZE
    # here: it writes the table's row count in place, past the test's rollback, and the
    # plans of every later test would be made for rows that are gone.)
    monkeypatch.setattr(caselist, "planner_estimate", lambda cases: 6)
    response = signed_in_client(supervisor).get(reverse("case-list"))
    page = response.context["page"]
    assert page.approximate and page.num_pages is None
    html = response.content.decode()
    assert re.search(r"<caption>about [\d,]+ cases</caption>", html)
    assert re.search(r'<span class="page-link">Page 1</span>', html)


def test_a_count_past_the_limit_when_the_planner_thought_fewer(org, monkeypatch):
    for _ in range(4):
        make_case(org)
    monkeypatch.setattr(caselist, "planner_estimate", lambda cases: 1)
    assert caselist.count_or_estimate(Case.objects.all(), limit=3) == (3, True)
    assert caselist.count_or_estimate(Case.objects.all(), limit=10) == (4, False)


def test_estimates_are_rounded_to_two_digits():
    assert [caselist.rounded(n) for n in (7, 99, 123, 391_467, 1_049_999)] == [
        7,
        99,
        120,
        390_000,
        1_000_000,
    ]


def test_totals_are_formatted_for_the_reader(org, supervisor, monkeypatch):
    monkeypatch.setattr(caselist, "planner_estimate", lambda cases: 391_467)
    for _ in range(30):
        make_case(org)
    client = signed_in_client(supervisor)
    assert (
        "<caption>about 390,000 cases</caption>"
        in client.get(reverse("case-list")).content.decode()
    )
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("case-list")).content.decode()
    assert re.search(r"<caption>[^<]*390\u00a0000[^<]*</caption>", html) or re.search(
        r"<caption>[^<]*390\u202f000[^<]*</caption>", html
    ), re.search(r"<caption>.*?</caption>", html).group(0)


# --- Bulk assignment ---------------------------------------------------------------------


def test_supervisor_assigns_ticked_cases_each_noted_and_audited(org, caseworker, supervisor):
    other_org = OrganisationFactory()
    first, second = make_case(org), make_case(org, status=CaseStatus.ACTIVE)
    already = make_case(org, assigned_to=caseworker)
    elsewhere = make_case(other_org)
    client = signed_in_client(supervisor)
    list_page = client.get(reverse("case-list")).content.decode()
    assert 'name="cases"' in list_page and 'id="bulk-assign"' in list_page
    response = client.post(
        reverse("case-bulk-assign"),
        {
            "assigned_to": caseworker.pk,
            "cases": [first.reference, second.reference, already.reference, elsewhere.reference],
            "back": "risk=high&page=2",
        },
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/cases/?risk=high&page=2"
    assert "2 cases assigned to Amina" in response.content.decode()
    for case in (first, second):
        case.refresh_from_db()
        assert case.assigned_to == caseworker and case.status == CaseStatus.ACTIVE
        entry = Note.objects.get(case=case, automatic=True)
        assert entry.event["code"] == "assigned"
        assert AuditEvent.objects.filter(
            action=Action.UPDATE, case_reference=case.reference, actor_id=supervisor.pk
        ).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.assigned_to is None
    assert not Note.objects.filter(case__in=[already, elsewhere]).exists()


def test_bulk_assignment_refuses_a_caseworker_of_another_organisation(org, supervisor):
    outsider = UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory())
    case = make_case(org)
    response = signed_in_client(supervisor).post(
        reverse("case-bulk-assign"),
        {"assigned_to": outsider.pk, "cases": [case.reference]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to is None


def test_bulk_assignment_without_a_ticked_case_says_so(org, caseworker, supervisor):
    response = signed_in_client(supervisor).post(
        reverse("case-bulk-assign"), {"assigned_to": caseworker.pk}, follow=True
    )
    assert "Tick at least one case to assign." in response.content.decode()


def test_caseworkers_see_no_checkboxes_and_may_not_bulk_assign(org, caseworker):
    case = make_case(org, assigned_to=caseworker)
    client = signed_in_client(caseworker)
    page = client.get(reverse("case-list")).content.decode()
    assert 'name="cases"' not in page and "bulk-assign" not in page
    response = client.post(
        reverse("case-bulk-assign"), {"assigned_to": caseworker.pk, "cases": [case.reference]}
    )
    # Refused as every supervisor-only action is: as if it did not exist, and audited.
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor_id=caseworker.pk).exists()
    case.refresh_from_db()
    assert case.assigned_to == caseworker
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=org)
    assert signed_in_client(supervisor).get(reverse("case-bulk-assign")).status_code == 405


def test_a_count_too_slow_gives_way_to_the_estimate(org, monkeypatch):
    for _ in range(3):
        make_case(org)
    monkeypatch.setattr(caselist, "COUNT_TIMEOUT_MS", 20)
    slow = Case.objects.extra(where=["pg_sleep(0.05) IS NOT NULL"])
    total, approximate = caselist.count_or_estimate(slow)
    assert approximate and total == caselist.planner_estimate(slow)
    # The request goes on, its statement timeout as it was.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert Case.objects.count() == 3
    assert caselist.count_or_estimate(Case.objects.all()) == (3, False)
