"""The supervisor's home in Chromium: both caseload charts drawn (a Chart.js instance on
a canvas of non-zero size, its bars the figures of its table), the tables reachable from
the keyboard and scrolling inside their own container on a phone, no console error or
CSP violation, axe-core clean at 1280 and 390 pixels; screenshots of the page at both
widths under var/screenshots/ (supervisor-home-1280.png, supervisor-home-390.png)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from casework.vocabularies import Situation
from tests.browser.support import AXE, SCREENSHOTS, WIDTHS, assert_clean, sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import OrganisationFactory, UserFactory
from tests.test_home_charts import open_cases, tasks_on

pytestmark = pytest.mark.browser

CHARTS = ["situations", "caseworkers"]

# (caseworker, [(situation, open cases, of which with an overdue task)]).
CASELOAD = [
    (
        ("Anna", "Bondarenko"),
        [(Situation.AT_FRONT, 3, 1), (Situation.POW_IN_UKRAINE, 6, 2), (Situation.MISSING, 2, 0)],
    ),
    (
        ("Yusuf", "Mwangi"),
        [(Situation.POW_IN_UKRAINE, 4, 3), (Situation.EXCHANGED_TO_RUSSIA, 2, 1)],
    ),
    (
        ("Priya", "Sharma"),
        [(Situation.ELSEWHERE_IN_RUSSIA, 3, 0), (Situation.RETURNED_HOME, 5, 0)],
    ),
    (("Dmytro", "Kovalenko"), [(Situation.MISSING, 4, 4), (Situation.UNKNOWN, 1, 0)]),
    (None, [(Situation.UNKNOWN, 2, 1), (Situation.DECEASED, 1, 0)]),
]

# For each canvas: the Chart.js instance's labels and counts, and its drawn size.
CHART_STATE = """
(canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const box = canvas.getBoundingClientRect();
  return {
    labels: chart.data.labels,
    data: chart.data.datasets.map((d) => d.data),
    width: box.width,
    height: box.height,
  };
}
"""


def supervisors_organisation():
    org = OrganisationFactory(name="Safe Return Network")
    supervisor = UserFactory(
        role=Role.SUPERVISOR, organisation=org, first_name="Olena", last_name="Koval"
    )
    for name, rows in CASELOAD:
        worker = None
        if name:
            worker = UserFactory(
                role=Role.CASEWORKER, organisation=org, first_name=name[0], last_name=name[1]
            )
        for situation, count, overdue in rows:
            cases = open_cases(org, count, assigned_to=worker, situation=situation)
            tasks_on(cases[:overdue], due_in_hours=-30)
            tasks_on(cases[overdue:], due_in_hours=+30)
    UserFactory(role=Role.CASEWORKER, organisation=org, first_name="Marie", last_name="Dubois")
    return supervisor


def table_figures(page, name):
    """The table's row labels and the counts of each series, as the page shows them."""
    table = page.locator(f"#caseload-{name}-table")
    labels = [text.strip() for text in table.locator("tbody th").all_text_contents()]
    rows = [r.locator("td").all_text_contents() for r in table.locator("tbody tr").all()]
    series = [[int(row[i].strip()) for row in rows] for i in range(len(rows[0]))]
    return labels, series


def test_supervisor_home_draws_both_charts_accessibly_at_both_widths(page_factory):
    supervisor = supervisors_organisation()
    page = page_factory(init_scripts=[AXE])
    sign_in(page, supervisor)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = []
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/")
        expect(page.get_by_role("heading", name="The organisation's open caseload")).to_be_visible()
        for name in CHARTS:
            canvas = page.locator(f"#caseload-{name}-chart")
            expect(canvas).to_be_visible()
            state = canvas.evaluate(CHART_STATE)
            assert state, f"no Chart.js instance on the {name} chart at {width} px"
            assert state["width"] > 200 and state["height"] > 100, (name, width, state)
            # The bars are the table's figures, row for row.
            labels, series = table_figures(page, name)
            assert state["labels"] == labels
            assert state["data"] == series
            # Drawn: the table folds away behind its summary, out of the way but there.
            figures = page.locator(f"#caseload-{name} details")
            expect(figures).not_to_have_attribute("open", "")
        violations += [f"{width} px: {v}" for v in axe_violations(page)]
        page.screenshot(path=SCREENSHOTS / f"supervisor-home-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # From the keyboard: the summary opens the table, whose links take the focus next;
        # a wide table scrolls inside its own container, never the page.
        summary = page.locator("#caseload-caseworkers summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#caseload-caseworkers details")).to_have_attribute("open", "")
        page.keyboard.press("Tab")
        expect(page.locator("#caseload-caseworkers-table a").first).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        violations += [f"{width} px, table open: {v}" for v in axe_violations(page)]
        page.locator("#caseload-caseworkers").screenshot(
            path=SCREENSHOTS / f"supervisor-home-{width}-table.png"
        )

    situations = table_figures(page, "situations")
    assert situations[0][0] == "At the front in Russian forces"
    assert sum(situations[1][0]) == 33
    caseworkers = table_figures(page, "caseworkers")
    assert caseworkers[0] == [
        "Anna Bondarenko",
        "Dmytro Kovalenko",
        "Marie Dubois",
        "Priya Sharma",
        "Yusuf Mwangi",
        "Nobody",
    ]
    assert caseworkers[1] == [[11, 5, 0, 8, 6, 3], [3, 4, 0, 0, 4, 1]]
    assert_clean(page)
    assert not violations, "\n".join(violations)


def test_a_bar_clicked_opens_its_cases(page_factory):
    supervisor = supervisors_organisation()
    page = page_factory()
    sign_in(page, supervisor)
    page.goto("/")
    home = page.url
    canvas = page.locator("#caseload-situations-chart")
    # The first bar (at the front: 3 cases), in the middle of its row.
    box = canvas.bounding_box()
    position = canvas.evaluate(
        """(canvas) => {
          const bar = Chart.getChart(canvas).getDatasetMeta(0).data[0];
          const box = canvas.getBoundingClientRect();
          return { x: (bar.base + bar.x) / 2, y: bar.y };
        }"""
    )
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    expect(page).to_have_url(f"{home}cases/?situation=at_front")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert_clean(page)
