"""The supervisor's caseload pictures on home: the organisation's open cases by current
situation, and per caseworker with those that have overdue tasks; grouped figures, a
table and a text alternative for each chart, links that lead to the same cases, shown
to supervisors only, in the reader's language, in a constant number of queries."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from casework import access
from casework.models import Case, Person, Task
from casework.views.caseload import caseload_pictures
from casework.vocabularies import CaseStatus, Situation, TaskStatus
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def open_cases(org, count, *, assigned_to=None, situation=Situation.UNKNOWN, **fields):
    """`count` cases of `org` in one go (bulk: the query-count test makes hundreds)."""
    persons = Person.objects.bulk_create(
        [
            Person(organisation=org, given_name="Brian", family_name=f"Otieno{i}")
            for i in range(count)
        ]
    )
    return Case.objects.bulk_create(
        [
            Case(
                person=p,
                organisation=org,
                assigned_to=assigned_to,
                situation=situation,
                **fields,
            )
            for p in persons
        ]
    )


def closed_cases(org, count, **fields):
    return open_cases(
        org,
        count,
        status=CaseStatus.CLOSED,
        closure_reason="returned_home",
        closed_at=timezone.now(),
        **fields,
    )


def tasks_on(cases, *, due_in_hours, status=TaskStatus.OPEN, per_case=1):
    due = timezone.now() + datetime.timedelta(hours=due_in_hours)
    Task.objects.bulk_create(
        [
            Task(
                case=c,
                title="Call the family",
                kind="follow_up",
                due_at=due,
                status=status,
                completed_at=None if status == TaskStatus.OPEN else due,
            )
            for c in cases
            for _ in range(per_case)
        ]
    )


def pictures(client, **headers):
    response = client.get(reverse("home"), **headers)
    assert response.status_code == 200
    return {p["name"]: p for p in response.context["caseload"]}, response.content.decode()


def figures(picture):
    """{row label: [count per series]} as the table shows them."""
    return {row["label"]: [cell["count"] for cell in row["cells"]] for row in picture["rows"]}


def section_of(page, name):
    found = re.search(rf'<section[^>]*id="caseload-{name}".*?</section>', page, re.S)
    assert found, f"no caseload picture {name}"
    return found.group(0)


def table_rows(section):
    """The table's body rows as lists of cell texts, tags stripped."""
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def org():
    return OrganisationFactory()


@pytest.fixture
def supervisor(org):
    return UserFactory(
        role=Role.SUPERVISOR, organisation=org, first_name="Olena", last_name="Koval"
    )


@pytest.fixture
def anna(org):
    return UserFactory(
        role=Role.CASEWORKER, organisation=org, first_name="Anna", last_name="Bondar"
    )


@pytest.fixture
def yusuf(org):
    return UserFactory(
        role=Role.CASEWORKER, organisation=org, first_name="Yusuf", last_name="Mwangi"
    )


def test_supervisor_sees_the_open_caseload_by_situation(org, supervisor, anna):
    open_cases(org, 3, assigned_to=anna, situation=Situation.POW_IN_UKRAINE)
    open_cases(org, 2, situation=Situation.MISSING)
    open_cases(org, 1, assigned_to=anna, situation=Situation.AT_FRONT)
    closed_cases(org, 4, situation=Situation.MISSING)  # closed: not in the caseload
    open_cases(OrganisationFactory(), 5, situation=Situation.MISSING)  # another organisation

    shown, page = pictures(signed_in_client(supervisor))

    situations = shown["situations"]
    # In the vocabulary's order; situations without an open case are left out.
    assert figures(situations) == {
        "At the front in Russian forces": [1],
        "Prisoner of war held by Ukraine": [3],
        "Missing": [2],
    }
    assert situations["totals"] == [6]
    assert situations["chart"]["labels"] == list(figures(situations))
    assert situations["chart"]["series"] == [{"label": "Open cases", "data": [1, 3, 2]}]
    assert table_rows(section_of(page, "situations")) == [
        ["At the front in Russian forces", "1"],
        ["Prisoner of war held by Ukraine", "3"],
        ["Missing", "2"],
    ]


