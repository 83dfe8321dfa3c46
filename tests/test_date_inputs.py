"""Date inputs in every language: the browser needs ISO values, and a save of a form the
user did not touch must keep every value (issue 10, point 1)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from casework.forms import (
    ConsentForm,
    ContactForm,
    EmbassyRequestForm,
    NoteForm,
    PersonForm,
    RecruitmentForm,
    SituationForm,
    TaskForm,
)
from casework.models import Consent, Contact, EmbassyRequest, Note, Recruitment, Task
from casework.stats.forms import StatsFilterForm
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.helpers import (
    changed_values,
    page_forms,
    signed_in_client,
    stored_case_values,
    submit_unchanged,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "uk")
# Days above 12 and seconds that are not zero: a localised or truncated value shows.
BORN = datetime.date(1990, 6, 23)
WHEN = datetime.datetime(2025, 11, 17, 14, 35, 27, tzinfo=datetime.UTC)
ISO = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"),
}


@pytest.fixture
def case():
    caseworker = UserFactory(role=Role.CASEWORKER)
    person = PersonFactory(
        organisation=caseworker.organisation,
        date_of_birth=BORN,
        native_name="Брайан",
        languages=["sw", "en"],
        vulnerabilities=["injured"],
        place_of_origin="Eldoret",
    )
    case = CaseFactory(
        person=person,
        assigned_to=caseworker,
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_region="Kyiv",
        situation_date=datetime.date(2025, 10, 28),
        next_review_on=datetime.date(2026, 1, 19),
        risk="high",
        media_attention=True,
    )
    Recruitment.objects.create(
        case=case,
        recruited_in=datetime.date(2024, 3, 1),
        country="KE",
        method="agency",
        promised_job="security",
        promised_salary=Decimal("2500.00"),
        promised_salary_currency="USD",
        promised_visa=True,
        arrived_in_russia_on=datetime.date(2024, 4, 14),
        transit_countries=["AE", "TR"],
        contract_signed=True,
        contract_language="ru",
        deployed_on=datetime.date(2024, 5, 20),
        captured_on=datetime.date(2024, 9, 13),
        capture_kind="captured",
        capture_place="Kupiansk",
        recruiter_details="Agent Ivan, +7 900 000 00 00",
    )
    return case


def forms_with_dates(case):
    """Every form that shows a date or a time, bound to an object that has them."""
    caseworker = case.assigned_to
    contact = Contact.objects.create(
        case=case, kind="family", name="Mother", phone="+254700000001", last_contacted_at=WHEN
    )
    consent = Consent(case=case, scope="share_with_embassy", country="KE", given_at=WHEN)
    note = Note(case=case, kind="call", occurred_at=WHEN, text="Called.")
    task = Task(case=case, title="Call back", kind="follow_up", due_at=WHEN, assignee=caseworker)
    request = EmbassyRequest(case=case, country="KE", kind="identity_confirmation", due_at=WHEN)
    return {
        "person": PersonForm(instance=case.person),
        "situation": SituationForm(instance=case),
        "recruitment": RecruitmentForm(instance=case.recruitment),
        "contact": ContactForm(instance=contact),
        "consent": ConsentForm(instance=consent),
        "note": NoteForm(instance=note),
        "task": TaskForm(instance=task, organisation=case.organisation),
        "embassy-request": EmbassyRequestForm(instance=request, case=case),
        "stats-filter": StatsFilterForm(
            initial={"period_start": BORN, "period_end": datetime.date(2025, 12, 24)}
        ),
    }


def date_inputs(html):
    """(name, type, value) of every date, month and datetime input in some HTML."""
    return [
        (name, kind, value)
        for form in page_forms(f"<form>{html}</form>")
        for name, value in form.data
        if (kind := form.types[name]) in ISO
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_renders_an_iso_value_in_every_language(case, language):
    for label, form in forms_with_dates(case).items():
        with translation.override(language):
            inputs = date_inputs(form.as_div())
        assert inputs, f"{label}: no date inputs found"
        for name, kind, value in inputs:
            assert value, f"{label}.{name} in {language}: not ISO, a browser shows it empty"
            assert ISO[kind].match(value), f"{label}.{name} in {language}: {value!r} is not ISO"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("section", ["person", "situation", "recruitment", "contact"])
def test_saving_an_edit_form_unchanged_changes_nothing(case, section, language):
    case.recruitment.means_of_control.create(means="threats")
    contact = Contact.objects.create(
        case=case, kind="family", name="Mother", phone="+254700000001", last_contacted_at=WHEN
    )
    client = signed_in_client(case.assigned_to)
    client.cookies["django_language"] = language
    before = stored_case_values(case)
    if section == "contact":
        url = f"/cases/{case.reference}/contacts/{contact.pk}/"
    else:
        url = f"/cases/{case.reference}/edit/{section}/"
    response = submit_unchanged(client, url)
    assert response.status_code == 302, response.context["form"].errors
    changed = changed_values(before, stored_case_values(case))
    assert not changed, f"saved unchanged in {language}, these changed: {changed}"
