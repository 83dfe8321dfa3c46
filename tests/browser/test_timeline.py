"""The case timeline and the way home in Chromium, on a phone: filtering by kind and
paging by keyboard swap the entries in place (htmx) without losing a note being typed;
a note added shows on the first page; the way home line fits 390 px and passes axe."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from casework.models import Note
from casework.vocabularies import CustodyEventKind, NoteKind
from tests.browser.support import AXE, assert_clean, sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    CustodyObligationsFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def setting(transactional_db):
    organisation = OrganisationFactory()
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    case = CaseFactory(
        person=PersonFactory(organisation=organisation, given_name="Brian", family_name="Otieno"),
        assigned_to=caseworker,
    )
    start = timezone.now() - datetime.timedelta(days=60)
    Note.objects.bulk_create(
        [
            Note(
                case=case,
                kind=NoteKind.VISIT if i % 10 == 0 else NoteKind.CALL,
                text=f"Entry {i}",
                occurred_at=start + datetime.timedelta(hours=i),
            )
            for i in range(40)
        ]
    )
    return caseworker, case


def entries(page) -> list[str]:
    return re.findall(r"Entry \d+", page.locator("#timeline-list").inner_text())


def settled(page):
    """Wait until htmx has settled a swap: it gives swapped-in links their behaviour only
    then (after its settle delay), as a person, slower than a test, never notices."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_filter_and_pages_by_keyboard_in_place_keeping_a_typed_note(page_factory, setting):
    caseworker, case = setting
    page = page_factory()
    sign_in(page, caseworker)
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{case.reference}/?tab=timeline")
    assert entries(page) == [f"Entry {i}" for i in range(39, 14, -1)]
    page.evaluate("window.__samePage = true")  # gone if the page reloads
    page.locator("#note-text").fill("Half-typed note")

    # Kind filter: by keyboard, the select then its button.
    page.locator("#timeline-kind").focus()
    page.keyboard.press("v")  # "Visit"
    page.keyboard.press("Tab")
    expect(page.locator("#timeline-filter button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline-position")).to_contain_text("Visit, latest first, page 1")
    expect(page.locator("#timeline-position")).to_be_focused()
    assert entries(page) == ["Entry 30", "Entry 20", "Entry 10", "Entry 0"]
    assert not page.locator("#timeline-pager").count()

    # Every kind again, then the next page by keyboard, then back.
    page.locator("#timeline-kind").select_option("")
    page.locator("#timeline-filter button").press("Enter")
    expect(page.locator("#timeline-position")).to_contain_text("Every kind, latest first, page 1")
    settled(page)
    older = page.get_by_role("link", name="Older entries")
    older.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline-position")).to_contain_text("page 2")
    assert entries(page) == [f"Entry {i}" for i in range(14, -1, -1)]
    settled(page)
    page.get_by_role("link", name="Newer entries").press("Enter")
    expect(page.locator("#timeline-position")).to_contain_text("page 1")

    assert page.evaluate("window.__samePage") is True
    expect(page.locator("#note-text")).to_have_value("Half-typed note")
    assert_clean(page)


def test_a_note_added_on_page_two_shows_on_page_one(page_factory, setting):
    caseworker, case = setting
    page = page_factory()
    sign_in(page, caseworker)
    page.goto(f"/cases/{case.reference}/?tab=timeline")
    page.locator("#timeline-kind").select_option("visit")
    page.locator("#timeline-filter button").click()
    expect(page.locator("#timeline-position")).to_contain_text("Visit")
    page.locator("#note-text").fill("Entry 99 by phone")
    page.locator("#note-form button[type=submit]").click()
    expect(page.locator("#timeline-list li").first).to_contain_text("Entry 99 by phone")
    expect(page.locator("#timeline-position")).to_contain_text("Every kind, latest first, page 1")
    expect(page.locator("#timeline-kind")).to_have_value("")
    assert_clean(page)


def test_without_script_the_paging_links_still_work(page_factory, setting):
    caseworker, case = setting
    page = page_factory()
    sign_in(page, caseworker)
    page.goto(f"/cases/{case.reference}/timeline/?page=2")  # as a plain link does
    expect(page).to_have_url(re.compile(r"\?tab=timeline&page=2#timeline$"))
    assert entries(page) == [f"Entry {i}" for i in range(14, -1, -1)]
    assert_clean(page)


def test_the_way_home_line_fits_a_phone_and_passes_axe(page_factory, setting):
    caseworker, case = setting
    captured_on = timezone.localdate() - datetime.timedelta(days=50)
    CustodyEventFactory(case=case, kind=CustodyEventKind.CAPTURED, occurred_on=captured_on)
    CustodyObligationsFactory(case=case, icrc_registered_on=captured_on + datetime.timedelta(9))
    page = page_factory(init_scripts=[AXE])
    sign_in(page, caseworker)
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        page.goto(f"/cases/{case.reference}/?tab=custody")
        line = page.locator("#way-home-line")
        expect(line.locator("li")).to_have_count(6)
        expect(line.locator("li").nth(2)).to_contain_text("Family informed")
        expect(line.locator("li").nth(2)).to_contain_text("next step")
        expect(line.locator("li").nth(5)).to_contain_text("not yet")
        assert line.locator("[aria-current=step]").count() == 1
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{viewport['width']} px: {overflow} px too wide"
        box = line.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert axe_violations(page) == []
    assert_clean(page)