def test_supervisor_sees_open_and_overdue_cases_per_caseworker(org, supervisor, anna, yusuf):
    anna_cases = open_cases(org, 4, assigned_to=anna)
    tasks_on(anna_cases[:2], due_in_hours=-3, per_case=2)  # two overdue tasks: one case each
    tasks_on(anna_cases[2:3], due_in_hours=-3, status=TaskStatus.DONE)  # done: not overdue
    tasks_on(anna_cases[3:], due_in_hours=+3)  # due later: not overdue
    yusuf_cases = open_cases(org, 1, assigned_to=yusuf)
    tasks_on(yusuf_cases, due_in_hours=-1)
    tasks_on(closed_cases(org, 3, assigned_to=yusuf), due_in_hours=-1)  # closed: left out
    # A caseworker without open cases is shown with none; a disabled account and the
    # supervisor are shown only while they still hold open cases.
    UserFactory(role=Role.CASEWORKER, organisation=org, first_name="Zara", last_name="Ali")
    gone = UserFactory(
        role=Role.CASEWORKER,
        organisation=org,
        first_name="Ivan",
        last_name="Petrenko",
        is_active=False,
    )
    open_cases(org, 2, assigned_to=gone)
    UserFactory(role=Role.CASEWORKER, organisation=org, first_name="Inactive", is_active=False)
    open_cases(org, 1, assigned_to=supervisor)
    tasks_on(open_cases(org, 2), due_in_hours=-5)  # assigned to nobody
    UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory(), first_name="Other")

    shown, page = pictures(signed_in_client(supervisor))

    caseworkers = shown["caseworkers"]
    # By name in the reader's alphabet, then the cases assigned to nobody.
    assert figures(caseworkers) == {
        "Anna Bondar": [4, 2],
        "Ivan Petrenko": [2, 0],
        "Olena Koval": [1, 0],
        "Yusuf Mwangi": [1, 1],
        "Zara Ali": [0, 0],
        "Nobody": [2, 2],
    }
    assert caseworkers["totals"] == [10, 5]
    assert [s["label"] for s in caseworkers["chart"]["series"]] == [
        "Open cases",
        "With overdue tasks",
    ]
    rows = table_rows(section_of(page, "caseworkers"))
    assert rows[0] == ["Anna Bondar", "4", "2"]
    assert rows[-1] == ["Nobody", "2", "2"]


def test_each_chart_has_a_text_alternative_and_a_table(org, supervisor, anna):
    open_cases(org, 3, assigned_to=anna, situation=Situation.MISSING)
    tasks_on(open_cases(org, 1, assigned_to=anna, situation=Situation.DECEASED), due_in_hours=-1)

    _shown, page = pictures(signed_in_client(supervisor))

    for name, figures_said in [
        ("situations", ["Missing: 3", "Deceased: 1"]),
        ("caseworkers", ["Anna Bondar: 4 open, 1 with overdue tasks"]),
    ]:
        section = section_of(page, name)
        heading = re.search(r'<h3[^>]*id="caseload-' + name + r'-heading"', section)
        assert heading and f'aria-labelledby="caseload-{name}-heading"' in section
        canvas = re.search(r"<canvas[^>]*>", section).group(0)
        assert 'role="img"' in canvas
        label = re.search(r'aria-label="([^"]*)"', canvas).group(1)
        for said in figures_said:
            assert said in label
        # The data island the script reads, and the table in a <details> open by default.
        data_id = re.search(r'data-chart="([^"]+)"', canvas).group(1)
        island = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', page)
        assert json.loads(island.group(1))["labels"]
        assert re.search(r"<details[^>]* open", section)
        assert "<table" in section and 'scope="col"' in section


def test_table_links_lead_to_the_same_cases_in_the_case_list(org, supervisor, anna):
    cases = open_cases(org, 5, assigned_to=anna, situation=Situation.MISSING)
    tasks_on(cases[:3], due_in_hours=-2)
    client = signed_in_client(supervisor)
    shown, _page = pictures(client)

    [missing] = shown["situations"]["rows"]
    [anna_row] = shown["caseworkers"]["rows"]
    for cell in [missing["cells"][0], *anna_row["cells"]]:
        response = client.get(cell["link"])
        assert response.status_code == 200
        # One page holds them all (fewer than a page's 25 rows).
        assert len(list(response.context["page"])) == cell["count"]
    assert [cell["count"] for cell in anna_row["cells"]] == [5, 3]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.DATA_OFFICER])
