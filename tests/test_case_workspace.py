"""The case page as a workspace (issue 14): summary header, next panel, tabs loaded one
at a time, consent recorded in place. The browser side is tests/browser/test_case_workspace.py.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_countries.fields import Country

from accounts.models import Role
from casework.audit import Action, AuditEvent
from casework.models import Consent, Escalation, Task
from casework.submissions import new_key
from casework.views.workspace import TABS
from casework.vocabularies import AttachmentKind, EmbassyRequestStatus, TaskStatus
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    DocumentFactory,
    EmbassyRequestFactory,
    EscalationFactory,
    OrganisationFactory,
    PersonFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import page_forms, signed_in_client
from tests.test_readable_values import reader, text_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TAB_SWAP = {**HTMX, "HTTP_HX_TARGET": "case-workspace"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def caseworker(organisation):
    return UserFactory(
        role=Role.CASEWORKER, organisation=organisation, first_name="Olena", last_name="Koval"
    )


@pytest.fixture
def supervisor(organisation):
    return UserFactory(role=Role.SUPERVISOR, organisation=organisation)


@pytest.fixture
def case(organisation, caseworker):
    person = PersonFactory(
        organisation=organisation,
        given_name="Ravi",
        family_name="Sharma",
        native_name="रवि शर्मा",
        nationalities=["IN", "NP"],
    )
    return CaseFactory(
        person=person,
        assigned_to=caseworker,
        situation="pow_in_ukraine",
        situation_country="UA",
        situation_place="Olenivka",
        risk="high",
        do_not_contact_family=True,
        custody_status="held_at",
    )


def page_of(client, case, **params):
    response = client.get(case.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The header ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "uk", "fr"])
def test_header_sums_the_case_up_in_words_of_the_readers_language(case, caseworker, language):
    ConsentFactory(case=case, scope="contact_family", country="", recorded_by=caseworker)
    page = page_of(reader(caseworker, language), case)
    header = text_of(page, "case-header")
    with translation.override(language):
        expected = [
            "Ravi Sharma",
            "रवि शर्मा",
            str(case.get_situation_display()),
            "Olenivka",
            str(case.get_custody_status_display()),
            str(case.get_risk_display()),
            "Olena Koval",
            str(Consent.objects.get(case=case).label),
            str(case._meta.get_field("do_not_contact_family").verbose_name).capitalize(),
        ]
        expected += [Country(code).name for code in ("IN", "NP", "UA")]
    for text in expected:
        assert text in header, (language, text, header)
    assert not re.search(r"\b(IN|NP|UA|held_at|pow_in_ukraine|high|None)\b", header), header


def test_header_shows_an_uploaded_photo_only_if_it_is_an_image(case, caseworker):
    client = signed_in_client(caseworker)
    DocumentFactory(case=case, kind=AttachmentKind.PHOTO)  # a PDF filed as a photo
    assert "case-photo" not in page_of(client, case)
    photo = DocumentFactory(
        case=case,
        kind=AttachmentKind.PHOTO,
        content=PNG,
        content_type="image/png",
        original_name="face.png",
    )
    page = page_of(client, case)
    src = reverse("document-download", args=[case.reference, photo.pk])
    assert f'class="case-photo" src="{src}"' in page
    response = client.get(src)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


# --- Tabs --------------------------------------------------------------------------------


def test_default_tab_is_the_timeline_and_each_tab_has_its_sections(case, caseworker):
    client = signed_in_client(caseworker)
    page = page_of(client, case)
    assert 'id="timeline-list"' in page and 'id="contact-list"' not in page
    assert re.search(r'id="case-tab-timeline"[^>]*aria-current="page"', page)
    for name, tab in TABS.items():
        page = page_of(client, case, tab=name)
        for section in tab.sections:
            if section != "escalations":  # only when there are some
                assert f'id="{section}"' in page, (name, section)
        assert re.search(rf'id="case-tab-{name}"[^>]*aria-current="page"', page)
        assert page.count('aria-current="page"') == 1


def test_a_tab_link_followed_by_htmx_gets_the_tabs_alone(case, caseworker):
    client = signed_in_client(caseworker)
    response = client.get(case.get_absolute_url(), {"tab": "contacts"}, **TAB_SWAP)
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div class="case-workspace" id="case-workspace">')
    assert 'id="contact-list"' in fragment and 'id="case-header"' not in fragment
    assert "<html" not in fragment
    assert "HX-Request" in response["Vary"]
    # htmx restoring history after back asks for the whole page.
    restore = client.get(
        case.get_absolute_url(),
        {"tab": "contacts"},
        **TAB_SWAP,
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("consent", "contacts"), ("situation", "person"), ("nonsense", "timeline"), ("", "timeline")],
)
def test_tab_takes_a_section_name_and_anything_else_means_the_timeline(
    case, caseworker, asked, shown
):
    page = page_of(signed_in_client(caseworker), case, tab=asked)
    assert re.search(rf'id="case-tab-{shown}"[^>]*aria-current="page"', page)


def test_each_tab_load_is_audited_as_a_view_of_the_case(case, caseworker):
    client = signed_in_client(caseworker)
    before = AuditEvent.objects.filter(action=Action.VIEW, case_reference=case.reference).count()
    client.get(case.get_absolute_url(), {"tab": "person"}, **TAB_SWAP)
    after = AuditEvent.objects.filter(action=Action.VIEW, case_reference=case.reference).count()
    assert after == before + 1


def test_redirects_after_a_save_open_the_tab_of_the_section(case, caseworker):
    client = signed_in_client(caseworker)
    response = client.post(
        reverse("contact-add", args=[case.reference]),
        {"submission_key": new_key(), "kind": "family", "name": "Sunita Sharma", "country": "IN"},
    )
    assert response.status_code == 302
    assert response.url == f"{case.get_absolute_url()}?tab=contacts#contacts"
    assert "Sunita Sharma" in text_of(page_of(client, case, tab="contacts"), "contact-list")


# --- The next panel ------------------------------------------------------------------------


def test_next_panel_lists_what_is_due_and_nothing_else(case, caseworker, supervisor):
    now = timezone.now()
    TaskFactory(case=case, title="Overdue call", due_at=now - datetime.timedelta(days=2))
    TaskFactory(case=case, title="Visit on Friday", due_at=now + datetime.timedelta(days=3))
    TaskFactory(case=case, title="Next month", due_at=now + datetime.timedelta(days=30))
    Task.objects.filter(pk=TaskFactory(case=case, title="Already done", due_at=now).pk).update(
        status=TaskStatus.DONE, completed_at=now
    )
    EmbassyRequestFactory(case=case, kind="travel_document", due_at=now - datetime.timedelta(1))
    EmbassyRequestFactory(
        case=case,
        kind="repatriation",
        due_at=now - datetime.timedelta(days=1),
        status=EmbassyRequestStatus.FULFILLED,
    )
    EmbassyRequestFactory(case=case, kind="consular_visit", due_at=now + datetime.timedelta(1))
    EscalationFactory(case=case, rule="task_overdue", message="A task is overdue.")
    EscalationFactory(case=case, acknowledged_at=now, acknowledged_by=supervisor)
    panel = text_of(page_of(signed_in_client(caseworker), case), "next-panel")
    assert "Overdue call" in panel and "Visit on Friday" in panel
    assert "Next month" not in panel and "Already done" not in panel
    assert "Travel document" in panel
    assert "Repatriation" not in panel and "Consular visit" not in panel
    assert f"A task on case {case.reference} is overdue." in panel
    assert "A case has had no activity" not in panel
    assert panel.index("Overdue call") < panel.index("Visit on Friday")


def test_next_panel_says_when_nothing_is_due(case, caseworker):
    panel = text_of(page_of(signed_in_client(caseworker), case), "next-panel")
    assert "Nothing overdue or due in the next 7 days." in panel


def test_done_in_the_next_panel_closes_the_task_and_tells_the_tasks_tab(case, caseworker):
    task = TaskFactory(case=case, title="Call the sister")
    client = signed_in_client(caseworker)
    url = reverse("case-next-task-done", args=[case.reference, task.pk])
    response = client.post(url, **HTMX)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert response["HX-Trigger"] == "tasks-changed"
    fragment = response.content.decode()
    assert 'id="next-panel"' in fragment and "Call the sister" not in fragment
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="task", object_id=str(task.pk)
    ).exists()
    # Again, or without htmx: nothing more changes, and the page comes back.
    again = client.post(url)
    assert again.status_code == 302 and again.url == case.get_absolute_url()


def test_only_a_supervisor_acknowledges_from_the_next_panel(case, caseworker, supervisor):
    escalation = EscalationFactory(case=case)
    url = reverse("case-next-escalation-acknowledge", args=[case.reference, escalation.pk])
    assert "Acknowledge" not in text_of(page_of(signed_in_client(caseworker), case), "next-panel")
    assert signed_in_client(caseworker).post(url, **HTMX).status_code == 404
    client = signed_in_client(supervisor)
    assert "Acknowledge" in text_of(page_of(client, case), "next-panel")
    response = client.post(url, **HTMX)
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == supervisor
    assert "Nothing overdue" in text_of(response.content.decode(), "next-panel")
    assert Escalation.objects.filter(acknowledged_at__isnull=True).count() == 0
    # The timeline tab's list follows: told to reload, it finds the escalation acknowledged.
    assert response["HX-Trigger"] == "escalations-changed"
    timeline = client.get(case.get_absolute_url(), {"tab": "timeline"}, **HTMX)
    listed = text_of(timeline.content.decode(), "timeline-escalations")
    assert f"acknowledged by {supervisor.get_username()}" in listed


def test_a_task_closed_in_the_tasks_tab_refreshes_the_next_panel_too(case, caseworker):
    task = TaskFactory(case=case, title="Ask for the passport")
    client = signed_in_client(caseworker)
    response = client.post(reverse("task-complete", args=[case.reference, task.pk]), **HTMX)
    fragment = response.content.decode()
    assert 'id="tasks-block"' in fragment
    assert re.search(r'id="next-panel"[^>]*hx-swap-oob="true"', fragment)
    assert "Ask for the passport" not in text_of(fragment, "next-panel")


# --- Consent recorded in place --------------------------------------------------------------


def consent_data(**fields):
    return {
        "submission_key": new_key(),
        "scope": "share_with_embassy",
        "country": "IN",
        "method": "written",
        "given_at": "2026-03-02T10:00",
        **fields,
    }


def test_consent_recorded_in_place_refreshes_the_list_and_the_header(case, caseworker):
    client = signed_in_client(caseworker)
    page = page_of(client, case, tab="contacts")
    assert 'hx-post="{}"'.format(reverse("consent-add", args=[case.reference])) in page
    response = client.post(reverse("consent-add", args=[case.reference]), consent_data(), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    consent = Consent.objects.get(case=case)
    assert consent.recorded_by == caseworker and consent.is_active
    assert "Consent recorded." in fragment
    assert consent.label in text_of(fragment, "consent-list")
    assert re.search(r'id="case-header"[^>]*hx-swap-oob="true"', fragment)
    assert consent.label in text_of(fragment, "header-consents")
    # A fresh form: nothing of the recorded consent is left in it.
    assert 'value="IN" selected' not in fragment


def test_a_refused_consent_keeps_what_was_typed_and_says_why(case, caseworker):
    client = signed_in_client(caseworker)
    url = reverse("consent-add", args=[case.reference])
    response = client.post(url, consent_data(country="", organisation_name="Red Cross"), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Which country&#x27;s embassy?" in fragment or "Which country's embassy?" in fragment
    assert not Consent.objects.exists()
    assert 'id="case-header"' not in fragment  # nothing changed up there
    assert 'value="written" selected' in fragment


def test_a_consent_already_active_is_refused_in_place(case, caseworker):
    client = signed_in_client(caseworker)
    url = reverse("consent-add", args=[case.reference])
    client.post(url, consent_data(), **HTMX)
    response = client.post(url, consent_data(), **HTMX)
    assert "This consent is already recorded and active." in response.content.decode()
    assert Consent.objects.filter(case=case).count() == 1


def test_consent_without_htmx_still_redirects_to_the_consent_section(case, caseworker):
    response = signed_in_client(caseworker).post(
        reverse("consent-add", args=[case.reference]), consent_data()
    )
    assert response.status_code == 302
    assert response.url == f"{case.get_absolute_url()}?tab=consent#consent"
    assert Consent.objects.filter(case=case).count() == 1


# --- Sections edited in place -----------------------------------------------------------


def in_place_form(client, case, section):
    """The section's form as the case page gets it by htmx, and what it would send."""
    response = client.get(reverse("case-edit", args=[case.reference, section]), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and f'id="{section}"' in fragment
    (form,) = page_forms(fragment)
    return form.as_post_data()


def test_a_section_saved_in_place_shows_its_tab_and_refreshes_the_header(case, caseworker):
    client = signed_in_client(caseworker)
    data = in_place_form(client, case, "situation")
    assert data["risk"] == ["high"]
    data["risk"] = ["critical"]
    url = reverse("case-edit", args=[case.reference, "situation"])
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    case.refresh_from_db()
    assert case.risk == "critical"
    assert 'id="workspace-status"' in fragment and "Saved." in fragment
    assert re.search(r'id="case-tab-person"[^>]*aria-current="page"', fragment)
    assert "Critical" in text_of(fragment, "case-fields")
    assert re.search(r'id="case-header"[^>]*hx-swap-oob="true"', fragment)
    assert "Critical" in text_of(fragment, "case-flags")
    # No message left for the next page: it was said in place.
    assert "Saved." not in text_of(page_of(client, case, tab="person"), "main")


def test_a_section_refused_in_place_keeps_what_was_typed_and_replaces_only_itself(case, caseworker):
    client = signed_in_client(caseworker)
    data = in_place_form(client, case, "person")
    data["given_name"] = [""]
    data["native_name"] = ["रवि कुमार शर्मा"]
    url = reverse("case-edit", args=[case.reference, "person"])
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#person" and response["HX-Reswap"] == "outerHTML"
    fragment = response.content.decode()
    assert "is-invalid" in fragment and "रवि कुमार शर्मा" in fragment
    case.person.refresh_from_db()
    assert case.person.native_name == "रवि शर्मा"


def test_without_htmx_a_section_still_has_its_own_page(case, caseworker):
    client = signed_in_client(caseworker)
    page = client.get(reverse("case-edit", args=[case.reference, "recruitment"]))
    assert "<html" in page.content.decode()


def test_escalations_cost_the_same_queries_however_many(case, organisation, supervisor):
    """The next panel and the timeline tab name the case in each escalation's message."""
    other = CaseFactory(person=PersonFactory(organisation=organisation))
    EscalationFactory.create_batch(2, case=case, rule="task_overdue")
    EscalationFactory.create_batch(15, case=other, rule="task_overdue")
    client = signed_in_client(supervisor)
    counts = []
    for each in (case, other):
        page_of(client, each)
        with CaptureQueriesContext(connection) as captured:
            page = page_of(client, each)
        counts.append(len(captured.captured_queries))
        message = f"A task on case {each.reference} is overdue."
        assert message in text_of(page, "next-panel") and message in text_of(
            page, "escalation-list"
        )
    assert counts[0] == counts[1], counts


def test_a_supervisors_decision_lands_on_the_tab_it_changed(case, supervisor):
    # Approving or revoking a disclosure opens the consent tab; an acknowledgement from the
    # full page opens the timeline, where the escalations are listed.
    client = signed_in_client(supervisor)
    approved = client.post(
        reverse("disclosure-approve", args=[case.reference]),
        {"country": case.person.nationalities.first().country.code},
    )
    assert approved.url == f"{case.get_absolute_url()}?tab=consent#consent"
    assert 'id="consent-list"' in client.get(approved.url).content.decode()
    escalation = EscalationFactory(case=case)
    acknowledged = client.post(
        reverse("escalation-acknowledge", args=[case.reference, escalation.pk])
    )
    assert acknowledged.url == f"{case.get_absolute_url()}?tab=timeline#timeline"
