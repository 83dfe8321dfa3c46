"""The case timeline: one page of notes at a time, latest first, filterable by kind; only
what the reader may see; a note added shows on the first page; bad parameters are
ignored; the case page reads and decrypts one page of notes however many there are."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from casework import crypto
from casework.http import MAX_PAGE
from casework.models import Note
from casework.views.timeline import PAGE_SIZE, timeline_context
from casework.vocabularies import Confidentiality, NoteKind
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 1, 1, 9, 0))


def add_notes(case, count, *, kind=NoteKind.CALL, start=0, same_time=False, **fields):
    """`count` notes "Note <i>" an hour apart (note i+1 later than note i), or all at
    the same moment with `same_time`."""
    return Note.objects.bulk_create(
        [
            Note(
                case=case,
                kind=kind,
                text=f"Note {i}",
                occurred_at=START + datetime.timedelta(hours=0 if same_time else i),
                **fields,
            )
            for i in range(start, start + count)
        ]
    )


def shown(content: bytes) -> list[str]:
    """The notes listed in the timeline, top to bottom."""
    listed = content.decode().split('id="timeline-list"')[1].split("</ol>")[0]
    return re.findall(r"Note \d+", listed)


def timeline(client, case, **params):
    return client.get(
        reverse("case-timeline", args=[case.reference]), params, HTTP_HX_REQUEST="true"
    )


@pytest.fixture
def client(caseworker):
    return signed_in_client(caseworker)


# --- Pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("total", [PAGE_SIZE * 2, PAGE_SIZE * 2 + 1])
def test_pages_hold_twenty_five_latest_first_and_link_only_to_pages_that_exist(client, case, total):
    add_notes(case, total)
    first, second = timeline(client, case), timeline(client, case, page=2)
    assert shown(first.content) == [f"Note {i}" for i in range(total - 1, total - 26, -1)]
    assert shown(second.content) == [f"Note {i}" for i in range(total - 26, total - 51, -1)]
    assert b"Older entries" in first.content and b"Newer entries" not in first.content
    assert b"Newer entries" in second.content and b"page=1" in second.content
    # 50 notes: nothing after page 2, so no link to it; 51: one note on page 3.
    assert (b"Older entries" in second.content) == (total > PAGE_SIZE * 2)
    third = timeline(client, case, page=3)
    assert shown(third.content) == (["Note 0"] if total > PAGE_SIZE * 2 else [])
    assert b"Older entries" not in third.content


def test_notes_at_the_same_moment_are_paged_by_id_without_loss_or_repeat(client, case):
    notes = add_notes(case, PAGE_SIZE + 5, same_time=True)
    pages = [shown(timeline(client, case, page=n).content) for n in (1, 2)]
    assert [len(page) for page in pages] == [PAGE_SIZE, 5]
    assert pages[0] + pages[1] == [n.text for n in sorted(notes, key=lambda n: -n.pk)]


def test_a_page_says_where_the_reader_is_and_takes_focus_after_a_swap(client, case):
    add_notes(case, 30)
    page = timeline(client, case, page=2).content.decode()
    assert "Every kind, latest first, page 2" in page
    assert re.search(r'id="timeline-position" tabindex="-1" autofocus', page)
    # On the case page itself nothing takes the focus.
    assert "autofocus" not in client.get(case.get_absolute_url()).content.decode()


def test_its_own_filter_and_pager_get_the_entries_without_the_note_form(client, case):
    add_notes(case, 30)
    url = reverse("case-timeline", args=[case.reference])
    response = client.get(
        url, {"page": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline-entries"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="timeline-entries">')
    assert 'id="note-form"' not in page and shown(response.content)[0] == "Note 4"
    # Another target (a tab loading the timeline) gets the whole block.
    assert 'id="note-form"' in timeline(client, case).content.decode()
    assert "HX-Target" in response["Vary"]


def test_without_htmx_the_timeline_link_opens_the_case_page_at_the_same_place(client, case):
    add_notes(case, 30)
    url = reverse("case-timeline", args=[case.reference])
    response = client.get(url, {"kind": "call", "page": "2"})
    assert response.status_code == 302
    assert response.url == f"{case.get_absolute_url()}?tab=timeline&kind=call&page=2#timeline"
    page = client.get(response.url).content
    assert shown(page) == [f"Note {i}" for i in range(4, -1, -1)]


# --- Kinds ---------------------------------------------------------------------------


def test_filtering_by_kind_shows_that_kind_only_and_paging_keeps_the_filter(client, case):
    add_notes(case, 30, kind=NoteKind.VISIT)
    add_notes(case, 10, kind=NoteKind.CALL, start=100)
    page = timeline(client, case, kind="visit").content.decode()
    assert shown(page.encode()) == [f"Note {i}" for i in range(29, 4, -1)]
    assert '<option value="visit" selected>Visit</option>' in page
    assert "Visit, latest first, page 1" in page
    assert "kind=visit&amp;page=2" in page  # the Older link keeps the kind
    calls = timeline(client, case, kind="call")
    assert shown(calls.content) == [f"Note {i}" for i in range(109, 99, -1)]
    assert b"Older entries" not in calls.content


@pytest.mark.parametrize("language", ["en", "fr", "uk"])
def test_every_kind_is_offered_in_the_reader_language(client, case, settings, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = timeline(client, case).content.decode()
    with translation.override(language):
        for kind in NoteKind:
            assert f'<option value="{kind.value}">{kind.label}</option>' in page
    if language == "uk":
        assert '<option value="call">Дзвінок</option>' in page


def test_a_kind_with_no_entry_says_so(client, case):
    add_notes(case, 3)
    assert b"No entry of this kind." in timeline(client, case, kind="meeting").content


# --- Who sees what ---------------------------------------------------------------------


def test_restricted_notes_are_on_the_page_only_for_those_who_may_read_them(org, caseworker):
    collaborator = UserFactory(role=Role.CASEWORKER, organisation=org)
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=org)
    case = CaseFactory(person=PersonFactory(organisation=org), assigned_to=caseworker)
    case.collaborators.add(collaborator)
    add_notes(case, 20)
    add_notes(case, 20, start=100, confidentiality=Confidentiality.RESTRICTED)
    everything = [f"Note {i}" for i in [*range(119, 99, -1), *range(19, 14, -1)]]
    for reader, expected in [
        (caseworker, everything),
        (supervisor, everything),
        (collaborator, [f"Note {i}" for i in range(19, -1, -1)]),
    ]:
        client = signed_in_client(reader)
        assert shown(timeline(client, case).content) == expected, reader.role
        assert shown(client.get(case.get_absolute_url()).content) == expected
    # The collaborator's page 2 is empty: the restricted notes do not fill it.
    assert shown(timeline(signed_in_client(collaborator), case, page=2).content) == []


def test_a_liaison_or_another_organisation_gets_404(case, liaison):
    add_notes(case, 3)
    stranger = UserFactory(role=Role.SUPERVISOR)
    for user in (liaison, stranger):
        assert timeline(signed_in_client(user), case).status_code == 404


# --- Adding a note -----------------------------------------------------------------


def test_a_note_added_shows_on_the_first_page_with_the_filter_cleared(client, case):
    add_notes(case, 40, kind=NoteKind.VISIT)
    response = client.post(
        reverse("note-add", args=[case.reference]) + "?kind=visit&page=2",
        {
            "kind": "call",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "text": "Note 999",
            "confidentiality": "normal",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="timeline-block"' in page
    assert shown(response.content)[:2] == ["Note 999", "Note 39"]
    assert "Every kind, latest first, page 1" in page
    assert "selected" not in page.split('id="timeline-kind"')[1].split("</select>")[0]
    # The form is empty again, ready for the next note.
    assert "Note 999</textarea>" not in page


def test_a_refused_note_keeps_what_was_typed_beside_the_first_page(client, case):
    add_notes(case, 30)
    response = client.post(
        reverse("note-add", args=[case.reference]),
        {"kind": "call", "text": "Half a sentence", "occurred_at": "not a date"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in page
    assert "Half a sentence</textarea>" in page
    assert len(shown(response.content)) == PAGE_SIZE


# --- Bad parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "no-such-kind"},
        {"kind": "call\x00"},
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "²"},
        {"page": "1\x00"},
        {"page": "2.5"},
        {"page": "99999999999999999999"},  # longer than any database integer
    ],
)
def test_unreadable_parameters_mean_the_first_page_of_every_kind(client, case, params):
    add_notes(case, 30)
    for response in (
        timeline(client, case, **params),
        client.get(case.get_absolute_url(), params),
    ):
        assert response.status_code == 200
        assert shown(response.content)[0] == "Note 29"


def test_a_page_past_the_end_is_empty_with_a_way_back(client, case):
    add_notes(case, 3)
    for page in ("7", "999999999999999999", str(MAX_PAGE + 1)):
        response = timeline(client, case, page=page)
        assert response.status_code == 200
        assert shown(response.content) == []
        assert b"No more entries." in response.content and b"Newer entries" in response.content


# --- Cost: one page, whatever the number of notes --------------------------------------


def count_case_page_queries(client, case):
    url = case.get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_case_page_runs_the_same_queries_for_30_notes_as_for_1000(client, caseworker):
    cases = [
        CaseFactory(
            person=PersonFactory(organisation=caseworker.organisation), assigned_to=caseworker
        )
        for _ in range(2)
    ]
    add_notes(cases[0], 30)
    add_notes(cases[1], 1000)
    counts = [count_case_page_queries(client, case) for case in cases]
    assert counts[0] == counts[1], counts
    assert shown(client.get(cases[1].get_absolute_url()).content)[0] == "Note 999"


def test_only_one_page_of_notes_is_decrypted(client, case, monkeypatch):
    add_notes(case, 1000)
    decrypted = []
    real = crypto.decrypt

    def counting(token):
        plain = real(token)
        decrypted.append(plain)
        return plain

    monkeypatch.setattr(crypto, "decrypt", counting)
    context = timeline_context(case.assigned_to, case, page=3)
    assert [n.text for n in context["notes"]] == [f"Note {i}" for i in range(949, 924, -1)]
    assert len([p for p in decrypted if p.startswith("Note ")]) == PAGE_SIZE
    decrypted.clear()
    assert client.get(case.get_absolute_url()).status_code == 200
    assert len([p for p in decrypted if p.startswith("Note ")]) == PAGE_SIZE
