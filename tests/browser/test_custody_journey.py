"""The custody journey in Chromium, in English, Ukrainian and French: a caseworker
records a capture, the capture card sent to the family and an ICRC visit, and sees the
timeline; the liaison of the person's country sees the custody status, not the facility.
"""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import expect

from accounts.models import Role
from casework.models import CustodyEvent, CustodyObligations, IcrcVisit
from casework.vocabularies import CustodyEventKind
from tests.browser.support import Catalogue, assert_clean, sign_in, switch_language
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import share_with_embassy

pytestmark = pytest.mark.browser

FACILITY = "Pre-trial detention centre No. 19"
SOURCE = "Video posted by the 72nd Brigade"


def field_label(t: Catalogue, model, name: str) -> str:
    """A form field's label as the page shows it: its verbose name, capitalised."""
    return capfirst(t.label(model._meta.get_field(name).verbose_name))


@pytest.mark.parametrize("language", ["en", "uk", "fr"])
def test_caseworker_records_custody_and_the_liaison_sees_only_its_status(page_factory, language):
    t = Catalogue(language)
    organisation = OrganisationFactory()
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=organisation)
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=organisation)
    liaison = LiaisonFactory(liaison_countries="KE")
    person = PersonFactory(
        organisation=organisation, given_name="Brian", family_name="Otieno", nationalities=["KE"]
    )
    case = CaseFactory(person=person, assigned_to=caseworker, situation="pow_in_ukraine")
    share_with_embassy(case, caseworker, supervisor, "KE")
    captured_on = timezone.localdate() - datetime.timedelta(days=40)
    card_sent_on = captured_on + datetime.timedelta(days=5)
    visited_on = captured_on + datetime.timedelta(days=20)
    captured = t.label(CustodyEventKind.CAPTURED.label)

    page = page_factory()
    sign_in(page, caseworker)
    switch_language(page, language)
    page.set_viewport_size({"width": 390, "height": 844})  # on, on a phone
    page.goto(f"/cases/{case.reference}/")
    page.locator("#case-tab-custody").click()  # the case page's custody tab
    custody = page.locator("#custody")

    # The capture.
    custody.get_by_role("link", name=t("Record an event")).click()
    page.get_by_label(field_label(t, CustodyEvent, "kind")).select_option("captured")
    page.get_by_label(field_label(t, CustodyEvent, "occurred_on")).fill(captured_on.isoformat())
    page.get_by_label(field_label(t, CustodyEvent, "place"), exact=True).fill("Near Vuhledar")
    page.get_by_label(field_label(t, CustodyEvent, "facility"), exact=True).fill(FACILITY)
    page.get_by_label(field_label(t, CustodyEvent, "source"), exact=True).fill(SOURCE)
    page.get_by_role("button", name=t("Save")).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/\?tab=custody#custody$"))
    events = page.locator("#custody-events")
    expect(events).to_contain_text(captured)
    expect(events).to_contain_text(t.date(captured_on, "DATE_FORMAT"))
    expect(events).to_contain_text(FACILITY)
    expect(page.locator("#custody-status")).to_have_text(captured)

    # The capture card sent to the family.
    custody.get_by_role("link", name=t("Edit"), exact=True).click()
    sent = field_label(t, CustodyObligations, "capture_card_sent_on")
    page.get_by_label(sent, exact=True).fill(card_sent_on.isoformat())
    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator("#custody-overview")).to_contain_text(t.date(card_sent_on, "DATE_FORMAT"))

    # An ICRC visit.
    custody.get_by_role("link", name=t("Record a visit")).click()
    page.get_by_label(field_label(t, IcrcVisit, "visited_on")).fill(visited_on.isoformat())
    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator("#icrc-visits")).to_contain_text(t.date(visited_on, "DATE_FORMAT"))

    # The case's timeline tells each step in the reader's language.
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the custody tab is wider than a phone"
    page.locator("#case-tab-timeline").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(t("Custody event recorded: %(kind)s.", kind=captured))
    expect(timeline).to_contain_text(t("Custody obligations updated."))
    expect(timeline).to_contain_text(t("ICRC visit recorded."))
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the case page is wider than a phone"
    assert_clean(page)

    # Kenya's liaison: the status and the obligations, never the facility or the source.
    embassy = page_factory()
    sign_in(embassy, liaison)
    switch_language(embassy, language)
    embassy.goto(f"/cases/{case.reference}/")
    expect(embassy.locator("#custody-status")).to_have_text(captured)
    expect(embassy.locator("#custody-overview")).to_contain_text(
        t.date(card_sent_on, "DATE_FORMAT")
    )
    html = embassy.content()
    for secret in (FACILITY, SOURCE, "Near Vuhledar"):
        assert secret not in html, f"{secret!r} is shown to the liaison"
    assert t.label(CustodyEvent._meta.get_field("facility").verbose_name) not in html
    assert_clean(embassy)
