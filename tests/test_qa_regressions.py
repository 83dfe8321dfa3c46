"""Defects found by trying Homeward in a browser as each role, in en, uk and fr, at 1280
and 390 pixels wide: each pinned here at the test-client level."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from casework import audit, labels
from casework.audit import Action
from casework.models import Note, Recruitment
from tests.factories import CaseFactory, PersonFactory, TaskFactory, UserFactory
from tests.helpers import page_forms, signed_in_client, submit_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    caseworker = UserFactory(role=Role.CASEWORKER)
    person = PersonFactory(
        organisation=caseworker.organisation,
        date_of_birth=datetime.date(1990, 6, 23),
        languages=["sw", "en"],
        vulnerabilities=["injured"],
    )
    case = CaseFactory(
        person=person,
        assigned_to=caseworker,
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_date=datetime.date(2025, 10, 28),
        next_review_on=datetime.date(2026, 1, 19),
    )
    recruitment = Recruitment.objects.create(
        case=case,
        recruited_in=datetime.date(2024, 3, 1),
        country="KE",
        method="agency",
        promised_salary=Decimal("2500.00"),
        promised_salary_currency="USD",
        arrived_in_russia_on=datetime.date(2024, 4, 14),
    )
    recruitment.means_of_control.create(means="threats")
    return case


@pytest.mark.parametrize("section", ["person", "situation", "recruitment"])
def test_saving_an_edit_form_unchanged_adds_no_timeline_entry(case, section):
    # Pressing Save on a form nobody touched wrote "Person details updated." to the
    # timeline and moved the case's last activity: the timeline then claimed changes.
    client = signed_in_client(case.assigned_to)
    case.refresh_from_db()
    last_activity = case.last_activity_at
    response = submit_unchanged(client, f"/cases/{case.reference}/edit/{section}/")
    assert response.status_code == 302
    assert not Note.objects.filter(case=case, automatic=True).exists()
    case.refresh_from_db()
    assert case.last_activity_at == last_activity


def test_saving_an_edit_form_with_a_change_still_adds_its_timeline_entry(case):
    client = signed_in_client(case.assigned_to)
    page = client.get(f"/cases/{case.reference}/edit/situation/")
    data = page_forms(page.content)[-1].as_post_data()
    data["risk"] = "critical" if data.get("risk") != "critical" else "low"
    response = client.post(f"/cases/{case.reference}/edit/situation/", data)
    assert response.status_code == 302
    assert Note.objects.filter(case=case, automatic=True).count() == 1


def test_a_section_edit_is_filed_on_the_timeline_as_details_updated_not_a_document(case):
    client = signed_in_client(case.assigned_to)
    url = f"/cases/{case.reference}/edit/situation/"
    data = page_forms(client.get(url).content)[-1].as_post_data()
    data["situation_region"] = ["Kherson oblast"]
    assert client.post(url, data).status_code == 302
    entry = Note.objects.get(case=case, automatic=True)
    assert entry.kind == "details_updated"
    assert entry.get_kind_display() == "Details updated"


@pytest.mark.parametrize("url", ["/", "/tasks/"])
def test_overdue_task_dates_wrap_below_the_title_on_a_phone(case, url):
    # At 390 px in Ukrainian, "прострочено · 2026-11-23 13:50" could not wrap and
    # pushed the page sideways: each task row must be allowed to wrap.
    TaskFactory(
        case=case,
        assignee=case.assigned_to,
        title="Obtain a copy of the identity document",
        due_at=timezone.now() - datetime.timedelta(days=3),
    )
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = "uk"
    html = client.get(url).content.decode()
    rows = re.findall(r'<ul class="list-group" id="my-tasks">(.*?)</ul>', html, re.S)
    assert rows, "no task list"
    items = re.findall(r"<li class=\"([^\"]*)\"", rows[0])
    assert items and all("flex-wrap" in classes.split() for classes in items), items


@pytest.mark.parametrize("url", ["/", "/tasks/"])
def test_a_long_localised_due_date_may_wrap_on_a_phone(case, url):
    # "прострочено · 23 листопада 2026 р. 13:50" held on one line was 421 px wide at 390.
    TaskFactory(
        case=case,
        assignee=case.assigned_to,
        due_at=timezone.now() - datetime.timedelta(days=3),
    )
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = "uk"
    html = client.get(url).content.decode()
    rows = re.findall(r'<ul class="list-group" id="my-tasks">(.*?)</ul>', html, re.S)
    dates = re.findall(r'<span class="([^"]*)">[^<]*прострочено', rows[0])
    assert dates and all("nowrap" not in classes.split() for classes in dates), dates


def test_audit_log_keeps_times_on_one_line_and_breaks_long_details():
    # At 1280 px the timestamp wrapped onto three lines and a sha256 in Detail pushed
    # the Address column out of sight.
    admin = UserFactory(role=Role.ADMINISTRATOR)
    audit.record(Action.EXPORT, actor=admin, detail="sha256=" + "b0" * 32)
    html = signed_in_client(admin).get("/audit/").content.decode()
    body = html.split('id="audit-events"', 1)[1]
    row = re.search(r"<tr><td>\d+</td>(.*?)</tr>", body, re.S).group(1)
    cells = re.findall(r"<td([^>]*)>", row)
    assert 'class="nowrap"' in cells[0], cells
    assert "text-break" in cells[6], cells


def test_audit_log_names_the_my_tasks_page_in_words():
    # The audit log showed the raw code "my-tasks" beside "home page" and "case list".
    admin = UserFactory(role=Role.ADMINISTRATOR)
    audit.record(Action.VIEW, actor=admin, object_type="my-tasks", detail="page 1")
    html = signed_in_client(admin).get("/audit/").content.decode()
    body = html.split('id="audit-events"', 1)[1]
    assert "my-tasks" not in body
    assert "my tasks list" in body


def select_options(html: str, select_id: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


@pytest.mark.parametrize(
    ("path", "select_id"),
    [
        ("contacts/new/", "id_country"),
        ("consents/new/", "id_country"),
        ("edit/situation/", "id_situation_country"),
        ("edit/recruitment/", "id_country"),
    ],
)
def test_country_selects_sort_in_ukrainian_under_the_usual_empty_choice(case, path, select_id):
    # In Ukrainian the country selects of these forms came in django-countries' order
    # ("Ангола" before "Ангілья", "Аландські острови" near the end) under "---------",
    # where every other select says "- Select an option -".
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = "uk"
    html = client.get(f"/cases/{case.reference}/{path}").content.decode()
    options = select_options(html, select_id)
    with translation.override("uk"):
        blank = str(labels.BLANK_CHOICE_LABEL)
    assert options[0] == ("", blank)
    names = [name for value, name in options[1:]]
    assert "---------" not in html
    assert names == sorted(names, key=lambda name: labels.collation_key(name, "uk"))


def test_case_list_filters_leave_room_for_ukrainian_labels(case):
    # In Ukrainian, "Відповідальний" (Assignee) overran its one-twelfth column into
    # "Сортування" at 1280 px and its one-third column at 390 px, and the Filter button
    # went past the page's edge: no filter gets a column that narrow.
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = "uk"
    html = client.get("/cases/").content.decode()
    form = re.search(r'<form[^>]*id="case-filters".*?</form>', html, re.S).group(0)
    columns = re.findall(r'<div class="(col[^"]*)">\s*<label class="form-label"', form)
    assert len(columns) == 7, columns
    for classes in columns:
        assert "col-md-1" not in classes.split(), columns
        assert "col-4" not in classes.split(), columns
