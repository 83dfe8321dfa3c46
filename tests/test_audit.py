"""The audit log: hash chain, append-only trigger, what is audited, cost, concurrency, admin page.

Runs on PostgreSQL (tests.settings); the trigger and the one-statement writer are
PostgreSQL-specific.
"""

import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from casework import audit
from casework.audit import Action, AuditEvent, AuditHead, verify_chain
from casework.models import Note
from casework.vocabularies import NoteKind
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    OrganisationFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import run_threads, signed_in_client

PASSWORD = "correct-horse-battery"
TRIGGER = "casework_auditevent_append_only"
AUDIT_TABLES = ("casework_audithead", "casework_auditevent")


# Helpers


def verify():
    """Run `manage.py verify_audit`; return what it printed."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def record_events(count, **extra):
    for i in range(count):
        audit.record(Action.VIEW, actor_label=f"tester{i + 1}", detail=f"event {i + 1}", **extra)


def execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def trigger_exists():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger "
            "WHERE tgrelid = 'casework_auditevent'::regclass AND tgname = %s",
            [TRIGGER],
        )
        return cursor.fetchone()[0] == 1


class trigger_disabled:
    """Tamper behind the application's back: the append-only trigger off, then on again.

    Tolerates a missing trigger, so that the chain's own tamper detection is tested on
    its own; test_trigger_refuses_update_and_delete fails if the trigger is missing.
    """

    def __enter__(self):
        self.present = trigger_exists()
        if self.present:
            execute(f"ALTER TABLE casework_auditevent DISABLE TRIGGER {TRIGGER}")

    def __exit__(self, *exc):
        if self.present:
            execute(f"ALTER TABLE casework_auditevent ENABLE TRIGGER {TRIGGER}")


def signed_in(client, user):
    return signed_in_client(user, client)


def totp_code(device):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def event_row(event):
    """Every column of the event's row, as stored, in one string."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM casework_auditevent WHERE id = %s", [event.pk])
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def caseworker_case():
    caseworker = UserFactory(role=Role.CASEWORKER)
    case = CaseFactory(person__organisation=caseworker.organisation, assigned_to=caseworker)
    return caseworker, case


def case_url(case):
    return reverse("case-detail", kwargs={"reference": case.reference})


# 1. The chain verifies


@pytest.mark.django_db
def test_untouched_log_verifies_and_reports_the_count():
    assert AuditEvent.objects.count() == 0
    assert "Audit chain intact: 0 events verified." in verify()
    record_events(3)
    assert "Audit chain intact: 3 events verified." in verify()
    assert verify_chain() == (None, 3)


@pytest.mark.django_db
def test_chain_verifies_after_records_of_every_kind_and_orm_changes():
    user = UserFactory()
    case = CaseFactory(person__organisation=user.organisation)
    audit.record(Action.LOGIN, actor=user, obj=user, ip_address="192.0.2.10")
    audit.record(
        Action.CONSENT,
        actor=user,
        obj=case,
        case_reference=case.reference,
        fields=["withdrawn_at", "status"],
        detail="withdrawn share_with_embassy KE",
        ip_address="2001:db8::1",
    )
    audit.record(Action.LOGIN_FAILED, actor_label="nobody", detail="password")
    audit.record(Action.EXPORT, actor=user, detail="ünïcødé — and \"quotes\" and 'apostrophes'")
    audit.record(Action.DENIED, actor_label="x" * 300, detail="y" * 300)
    before = AuditEvent.objects.count()

    # Through the signals: create, update and delete of a note and a task, via the ORM.
    note = Note.objects.create(case=case, kind=NoteKind.CALL, text="First words")
    note.text = "Second words"
    note.save()
    task = TaskFactory(case=case)
    task.title = "Call the embassy"
    task.save()
    note.delete()
    task.delete()

    actions = list(
        AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "create", "update", "delete", "delete"]
    count = AuditEvent.objects.count()
    assert verify_chain() == (None, count)
    assert f"Audit chain intact: {count} events verified." in verify()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, count + 1))
    head = AuditHead.objects.get(pk=1)
    last = AuditEvent.objects.get(seq=count)
    assert (head.seq, head.hash, head.prev_hash) == (count, last.hash, last.prev_hash)


