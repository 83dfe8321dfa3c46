"""The data officer's statistics journey, in Chromium, with a real Celery worker.

The data officer of the demo coalition signs in (password, then TOTP), opens the
dashboard (its Chart.js charts drawn), builds a cross-tabulation in place with htmx,
starts an XLSX export that includes it, watches the export page poll until the file is
ready, and downloads it. A JSON export of the same figures follows, through the same
forms. The workbook must hold the JSON export's tables, sheet for sheet and row for
row; the JSON must be what casework.stats.build_release gives for those parameters; the
cross-tabulation shown on the dashboard must agree with both. No page may log a console
error or an uncaught exception, or violate the Content-Security-Policy.

The exports are built as in production: the view enqueues casework.tasks.build_export on
Redis when its transaction commits, and a `celery worker` subprocess on the live test
database builds it. The task is sent to this test's own queue rather than "slow", so a
worker of another test run sharing the test Redis never takes the message. The worker is
started only once the first export page shows the export queued, so that page is seen
to poll its way from "Queued" to the download link.
"""

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import User
from casework import stats
from casework.celery import app as celery_app
from casework.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.support import assert_clean, current_code
from tests.workers import subprocess_database_url

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXPORT_TASK = "casework.tasks.build_export"
# The worker's start (Django, Celery, Redis) and the build, with room for a slow machine.
EXPORT_TIMEOUT_MS = 45_000
EXPORT_URL = re.compile(r"/stats/exports/(\d+)/$")
CROSSTAB = ("region", "situation")


class ExportWorker:
    """A `celery worker` subprocess on the test database, this test's queue and storage."""

    def __init__(self, folder, queue):
        self.queue = queue
        self.log_path = folder / "celery-worker.log"
        self.process = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_BROKER_URL,
            # Where the live server reads the file from (tests/conftest.py's storage).
            "PRIVATE_STORAGE_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
            "PYTHONUNBUFFERED": "1",
        }

    def start(self):
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app",
                    "casework",
                    "worker",
                    "--pool",
                    "solo",
                    "--queues",
                    self.queue,
                    "--hostname",
                    f"{self.queue}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(redis.RedisError):
            client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
            keys = list(client.scan_iter(match=f"*{self.queue}*"))
            if keys:
                client.delete(*keys)

    def log(self):
        if not self.log_path.exists():
            return "(the worker was not started)"
        exit_code = self.process.poll() if self.process else None
        tail = self.log_path.read_text(errors="replace")[-6000:]
        return f"--- celery worker (exit {exit_code}) ---\n{tail}"


@pytest.fixture
def export_worker(transactional_db, tmp_path, monkeypatch):
    """Sends build_export to a queue of this test's own; the worker is started on demand.

    An explicit queue among a task's options wins over CELERY_TASK_ROUTES ("slow"); the
    task caches its options, so the cache is cleared too. Both are undone afterwards.
    """
    worker = ExportWorker(tmp_path, f"test-stats-{uuid.uuid4().hex}")
    task = celery_app.tasks[EXPORT_TASK]
    monkeypatch.setattr(task, "queue", worker.queue, raising=False)
    monkeypatch.setattr(task, "_exec_options", None)
    try:
        yield worker
    finally:
        # Before transactional_db empties the tables the worker may still be using.
        worker.stop()


@pytest.fixture
def data_officer(settings):
    """The demo coalition; seed_demo's data officer, whose TOTP device it confirmed."""
    settings.DEBUG = True
    call_command("seed_demo", cases=400, seed=5, force=True, stdout=io.StringIO())
    settings.DEBUG = False
    return User.objects.get(username="dataofficer")


