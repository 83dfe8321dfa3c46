"""Home and the lists it leads to: counts of what is due and unread, and "see all"."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import workflows
from casework.audit import AuditEvent
from casework.models import Notification, Task
from casework.views import tasks as task_views
from casework.vocabularies import CaseStatus, TaskStatus
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db


def case_of(user, **fields):
    return CaseFactory(
        person=PersonFactory(organisation=user.organisation), assigned_to=user, **fields
    )


def overdue_tasks(user, count, case=None, **fields):
    case = case or case_of(user)
    now = timezone.now()
    return Task.objects.bulk_create(
        [
            Task(
                case=case,
                title=f"Overdue {i}",
                kind="follow_up",
                due_at=now - datetime.timedelta(hours=i + 1),
                assignee=user,
                **fields,
            )
            for i in range(count)
        ]
    )


def section_of(response, heading_id):
    """The HTML of the <section> labelled by this heading."""
    page = response.content.decode()
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert found, f"no section {heading_id}"
    return found.group(0)


def test_home_shows_the_count_of_due_tasks_and_links_to_all_of_them(caseworker):
    overdue_tasks(caseworker, 44)
    response = signed_in(caseworker).get(reverse("home"))
    section = section_of(response, "tasks-heading")
    assert len(response.context["tasks"]) == 20
    heading = re.search(r"<h2.*?</h2>", section, re.S).group(0)
    assert "44" in re.sub(r"<[^>]+>", " ", heading).split()
    assert f'href="{reverse("my-tasks")}"' in section
    assert "See all (44)" in section


def test_home_shows_the_count_of_unread_notifications_and_links_to_them(caseworker):
    Notification.objects.bulk_create(
        [
            Notification(recipient=caseworker, kind="task_due", message="Due.", event_key=f"n:{i}")
            for i in range(61)
        ]
    )
    Notification.objects.filter(pk__in=Notification.objects.values("pk")[:3]).update(
        read_at=timezone.now()
    )
    response = signed_in(caseworker).get(reverse("home"))
    section = section_of(response, "notifications-heading")
    assert section.count("Mark read") == 10
    heading = re.search(r"<h2.*?</h2>", section, re.S).group(0)
    assert "58" in re.sub(r"<[^>]+>", " ", heading).split()
    assert f'href="{reverse("notifications")}"' in section


def test_home_shows_no_see_all_link_when_nothing_is_due(caseworker):
    response = signed_in(caseworker).get(reverse("home"))
    assert "See all" not in response.content.decode()


def test_my_tasks_lists_every_due_task_page_by_page(caseworker):
    overdue_tasks(caseworker, task_views.PAGE_SIZE + 5)
    client = signed_in(caseworker)
    first = client.get(reverse("my-tasks"))
    assert first.status_code == 200
    assert len(first.context["page"]) == task_views.PAGE_SIZE
    assert first.context["page"].paginator.count == task_views.PAGE_SIZE + 5
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("my-tasks"), {"page": "2"})
    assert len(second.context["page"]) == 5
    titles = {t.title for response in (first, second) for t in response.context["page"]}
    assert len(titles) == task_views.PAGE_SIZE + 5
    assert AuditEvent.objects.filter(action="view", object_type="my-tasks").count() == 2


def test_my_tasks_shows_only_my_open_due_tasks_on_open_cases_i_may_see(caseworker):
    (mine,) = overdue_tasks(caseworker, 1)
    colleague = UserFactory(role=Role.CASEWORKER, organisation=caseworker.organisation)
    overdue_tasks(colleague, 1, case=mine.case)  # someone else's task
    overdue_tasks(
        caseworker, 1, case=mine.case, status=TaskStatus.DONE, completed_at=timezone.now()
    )
    Task.objects.create(
        case=mine.case,
        title="Next week",
        kind="follow_up",
        due_at=timezone.now() + datetime.timedelta(days=7),
        assignee=caseworker,
    )
    closed = case_of(
        caseworker,
        status=CaseStatus.CLOSED,
        closure_reason="returned_home",
        closed_at=timezone.now(),
    )
    overdue_tasks(caseworker, 1, case=closed)
    # Still assigned the task, but the case went to a colleague: no longer visible.
    overdue_tasks(caseworker, 1, case=case_of(colleague))
    response = signed_in(caseworker).get(reverse("my-tasks"))
    assert [t.pk for t in response.context["page"]] == [mine.pk]
    home = signed_in(caseworker).get(reverse("home"))
    assert [t.pk for t in home.context["tasks"]] == [mine.pk]
    assert home.context["tasks_count"] == 1


def test_daily_digest_counts_the_due_tasks_home_counts(caseworker):
    """A task on a closed case counts neither on home nor in the daily digest."""
    (mine, _other) = overdue_tasks(caseworker, 2)
    closed = case_of(
        caseworker,
        status=CaseStatus.CLOSED,
        closure_reason="returned_home",
        closed_at=timezone.now(),
    )
    overdue_tasks(caseworker, 1, case=closed)
    home = signed_in(caseworker).get(reverse("home"))
    digest = workflows.digest_for(caseworker, timezone.now())
    assert home.context["tasks_count"] == 2
    assert digest["overdue_count"] + digest["due_today_count"] == 2
    assert digest["overdue"] == [mine.case.reference] * 2


@pytest.mark.parametrize("value", ["abc", "\x00", "99999", "-1", "", "9" * 5000])
def test_garbage_page_numbers_of_my_tasks_do_not_fail(caseworker, value):
    overdue_tasks(caseworker, task_views.PAGE_SIZE + 1)
    response = signed_in(caseworker).get(reverse("my-tasks"), {"page": value})
    assert response.status_code == 200
    assert len(response.context["page"]) >= 1


def test_cases_needing_attention_follow_the_organisations_own_stale_thresholds(caseworker):
    """An organisation that calls a low-risk case stale after 2 days sees it on home."""
    from accounts.models import EscalationPolicy

    idle = timezone.now() - datetime.timedelta(days=3)
    quiet = case_of(caseworker, risk="low", status=CaseStatus.ACTIVE)
    recent = case_of(caseworker, risk="low", status=CaseStatus.ACTIVE)
    Case = type(quiet)
    Case.objects.filter(pk=quiet.pk).update(last_activity_at=idle)
    client = signed_in(caseworker)

    def attention():
        return [c.reference for c in client.get(reverse("home")).context["attention"]]

    assert quiet.reference not in attention(), "3 days is not stale under the default 30"
    EscalationPolicy.objects.create(organisation=caseworker.organisation, stale_low_days=2)
    assert attention() == [quiet.reference]
    assert recent.reference not in attention()


def test_home_and_my_tasks_show_a_due_task_the_same_way(caseworker):
    (task,) = overdue_tasks(caseworker, 1)

    def row(url):
        page = signed_in(caseworker).get(url).content.decode()
        found = re.search(r'<ul[^>]*id="my-tasks".*?(<li.*?</li>)', page, re.S)
        return " ".join(found.group(1).split())

    shown = row(reverse("home"))
    assert shown == row(reverse("my-tasks"))
    assert task.case.reference in shown and task.title in shown and "overdue" in shown
