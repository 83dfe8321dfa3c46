"""What people read: names and labels in their language, never stored codes or Python
values, one date format per page, and a timeline told in the reader's language."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Role
from casework import labels, stats
from casework.models import Contact, Note, Recruitment
from casework.vocabularies import CaseStatus
from tests.factories import (
    CaseFactory,
    PersonFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import case_page_tabs, register_in_steps, signed_in_client

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The text a person sees inside the element with a given id (tags and attributes
    left out)."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "wbr"}

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.depth, self.parts = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag not in self.VOID:
                self.depth += 1
        elif dict(attrs).get("id") == self.element_id and tag not in self.VOID:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of(html: str, element_id: str) -> str:
    parser = _Text(element_id)
    parser.feed(html)
    assert parser.parts, f"no element #{element_id} with text"
    return " ".join(" ".join(parser.parts).split())


def reader(user, language):
    client = signed_in_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def case(org, caseworker, supervisor):
    """A case with every kind of coded value, its timeline written by English readers."""
    person = PersonFactory(
        organisation=org,
        nationalities=["IN"],
        languages=["sw", "en"],
        vulnerabilities=["injured"],
        date_of_birth=datetime.date(1994, 6, 23),
    )
    case = CaseFactory(person=person, assigned_to=caseworker, status="active")
    Recruitment.objects.create(
        case=case,
        method="agency",
        contract_signed=False,
        contract_language="ru",
        recruited_in=datetime.date(2025, 3, 1),
        arrived_in_russia_on=datetime.date(2025, 4, 2),
    )
    english = reader(caseworker, "en")
    english.post(
        reverse("consent-add", args=[case.reference]),
        {
            "scope": "share_with_embassy",
            "country": "IN",
            "method": "written",
            "given_at": (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    english.post(
        reverse("case-status", args=[case.reference]),
        {"status": "awaiting_embassy", "closure_reason": ""},
    )
    reader(supervisor, "en").post(
        reverse("disclosure-approve", args=[case.reference]), {"country": "IN"}
    )
    english.post(
        reverse("contact-add", args=[case.reference]),
        {"kind": "family", "name": "Sunita Sharma", "country": "IN", "phone": "+919812345678"},
    )
    TaskFactory(case=case, assignee=caseworker)
    assert case.notes.filter(automatic=True).count() >= 3
    assert Contact.objects.filter(case=case).count() == 1
    return case


SECTIONS = [
    "person-fields",
    "case-fields",
    "recruitment-fields",
    "contact-list",
    "consent-list",
    "disclosure-list",
    "task-list",
    "timeline-list",
]


@pytest.mark.parametrize("language", ["en", "fr", "uk"])
def test_case_page_shows_names_and_labels_not_codes(case, caseworker, language):
    page = case_page_tabs(reader(caseworker, language), case)
    with translation.override(language):
        spoken = ", ".join(case.person.language_labels())
        india, russian = labels.country_name("IN"), labels.language_name("ru")
        injured = case.person.vulnerability_labels()[0]
    for section in SECTIONS:
        text = text_of(page, section)
        assert "['" not in text and "None" not in text, (section, text)
        # No bare ISO code where a language or a country is meant.
        assert not re.search(r"\b(sw|ru|IN)\b", text), (section, text)
    person = text_of(page, "person-fields")
    assert spoken in person and injured in person and "sw, en" not in person
    assert russian in text_of(page, "recruitment-fields")
    assert india in text_of(page, "consent-list")
    assert india in text_of(page, "timeline-list")


@pytest.mark.parametrize("language", ["en", "fr", "uk"])
def test_one_date_format_on_the_case_page(case, caseworker, language):
    page = case_page_tabs(reader(caseworker, language), case)
    with translation.override(language):
        born = formats.date_format(datetime.date(1994, 6, 23), "DATE_FORMAT")
        arrived = formats.date_format(datetime.date(2025, 4, 2), "DATE_FORMAT")
    text = " ".join(text_of(page, section) for section in SECTIONS)
    assert born in text_of(page, "person-fields")
    assert arrived in text_of(page, "recruitment-fields")
    # Nothing in ISO form, nor in a numeric form of another language.
    assert not re.search(r"\b\d{4}-\d{2}(-\d{2})?\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b", text), text


def test_timeline_entry_recorded_in_english_reads_in_french(case, caseworker):
    french = case_page_tabs(reader(caseworker, "fr"), case, "timeline")
    timeline = text_of(french, "timeline-list")
    with translation.override("fr"):
        awaiting = str(CaseStatus.AWAITING_EMBASSY.label)
        active = str(CaseStatus.ACTIVE.label)
        india = labels.country_name("IN")
    assert awaiting != "Awaiting embassy" and india == "Inde"
    assert f"{active} → {awaiting}" in timeline
    assert "Awaiting embassy" not in timeline and "India" not in timeline
    # Stored once, in English, for whatever reads the text alone.
    note = case.notes.get(kind="status_change")
    assert note.text == "Status: Active → Awaiting embassy"
    assert note.event == {
        "code": "status_changed",
        "params": {"old": "active", "new": "awaiting_embassy"},
    }


def test_timeline_entries_recorded_before_events_keep_their_text(case, caseworker):
    Note.objects.create(
        case=case, kind="status_change", text="Status: New → Active", automatic=True
    )
    page = case_page_tabs(reader(caseworker, "fr"), case, "timeline")
    assert "Status: New → Active" in text_of(page, "timeline-list")


def test_case_list_names_nationalities(case, caseworker):
    page = reader(caseworker, "fr").get(reverse("case-list")).content.decode()
    rows = text_of(page, "case-table")
    assert "Inde" in rows and not re.search(r"\bIN\b", rows)


def test_region_names_are_in_the_readers_language():
    names = {name for pair in stats.m49().values() for name in pair}
    with translation.override("fr"):
        assert all(labels.region_name(name) != name for name in names - {"Europe"})
        assert stats.DIMENSIONS["region"].value_label("Eastern Africa") == "Afrique orientale"
        rolled_up = stats.DIMENSIONS["nationality"].value_label("m49:Eastern Africa")
        assert "Afrique orientale" in rolled_up and "Eastern" not in rolled_up
    with translation.override("en"):
        assert stats.DIMENSIONS["region"].value_label("South-eastern Asia") == "South-eastern Asia"


def test_audit_log_names_its_objects_in_the_readers_language(org, caseworker, case):
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=org)
    reader(caseworker, "en").get(reverse("case-list"))
    page = reader(admin, "en").get(reverse("audit-log")).content.decode()
    events = text_of(page, "audit-events")
    assert "case list" in events and "case-list" not in events
    assert "embassy disclosure" in events and "embassydisclosure" not in events


def test_empty_choice_is_labelled_in_the_readers_language(case, caseworker):
    # Django's own label has no Ukrainian translation: Homeward's catalogue gives it one.
    page = reader(caseworker, "uk").get(reverse("contact-add", args=[case.reference]))
    assert "- Select an option -" not in page.content.decode()


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("fr", "Afrique du Sud", "Allemagne"), ("uk", "Аруба", "Вірменія")],
)
def test_registration_names_and_sorts_countries_in_the_readers_language(
    caseworker, language, first, second
):
    client = reader(caseworker, language)
    who = {"person-given_name": "Brian", "person-family_name": "Otieno"}
    page = register_in_steps(client, who, until="origin")
    select = text_of(page.content.decode(), "id_identity-nationalities")
    assert first in select and second in select
    assert select.index(first) < select.index(second)  # English would have them reversed
