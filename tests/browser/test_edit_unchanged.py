"""Opening an edit form and saving it unchanged changes nothing, in every language.

A date rendered in a localised format ("06/10/2026") is shown empty by
`<input type="date">`, and saving the form then erased it. This journey fills every
field a section shows, opens each edit form as a caseworker in English, Ukrainian and
French, presses its submit button without touching anything, and compares every stored
value before and after.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from casework import matching
from casework.models import Alias, Contact, ControlMeans, IdentityDocument, Recruitment
from casework.vocabularies import CaseStatus
from tests.browser.support import assert_clean, sign_in, switch_language
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.helpers import changed_values, stored_case_values

pytestmark = pytest.mark.browser


def fully_described_case(worker):
    person = PersonFactory(
        organisation=worker.organisation,
        given_name="Amara",
        family_name="Okafor",
        native_name="Амара Окафор",
        sex="male",
        date_of_birth=datetime.date(1993, 10, 6),
        birth_year=1993,
        languages=["sw", "en"],
        interpreter_needed=True,
        place_of_origin="Kisumu",
        vulnerabilities=["injured"],
        nationalities=["KE", "UG"],
    )
    Alias.objects.create(person=person, name="Амара Окафор", source="Russian contract")
    IdentityDocument.objects.create(
        person=person,
        doc_type="passport",
        number="AK1234567",
        issuing_country="KE",
        status="confiscated",
    )
    matching.refresh_name_keys(person)
    case = CaseFactory(
        person=person,
        assigned_to=worker,
        status=CaseStatus.ACTIVE,
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_region="Zaporizhzhia oblast",
        situation_place="Zaporizhzhia",
        situation_date=datetime.date(2026, 10, 6),
        risk="high",
        do_not_contact_family=True,
        media_attention=True,
        next_review_on=datetime.date(2026, 12, 10),
    )
    recruitment = Recruitment.objects.create(
        case=case,
        recruited_in=datetime.date(2023, 12, 1),
        country="KE",
        method="agency",
        platform="telegram",
        promised_job="security",
        promised_salary=Decimal("2500.00"),
        promised_salary_currency="USD",
        promised_visa=True,
        promised_citizenship=True,
        arrived_in_russia_on=datetime.date(2023, 12, 10),
        transit_countries=["AE", "TR"],
        contract_signed=True,
        contract_language="ru",
        deployed_on=datetime.date(2024, 2, 1),
        captured_on=datetime.date(2024, 3, 15),
        capture_place="near Robotyne",
        recruiter_details="Agent 'Viktor', +7 900 000 00 00",
    )
    for means in ("withholds_documents", "threats"):
        ControlMeans.objects.create(recruitment=recruitment, means=means)
    contact = Contact.objects.create(
        case=case,
        kind="family",
        name="Grace Okafor",
        relationship="mother",
        phone="+254712345678",
        email="grace@example.org",
        country="KE",
        languages=["sw"],
        person_agreed=True,
        safe_to_contact=True,
        last_contacted_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 14, 30)),
    )
    return case, contact


def save_unchanged(page, path):
    page.goto(path)
    form = (
        page.locator("main form[method=post]").filter(has=page.locator("button[type=submit]")).last
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    # A form that did not validate comes back on its own address with its errors.
    assert not re.search(re.escape(path) + "$", page.url), f"{path} did not save: " + " | ".join(
        page.locator(".invalid-feedback").all_inner_texts()
    )


@pytest.mark.parametrize("language", ["en", "uk", "fr"])
def test_saving_every_edit_form_unchanged_changes_nothing(page, language):
    worker = UserFactory(role=Role.CASEWORKER, organisation=OrganisationFactory())
    case, contact = fully_described_case(worker)
    before = stored_case_values(case)
    sign_in(page, worker)
    switch_language(page, language)

    base = f"/cases/{case.reference}"
    for path in (
        f"{base}/edit/person/",
        f"{base}/edit/situation/",
        f"{base}/edit/recruitment/",
        f"{base}/contacts/{contact.pk}/",
    ):
        save_unchanged(page, path)
        changed = changed_values(before, stored_case_values(case))
        assert not changed, f"saving {path} unchanged in {language} changed {changed}"
    assert_clean(page)
