"""The case page as a workspace (issue 14), in Chromium: a caseworker finds a case, adds a
note, completes a task and records a consent without the page ever reloading; tabs work
by keyboard, back and reload; axe-core finds nothing serious at 1280 and 390 px.

Screenshots of the case page land in var/screenshots/ (case-page-1280.png,
case-page-390.png, and one per tab at each width).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from casework import matching
from casework.models import Consent, Note, Task
from casework.views.workspace import TABS
from casework.vocabularies import TaskStatus
from tests.browser.support import AXE, SCREENSHOTS, WIDTHS, assert_clean, sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import (
    CaseFactory,
    ContactFactory,
    EmbassyRequestFactory,
    EscalationFactory,
    OrganisationFactory,
    PersonFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def busy_case(organisation, caseworker):
    """A case with something in every part of the page: due tasks, a late embassy
    request, an escalation, a contact."""
    person = PersonFactory(
        organisation=organisation,
        given_name="Ravi",
        family_name="Sharma",
        native_name="रवि शर्मा",
        nationalities=["IN"],
    )
    matching.refresh_name_keys(person)
    case = CaseFactory(
        person=person,
        assigned_to=caseworker,
        status="active",
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_place="Olenivka",
        risk="high",
        do_not_contact_family=True,
    )
    now = timezone.now()
    TaskFactory(
        case=case, title="Call the sister", assignee=caseworker, due_at=now - datetime.timedelta(1)
    )
    TaskFactory(
        case=case, title="Send the photos", assignee=caseworker, due_at=now + datetime.timedelta(2)
    )
    EmbassyRequestFactory(case=case, country="IN", due_at=now - datetime.timedelta(days=3))
    EscalationFactory(case=case, rule="task_overdue", message="A task is overdue.")
    ContactFactory(case=case, name="Sunita Sharma", kind="family")
    return case


@pytest.fixture
def team():
    organisation = OrganisationFactory()
    caseworker = UserFactory(
        role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
    )
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=organisation)
    return organisation, caseworker, supervisor


def test_find_a_case_add_a_note_complete_a_task_and_record_consent_in_place(page, team):
    organisation, caseworker, _ = team
    case = busy_case(organisation, caseworker)
    sign_in(page, caseworker)

    # Find the case by name from the list.
    page.goto("/cases/")
    search = page.get_by_label("Reference or name (any spelling)")
    search.fill("Ravi Sharma")
    search.press("Enter")
    page.locator("#case-table").get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ravi Sharma")
    expect(page.locator("#case-header")).to_contain_text("रवि शर्मा")
    expect(page.locator("#case-header")).to_contain_text("Do not contact family")
    page.evaluate("window.__sameDocument = true")

    # A note, on the timeline (the tab open by default).
    note_form = page.locator("#note-form")
    note_form.get_by_label("kind").select_option("call")
    note_form.get_by_label("text").fill("Sunita says he called from the camp on Sunday.")
    note_form.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline-list")).to_contain_text("Sunita says he called from the camp")

    # A task done from the next panel, with one click.
    next_panel = page.locator("#next-panel")
    expect(next_panel).to_contain_text("Call the sister")
    expect(next_panel).to_contain_text("Identity confirmation")
    next_panel.get_by_role("button", name=re.compile(r"^Done\W+Call the sister$")).click()
    expect(next_panel).not_to_contain_text("Call the sister")
    expect(next_panel).to_contain_text("Send the photos")
    expect(page.locator("#next-heading")).to_be_focused()

    # Consent, recorded in place in the contacts and consent tab.
    page.get_by_role("link", name="Contacts and consent").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/\?tab=contacts$"))
    expect(page.locator("#contact-list")).to_contain_text("Sunita Sharma")
    consent_form = page.locator("#consent-form")
    consent_form.get_by_label("scope").select_option("contact_family")
    consent_form.get_by_label("how").select_option("verbal")
    consent_form.get_by_role("button", name="Record consent").click()
    expect(page.locator("#consent-block").get_by_role("status")).to_have_text("Consent recorded.")
    expect(page.locator("#consent-list")).to_contain_text("Contact family")
    expect(page.locator("#header-consents")).to_contain_text("Contact family")

    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert any(n.text.startswith("Sunita says") for n in Note.objects.filter(case=case))
    assert Task.objects.get(title="Call the sister").status == TaskStatus.DONE
    assert Consent.objects.get(case=case).scope == "contact_family"
    assert_clean(page)


def test_tabs_by_keyboard_back_and_reload(page, team):
    organisation, caseworker, _ = team
    case = busy_case(organisation, caseworker)
    sign_in(page, caseworker)
    page.goto(f"/cases/{case.reference}/")
    page.evaluate("window.__sameDocument = true")

    person_tab = page.locator("#case-tab-person")
    person_tab.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?tab=person$"))
    expect(page.locator("#person-fields")).to_contain_text("Ravi")
    expect(page.locator("#case-tab-person")).to_have_attribute("aria-current", "page")
    expect(page.locator("#case-tab-person")).to_be_focused()  # the keyboard stays put
    assert page.evaluate("window.__sameDocument") is True

    # The situation, edited in place: the tab and the header follow, without a reload.
    page.locator("#situation").get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.locator("#situation-heading")).to_be_focused()
    page.locator("#situation").get_by_label("risk level").select_option("critical")
    page.locator("#situation").get_by_role("button", name="Save").click()
    expect(page.locator("#workspace-status")).to_have_text("Saved.")
    expect(page.locator("#workspace-status")).to_be_focused()
    expect(page.locator("#case-fields")).to_contain_text("Critical")
    expect(page.locator("#case-flags")).to_contain_text("Risk: Critical")
    assert page.evaluate("window.__sameDocument") is True

    # Done in the next panel: the tasks tab, open, follows.
    page.locator("#case-tab-tasks").click()
    expect(page.locator("#task-list")).to_contain_text("Send the photos")
    done = re.compile(r"^Done\W+Send the photos$")
    page.locator("#next-panel").get_by_role("button", name=done).click()
    expect(page.locator("#task-list").locator("s")).to_contain_text("Send the photos")

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?tab=person$"))
    expect(page.locator("#person-fields")).to_be_visible()
    page.reload()
    expect(page.locator("#case-tab-person")).to_have_attribute("aria-current", "page")

    # A link to a section of a closed tab (as from another page) opens that tab.
    page.goto(f"/cases/{case.reference}/#consent")
    expect(page.locator("#consent-list")).to_be_visible()
    assert_clean(page)


def test_workspace_is_accessible_at_both_widths_and_screenshots(page_factory, team):
    organisation, caseworker, supervisor = team
    case = busy_case(organisation, caseworker)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = []
    for user in (caseworker, supervisor):
        page = page_factory(init_scripts=[AXE])
        sign_in(page, user)
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for name in TABS:
                page.goto(f"/cases/{case.reference}/?tab={name}")
                expect(page.locator(f"#case-tab-{name}")).to_have_attribute("aria-current", "page")
                violations += [f"{user.role} {width}px {name}: {v}" for v in axe_violations(page)]
                if user == caseworker:
                    page.screenshot(
                        path=SCREENSHOTS / f"case-page-{name}-{width}.png", full_page=True
                    )
            page.goto(f"/cases/{case.reference}/")
            if user == caseworker:
                page.screenshot(path=SCREENSHOTS / f"case-page-{width}.png", full_page=True)
            # The header's first line stays in view while the page scrolls.
            page.mouse.wheel(0, 2000)
            expect(page.locator(".case-header-bar")).to_be_in_viewport()
        assert_clean(page)
    assert not violations, "\n".join(violations)


def test_an_escalation_acknowledged_in_the_next_panel_leaves_the_note_being_typed(page, team):
    organisation, caseworker, supervisor = team
    case = busy_case(organisation, caseworker)
    sign_in(page, supervisor)
    page.goto(f"/cases/{case.reference}/")
    page.evaluate("window.__sameDocument = true")
    page.locator("#note-form").get_by_label("text").fill("Half-typed note")
    expect(page.locator("#timeline-escalations")).to_contain_text("not yet acknowledged")
    page.locator("#next-panel").get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.locator("#next-panel")).not_to_contain_text("A task is overdue.")
    # The timeline's list follows, in place; what was being typed stays.
    expect(page.locator("#timeline-escalations")).to_contain_text("acknowledged by")
    expect(page.locator("#note-form").get_by_label("text")).to_have_value("Half-typed note")
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert_clean(page)
