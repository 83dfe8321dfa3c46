"""A write and its audit event commit together or not at all, and a form sent twice
creates one record.

The failures are real database errors raised by test-only triggers, in tests whose
statements really commit (transaction=True), so what survives is what a user would find.
"""

import datetime
import re
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from casework import workflows
from casework.audit import Action, AuditEvent
from casework.models import (
    Case,
    Consent,
    Contact,
    Document,
    EmbassyMessage,
    EmbassyRequest,
    Note,
    SubmissionKey,
    Task,
)
from tests.factories import CaseFactory, UserFactory
from tests.helpers import page_forms, register_in_steps, share_with_embassy, signed_in_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KEY = "k" * 32


def signed_in(user):
    # A 500 is an answer to look at here, not an exception to re-raise.
    return signed_in_client(user, Client(raise_request_exception=False))


def _failing_trigger(name, table, when):
    """A trigger that makes a statement on `table` fail when `when` holds (PL/pgSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {when} THEN
                    RAISE EXCEPTION 'simulated failure';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {name}();
            """
        )


def _drop_trigger(name, table):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}")


@pytest.fixture
def audit_of_notes_fails():
    _failing_trigger(
        "test_audit_of_notes_fails",
        "casework_auditevent",
        "NEW.object_type = 'note' AND NEW.action = 'create'",
    )
    yield
    _drop_trigger("test_audit_of_notes_fails", "casework_auditevent")


@pytest.fixture
def last_activity_update_fails():
    _failing_trigger(
        "test_last_activity_fails",
        "casework_case",
        "TG_OP = 'UPDATE' AND NEW.last_activity_at IS DISTINCT FROM OLD.last_activity_at",
    )
    yield
    _drop_trigger("test_last_activity_fails", "casework_case")


def _note_data(**extra):
    return {
        "kind": "call",
        "occurred_at": "2026-01-10T10:00",
        "text": "Spoke with the family.",
        "confidentiality": "normal",
        **extra,
    }


def _note_events():
    return AuditEvent.objects.filter(object_type="note", action=Action.CREATE)


# All or nothing


@pytest.mark.django_db(transaction=True)
def test_note_is_not_saved_when_its_audit_event_cannot_be_written(
    caseworker, case, audit_of_notes_fails
):
    response = signed_in(caseworker).post(reverse("note-add", args=[case.reference]), _note_data())
    assert response.status_code == 500
    assert not Note.objects.filter(case=case).exists()


@pytest.mark.django_db(transaction=True)
def test_note_and_its_audit_event_are_undone_when_a_later_step_fails(
    caseworker, case, last_activity_update_fails
):
    response = signed_in(caseworker).post(reverse("note-add", args=[case.reference]), _note_data())
    assert response.status_code == 500
    assert not Note.objects.filter(case=case).exists()
    assert not _note_events().exists()