@pytest.mark.django_db
def test_first_event_links_to_genesis_and_each_event_to_the_one_before():
    record_events(4)
    events = list(AuditEvent.objects.order_by("seq"))
    assert events[0].prev_hash == audit.GENESIS
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    for event in events:
        # The database's sha256 agrees with Python's over the canonical payload.
        assert event.hash == event.expected_hash()
        assert f'"seq":{event.seq}' in event.payload()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address", ["2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:0db8::0001", "::FFFF:c000:0201"]
)
def test_an_ipv6_address_in_any_spelling_keeps_the_chain_intact(address):
    # PostgreSQL's inet column hands back its own canonical spelling (lower case,
    # compressed); the hash must be computed over what is stored, not what was passed.
    audit.record(Action.LOGIN_FAILED, actor_label="someone", ip_address=address)
    assert verify_chain() == (None, 1)


@pytest.mark.django_db
def test_verify_does_not_report_tampering_for_an_event_written_while_it_runs(monkeypatch):
    # On a live system verify_audit runs while requests keep writing events. An event
    # committed after the walk over the events but before the head is read is no
    # tampering; the check must not report it as "removed".
    record_events(3)
    real_filter = AuditHead.objects.filter
    written = []

    def filter_after_a_concurrent_write(*args, **kwargs):
        if not written:
            written.append(True)
            audit.record(Action.VIEW, actor_label="another request")
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(AuditHead.objects, "filter", filter_after_a_concurrent_write)
    broken, checked = verify_chain()
    assert written
    assert broken is None, f"false alarm at #{broken.seq} after {checked} events"


# 2. Tampering


@pytest.mark.django_db
def test_trigger_refuses_update_and_delete():
    record_events(2)
    assert trigger_exists(), f"no trigger {TRIGGER} on casework_auditevent"
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        execute("UPDATE casework_auditevent SET detail = 'rewritten' WHERE seq = 1")
    assert "append-only" in str(refused.value)
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        execute("DELETE FROM casework_auditevent WHERE seq = 2")
    assert "append-only" in str(refused.value)
    # The ORM is refused too, and nothing changed.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(actor_label="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert list(AuditEvent.objects.order_by("seq").values_list("detail", flat=True)) == [
        "event 1",
        "event 2",
    ]
    assert verify_chain() == (None, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column, value",
    [("detail", "nothing to see here"), ("actor_label", "someone else"), ("action", "export")],
)
def test_a_changed_event_is_named(column, value):
    record_events(5)
    with trigger_disabled():
        assert execute(f"UPDATE casework_auditevent SET {column} = %s WHERE seq = 3", [value]) == 1  # noqa: S608 - a column name from the parameters
    with pytest.raises(CommandError, match=r"#3\b"):
        verify()
    assert verify_chain()[0].seq == 3
    assert verify_chain()[1] == 2


@pytest.mark.django_db
def test_a_changed_event_with_its_own_hash_recomputed_breaks_the_next_link():
    record_events(5)
    event = AuditEvent.objects.get(seq=3)
    event.detail = "rewritten"
    forged = event.expected_hash()
    with trigger_disabled():
        execute(
            "UPDATE casework_auditevent SET detail = %s, hash = %s WHERE seq = 3",
            ["rewritten", forged],
        )
    with pytest.raises(CommandError, match=r"#4\b"):
        verify()


@pytest.mark.django_db
def test_a_deleted_last_event_is_detected():
    record_events(5)
    with trigger_disabled():
        assert execute("DELETE FROM casework_auditevent WHERE seq = 5") == 1
    with pytest.raises(CommandError, match=r"#5\b"):
        verify()


