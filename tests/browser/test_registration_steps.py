"""Registration in steps, in Chromium: a typical case (the demo's kind of data) registered
through the steps in at most 40 form interactions, with the searchable country and
language lists; screenshots of every step at 1280 and 390 pixels under var/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from casework import matching
from casework.models import Case, IdentityDocument
from tests.browser.support import AXE, SCREENSHOTS, assert_clean, sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.browser

WIDTHS = {"1280": (1280, 900), "390": (390, 844)}
MAX_INTERACTIONS = 40


class Counted:
    """The form interactions of a test (fills, selects, clicks, key presses), counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def fill(self, selector, value):
        self.count += 1
        self.page.fill(selector, value)

    def select(self, selector, value):
        self.count += 1
        self.page.select_option(selector, value)

    def check(self, selector):
        self.count += 1
        self.page.check(selector)

    def click(self, locator):
        self.count += 1
        locator.click()

    def search(self, select_id, typed, expected_name):
        """Type into a searchable list (Tom Select) and take the first match with Enter.

        As a person does it: a click into the box, the letters typed one by one (counted
        as one fill, as typing into a plain field is), then Enter."""
        control = self.page.locator(f"#{select_id}-ts-control")
        self.page.locator(f".ts-control:has(> #{select_id}-ts-control)").click()
        expect(control).to_be_focused()
        # As a person would, typing once the list has opened (not within the same
        # millisecond as the click, before Tom Select has finished taking the focus).
        expect(self.page.locator(f"#{select_id}-ts-dropdown")).to_be_visible()
        self.count += 1
        self.page.keyboard.type(typed)
        expect(control).to_have_value(typed)
        expect(self.page.locator(".ts-dropdown .option.active")).to_contain_text(expected_name)
        self.count += 1
        control.press("Enter")