@pytest.fixture
def connection_drops_at_the_audit_of_a_note():
    # The server ends the request's own connection, as pg_terminate_backend did under load.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_drop_connection() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.object_type = 'note' AND NEW.action = 'create' THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(1);
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_drop_connection BEFORE INSERT ON casework_auditevent
                FOR EACH ROW EXECUTE FUNCTION test_drop_connection();
            """
        )
    yield
    connection.close()
    _drop_trigger("test_drop_connection", "casework_auditevent")


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_request_leaves_no_unaudited_note(
    caseworker, case, connection_drops_at_the_audit_of_a_note
):
    response = signed_in(caseworker).post(reverse("note-add", args=[case.reference]), _note_data())
    assert response.status_code == 500
    connection.close()
    assert not Note.objects.filter(case=case).exists()


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_failure_creates_the_note_once(caseworker, case):
    client = signed_in(caseworker)
    url = reverse("note-add", args=[case.reference])
    _failing_trigger(
        "test_last_activity_fails",
        "casework_case",
        "TG_OP = 'UPDATE' AND NEW.last_activity_at IS DISTINCT FROM OLD.last_activity_at",
    )
    try:
        assert client.post(url, _note_data(submission_key=KEY)).status_code == 500
    finally:
        _drop_trigger("test_last_activity_fails", "casework_case")
    assert client.post(url, _note_data(submission_key=KEY)).status_code == 302
    assert client.post(url, _note_data(submission_key=KEY)).status_code == 302
    assert Note.objects.filter(case=case, automatic=False).count() == 1
    assert _note_events().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_creates_one_note(caseworker, case):
    url = reverse("note-add", args=[case.reference])
    clients = [signed_in(caseworker) for _ in range(4)]
    answers = []
    start = threading.Barrier(len(clients))

    def send(client):
        start.wait()
        try:
            answers.append(client.post(url, _note_data(submission_key=KEY)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=[client]) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * len(clients)
    assert Note.objects.filter(case=case, automatic=False).count() == 1
    assert _note_events().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_denial_is_recorded_although_the_request_is_rolled_back(caseworker):
    elsewhere = CaseFactory()
    response = signed_in(caseworker).get(elsewhere.get_absolute_url())
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=Action.DENIED, actor_id=caseworker.pk, case_reference=elsewhere.reference
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_page_is_recorded_although_the_request_is_rolled_back(caseworker):
    response = signed_in(caseworker).get(reverse("embassy-portal"))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor_id=caseworker.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_sign_in_is_recorded_and_counted(caseworker):
    client = Client()
    response = client.post(reverse("login"), {"username": caseworker.username, "password": "no"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.LOGIN_FAILED, actor_label=caseworker.username
    ).exists()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username=caseworker.username).exists()


@pytest.mark.django_db(transaction=True)
def test_a_page_view_is_audited_after_the_page_is_built(caseworker, case):
    # Views are recorded once the request's transaction has ended, so a page being
    # rendered never holds the audit chain's head row.
    response = signed_in(caseworker).get(case.get_absolute_url())
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.VIEW, case_reference=case.reference, object_type="case"
    ).exists()


# Sent twice, created once


@pytest.fixture
def shared_case(case, caseworker):
    supervisor = UserFactory(role=Role.SUPERVISOR, organisation=caseworker.organisation)
    share_with_embassy(case, recorded_by=caseworker, approved_by=supervisor)
    return case


def _embassy_request(case):
    return EmbassyRequest.objects.create(
        case=case,
        country="KE",
        kind="travel_document",
        message="Please issue a document.",
        due_at=timezone.now() + datetime.timedelta(days=10),
        created_by=case.assigned_to,
    )


REGISTRATION = {
    "person-given_name": "Sipho",
    "person-family_name": "Ndlovu",
    "person-sex": "male",
    "person-birth_year": "1990",
    "identity-nationalities": ["ZA"],
    "identity-document_status": "unknown",
    "case-situation": "pow_in_ukraine",
    "case-situation_country": "UA",
    "case-risk": "high",
    "recruitment-method": "online_advertisement",
    "recruitment-unit_type": "assault",
}


def _create_forms(case):
    """(url name, url args, data, model of what is created, its object type in the log)."""
    ref = [case.reference]
    return {
        "note": ("note-add", ref, _note_data(), Note, "note"),
        "task": (
            "task-add",
            ref,
            {"title": "Call", "kind": "follow_up", "due_at": "2026-12-10T12:00"},
            Task,
            "task",
        ),
        "contact": (
            "contact-add",
            ref,
            {"kind": "family", "name": "Mama", "relationship": "mother"},
            Contact,
            "contact",
        ),
        "consent": (
            "consent-add",
            ref,
            {"scope": "contact_family", "method": "verbal", "given_at": "2026-01-01T10:00"},
            Consent,
            "consent",
        ),
        "embassy request": (
            "embassy-request-add",
            ref,
            {
                "country": "KE",
                "kind": "travel_document",
                "message": "Please issue a document.",
                "due_at": "2026-12-10T12:00",
            },
            EmbassyRequest,
            "embassyrequest",
        ),
        "document": ("document-upload", ref, {"kind": "other"}, Document, "document"),
        "registration": ("case-register", [], REGISTRATION, Case, "case"),
    }


def _with_file(name, data):
    if name == "document":
        return {**data, "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}
    return data


CREATE_FORMS = ["note", "task", "contact", "consent", "embassy request", "document", "registration"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_form_sent_twice_with_its_key_creates_one_record(caseworker, case, name):
    url_name, args, data, model, object_type = _create_forms(case)[name]
    url = reverse(url_name, args=args)
    client = signed_in(caseworker)
    if name == "registration":
        # The summary, the registration's last step, is what creates: reach it first.
        page = register_in_steps(client, data, until="confirm").content.decode()
        [form] = [f for f in page_forms(page) if f.action == url]
        data = form.as_post_data()
    else:
        page = client.get(url).content.decode()
    key = re.search(r'name="[\w-]*submission_key" value="([\w-]+)"', page).group(1)
    field = "confirm-submission_key" if name == "registration" else "submission_key"
    before = model.objects.count()
    events = AuditEvent.objects.filter(object_type=object_type, action__in=["create", "consent"])
    audited_before = events.count()
    first = client.post(url, _with_file(name, {**data, field: key}))
    assert first.status_code == 302
    audited = events.count()
    assert audited > audited_before
    second = client.post(url, _with_file(name, {**data, field: key}))
    assert second.status_code == 302 and second.url == first.url
    assert model.objects.count() == before + 1
    assert events.count() == audited
    assert SubmissionKey.objects.filter(key=key, user=caseworker).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["note", "task"])
def test_a_form_sent_twice_by_htmx_answers_the_same_fragment(caseworker, case, name):
    url_name, args, data, model, _type = _create_forms(case)[name]
    url = reverse(url_name, args=args)
    client = signed_in(caseworker)
    first = client.post(url, {**data, "submission_key": KEY}, headers={"HX-Request": "true"})
    second = client.post(url, {**data, "submission_key": KEY}, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    written = model.objects.filter(case=case)
    assert (written.filter(automatic=False) if name == "note" else written).count() == 1
    assert second.content.count(b"<li") == first.content.count(b"<li")


@pytest.mark.django_db
def test_an_embassy_reply_sent_twice_is_sent_once(shared_case, caseworker):
    embassy_request = _embassy_request(shared_case)
    url = reverse("embassy-request-detail", args=[shared_case.reference, embassy_request.pk])
    client = signed_in(caseworker)
    page = client.get(url).content.decode()
    key = re.search(r'name="submission_key" value="([\w-]+)"', page).group(1)
    for _ in range(2):
        response = client.post(url, {"body": "Any news?", "submission_key": key})
        assert response.status_code == 302
    assert EmbassyMessage.objects.filter(request=embassy_request).count() == 1


@pytest.mark.django_db
def test_a_form_with_errors_keeps_its_key_so_the_corrected_one_is_created_once(caseworker, case):
    client = signed_in(caseworker)
    url = reverse("task-add", args=[case.reference])
    invalid = client.post(url, {"title": "", "kind": "follow_up", "submission_key": KEY})
    assert invalid.status_code == 200 and f'value="{KEY}"' in invalid.content.decode()
    data = {"title": "Call", "kind": "follow_up", "due_at": "2026-12-10T12:00"}
    client.post(url, {**data, "submission_key": KEY})
    client.post(url, {**data, "submission_key": KEY})
    assert Task.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_each_blank_form_gets_a_new_key(caseworker, case):
    client = signed_in(caseworker)
    url = reverse("note-add", args=[case.reference])
    keys = {
        re.search(r'name="submission_key" value="([\w-]+)"', client.get(url).content.decode())[1]
        for _ in range(2)
    }
    assert len(keys) == 2


@pytest.mark.django_db
def test_a_form_without_a_key_or_with_a_malformed_one_still_works(caseworker, case):
    client = signed_in(caseworker)
    url = reverse("note-add", args=[case.reference])
    assert client.post(url, _note_data()).status_code == 302
    assert client.post(url, _note_data(submission_key="\x00" + "x" * 5000)).status_code == 302
    assert Note.objects.filter(case=case, automatic=False).count() == 2


@pytest.mark.django_db
def test_another_users_key_creates_nothing_of_theirs(caseworker, case):
    colleague = UserFactory(role=Role.SUPERVISOR, organisation=caseworker.organisation)
    url = reverse("note-add", args=[case.reference])
    signed_in(caseworker).post(url, _note_data(submission_key=KEY))
    response = signed_in(colleague).post(url, _note_data(submission_key=KEY, text="Mine."))
    assert response.status_code == 302
    assert Note.objects.filter(case=case, author=colleague).exists()


@pytest.mark.django_db
def test_old_submission_keys_are_purged_by_the_sweep(caseworker, case):
    url = reverse("note-add", args=[case.reference])
    signed_in(caseworker).post(url, _note_data(submission_key=KEY))
    assert SubmissionKey.objects.filter(key=KEY).exists()
    workflows.run_sweep(timezone.now() + datetime.timedelta(days=1))
    assert SubmissionKey.objects.filter(key=KEY).exists()
    workflows.run_sweep(timezone.now() + datetime.timedelta(days=3))
    assert not SubmissionKey.objects.filter(key=KEY).exists()


# Two writers on one case


def _wait_until_blocked(pids, timeout=10.0):
    """Until every backend in `pids` waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
                [list(pids)],
            )
            if cursor.fetchone()[0] == len(pids):
                return
            time.sleep(0.02)
    raise AssertionError("the requests never waited for the case's row lock")