@pytest.mark.django_db
def test_a_deleted_middle_event_is_detected():
    record_events(5)
    with trigger_disabled():
        assert execute("DELETE FROM casework_auditevent WHERE seq = 2") == 1
    with pytest.raises(CommandError, match=r"#3\b"):
        verify()


@pytest.mark.django_db
def test_swapped_hashes_are_detected():
    record_events(5)
    with trigger_disabled():
        execute(
            """
            UPDATE casework_auditevent AS e
               SET hash = other.hash
              FROM casework_auditevent AS other
             WHERE (e.seq, other.seq) IN ((2, 3), (3, 2))
            """
        )
    two, three = AuditEvent.objects.filter(seq__in=[2, 3]).order_by("seq")
    assert two.hash == three.expected_hash() and three.hash == two.expected_hash()
    with pytest.raises(CommandError, match=r"#2\b"):
        verify()


@pytest.mark.django_db
def test_swapped_events_are_detected():
    record_events(5)
    with trigger_disabled():
        execute(
            """
            UPDATE casework_auditevent SET seq = -seq WHERE seq IN (2, 3);
            UPDATE casework_auditevent SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END
             WHERE seq IN (-2, -3);
            """
        )
    with pytest.raises(CommandError, match=r"#2\b"):
        verify()


@pytest.mark.django_db(transaction=True)
def test_tampering_detected_with_committed_trigger_toggling():
    # The same, with every statement committed, as an operator would do it by hand.
    record_events(5)
    with trigger_disabled():
        execute("UPDATE casework_auditevent SET detail = 'edited' WHERE seq = 3")
    assert trigger_exists()
    with pytest.raises(CommandError, match=r"#3\b"):
        verify()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("UPDATE casework_auditevent SET detail = 'event 3' WHERE seq = 3")


# 3. What is audited


@pytest.mark.django_db
def test_two_step_sign_in_is_audited(client):
    user = UserFactory(role=Role.CASEWORKER)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("login-verify")
    # The password alone is not a sign-in.
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()
    response = client.post(reverse("login-verify"), {"token": totp_code(device)})
    assert response.status_code == 302 and response.url == reverse("home")

    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert event.actor_id == user.pk
    assert event.actor_label == user.username
    assert event.organisation_id == user.organisation_id
    assert (event.object_type, event.object_id) == ("user", str(user.pk))
    assert event.ip_address == "127.0.0.1"
    assert not AuditEvent.objects.filter(action=Action.LOGIN_FAILED).exists()
    assert verify_chain()[0] is None


@pytest.mark.django_db
def test_wrong_password_is_audited_with_the_attempted_username(client):
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "not-the-password"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_label == user.username
    assert event.actor_id is None
    assert event.detail == "password"
    assert event.ip_address == "127.0.0.1"
    assert "not-the-password" not in event_row(event)
    # An unknown username is recorded as typed, too.
    client.post(reverse("login"), {"username": "ghost", "password": "whatever-it-is"})
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_label="ghost").exists()
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


@pytest.mark.django_db
def test_wrong_second_factor_is_audited(client):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    good = totp_code(device)
    wrong = f"{(int(good) + 1) % 10**device.digits:0{device.digits}d}"
    response = client.post(reverse("login-verify"), {"token": wrong})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.detail == "second factor"
    assert event.actor_label == user.username
    assert event.organisation_id == user.organisation_id
    assert (event.object_type, event.object_id) == ("user", str(user.pk))
    assert wrong not in event_row(event).replace(event.hash, "").replace(event.prev_hash, "")
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