def screenshots(page, name):
    """The page as it is now at both widths, whole: no horizontal scrolling on a phone and
    no serious accessibility violation (axe-core) at either width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"registration-{name}-{label}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} at {width} px is {overflow} px wide"
        violations = axe_violations(page)
        assert not violations, "\n".join(violations)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_caseworker_registers_a_typical_case_through_the_steps(page_factory):
    page = page_factory(init_scripts=[AXE])
    organisation = OrganisationFactory()
    worker = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    # The organisation's commonest nationalities head the lists.
    for _ in range(3):
        PersonFactory(organisation=organisation, nationalities=["NP"])
    PersonFactory(organisation=organisation, nationalities=["TJ"])
    sign_in(page, worker)
    page.goto("/cases/new/")
    form = Counted(page)
    continue_ = page.get_by_role("button", name="Continue", exact=True)

    # 1. Who.
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 1 of 5: Who")
    screenshots(page, "1-who")
    form.fill("#id_person-given_name", "Mukhammad")
    form.fill("#id_person-family_name", "Rakhmonov")
    form.fill("#id_person-native_name", "Мухаммад Рахмонов")
    form.fill("#id_identity-aliases", "Muhammad Rahmonov\nMuhammad Rakhmonov")
    form.select("#id_person-sex", "male")
    form.fill("#id_person-birth_year", "1991")
    form.click(continue_)

    # 2. From where: searchable nationalities and languages.
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 2 of 5: From where")
    options = page.locator("#id_identity-nationalities option")
    expect(options.first).to_have_attribute("value", "NP")
    screenshots(page, "2-origin")
    form.search("id_identity-nationalities", "Tajik", "Tajikistan")
    form.select("#id_identity-document_type", "passport")
    form.fill("#id_identity-document_number", "401234567")
    form.select("#id_identity-document_status", "confiscated")
    form.fill("#id_person-place_of_origin", "Khujand")
    form.fill("#id_person-region_of_origin", "Sughd Region")
    form.search("id_person-languages", "Taji", "Tajik")
    page.locator("#id_identity-nationalities-ts-control").click()  # not counted: a look
    expect(page.locator(".ts-dropdown").first).to_contain_text("Nepal")
    page.keyboard.press("Escape")
    form.click(continue_)

    # 3. Recruited how.
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 3 of 5: Recruited how")
    screenshots(page, "3-recruitment")
    form.fill("#id_recruitment-recruited_in", "2024-05")
    form.search("id_recruitment-country", "Russia", "Russia")
    form.select("#id_recruitment-method", "agency")
    form.select("#id_recruitment-platform", "telegram")
    form.select("#id_recruitment-promised_job", "construction")
    form.fill("#id_recruitment-promised_salary", "2000")
    form.fill("#id_recruitment-promised_salary_currency", "usd")
    form.check('input[name="recruitment-means_of_control"][value="false_promises"]')
    form.check('input[name="recruitment-means_of_control"][value="withholds_documents"]')
    form.select("#id_recruitment-unit_type", "assault")
    form.click(continue_)

    # 4. Where now.
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 4 of 5: Where now")
    screenshots(page, "4-situation")
    form.select("#id_case-situation", "pow_in_ukraine")
    form.search("id_case-situation_country", "Ukr", "Ukraine")
    form.fill("#id_case-situation_region", "Lviv Oblast")
    form.select("#id_case-risk", "high")
    form.click(continue_)

    # 5. The summary, in words; then register.
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 5 of 5: Confirm")
    summary = page.locator("#register-form")
    for words in [
        "Мухаммад Рахмонов",
        "Tajikistan",
        "Tajik",
        "Recruitment agency",
        "Prisoner of war",
    ]:
        expect(summary).to_contain_text(words)
    screenshots(page, "5-confirm")
    form.click(page.get_by_role("button", name="Register", exact=True))

    expect(page).to_have_url(re.compile(r"/cases/[A-Z0-9-]+/$"))
    assert form.count <= MAX_INTERACTIONS, f"{form.count} form interactions"
    case = Case.objects.get(organisation=organisation)
    person = case.person
    assert (person.given_name, person.birth_year, person.languages) == ("Mukhammad", 1991, ["tg"])
    assert [n.country.code for n in person.nationalities.all()] == ["TJ"]
    assert sorted(a.name for a in person.aliases.all()) == [
        "Muhammad Rahmonov",
        "Muhammad Rakhmonov",
    ]
    assert IdentityDocument.objects.get(person=person).status == "confiscated"
    assert case.recruitment.country == "RU" and case.situation_country == "UA"
    assert case.recruitment.means_of_control.count() == 2
    assert_clean(page)


def test_back_and_forward_keep_what_was_typed(page):
    worker = UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory())
    sign_in(page, worker)
    page.goto("/cases/new/")
    page.fill("#id_person-given_name", "Ravi")
    page.fill("#id_person-family_name", "Sharma")
    page.fill("#id_person-birth_year", "1994")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.locator("#id_identity-nationalities-ts-control").fill("India")
    expect(page.locator(".ts-dropdown .option.active")).to_have_text("India")
    page.keyboard.press("Enter")
    page.fill("#id_person-place_of_origin", "Ambala")
    # The form's Back button keeps step 2 as typed, though it is not checked yet.
    page.get_by_role("button", name="Back", exact=True).click()
    expect(page.locator("#id_person-family_name")).to_have_value("Sharma")
    # The browser's own back and forward buttons show each step as it was left.
    page.go_back()
    expect(page.locator("#id_person-place_of_origin")).to_have_value("Ambala")
    expect(page.locator("#id_identity-nationalities-ts-control").locator("..")).to_contain_text(
        "India"
    )
    page.go_forward()
    expect(page.locator("#id_person-given_name")).to_have_value("Ravi")
    assert_clean(page)


def test_the_lists_work_without_javascript(browser, live_server, transactional_db):
    """A plain select and a plain text field where the script does not run."""
    worker = UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory())
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, worker)
    page.goto("/cases/new/")
    page.fill("#id_person-given_name", "Ravi")
    page.fill("#id_person-family_name", "Sharma")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.select_option("#id_identity-nationalities", ["IN"])
    page.fill("#id_person-languages", "hi, en")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 3 of 5: Recruited how")
    context.close()


def test_a_possible_duplicate_is_shown_while_the_names_are_typed(page):
    organisation = OrganisationFactory()
    worker = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    person = PersonFactory(
        organisation=organisation, given_name="Ravi", family_name="Sharma", birth_year=1994
    )
    matching.refresh_name_keys(person)
    existing = CaseFactory(person=person, assigned_to=worker)
    sign_in(page, worker)
    page.goto("/cases/new/")
    page.evaluate("window.__sameDocument = true")
    page.fill("#id_person-given_name", "Ravi")
    page.fill("#id_person-family_name", "Scharma")
    page.fill("#id_person-birth_year", "1994")
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()  # before Continue: the check follows the typing
    expect(warning.get_by_role("link", name="Open the existing case")).to_have_attribute(
        "href", existing.get_absolute_url()
    )
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    # Ticking the box keeps the warning as it is; Continue then goes on.
    page.check("#not-a-duplicate")
    page.wait_for_timeout(1200)
    expect(page.locator("#not-a-duplicate")).to_be_checked()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Step 2 of 5: From where")
    assert_clean(page)