def test_only_the_supervisor_sees_the_caseload_pictures(org, role):
    user = UserFactory(role=role, organisation=org)
    open_cases(org, 3, assigned_to=user if role == Role.CASEWORKER else None)

    response = signed_in_client(user).get(reverse("home"))

    page = response.content.decode()
    assert "caseload" not in response.context
    assert "<canvas" not in page and "home-charts.js" not in page and "chart.umd" not in page
    assert 'id="caseload' not in page


def test_an_organisation_without_open_cases_says_so(org, supervisor):
    closed_cases(org, 2)

    shown, page = pictures(signed_in_client(supervisor))

    assert shown["situations"]["rows"] == [] and shown["caseworkers"]["rows"] == []
    assert section_of(page, "situations").count("No open cases.") == 1
    assert "<canvas" not in page


# Words of the pictures that must not show in English on a Ukrainian or French page.
ENGLISH = [
    "Open cases by current situation",
    "Open cases and overdue work per caseworker",
    "The figures as a table",
    "Current situation",
    "Caseworker",
    "With overdue tasks",
    "Open cases",
    "Prisoner of war held by Ukraine",
    "Missing",
    "Nobody",
    "Total",
    "Bar chart",
    "with overdue tasks",
]


# Words French writes as English does.
SAME_WORD = {"fr": {"Total"}}


@pytest.mark.parametrize("language", ["uk", "fr"])
def test_the_pictures_speak_the_readers_language(org, supervisor, anna, language):
    open_cases(org, 2, assigned_to=anna, situation=Situation.POW_IN_UKRAINE)
    tasks_on(open_cases(org, 1, situation=Situation.MISSING), due_in_hours=-1)
    client = signed_in_client(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    shown, page = pictures(client)

    caseload = re.search(
        r'<section[^>]*id="caseload".*?</section>\s*</div>\s*</section>', page, re.S
    )
    text = caseload.group(0)
    # What a reader sees or hears: text, the canvas's label, the chart's data (decoded).
    islands = " ".join(
        json.dumps(json.loads(found), ensure_ascii=False)
        for found in re.findall(r'type="application/json">(.*?)</script>', text)
    )
    for english in ENGLISH:
        if english in SAME_WORD.get(language, ()):
            continue
        assert english not in text and english not in islands, f"{english!r} in {language}"
    with translation.override(language):
        expected = [str(Situation.POW_IN_UKRAINE.label), str(Situation.MISSING.label)]
    assert list(figures(shown["situations"])) == expected
    for label in expected:
        assert label in text and label in islands


def count_home_queries(client):
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured.captured_queries)


def test_the_pictures_take_the_same_queries_for_more_caseworkers_and_cases(org, supervisor):
    client = signed_in_client(supervisor)
    counts = {}
    for size in (2, 12):
        workers = UserFactory.create_batch(size, role=Role.CASEWORKER, organisation=org)
        for i, worker in enumerate(workers):
            situation = Situation.values[i % len(Situation.values)]
            tasks_on(
                open_cases(org, size, assigned_to=worker, situation=situation), due_in_hours=-1
            )
        tasks_on(open_cases(org, size), due_in_hours=-1)
        counts[size] = count_home_queries(client)
    print(f"home (supervisor, with pictures): {counts}")
    assert counts[2] == counts[12]
    caseworkers = {p["name"]: p for p in client.get(reverse("home")).context["caseload"]}
    assert caseworkers["caseworkers"]["totals"] == [2 * 2 + 2 + 12 * 12 + 12] * 2


def test_the_pictures_are_four_grouped_queries(org, supervisor, anna):
    tasks_on(open_cases(org, 30, assigned_to=anna), due_in_hours=-1)
    open_cases(org, 5)
    UserFactory.create_batch(5, role=Role.CASEWORKER, organisation=org)
    visible = access.cases_visible_to(supervisor).open()
    with CaptureQueriesContext(connection) as captured:
        shown = caseload_pictures(visible, org.pk, timezone.now())
    assert len(captured.captured_queries) == 4
    assert [p["totals"] for p in shown] == [[35], [35, 30]]