@pytest.mark.django_db
def test_viewing_a_case_records_one_view_event(client, caseworker_case):
    caseworker, case = caseworker_case
    signed_in(client, caseworker)
    response = client.get(case_url(case))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert event.action == Action.VIEW
    assert event.case_reference == case.reference
    assert (event.object_type, event.object_id) == ("case", str(case.pk))
    assert event.actor_id == caseworker.pk
    assert event.actor_label == caseworker.username
    assert event.organisation_id == case.organisation_id
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_orm_change_without_a_request_is_by_system_and_names_fields_not_values():
    case = CaseFactory()
    note = Note.objects.create(case=case, kind=NoteKind.CALL, text="original wording 7Q2")
    note.text = "changed wording X9Z"
    note.save()
    note.refresh_from_db()
    note.save()  # nothing changed: no event

    created = AuditEvent.objects.get(action=Action.CREATE, object_type="note")
    updated = AuditEvent.objects.get(action=Action.UPDATE, object_type="note")
    for event in (created, updated):
        assert event.actor_label == "system"
        assert event.actor_id is None
        assert event.object_id == str(note.pk)
        assert event.case_reference == case.reference
        assert event.organisation_id == case.organisation_id
    assert updated.fields == ["text"]
    for event in AuditEvent.objects.all():
        row = event_row(event)
        assert "original wording" not in row
        assert "changed wording" not in row
    assert verify_chain()[0] is None


@pytest.mark.django_db
def test_orm_delete_is_audited():
    task = TaskFactory()
    pk, reference = task.pk, task.case.reference
    task.delete()
    event = AuditEvent.objects.get(action=Action.DELETE)
    assert (event.object_type, event.object_id) == ("task", str(pk))
    assert event.case_reference == reference
    assert event.actor_label == "system"


@pytest.mark.django_db
def test_change_in_a_request_is_attributed_to_the_user(rf):
    # Inside a request (AuditContextMiddleware), a signal-audited change names the user.
    user = UserFactory()
    case = CaseFactory(person__organisation=user.organisation)
    request = rf.get("/")
    request.user = user

    def change(request):
        Note.objects.create(case=case, kind=NoteKind.CALL, text="written in a request")
        return None

    audit.AuditContextMiddleware(change)(request)
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="note")
    assert (event.actor_id, event.actor_label) == (user.pk, user.username)
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_a_nonexistent_case_is_a_404_and_an_audited_denial(client):
    caseworker = UserFactory()
    signed_in(client, caseworker)
    response = client.get("/cases/HW-XXXX-XXXX/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action=Action.DENIED)
    assert event.action == Action.DENIED
    assert event.case_reference == "HW-XXXX-XXXX"
    assert event.actor_id == caseworker.pk
    assert event.organisation_id == caseworker.organisation_id
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


@pytest.mark.django_db
def test_another_organisations_case_is_a_404_and_an_audited_denial(client, caseworker_case):
    _caseworker, case = caseworker_case
    outsider = UserFactory(role=Role.SUPERVISOR)
    signed_in(client, outsider)
    assert client.get(case_url(case)).status_code == 404
    event = AuditEvent.objects.get(action=Action.DENIED)
    assert (event.action, event.case_reference) == (Action.DENIED, case.reference)


# 4. Cost: one query per audited request


def audit_queries(captured):
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in AUDIT_TABLES)]


@pytest.mark.django_db
def test_viewing_a_case_costs_one_audit_query(client, caseworker_case):
    caseworker, case = caseworker_case
    signed_in(client, caseworker)
    assert client.get(case_url(case)).status_code == 200  # warm-up; creates the head row
    with CaptureQueriesContext(connection) as captured:
        assert client.get(case_url(case)).status_code == 200
    assert len(audit_queries(captured)) == 1, audit_queries(captured)
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == 2


@pytest.mark.django_db
def test_the_audit_write_adds_exactly_one_query_to_the_case_page(
    client, caseworker_case, monkeypatch
):
    caseworker, case = caseworker_case
    signed_in(client, caseworker)

    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(case_url(case)).status_code == 200
        return len(captured)

    page_queries()  # warm-up
    audited = page_queries()
    events = AuditEvent.objects.count()
    with monkeypatch.context() as patch:
        patch.setattr(audit, "record", lambda *args, **kwargs: None)
        page_queries()
        unaudited = page_queries()
    assert AuditEvent.objects.count() == events
    assert audited - unaudited == 1


