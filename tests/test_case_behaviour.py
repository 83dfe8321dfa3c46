"""What a case and its children do, asked of the models directly (the views only call them)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from casework.audit import AuditEvent
from casework.matching import NameKey
from casework.models import (
    Case,
    EmbassyDisclosure,
    Escalation,
    IdentityDocument,
    Person,
    Recruitment,
)
from casework.registration import register_case
from casework.vocabularies import CaseStatus, TaskStatus
from tests.factories import CaseFactory, PersonFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)


def _register(by, **extra):
    return register_case(
        by,
        Person(given_name="Brian", family_name="Otieno", birth_year=1995),
        Case(),
        Recruitment(method="online_advertisement"),
        **extra,
    )


def test_register_case_writes_person_case_recruitment_indexes_audit_and_timeline(caseworker):
    case = _register(
        caseworker,
        nationalities=["KE"],
        aliases=["Bryan Otieno"],
        identity_document=IdentityDocument(doc_type="passport", number="AK1234567"),
        means_of_control=["threats", "debt_bondage"],
    )
    case.refresh_from_db()
    assert case.organisation_id == caseworker.organisation_id
    assert case.person.organisation_id == caseworker.organisation_id
    # A caseworker's own registration is theirs, and active at once.
    assert (case.assigned_to, case.status) == (caseworker, CaseStatus.ACTIVE)
    assert [n.country.code for n in case.person.nationalities.all()] == ["KE"]
    assert list(case.person.aliases.values_list("name", flat=True)) == ["Bryan Otieno"]
    assert sorted(case.recruitment.means_of_control.values_list("means", flat=True)) == [
        "debt_bondage",
        "threats",
    ]
    assert case.person.identity_documents.get().digest.digest
    assert NameKey.objects.filter(person=case.person).exists()
    assert case.notes.get().event["code"] == "case_registered"
    audited = set(
        AuditEvent.objects.filter(case_reference=case.reference).values_list(
            "object_type", flat=True
        )
    )
    assert {"nationality", "alias", "controlmeans"} <= audited


def test_a_supervisors_registration_waits_in_the_queue_unassigned(supervisor):
    case = _register(supervisor)
    case.refresh_from_db()
    assert (case.assigned_to, case.status) == (None, CaseStatus.NEW)


def test_touch_moves_the_last_activity_of_that_case_only():
    case, other = CaseFactory(), CaseFactory()
    before = Case.objects.get(pk=other.pk).last_activity_at
    with time_machine.travel(NOON, tick=False):
        case.touch()
    assert case.last_activity_at == NOON
    assert Case.objects.get(pk=case.pk).last_activity_at == NOON
    assert Case.objects.get(pk=other.pk).last_activity_at == before


def test_a_task_is_completed_once_and_its_case_touched():
    task = TaskFactory()
    with time_machine.travel(NOON, tick=False):
        assert task.complete() is True
    task.refresh_from_db()
    assert (task.status, task.completed_at) == (TaskStatus.DONE, NOON)
    assert Case.objects.get(pk=task.case_id).last_activity_at == NOON
    # Cancelling it afterwards changes nothing: it is closed already.
    assert task.complete(cancelled=True) is False
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_an_escalation_is_acknowledged_once(supervisor):
    escalation = Escalation.objects.create(
        case=CaseFactory(), rule="stale_case", event_key="case:1:stale:1", message="Idle."
    )
    assert escalation.acknowledge(supervisor) is True
    first = Escalation.objects.get(pk=escalation.pk).acknowledged_at
    assert first is not None
    other = UserFactory(role=Role.SUPERVISOR, organisation=supervisor.organisation)
    assert escalation.acknowledge(other) is False
    escalation.refresh_from_db()
    assert (escalation.acknowledged_at, escalation.acknowledged_by) == (first, supervisor)


def test_disclosure_is_approved_once_to_a_country_of_nationality_and_revoked_once(supervisor):
    case = CaseFactory(person=PersonFactory(organisation=supervisor.organisation))
    with pytest.raises(ValueError):
        case.approve_disclosure("NP", supervisor)
    disclosure = case.approve_disclosure("KE", supervisor)
    assert disclosure is not None
    assert case.approve_disclosure("KE", supervisor) is None
    assert EmbassyDisclosure.objects.filter(case=case).count() == 1
    assert disclosure.revoke(supervisor) is True
    assert disclosure.revoke(supervisor) is False
    assert EmbassyDisclosure.objects.active().filter(case=case).count() == 0
    events = [note.event["code"] for note in case.notes.order_by("pk")]
    assert events == ["disclosure_approved", "disclosure_revoked"]


def test_touching_no_cases_is_harmless():
    assert Case.objects.none().touch(timezone.now()) == 0
