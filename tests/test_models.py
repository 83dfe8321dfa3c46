import datetime

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from casework.models import REFERENCE_ALPHABET, Case, Consent, Note, Task, new_reference
from casework.vocabularies import CaseStatus
from tests.factories import CaseFactory, ConsentFactory, PersonFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_person_cannot_have_two_open_cases():
    case = CaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(person=case.person, organisation=case.organisation)


def test_person_can_have_a_new_case_after_the_old_one_closed():
    case = CaseFactory()
    case.status = CaseStatus.CLOSED
    case.closure_reason = "returned_home"
    case.closed_at = timezone.now()
    case.save()
    second = Case.objects.create(person=case.person, organisation=case.organisation)
    assert second.is_open
    assert Case.objects.open().get() == second


def test_closed_case_needs_a_reason():
    case = CaseFactory()
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_reference_is_opaque_and_random():
    first, second = CaseFactory(), CaseFactory()
    assert first.reference != second.reference
    for case in (first, second):
        assert case.reference.startswith("HW-")
        body = case.reference[3:].replace("-", "")
        assert len(body) == 8 and set(body) <= set(REFERENCE_ALPHABET)
        assert case.person.family_name.upper()[:4] not in case.reference
    assert new_reference() != new_reference()


def test_withdrawn_consent_needs_a_withdrawal_date():
    consent = ConsentFactory()
    consent.status = "withdrawn"
    with pytest.raises(IntegrityError), transaction.atomic():
        consent.save()
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert Consent.objects.get().status == "withdrawn"


def test_consent_cannot_be_withdrawn_before_it_was_given():
    consent = ConsentFactory()
    consent.status = "withdrawn"
    consent.withdrawn_at = consent.given_at - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        consent.save()


def test_embassy_consent_must_name_a_country():
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(country="")


def test_only_one_active_consent_per_scope_and_country():
    consent = ConsentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(case=consent.case, recorded_by=consent.recorded_by)


def test_done_task_records_completion():
    task = TaskFactory()
    task.status = "done"
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()
    task.completed_at = timezone.now()
    task.save()
    assert Task.objects.get().status == "done"


def test_date_of_birth_sets_birth_year():
    person = PersonFactory(date_of_birth=datetime.date(1999, 3, 4), birth_year=None)
    person.refresh_from_db()
    assert person.birth_year == 1999 and not person.birth_year_estimated


def test_database_refuses_a_closure_request_without_a_reason():
    case = CaseFactory()
    case.status = CaseStatus.CLOSURE_REQUESTED
    case.closure_requested_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()
    case.closure_reason = "returned_home"
    case.save()
    assert Case.objects.get().status == CaseStatus.CLOSURE_REQUESTED


def test_upgrade_gives_existing_closure_requests_without_a_reason_the_reason_other():
    """The migration adding the constraint keeps such a request in the supervisors'
    queue, as "Other", rather than dropping it; the other rows are left as they were."""
    loader = MigrationLoader(connection)
    (migration,) = [
        m
        for (app, name), m in loader.disk_migrations.items()
        if app == "casework" and name.endswith("_closure_request_has_reason")
    ]
    give_reason = migration.operations[0].code
    constraint = next(c for c in Case._meta.constraints if c.name == "closure_request_has_reason")
    reasonless, with_reason, active = CaseFactory(), CaseFactory(), CaseFactory()
    with connection.cursor() as cursor:  # ALTER TABLE refuses pending deferred checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Case, constraint)
    requested = {"status": CaseStatus.CLOSURE_REQUESTED, "closure_requested_at": timezone.now()}
    Case.objects.filter(pk=reasonless.pk).update(**requested)
    Case.objects.filter(pk=with_reason.pk).update(**requested, closure_reason="deceased")
    give_reason(django_apps, None)
    with connection.schema_editor() as editor:
        editor.add_constraint(Case, constraint)
    rows = dict(Case.objects.values_list("pk", "closure_reason"))
    assert rows == {reasonless.pk: "other", with_reason.pk: "deceased", active.pk: ""}
    assert set(Case.objects.values_list("status", flat=True)) == {"closure_requested", "new"}


def test_upgrade_files_earlier_section_edits_as_details_updated_and_nothing_else():
    """Automatic "… details updated." entries, with or without a stored event, leave the
    documents; a real document note and other automatic entries stay as they were."""
    loader = MigrationLoader(connection)
    (migration,) = [
        m
        for (app, name), m in loader.disk_migrations.items()
        if app == "casework" and name.endswith("_note_kind_details_updated")
    ]
    file_apart = migration.operations[-1].code
    case = CaseFactory()

    def note(text, *, automatic=True, event=None):
        return Note.objects.create(
            case=case, kind="document", text=text, automatic=automatic, event=event
        )

    with_event = note("Person details updated.", event={"code": "section_updated"})
    old_text = note("Recruitment details updated.")
    uploaded = note("Document uploaded.", event={"code": "document_uploaded"})
    typed = note("Situation details updated.", automatic=False)
    file_apart(django_apps, None)
    kinds = dict(Note.objects.values_list("pk", "kind"))
    assert kinds == {
        with_event.pk: "details_updated",
        old_text.pk: "details_updated",
        uploaded.pk: "document",
        typed.pk: "document",
    }