def sign_in_with_demo_authenticator(page, user):
    """The two steps of the sign-in, with the demo password and the seeded device."""
    device = TOTPDevice.objects.get(user=user, name="Demo authenticator", confirmed=True)
    response = page.goto("/accounts/login/")
    assert response.ok, f"the sign-in page answered {response.status}"
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/$"))
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def open_dashboard(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    expect(page).to_have_url(re.compile(r"/stats/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anonymised statistics")


def choose_crosstab(page):
    form = page.locator("#crosstab-form")
    form.get_by_label("Rows").select_option(CROSSTAB[0])
    form.get_by_label("Columns").select_option(CROSSTAB[1])


def start_export(page, fmt):
    """Submit #export-form with the cross-tab included; returns the export's id."""
    form = page.locator("#export-form")
    form.get_by_label("Format").select_option(fmt)
    form.get_by_label("Include the cross-tabulation above").check()
    form.get_by_role("button", name="Start export").click()
    expect(page).to_have_url(EXPORT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics export")
    return int(EXPORT_URL.search(page.url).group(1))


def wait_for_download_link(page, worker):
    link = page.locator("#export-download")
    try:
        expect(link).to_be_visible(timeout=EXPORT_TIMEOUT_MS)
    except AssertionError as error:
        status = page.locator("#export-status").inner_text()
        pytest.fail(f"no download link: {error}\nthe page says: {status}\n{worker.log()}")
    return link


def download(page, link, folder):
    with page.expect_download() as info:
        link.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def crosstab_on_screen(page):
    """The #crosstab-table as {(row label, column label): shown text}."""
    header, *body = page.locator("#crosstab-table").evaluate(
        """table => Array.from(table.rows, row =>
             Array.from(row.cells, cell => cell.textContent.trim()))"""
    )
    columns = header[1:]
    return {
        (row[0], column): text
        for row in body
        for column, text in zip(columns, row[1:], strict=True)
    }


def test_data_officer_builds_a_crosstab_and_exports_xlsx_matching_json(
    page, data_officer, export_worker, tmp_path
):
    sign_in_with_demo_authenticator(page, data_officer)
    open_dashboard(page)

    # Every one-way table has its Chart.js chart, drawn on its canvas.
    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas.stats-chart"), canvas => {
             const chart = Chart.getChart(canvas);
             return {id: canvas.id, drawn: chart !== undefined && canvas.width > 0,
                     bars: chart ? chart.data.labels.length : 0};
           })"""
    )
    assert [c["id"] for c in charts] == [f"chart-{'__'.join(t)}" for t in stats.MAIN_TABLES]
    assert all(c["drawn"] for c in charts), charts
    nationality = next(c for c in charts if c["id"] == "chart-nationality")
    assert nationality["bars"] > 1, nationality
    assert page.evaluate(
        "Chart.getChart(document.getElementById('chart-nationality')) !== undefined"
    )
    # A count withheld only to protect a small one is not drawn as a (small) bar: its
    # label says "suppressed", and hovering its column says what that means.
    withheld = page.evaluate(
        """() => {
             for (const canvas of document.querySelectorAll("canvas.stats-chart")) {
               const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
               const index = data.marks.indexOf("suppressed");
               if (index >= 0) return {id: canvas.id, index, note: data.notes.suppressed};
             }
             return null;
           }"""
    )
    assert withheld, "the demo figures have no secondary suppression to show"
    page.locator(f"#{withheld['id']}").scroll_into_view_if_needed()
    bar = page.evaluate(
        """([id, index]) => {
             const canvas = document.getElementById(id), chart = Chart.getChart(canvas);
             const box = canvas.getBoundingClientRect(), area = chart.chartArea;
             return {label: chart.data.labels[index], value: chart.data.datasets[0].data[index],
                     x: box.left + chart.scales.x.getPixelForValue(index),
                     y: box.top + (area.top + area.bottom) / 2};
           }""",
        [withheld["id"], withheld["index"]],
    )
    assert bar["value"] is None and bar["label"].endswith("(suppressed)"), bar
    page.mouse.move(bar["x"], bar["y"])
    page.wait_for_function(
        """([id, note]) => (Chart.getChart(document.getElementById(id)).tooltip.body || [])
             .some(part => part.lines.some(line => line.includes(note)))""",
        arg=[withheld["id"], withheld["note"]],
    )
    expect(page.locator("#stats-legend")).to_contain_text("suppressed")

    # The figures beside each chart, headed by the dimension's label, not its key.
    headers = page.locator("#table-recruitment_method thead th")
    expect(headers).to_have_text(["Recruitment method", "Cases"])

    # The cross-tabulation, fetched by htmx into the page, not by reloading it.
    page.evaluate("window.__sameDocument = true")
    choose_crosstab(page)
    page.locator("#crosstab-form").get_by_role("button", name="Build").click()
    table = page.locator("#crosstab-result #crosstab-table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_have_text("Region of origin (UN M49) × Current situation")
    assert page.evaluate("window.__sameDocument") is True, "the dashboard was reloaded"
    expect(page).to_have_url(re.compile(r"/stats/$"))
    shown = crosstab_on_screen(page)
    assert ("Total", "Total") in shown, shown
    assert_clean(page)

    # XLSX export with the cross-tab. The worker is not running yet: the export page
    # shows it queued and polls until the worker, started now, has built it.
    xlsx_id = start_export(page, "xlsx")
    expect(page.locator("#export-status")).to_contain_text("XLSX · Queued")
    expect(page.locator("#export-status")).to_have_attribute("hx-trigger", "every 1s")
    page.evaluate("window.__sameDocument = true")
    export_worker.start()
    link = wait_for_download_link(page, export_worker)
    expect(page.locator("#export-status")).to_contain_text("XLSX · Ready")
    assert page.evaluate("window.__sameDocument") is True, "the export page was reloaded"
    xlsx_path = download(page, link, tmp_path)
    assert xlsx_path.name.endswith(f"-{xlsx_id}.xlsx"), xlsx_path.name
    assert_clean(page)

    # The same figures as JSON, through the same forms (the worker is running now).
    open_dashboard(page)
    choose_crosstab(page)
    json_id = start_export(page, "json")
    link = wait_for_download_link(page, export_worker)
    json_path = download(page, link, tmp_path)
    assert json_path.name.endswith(f"-{json_id}.json"), json_path.name
    assert_clean(page)

    # The JSON export is the release of those parameters, cross-tab last.
    release = json.loads(json_path.read_text(encoding="utf-8"))
    tables = [*stats.MAIN_TABLES, CROSSTAB]
    assert [tuple(t["dimensions"]) for t in release["tables"]] == tables
    # Exports are written in the default language; so is what they are compared with.
    with translation.override(settings.LANGUAGE_CODE):
        expected = stats.build_release([data_officer.organisation_id], tables, k=stats.K_DEFAULT)
    assert release["k"] == expected.k and release["rounding"] is False
    assert release["tables"] == expected.as_json_dict()["tables"]

    # The workbook: an About sheet, then one sheet per JSON table with the same rows.
    workbook = load_workbook(xlsx_path, read_only=True)
    try:
        assert workbook.sheetnames == ["About"] + [t["name"][:31] for t in release["tables"]]
        about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
        assert about["k"] == release["k"] and about["rounding"] == "no"
        for table in release["tables"]:
            sheet = [list(row) for row in workbook[table["name"][:31]].iter_rows(values_only=True)]
            dimensions = table["dimensions"]
            assert sheet[0] == [*dimensions, "count"], table["name"]
            assert sheet[1:] == [
                [row[d] for d in dimensions] + [row["count"]] for row in table["rows"]
            ], table["name"]
    finally:
        workbook.close()

    # And the cross-tab the data officer saw is the one exported.
    crosstab = next(t for t in release["tables"] if tuple(t["dimensions"]) == CROSSTAB)
    exported = {(row["region"], row["situation"]): str(row["count"]) for row in crosstab["rows"]}
    assert set(exported) <= set(shown), set(exported) - set(shown)
    for key, text in shown.items():
        assert text == exported.get(key, "0"), (key, text, exported.get(key))
