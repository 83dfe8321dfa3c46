"""The custody and inquiry edit forms, saved without touching anything, in English,
Ukrainian and French: every stored value stays as it was (as tests/test_date_inputs.py
checks for the case's own sections)."""

import datetime

import pytest

from accounts.models import Role
from casework.models import Inquiry
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    CustodyObligationsFactory,
    FollowUpFactory,
    IcrcVisitFactory,
    InquiryFactory,
    InquiryIdentifierFactory,
    InquiryNameFactory,
    LegalProceedingFactory,
    ReintegrationServiceFactory,
    ReturnListEntryFactory,
    UserFactory,
    WayHomeFactory,
)
from tests.helpers import signed_in_client, submit_unchanged

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "uk")
# Days above 12: a day and month read the wrong way round would show.
DAY = datetime.date(2025, 10, 23)


def stored(obj) -> dict[str, object]:
    """Every stored field of `obj`, read afresh (the time of the last save left out)."""
    obj.refresh_from_db()
    return {
        field.name: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name != "updated_at"
    }


@pytest.fixture
def case():
    caseworker = UserFactory(role=Role.CASEWORKER)
    return CaseFactory(organisation=caseworker.organisation, assigned_to=caseworker)


def custody_records(case):
    """(URL, record) for every custody edit page, each record with its fields filled."""
    base = f"/cases/{case.reference}/custody"
    event = CustodyEventFactory(
        case=case,
        occurred_on=DAY,
        facility="Penal colony No. 3",
        source_reliability="confirmed",
        notes="Seen by a fellow prisoner.",
    )
    records = {
        "events": event,
        "icrc-visits": IcrcVisitFactory(case=case, visited_on=DAY, notes="Letter handed over."),
        "proceedings": LegalProceedingFactory(
            case=case, next_hearing_on=DAY, lawyer="O. Petrenko", notes="Plea entered."
        ),
        "lists": ReturnListEntryFactory(
            case=case, listed_on=DAY, list_name="Exchange of 23 October", last_news_on=DAY
        ),
        "services": ReintegrationServiceFactory(
            case=case, started_on=DAY, ended_on=DAY, outcome="completed"
        ),
        "follow-ups": FollowUpFactory(case=case, due_on=DAY, done_on=DAY, note="Doing well."),
    }
    pages = [(f"{base}/{kind}/{record.pk}/", record) for kind, record in records.items()]
    obligations = CustodyObligationsFactory(
        case=case,
        capture_card_sent_on=DAY,
        icrc_registered_on=DAY,
        icrc_reference="ICRC-2025-0423",
        dependent_power="KE",
        dependent_power_confirmation="documents_seen",
    )
    way_home = WayHomeFactory(
        case=case, travel_documents="Emergency travel document", travel_on=DAY, arrived_on=DAY
    )
    return [
        *pages,
        (f"{base}/obligations/", obligations),
        (f"{base}/way-home/", way_home),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_saving_a_custody_form_unchanged_changes_nothing(case, language):
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = language
    for url, record in custody_records(case):
        before = stored(record)
        response = submit_unchanged(client, url)
        assert response.status_code == 302, (url, response.context["form"].errors)
        assert stored(record) == before, f"{url} saved unchanged in {language}"


def inquiry_values(inquiry: Inquiry) -> dict[str, object]:
    values = stored(inquiry)
    values["names"] = sorted(inquiry.names.values_list("name", flat=True))
    values["identifiers"] = sorted((i.kind, i.value) for i in inquiry.identifiers.all())
    values.pop("last_activity_at")  # a save is activity, even an unchanged one
    return values


@pytest.mark.parametrize("language", LANGUAGES)
def test_saving_an_inquiry_unchanged_changes_nothing(case, language):
    inquiry = InquiryFactory(
        organisation=case.organisation,
        assigned_to=case.assigned_to,
        birth_year=1993,
        last_contact_on=DAY,
        last_contact_place="Rostov-on-Don",
        told_about_job="Security guard in Moscow, 2,000 USD a month",
        inquirer_email="sita@example.org",
        inquirer_language="uk",
    )
    InquiryNameFactory(inquiry=inquiry, name="राम बहादुर थापा")
    InquiryNameFactory(inquiry=inquiry, name="Ram Bahadur Thapa")
    InquiryIdentifierFactory(inquiry=inquiry, kind="phone", value="+977 98 0123 4567")
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = language
    before = inquiry_values(inquiry)
    response = submit_unchanged(client, f"/inquiries/{inquiry.reference}/edit/")
    assert response.status_code == 302, response.context["form"].errors
    assert inquiry_values(inquiry) == before
