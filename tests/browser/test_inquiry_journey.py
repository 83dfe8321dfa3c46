"""A family inquiry in Chromium, in English, Ukrainian and French: a caseworker records a
mother's inquiry with her son's name typed in Devanagari; a real Celery worker matches it
to the man registered in Latin script; the caseworker reads the explanation, confirms the
match, and the inquiry and the case both show it. Screenshots of the inquiry page at 1280
and 390 pixels under var/screenshots/.
"""

import re

import pytest
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from accounts.models import Role
from casework import labels, matching, tasks
from casework.models import Case, Inquiry, InquiryCandidate
from casework.vocabularies import InquiryStatus, MatchDecision
from tests.browser.support import SCREENSHOTS, Catalogue, assert_clean, sign_in, switch_language
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.browser

WIDTHS = {"1280": (1280, 900), "390": (390, 844)}
INQUIRY_URL = re.compile(r"/inquiries/([A-Z0-9-]+)/$")
SOUGHT_IN_DEVANAGARI = "राम बहादुर थापा"  # Ram Bahadur Thapa, as his mother wrote it


def registered_son(organisation, caseworker) -> Case:
    """Ram Bahadur Thapa, registered in Latin script, his case assigned to `caseworker`."""
    person = PersonFactory(
        organisation=organisation,
        given_name="Ram Bahadur",
        family_name="Thapa",
        birth_year=1994,
        sex="male",
        nationalities=["NP"],
        place_of_origin="Gorkha",
    )
    matching.refresh_name_keys(person)
    return CaseFactory(person=person, assigned_to=caseworker, situation_country="UA")


def route_tasks_to(worker, monkeypatch) -> None:
    """Tasks sent by the live server (this process) go to the test worker's own queue."""
    for task in (tasks.match_inquiry, tasks.match_person, tasks.send_notification_emails):
        monkeypatch.setattr(task, "queue", worker.queue, raising=False)
        monkeypatch.setattr(task, "_exec_options", None)


def screenshots(page: Page, name: str) -> None:
    """The page, whole, at both widths; never wider than a phone at 390 pixels."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"inquiry-{name}-{label}.png", full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name} at {width} px is {scroll_width} px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def main_nav(page: Page, t: Catalogue):
    return page.get_by_role("navigation", name=t("Main"), exact=True)


def record_inquiry(page: Page, t: Catalogue) -> str:
    """Through the navigation and the form; returns the new inquiry's reference."""
    main_nav(page, t).get_by_role("link", name=t("Inquiries")).click()
    page.get_by_role("link", name=t("Record an inquiry")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Record a family inquiry"))
    screenshots(page, f"form-{t.language}")
    page.select_option("#id_channel", "phone")
    page.fill("#id_inquirer_name", "Sita Thapa")
    page.select_option("#id_inquirer_relationship", "mother")
    page.check("#id_consent_to_store")
    page.check("#id_consent_to_contact")
    page.fill("#id_names", SOUGHT_IN_DEVANAGARI)
    page.select_option("#id_sex", "male")
    page.fill("#id_birth_year", "1994")
    page.select_option("#id_nationality", "NP")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page).to_have_url(INQUIRY_URL)
    expect(page.get_by_role("status").first).to_contain_text(
        t("Inquiry recorded: possible matches will be looked for.")
    )
    return INQUIRY_URL.search(page.url).group(1)


def expect_explanation(card, t: Catalogue, candidate: InquiryCandidate) -> None:
    """Each compared field in words, with how it compared; name and birth year agree."""
    levels = {c["field"]: c["level"] for c in labels.comparisons_of(candidate.comparisons)}
    assert levels.get("birth_year") == "agree", levels
    assert levels.get("name") in {"agree", "close"}, levels
    for field, level in levels.items():
        row = card.get_by_role("row").filter(
            has=card.page.get_by_role(
                "rowheader", name=capfirst(t.label(labels.COMPARISON_FIELDS[field])), exact=True
            )
        )
        expect(row).to_contain_text(t.label(labels.COMPARISON_LEVELS[level]))
    name_row = card.get_by_role("row").nth(1)  # the header row comes first
    expect(name_row).to_contain_text(SOUGHT_IN_DEVANAGARI)
    expect(name_row).to_contain_text("Ram Bahadur Thapa")


@pytest.mark.celery_worker(queue_prefix="test-inquiry-journey")
@pytest.mark.parametrize("language", ["en", "uk", "fr"])
def test_caseworker_confirms_a_latin_script_match_for_an_inquiry_typed_in_devanagari(
    page_factory, celery_worker, monkeypatch, language
):
    route_tasks_to(celery_worker, monkeypatch)
    t = Catalogue(language)
    organisation = OrganisationFactory()
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    case = registered_son(organisation, caseworker)

    page = page_factory()
    sign_in(page, caseworker)
    switch_language(page, language)
    reference = record_inquiry(page, t)
    inquiry = Inquiry.objects.get(reference=reference)
    assert list(inquiry.names.values_list("name", flat=True)) == [SOUGHT_IN_DEVANAGARI]

    # The worker matches it in the background; the page shows what it found once reloaded.
    candidate = celery_worker.wait_for(
        "the candidate",
        lambda: InquiryCandidate.objects.filter(inquiry=inquiry, person=case.person).first(),
    )
    page.reload()
    summary = page.locator("#inquiry-summary")
    expect(summary).to_contain_text(t.label(InquiryStatus.POSSIBLE_MATCH.label))
    card = page.locator(f"#candidate-{candidate.pk}")
    expect(card.get_by_role("link", name=case.reference)).to_be_visible()
    expect(card).to_contain_text("Ram Bahadur Thapa")
    expect_explanation(card, t, candidate)
    screenshots(page, f"candidate-{language}")
    assert_clean(page)

    card.get_by_role("button", name=t("Confirm: this is the person")).click()
    expect(page).to_have_url(re.compile(rf"/inquiries/{reference}/#candidates$"))
    expect(page.get_by_role("status").first).to_contain_text(
        t("Match confirmed: the inquiry is linked to the case.")
    )
    expect(summary).to_contain_text(t.label(InquiryStatus.MATCHED.label))
    expect(page.locator("#timeline-list")).to_contain_text(
        t("Possible match confirmed: the person is known as case %(case)s.", case=case.reference)
    )
    candidate.refresh_from_db()
    assert candidate.decision == MatchDecision.CONFIRMED
    screenshots(page, f"matched-{language}")
    page.get_by_role("link", name=t("Answer the inquirer")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshots(page, f"answer-{language}")
    main_nav(page, t).get_by_role("link", name=t("Inquiries")).click()
    inquiries = page.locator("#inquiries")
    expect(inquiries.get_by_role("link", name=reference)).to_be_visible()
    expect(inquiries).to_contain_text(t.label(InquiryStatus.MATCHED.label))
    screenshots(page, f"list-{language}")
    page.goto(f"/inquiries/{reference}/")

    # The case's timeline tells of the inquiry, in the reader's language.
    page.locator("#matched-case").get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    expect(page.locator("#timeline")).to_contain_text(
        t("A family inquiry (%(inquiry)s) was matched to this case.", inquiry=reference)
    )
    assert_clean(page)