@pytest.mark.django_db
def test_the_first_event_on_an_empty_database_creates_the_head():
    AuditHead.objects.all().delete()  # as in a fresh or flushed database
    audit.record(Action.VIEW, actor_label="first")
    with CaptureQueriesContext(connection) as captured:
        audit.record(Action.VIEW, actor_label="second")
    assert len(captured) == 1
    assert AuditHead.objects.get().seq == 2
    assert verify_chain() == (None, 2)


# 5. Concurrency


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("head_exists", [True, False], ids=["head-row", "empty-database"])
def test_concurrent_writers_keep_one_unbroken_chain(head_exists):
    threads, per_thread = 8, 25
    if head_exists:
        AuditHead.objects.get_or_create(pk=1)
    else:
        AuditHead.objects.all().delete()  # as in a fresh or flushed database

    def write(n):
        for i in range(per_thread):
            audit.record(Action.VIEW, actor_label=f"thread{n}", detail=f"{n}/{i}")

    assert run_threads(threads, write) == []
    total = threads * per_thread
    assert verify_chain() == (None, total)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    details = set(AuditEvent.objects.values_list("detail", flat=True))
    assert len(details) == total
    assert AuditHead.objects.get().seq == total
    assert f"{total} events verified" in verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_inside_transactions_keep_one_unbroken_chain():
    # Writers whose own transactions commit late or roll back: the chain has no gaps,
    # because a rolled-back writer's head update is rolled back with its event.
    AuditHead.objects.get_or_create(pk=1)

    def write(n):
        for i in range(10):
            try:
                with transaction.atomic():
                    audit.record(Action.VIEW, actor_label=f"thread{n}", detail=f"{n}/{i}")
                    if i % 3 == 0:
                        raise RuntimeError("rolled back")
            except RuntimeError:
                pass

    assert run_threads(6, write) == []
    total = AuditEvent.objects.count()
    assert total == 6 * 6  # i in 1, 2, 4, 5, 7, 8
    assert verify_chain() == (None, total)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )


# 6. The administrator's audit page


@pytest.fixture
def two_organisations():
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    admin_a = UserFactory(role=Role.ADMINISTRATOR, organisation=org_a, username="admin_a")
    worker_a = UserFactory(role=Role.CASEWORKER, organisation=org_a, username="worker_a")
    worker_b = UserFactory(role=Role.CASEWORKER, organisation=org_b, username="worker_b")
    return org_a, org_b, admin_a, worker_a, worker_b


def page_events(client, **params):
    response = client.get(reverse("audit-log"), params)
    assert response.status_code == 200
    return response, [(e.actor_label, e.action, e.detail) for e in response.context["events"]]


@pytest.mark.django_db
def test_administrator_sees_only_their_organisations_events(client, two_organisations):
    _org_a, _org_b, admin_a, worker_a, worker_b = two_organisations
    signed_in(client, admin_a)  # force_login: itself an audited sign-in of admin_a
    audit.record(Action.LOGIN, actor=worker_a, detail="a-login")
    audit.record(Action.EXPORT, actor=worker_a, detail="a-export")
    audit.record(Action.LOGIN, actor=worker_b, detail="b-login")
    audit.record(Action.VIEW, actor=worker_b, detail="b-view")
    audit.record(Action.LOGIN_FAILED, actor_label="anonymous", detail="no-organisation")

    response, events = page_events(client)
    assert events == [
        ("worker_a", "export", "a-export"),
        ("worker_a", "login", "a-login"),
        ("admin_a", "login", ""),
    ]
    content = response.content.decode()
    assert "a-export" in content
    assert "b-login" not in content and "b-view" not in content and "worker_b" not in content
    assert "no-organisation" not in content
    # Filtering by another organisation's user shows nothing either.
    _, events = page_events(client, user="worker_b")
    assert events == []


