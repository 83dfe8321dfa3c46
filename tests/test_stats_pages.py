"""The statistics dashboard, exports and export_stats: anonymised, audited, expiring."""

import datetime
import hashlib
import html
import io
import json
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import Role, User
from casework import stats
from casework.audit import AuditEvent
from casework.models import Case, IdentityDocument, Person
from casework.stats import exports
from casework.stats.models import StatsExport
from tests.helpers import signed_in_client as signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", cases=400, seed=11, stdout=io.StringIO())
    settings.DEBUG = False
    return User.objects.get(username="dataofficer")


def test_dashboard_says_which_counts_are_withheld_in_plain_numbers(seeded):
    page = signed_in(seeded).get(reverse("stats-dashboard"), {"k": 11}).content.decode()
    assert "counts from 1 to 10 show as" in page and "11−1" not in page


def test_dashboard_shows_disclosure_controlled_tables_and_charts(seeded):
    response = signed_in(seeded).get(reverse("stats-dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="application/json"' in page and "chart-nationality" in page
    release = response.context["release"]
    for table in release.tables:
        for row in table.rows(release.k):
            count = row["count"]
            assert isinstance(count, str) or count == 0 or count >= release.k
    # No person-level data anywhere on the page.
    for person in Person.objects.all()[:50]:
        assert person.family_name not in page
    for reference in Case.objects.values_list("reference", flat=True)[:50]:
        assert reference not in page
    assert AuditEvent.objects.filter(action="view", object_type="statistics").exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_only_data_officers_reach_statistics(seeded, role):
    user = User.objects.filter(role=role, organisation=seeded.organisation).first()
    assert signed_in(user).get(reverse("stats-dashboard")).status_code == 404


def test_data_officer_gets_404_from_every_person_level_page(seeded):
    from tests.test_permission_matrix import case_urls

    client = signed_in(seeded)
    case = Case.objects.filter(organisation=seeded.organisation).first()
    note = case.notes.first()
    for name in sorted(case_urls()):
        from django.urls import NoReverseMatch

        kwargs = {"reference": case.reference}
        for extra in ({}, {"pk": note.pk if note else 1}, {"section": "person"}):
            try:
                url = reverse(name, kwargs={**kwargs, **extra})
            except NoReverseMatch:
                continue
            assert client.get(url).status_code == 404, name
            assert client.post(url).status_code == 404, name
    assert client.get(reverse("case-list")).status_code == 404
    assert client.get(reverse("embassy-portal")).status_code == 404


def test_crosstab_fragment(seeded):
    response = signed_in(seeded).get(
        reverse("stats-crosstab"),
        {"rows": "region", "columns": "situation"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b"crosstab-table" in response.content
    same = signed_in(seeded).get(reverse("stats-crosstab"), {"rows": "sex", "columns": "sex"})
    assert "two different" in same.content.decode()


def run_export(client, fmt, **extra):
    response = client.post(reverse("stats-export-create"), {"format": fmt, **extra}, follow=False)
    export = StatsExport.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("stats-export", args=[export.pk])
    assert export.state == "queued"
    # The Celery task only calls this; the real worker path is tested elsewhere.
    assert exports.build_export(export.pk) == "done"
    assert exports.build_export(export.pk) == "skipped"  # claimed once
    export.refresh_from_db()
    return export


def download(client, export):
    response = client.get(reverse("stats-export-download", args=[export.pk, export.token]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_json_and_xlsx_exports_match_and_are_audited(seeded):
    from openpyxl import load_workbook

    client = signed_in(seeded)
    json_export = run_export(client, "json")
    content = download(client, json_export)
    data = json.loads(content)
    assert data["k"] == 11 and data["tables"]
    assert hashlib.sha256(content).hexdigest() == json_export.sha256
    event = AuditEvent.objects.get(action="export", object_id=str(json_export.pk))
    assert json_export.sha256 in event.detail and "k=11" in event.detail
    assert AuditEvent.objects.filter(action="download", object_id=str(json_export.pk)).exists()

    xlsx_export = run_export(client, "xlsx")
    workbook = load_workbook(io.BytesIO(download(client, xlsx_export)), read_only=True)
    for table in data["tables"]:
        sheet = workbook[table["name"][:31]]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [*table["dimensions"], "count"]
        expected = [[*(r[d] for d in table["dimensions"]), r["count"]] for r in table["rows"]]
        assert [list(r) for r in rows[1:]] == expected


def test_export_link_expires_and_belongs_to_its_requester(seeded, settings):
    client = signed_in(seeded)
    export = run_export(client, "csv")
    other = User.objects.get(username="ffa-dataofficer")
    url = reverse("stats-export-download", args=[export.pk, export.token])
    assert signed_in(other).get(url).status_code == 404
    assert (
        client.get(reverse("stats-export-download", args=[export.pk, "wrong"])).status_code == 404
    )
    with time_machine.travel(export.expires_at + datetime.timedelta(minutes=1)):
        late = signed_in(seeded)
        assert late.get(url).status_code == 404
        assert "expired" in late.get(reverse("stats-export", args=[export.pk])).content.decode()


def test_export_status_polls_until_ready(seeded):
    client = signed_in(seeded)
    client.post(reverse("stats-export-create"), {"format": "csv"})
    export = StatsExport.objects.latest("pk")
    fragment = client.get(reverse("stats-export", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in fragment.content
    exports.build_export(export.pk)
    fragment = client.get(reverse("stats-export", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert b"every 1s" not in fragment.content and b"export-download" in fragment.content


def test_microdata_export_is_k_anonymous_and_says_how_many_were_held_back(seeded):
    client = signed_in(seeded)
    export = run_export(client, "microdata")
    lines = download(client, export).decode("utf-8-sig").strip().splitlines()
    header, rows = lines[0], lines[1:]
    from collections import Counter

    counts = Counter(rows)
    assert all(n >= 11 for n in counts.values())
    assert "suppressed=" in AuditEvent.objects.get(action="export", object_id=str(export.pk)).detail
    assert "reference" not in header


def test_spreadsheet_formulas_are_neutralised():
    assert exports.neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ["+", "-", "@", "\t", "\r"]:
        assert exports.neutralise(f"{start}1").startswith("'")
    assert exports.neutralise("Kenya") == "Kenya"
    assert exports.neutralise(12) == 12


def test_export_stats_command(seeded, tmp_path):
    out = tmp_path / "stats.json"
    call_command(
        "export_stats",
        "--format",
        "json",
        "--out",
        str(out),
        "--k",
        "11",
        "--crosstab",
        "region,situation",
        stdout=io.StringIO(),
    )
    data = json.loads(out.read_text())
    assert data["k"] == 11
    assert any(t["dimensions"] == ["region", "situation"] for t in data["tables"])
    text = out.read_text()
    numbers = [n for n in IdentityDocument.objects.values_list("number", flat=True)[:60] if n]
    for number in numbers:
        assert number not in text
    assert AuditEvent.objects.filter(action="export", actor_label="manage.py export_stats").exists()
    with pytest.raises(CommandError):
        call_command("export_stats", "--format", "csv", "--out", str(out), "--k", "4")


def test_stats_k_cannot_go_below_five(seeded):
    response = signed_in(seeded).get(reverse("stats-dashboard"), {"k": "3"})
    assert response.status_code == 200
    assert response.context["release"].k == stats.K_DEFAULT


def test_an_export_asking_for_an_invalid_crosstab_says_so(seeded):
    client = signed_in(seeded)
    response = client.post(
        reverse("stats-export-create"),
        {"format": "json", "include_crosstab": "on", "rows": "sex", "columns": "sex"},
        follow=True,
    )
    assert not StatsExport.objects.exists()
    assert "two different dimensions" in response.content.decode()


# Primary and secondary suppression, told apart everywhere ------------------------------


@pytest.fixture
def split_by_sex():
    """A data officer whose organisation has 205 men and 8 women: with k = 11 the women
    are a primary suppression and the men are withheld only to protect them."""
    from tests.factories import OrganisationFactory, UserFactory
    from tests.test_stats import Spec, populate

    organisation = OrganisationFactory()
    recorder = UserFactory(organisation=organisation)
    populate(organisation, recorder, [Spec(sex="male")] * 205 + [Spec(sex="female")] * 8)
    return UserFactory(organisation=organisation, role=Role.DATA_OFFICER)


def _element(page, element_id):
    """The HTML of the element with this id (a table, a script, the legend)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, element_id
    return match.group(2)


def _text(fragment):
    return html.unescape(strip_tags(fragment)).strip()


def _body_rows(page, table_id):
    """Each row of a table's body as the texts of its cells, headers included."""
    body = re.search(r"<tbody>(.*?)</tbody>", _element(page, table_id), re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_dashboard_marks_primary_and_secondary_suppression_apart_with_a_legend(split_by_sex):
    page = signed_in(split_by_sex).get(reverse("stats-dashboard")).content.decode()
    legend = _text(_element(page, "stats-legend"))
    assert "<11" in legend and "fewer than 11" in legend and "suppressed" in legend
    assert _body_rows(page, "table-sex") == [
        ["Male", "suppressed"],
        ["Female", "<11"],
        ["Total", "213"],
    ]
    # The chart draws neither bar, and says which mark each has.
    chart = json.loads(_element(page, "chart-sex-data"))
    assert chart["counts"] == [None, None]
    assert chart["marks"] == ["suppressed", "<11"]
    assert chart["labels"] == ["Male (suppressed)", "Female (<11)"]
    assert set(chart["notes"]) == {"suppressed", "<11"}


def test_crosstab_page_marks_primary_and_secondary_suppression_apart(split_by_sex):
    response = signed_in(split_by_sex).get(
        reverse("stats-crosstab"), {"rows": "sex", "columns": "status"}
    )
    page = response.content.decode()
    assert "fewer than 11" in _text(_element(page, "stats-legend"))
    assert _body_rows(page, "crosstab-table") == [
        ["Male", "suppressed", "suppressed"],
        ["Female", "<11", "<11"],
        ["Total", "213", "213"],
    ]


def test_exports_mark_primary_and_secondary_suppression_apart_with_a_legend(split_by_sex):
    import csv

    from openpyxl import load_workbook

    client = signed_in(split_by_sex)
    data = json.loads(download(client, run_export(client, "json")))
    sex = next(table for table in data["tables"] if table["name"] == "sex")
    assert sex["rows"] == [
        {"sex": "Male", "count": "suppressed"},
        {"sex": "Female", "count": "<11"},
        {"sex": "Total", "count": 213},
    ]
    assert "fewer than 11" in data["legend"]["<11"]
    assert "any number" in data["legend"]["suppressed"]

    text = download(client, run_export(client, "csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    start = rows.index(["table", "sex"])
    assert rows[start + 1 : start + 5] == [
        ["sex", "count"],
        ["Male", "suppressed"],
        ["Female", "<11"],
        ["Total", "213"],
    ]
    legend = {row[1]: row[2] for row in rows if row and row[0] == "# legend"}
    assert legend == data["legend"]

    workbook = load_workbook(io.BytesIO(download(client, run_export(client, "xlsx"))))
    sheet = [list(row) for row in workbook["sex"].iter_rows(values_only=True)]
    assert sheet == [["sex", "count"], ["Male", "suppressed"], ["Female", "<11"], ["Total", 213]]
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["<11"] == data["legend"]["<11"]
    assert about["suppressed"] == data["legend"]["suppressed"]
