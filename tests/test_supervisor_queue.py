"""The supervisors' queue: closure requests with their reasons, every section counted
and paged."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from casework.models import Case, Escalation
from casework.views import supervision
from casework.vocabularies import CaseStatus
from tests.factories import CaseFactory, PersonFactory
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db

# The query parameter of each section's page, and the id of the list it pages.
SECTIONS = {
    "escalations": "escalations",
    "unassigned": "unassigned",
    "closures": "closures",
    "pending": "pending-disclosures",
    "active": "active-disclosures",
}


def rows_of(response, list_id):
    """The <li> items of the list with this id, as HTML strings."""
    page = response.content.decode()
    body = re.search(rf'<ul class="list-group" id="{list_id}">(.*?)</ul>', page, re.S)
    assert body, f"no list #{list_id} on the page"
    return re.findall(r"<li\b.*?</li>", body.group(1), re.S)


def heading_of(response, list_id):
    """The text of the heading of the section holding the list with this id."""
    page = response.content.decode()
    before_list = page[: page.index(f'id="{list_id}"')]
    heading = before_list[before_list.rindex("<h2") :]
    return re.sub(r"<[^>]+>", " ", heading)


def test_queue_shows_the_reason_of_each_closure_request_next_to_approve(supervisor):
    case = CaseFactory(
        person=PersonFactory(organisation=supervisor.organisation),
        status=CaseStatus.CLOSURE_REQUESTED,
        closure_reason="deceased",
        closure_requested_at=timezone.now(),
    )
    response = signed_in(supervisor).get(reverse("queue"))
    (row,) = rows_of(response, "closures")
    assert case.reference in row
    # In the form, beside the buttons: what the supervisor approves is in plain sight.
    form = re.search(r"<form .*?</form>", row, re.S).group(0)
    assert "Reason: Deceased" in form and "Approve closure" in form


@pytest.mark.django_db(transaction=True)
def test_supervisor_approves_every_seeded_closure_request_from_the_queue(settings):
    settings.DEBUG = True
    call_command("seed_demo", cases=150, seed=11, force=True, stdout=io.StringIO())
    settings.DEBUG = False
    supervisor = User.objects.get(username="supervisor")
    requested = Case.objects.filter(
        organisation=supervisor.organisation, status=CaseStatus.CLOSURE_REQUESTED
    )
    assert requested.exists(), "the seed made no closure request to approve"
    client = signed_in(supervisor)
    rows = rows_of(client.get(reverse("queue")), "closures")
    for case in requested:
        response = client.post(
            reverse("case-closure", args=[case.reference]), {"decision": "approve", "next": "queue"}
        )
        assert response.status_code == 302 and response.url == reverse("queue")
        (row,) = [row for row in rows if case.reference in row]
        assert f"Reason: {case.get_closure_reason_display()}" in row
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED and case.closure_reason and case.closed_at
    assert "Case closed." in client.get(reverse("queue")).content.decode()


def test_approving_a_request_that_somehow_has_no_reason_says_so_and_changes_nothing(supervisor):
    case = CaseFactory(person=PersonFactory(organisation=supervisor.organisation))
    # Only a database without the constraint could hold one (say, restored from before it).
    constraint = next(c for c in Case._meta.constraints if c.name == "closure_request_has_reason")
    with connection.cursor() as cursor:  # ALTER TABLE refuses pending deferred checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Case, constraint)
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSURE_REQUESTED, closure_requested_at=timezone.now()
    )
    client = signed_in(supervisor)
    (row,) = rows_of(client.get(reverse("queue")), "closures")
    assert "No reason given" in row
    response = client.post(
        reverse("case-closure", args=[case.reference]),
        {"decision": "approve", "next": "queue"},
        follow=True,
    )
    assert response.status_code == 200
    assert "This closure request gives no reason" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSURE_REQUESTED and case.closed_at is None
    # Refusing it still works, and sends the case back to work.
    client.post(reverse("case-closure", args=[case.reference]), {"decision": "refuse"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def open_escalations(supervisor, count):
    case = CaseFactory(person=PersonFactory(organisation=supervisor.organisation))
    return Escalation.objects.bulk_create(
        [
            Escalation(case=case, rule="task_overdue", event_key=f"test:{case.pk}:{i}", message="x")
            for i in range(count)
        ]
    )


def test_queue_counts_escalations_and_pages_through_all_of_them(supervisor):
    open_escalations(supervisor, 60)
    client = signed_in(supervisor)
    first = client.get(reverse("queue"))
    assert "60" in heading_of(first, "escalations").split()
    assert len(rows_of(first, "escalations")) == supervision.QUEUE_SIZE
    assert 'href="/queue/?escalations=2#queue-escalations"' in first.content.decode()
    second = client.get(reverse("queue"), {"escalations": "2"})
    assert len(rows_of(second, "escalations")) == 60 - supervision.QUEUE_SIZE
    shown = {
        pk
        for response in (first, second)
        for pk in re.findall(r"/escalations/(\d+)/acknowledge/", response.content.decode())
    }
    assert len(shown) == 60
    assert 'href="/queue/#queue-escalations"' in second.content.decode()  # back to page 1


def test_each_queue_section_keeps_its_own_page(supervisor):
    open_escalations(supervisor, 60)
    Case.objects.bulk_create(
        [
            Case(
                person=PersonFactory(organisation=supervisor.organisation),
                organisation=supervisor.organisation,
            )
            for _ in range(supervision.QUEUE_SIZE + 1)
        ]
    )
    unassigned = Case.objects.filter(status=CaseStatus.NEW, assigned_to__isnull=True).count()
    assert unassigned > supervision.QUEUE_SIZE
    response = signed_in(supervisor).get(reverse("queue"), {"escalations": "2"})
    assert len(rows_of(response, "unassigned")) == supervision.QUEUE_SIZE
    assert str(unassigned) in heading_of(response, "unassigned").split()
    # Paging the new cases keeps the escalations on their page 2.
    assert 'href="/queue/?escalations=2&amp;unassigned=2#queue-unassigned"' in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", ["abc", "\x00", "99999", "-1", "1.5", "", "9" * 5000])
@pytest.mark.parametrize("section", SECTIONS)
def test_garbage_queue_page_numbers_do_not_fail(supervisor, section, value):
    open_escalations(supervisor, 60)
    response = signed_in(supervisor).get(reverse("queue"), {section: value})
    assert response.status_code == 200
    assert rows_of(response, SECTIONS[section])