def on(day, hour=10, minute=0):
    return time_machine.travel(
        datetime.datetime(2020, 3, day, hour, minute, tzinfo=datetime.UTC), tick=False
    )


@pytest.mark.django_db
def test_audit_page_filters_by_user_action_and_date(client, two_organisations):
    org_a, _org_b, admin_a, worker_a, worker_b = two_organisations
    signed_in(client, admin_a)  # an audited sign-in of admin_a, now (after March 2020)
    with on(20):
        audit.record(Action.LOGIN, actor=worker_a, detail="20th-worker-login")
        audit.record(Action.VIEW, actor=worker_a, detail="20th-worker-view")
    with on(21, 23, 59):
        audit.record(Action.LOGIN, actor=admin_a, detail="21st-admin-login")
    with on(22, 0, 1):
        audit.record(Action.VIEW, actor=worker_a, detail="22nd-worker-view")
        audit.record(Action.VIEW, actor=worker_b, detail="22nd-other-org-view")

    def details(**params):
        return [detail for _user, _action, detail in page_events(client, **params)[1]]

    assert details(user="worker_a") == ["22nd-worker-view", "20th-worker-view", "20th-worker-login"]
    assert details(user="worker_b") == []
    assert details(action="login") == ["21st-admin-login", "20th-worker-login", ""]
    assert details(user="admin_a", action="login") == ["21st-admin-login", ""]
    assert details(user="worker_a", action="view") == ["22nd-worker-view", "20th-worker-view"]
    assert details(since="2020-03-21", until="2020-03-22") == [
        "22nd-worker-view",
        "21st-admin-login",
    ]
    assert details(until="2020-03-21") == [
        "21st-admin-login",
        "20th-worker-view",
        "20th-worker-login",
    ]
    assert details(since="2020-03-21", until="2020-03-21") == ["21st-admin-login"]
    assert details(since="2020-03-22", until="2020-03-22", action="view") == ["22nd-worker-view"]
    # Nonsense filters are ignored rather than failing.
    shown = details(action="drop table", since="yesterday", before="x")
    assert len(shown) == 5
    assert all(
        AuditEvent.objects.get(detail=d, actor_label__in=["worker_a", "admin_a"]).organisation_id
        == org_a.pk
        for d in shown
    )


@pytest.mark.django_db
def test_audit_page_pages_by_seq(client, two_organisations):
    _org_a, _org_b, admin_a, worker_a, _worker_b = two_organisations
    signed_in(client, admin_a)  # event 1: admin_a's sign-in
    for i in range(55):
        audit.record(Action.VIEW, actor=worker_a, detail=f"view {i + 1}")
    response, events = page_events(client)
    assert len(events) == 50
    assert events[0][2] == "view 55" and events[-1][2] == "view 6"
    older = response.context["older"]
    _, events = page_events(client, before=older)
    assert [d for *_, d in events] == [f"view {i}" for i in range(5, 0, -1)] + [""]
    assert response.context["older"] == AuditEvent.objects.get(detail="view 6").seq


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_OFFICER])
def test_audit_page_is_a_404_for_other_roles(client, role):
    user = UserFactory(role=role)
    audit.record(Action.LOGIN, actor=user, detail="mine")
    signed_in(client, user)
    response = client.get(reverse("audit-log"))
    assert response.status_code == 404
    assert b"mine" not in response.content
    denial = AuditEvent.objects.get(action=Action.DENIED)
    assert (denial.object_type, denial.object_id) == ("page", "audit-log")


