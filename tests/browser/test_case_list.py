"""The case list in Chromium: a saved view chosen with one click, the filters keeping it
(htmx), every case of a page ticked with one box and assigned in bulk; no horizontal
scrolling on a 390-pixel phone, axe-core clean at 1280 and 390 pixels, no console error
or CSP violation. Screenshots under var/screenshots/ (case-list-1280.png,
case-list-390.png)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from casework.models import Case
from tests.browser.support import AXE, SCREENSHOTS, WIDTHS, sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    EmbassyRequestFactory,
    NoteFactory,
    OrganisationFactory,
    PersonFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def team_with_cases():
    org = OrganisationFactory(name="Safe Return Network")
    supervisor = UserFactory(
        role=Role.SUPERVISOR, organisation=org, first_name="Olena", last_name="Koval"
    )
    worker = UserFactory(
        role=Role.CASEWORKER, organisation=org, first_name="Yusuf", last_name="Mwangi"
    )
    for i, (given, family) in enumerate(
        [("Brian", "Otieno"), ("Ram Bahadur", "Thapa Magar"), ("Aziz", "Rakhmonov")]
    ):
        case = CaseFactory(
            person=PersonFactory(
                organisation=org, given_name=given, family_name=family, nationalities=["KE", "NP"]
            ),
            situation="pow_in_ukraine",
            risk="high",
        )
        CustodyEventFactory(case=case, kind="captured")
        NoteFactory(case=case, author=supervisor)
        TaskFactory(case=case, due_at=timezone.now() - datetime.timedelta(days=i + 1))
        if i < 2:
            EmbassyRequestFactory(case=case, status="sent", created_by=supervisor)
    return supervisor, worker


def test_supervisor_picks_a_saved_view_and_assigns_a_page_in_bulk(page_factory):
    supervisor, worker = team_with_cases()
    page = page_factory(init_scripts=[AXE])
    sign_in(page, supervisor)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = []
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/cases/")
        expect(page.locator("#case-table caption")).to_have_text("3 cases")
        violations += [f"{width} px: {v}" for v in axe_violations(page)]
        page.screenshot(path=SCREENSHOTS / f"case-list-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # One click on a saved view; the filters (htmx) keep it.
    views = page.get_by_role("navigation", name="Saved views")
    views.get_by_role("link", name="Awaiting embassy").click()
    current = views.locator('[aria-current="page"]')
    expect(current).to_have_text("Awaiting embassy")
    expect(page.locator("#case-table caption")).to_have_text("2 cases")
    page.get_by_label("Risk").select_option("low")
    expect(page.locator("#case-table caption")).to_have_text("0 cases")
    page.get_by_label("Risk").select_option("high")
    expect(page.locator("#case-table caption")).to_have_text("2 cases")

    # The box in the header ticks every case of the page; then one assignment for all.
    page.get_by_label("Tick every case of this page").check()
    boxes = page.locator('input[name="cases"]')
    expect(boxes).to_have_count(2)
    for i in range(2):
        expect(boxes.nth(i)).to_be_checked()
    page.get_by_label("Assign to").select_option(label="Yusuf Mwangi")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("2 cases assigned to Yusuf Mwangi.")
    assert Case.objects.filter(assigned_to=worker).count() == 2
    violations += [f"after assigning: {v}" for v in axe_violations(page)]
    assert not violations, "\n".join(violations)