@pytest.mark.django_db(transaction=True)
def test_a_note_and_a_situation_edit_on_one_case_at_once_both_succeed(caseworker, case):
    """The audit chain's head is taken last, after the rows a request changes.

    A note takes the head and then touches the case; a situation edit updates the case
    and then takes the head. Held in that order, each waits for the other (a deadlock
    that PostgreSQL ends with a 500). The case's row is held by a third connection until
    the edit waits for it, then the note: released, the edit goes first, as PostgreSQL
    queues row locks in order.
    """
    from django.db import connections

    note_client, edit_client = signed_in(caseworker), signed_in(caseworker)
    edit_url = reverse("case-edit", args=[case.reference, "situation"])
    forms = page_forms(edit_client.get(edit_url).content)
    situation = next(f for f in forms if "situation" in f.names)
    answers, pids = {}, {}

    def send(name, client, url, data):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids[name] = cursor.fetchone()[0]
        answers[name] = client.post(url, data)
        connections.close_all()

    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM casework_case WHERE id = %s FOR UPDATE", [case.pk])
    edit = threading.Thread(
        target=send, args=("edit", edit_client, edit_url, situation.as_post_data())
    )
    note = threading.Thread(
        target=send,
        args=("note", note_client, reverse("note-add", args=[case.reference]), _note_data()),
    )
    try:
        edit.start()
        while "edit" not in pids:
            time.sleep(0.01)
        _wait_until_blocked([pids["edit"]])
        note.start()
        while "note" not in pids:
            time.sleep(0.01)
        _wait_until_blocked([pids["edit"], pids["note"]])
    finally:
        holder.rollback()
        holder.close()
    edit.join(30)
    note.join(30)
    assert answers["edit"].status_code == 302, answers["edit"].status_code
    assert answers["note"].status_code == 302, answers["note"].status_code
    assert Note.objects.filter(case=case, automatic=False).count() == 1