@pytest.mark.django_db
def test_audit_page_needs_sign_in(client):
    response = client.get(reverse("audit-log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# 7. Denials: in the log of the organisation holding what was asked for


def denial():
    return AuditEvent.objects.get(action=Action.DENIED)


def edit_url(reference, section="person"):
    return f"/cases/{reference}/edit/{section}/"


def page_bytes(response):
    """The page without the CSRF token (new on every response) and the language form's
    echo of the path asked for: neither says whether a case exists."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return re.sub(rb'name="next" type="hidden" value="[^"]*"', b"", content)


@pytest.mark.django_db
def test_a_liaisons_denial_by_the_role_check_lands_in_the_case_organisations_log(
    client, caseworker_case, liaison
):
    _caseworker, case = caseworker_case
    signed_in(client, liaison)
    response = client.get(edit_url(case.reference))
    assert response.status_code == 404
    event = denial()
    assert event.organisation_id == case.organisation_id
    assert event.case_reference == case.reference
    assert (event.actor_id, event.object_type, event.object_id) == (liaison.pk, "page", "case-edit")
    # The answer is the one a nonexistent reference gets, byte for byte.
    assert page_bytes(client.get(edit_url("HW-XXXX-XXXX"))) == page_bytes(response)
    # The organisation's administrator sees it among the denials.
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=case.organisation)
    signed_in(client, admin)
    _, events = page_events(client, action="denied")
    assert [(label, action) for label, action, _detail in events] == [(liaison.username, "denied")]
    assert verify_chain()[0] is None


@pytest.mark.django_db
def test_a_liaisons_denial_of_a_nonexistent_reference_is_a_deployment_level_event(client, liaison):
    signed_in(client, liaison)
    assert client.get(edit_url("HW-XXXX-XXXX")).status_code == 404
    event = denial()
    assert (event.organisation_id, event.case_reference) == (None, "HW-XXXX-XXXX")


@pytest.mark.django_db
def test_a_caseworker_probing_another_organisations_case_is_logged_in_that_organisations_log(
    client, caseworker_case
):
    _caseworker, case = caseworker_case
    outsider = UserFactory(role=Role.CASEWORKER)
    signed_in(client, outsider)
    for url in (case_url(case), edit_url(case.reference), f"{case_url(case)}notes/1/"):
        assert client.get(url).status_code == 404
    events = AuditEvent.objects.filter(action=Action.DENIED)
    assert events.count() == 3
    for event in events:
        assert event.organisation_id == case.organisation_id
        assert event.case_reference == case.reference
        assert event.actor_id == outsider.pk
    assert not events.filter(organisation_id=outsider.organisation_id).exists()


@pytest.mark.django_db
def test_a_long_reference_starting_with_a_real_one_is_not_blamed_on_its_organisation(
    client, caseworker_case
):
    _caseworker, case = caseworker_case
    outsider = UserFactory(role=Role.SUPERVISOR)
    signed_in(client, outsider)
    assert client.get(f"/cases/{case.reference}{'X' * 1988}/").status_code == 404
    event = denial()
    assert event.organisation_id == outsider.organisation_id
    assert event.case_reference == case.reference[:11] + audit.TRUNCATED


@pytest.mark.django_db
def test_a_2000_character_section_slug_is_a_404_and_an_audited_denial(client, caseworker_case):
    caseworker, case = caseworker_case
    signed_in(client, caseworker)
    response = client.get(edit_url(case.reference, "A" * 2000))
    assert response.status_code == 404
    assert page_bytes(client.get(edit_url("HW-XXXX-XXXX", "A" * 2000))) == page_bytes(response)
    event = AuditEvent.objects.filter(action=Action.DENIED).order_by("seq").first()
    assert (event.object_type, event.case_reference) == ("section", case.reference)
    assert event.object_id == "A" * 49 + audit.TRUNCATED
    assert event.organisation_id == case.organisation_id
    # A page that was not shown is not recorded as viewed.
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()
    assert verify_chain() == (None, AuditEvent.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LIAISON])
def test_a_2000_character_reference_is_a_404_and_an_audited_denial(client, role):
    user = LiaisonFactory() if role == Role.LIAISON else UserFactory(role=role)
    signed_in(client, user)
    for url in (f"/cases/{'B' * 2000}/", edit_url("B" * 2000)):
        assert client.get(url).status_code == 404
    events = AuditEvent.objects.filter(action=Action.DENIED)
    assert events.count() == 2
    assert {e.case_reference for e in events} == {"B" * 11 + audit.TRUNCATED}
    assert {e.organisation_id for e in events} == {user.organisation_id}
    assert verify_chain() == (None, AuditEvent.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LIAISON])
def test_a_reference_with_a_nul_byte_is_a_404_and_an_audited_denial(client, role):
    user = LiaisonFactory() if role == Role.LIAISON else UserFactory(role=role)
    signed_in(client, user)
    for url in ("/cases/a%00b/", edit_url("a%00b"), "/cases/a%00b/notes/1/"):
        assert client.get(url).status_code == 404
    events = AuditEvent.objects.filter(action=Action.DENIED)
    assert [e.case_reference for e in events] == ["a\ufffdb"] * 3
    assert verify_chain() == (None, AuditEvent.objects.count())


@pytest.mark.django_db
def test_over_long_and_unstorable_values_are_truncated_with_a_marker_and_the_chain_verifies():
    audit.record(
        Action.DENIED,
        actor_label="a" * 300,
        object_type="t" * 80,
        object_id="1" * 80,
        case_reference="R" * 40,
        fields=["f" * 300, "status"],
        detail="nul\x00byte and a lone \ud800 surrogate " + "d" * 300,
    )
    event = denial()
    assert event.actor_label == "a" * 149 + audit.TRUNCATED
    assert event.object_type == "t" * 49 + audit.TRUNCATED
    assert event.object_id == "1" * 49 + audit.TRUNCATED
    assert event.case_reference == "R" * 11 + audit.TRUNCATED
    assert event.fields == ["f" * 99 + audit.TRUNCATED, "status"]
    assert len(event.detail) == 200 and event.detail.endswith(audit.TRUNCATED)
    assert event.detail.startswith("nul\ufffdbyte and a lone ? surrogate")
    # Values that fit are kept as they are.
    audit.record(Action.DENIED, object_id="1" * 50, case_reference="R" * 12)
    event = AuditEvent.objects.order_by("seq").last()
    assert (event.object_id, event.case_reference) == ("1" * 50, "R" * 12)
    assert verify_chain() == (None, 2)


@pytest.mark.django_db
def test_audit_page_shows_a_daily_count_of_denials_for_the_last_14_days(client, two_organisations):
    _org_a, _org_b, admin_a, worker_a, worker_b = two_organisations
    now = datetime.datetime.now(tz=datetime.UTC)

    def denied_on(days_ago, actor, count=1):
        with time_machine.travel(now - datetime.timedelta(days=days_ago), tick=False):
            for _ in range(count):
                audit.record(Action.DENIED, actor=actor, object_type="page")

    denied_on(0, worker_a, 2)
    denied_on(2, worker_a)
    denied_on(13, worker_a, 3)
    denied_on(14, worker_a)  # outside the window
    denied_on(0, worker_b, 5)  # another organisation's
    audit.record(Action.VIEW, actor=worker_a)  # not a denial
    signed_in(client, admin_a)
    response, _ = page_events(client)
    today = now.date()
    counts = response.context["denials_by_day"]
    assert len(counts) == 14
    assert counts[0] == (today, 2)
    assert counts[2] == (today - datetime.timedelta(days=2), 1)
    assert counts[13] == (today - datetime.timedelta(days=13), 3)
    assert sum(n for _day, n in counts) == 6
    assert [day for day, _n in counts] == [today - datetime.timedelta(days=d) for d in range(14)]
    table = response.content.decode().split('id="denials-by-day"')[1].split("</table>")[0]
    assert f"?action=denied&amp;since={today.isoformat()}&amp;until={today.isoformat()}" in table
