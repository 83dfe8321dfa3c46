"""The statistics fact table (casework.statsfacts): what it holds, and that it stays true.

Its values are checked against an independent computation from the synthetic cases of
tests/test_stats.py; its upkeep through every ORM write that changes a counted value;
and the two races a careful reader worries about, run for real on two connections: a
consent withdrawn while another edit of the case is in flight, and a nightly
recomputation that read before a withdrawal was committed.
"""

import datetime
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask
from hypothesis import given

from accounts.models import Role
from casework import stats
from casework.models import (
    Case,
    Consent,
    ControlMeans,
    Nationality,
    Recruitment,
)
from casework.stats import facts as statsfacts
from casework.stats import tasks
from casework.stats.models import StatisticsFact
from casework.vocabularies import ConsentScope, MeansOfControl
from tests.factories import CaseFactory, OrganisationFactory, UserFactory
from tests.helpers import register_in_steps, signed_in_client
from tests.test_case_pages import registration
from tests.test_stats import PROPERTIES, Spec, populate, populations

pytestmark = pytest.mark.django_db

FIELDS = [
    "organisation_id",
    "created_at",
    "eligible",
    "nationality",
    "sex",
    "age_band",
    "situation",
    "status",
    "recruitment_method",
    "platform",
    "promised_job",
    "means_of_control",
    "recruitment_month",
    "capture_month",
]


def facts_of(case):
    return StatisticsFact.objects.filter(case_id=case.pk).values(*FIELDS).first()


def _expected_age_band(spec):
    """Age at recruitment, else at the opening of the case, in SPEC section 6's bands."""
    reference = spec.recruited_in if spec.recruitment and spec.recruited_in else None
    reference = reference or spec.created_at.date()  # TIME_ZONE is UTC
    if spec.birth is None:
        return ""
    if isinstance(spec.birth, datetime.date):
        age = reference.year - spec.birth.year
        age -= (reference.month, reference.day) < (spec.birth.month, spec.birth.day)
    else:
        age = reference.year - spec.birth
    for band, upper in (("<20", 20), ("20-29", 30), ("30-39", 40), ("40-49", 50)):
        if age < upper:
            return band
    return "50+"


def expected_facts(spec, organisation_id):
    recruitment = spec.recruitment
    mask = 0
    for means in spec.means if recruitment else []:
        mask |= 1 << (MeansOfControl.values.index(means) + 1)
    return {
        "organisation_id": organisation_id,
        "created_at": spec.created_at,
        "eligible": spec.consent in ("given", "regiven"),
        "nationality": min(spec.nationalities) if spec.nationalities else None,
        "sex": spec.sex,
        "age_band": _expected_age_band(spec),
        "situation": spec.situation,
        "status": spec.status,
        "recruitment_method": spec.method if recruitment else None,
        "platform": spec.platform if recruitment else None,
        "promised_job": spec.promised_job if recruitment else None,
        "means_of_control": mask or 1,
        "recruitment_month": spec.recruited_in if recruitment else None,
        "capture_month": (
            spec.captured_on.replace(day=1) if recruitment and spec.captured_on else None
        ),
    }


@PROPERTIES
@given(population=populations)
def test_facts_are_what_the_case_data_says(org, recorder, population):
    with transaction.atomic():
        populate(org, recorder, population)  # bulk writes, then refresh_all
        facts = list(
            StatisticsFact.objects.filter(organisation=org).order_by("case_id").values(*FIELDS)
        )
        eligible = stats.eligible_cases([org.pk]).count()
        transaction.set_rollback(True)

    assert facts == [expected_facts(spec, org.pk) for spec in population]
    assert sum(fact["eligible"] for fact in facts) == eligible


def test_means_of_control_bits_never_move():
    # Stored masks are read with these bits: a value may be added at the end only.
    assert statsfacts.MEANS_NOT_RECORDED_BIT == 1
    assert list(statsfacts.MEANS_BITS.items())[:18] == [
        ("debt_bondage", 1 << 1),
        ("takes_earnings", 1 << 2),
        ("threats", 1 << 3),
        ("psychological_abuse", 1 << 4),
        ("physical_abuse", 1 << 5),
        ("sexual_abuse", 1 << 6),
        ("false_promises", 1 << 7),
        ("psychoactive_substances", 1 << 8),
        ("restricts_movement", 1 << 9),
        ("restricts_medical_care", 1 << 10),
        ("excessive_working_hours", 1 << 11),
        ("threats_to_family", 1 << 12),
        ("withholds_documents", 1 << 13),
        ("withholds_necessities", 1 << 14),
        ("threat_of_law_enforcement", 1 << 15),
        ("threat_of_deportation", 1 << 16),
        ("threat_of_losing_citizenship", 1 << 17),
        ("contract_not_understood", 1 << 18),
    ]
    assert max(statsfacts.MEANS_BITS.values()) < 2**31  # an IntegerField


# Upkeep through the ORM -------------------------------------------------------------------


def test_every_orm_write_of_a_counted_value_refreshes_the_case(org, recorder):
    case = CaseFactory(
        organisation=org,
        person__sex="male",
        person__nationalities=["KE"],
        situation="pow_in_ukraine",
    )
    assert facts_of(case)["eligible"] is False
    assert facts_of(case)["sex"] == "male" and facts_of(case)["nationality"] == "KE"

    consent = Consent.objects.create(
        case=case,
        scope=ConsentScope.INCLUDE_IN_STATISTICS,
        method="written",
        recorded_by=recorder,
    )
    assert facts_of(case)["eligible"] is True

    case.person.sex = "female"
    case.person.save()
    assert facts_of(case)["sex"] == "female"

    kenya = case.person.nationalities.get()
    Nationality.objects.create(person=case.person, country="CU")  # first in ISO order
    assert facts_of(case)["nationality"] == "CU"
    Nationality.objects.filter(country="CU").delete()
    assert facts_of(case)["nationality"] == "KE"
    kenya.delete()
    assert facts_of(case)["nationality"] is None

    case.situation = "detained_in_russia"
    case.save()
    assert facts_of(case)["situation"] == "detained_in_russia"

    assert not Recruitment.objects.filter(case=case).exists()
    recruitment = Recruitment.objects.create(
        case=case, method="online_advertisement", recruited_in=datetime.date(2025, 3, 1)
    )
    assert facts_of(case)["recruitment_method"] == "online_advertisement"
    assert facts_of(case)["recruitment_month"] == datetime.date(2025, 3, 1)
    assert facts_of(case)["means_of_control"] == statsfacts.MEANS_NOT_RECORDED_BIT

    threats = ControlMeans.objects.create(recruitment=recruitment, means=MeansOfControl.THREATS)
    ControlMeans.objects.create(recruitment=recruitment, means=MeansOfControl.DEBT_BONDAGE)
    both = statsfacts.MEANS_BITS["threats"] | statsfacts.MEANS_BITS["debt_bondage"]
    assert facts_of(case)["means_of_control"] == both
    threats.delete()
    assert facts_of(case)["means_of_control"] == statsfacts.MEANS_BITS["debt_bondage"]
    recruitment.delete()
    assert facts_of(case)["recruitment_method"] is None

    assert consent.withdraw(by=recorder)  # a bulk update inside
    assert facts_of(case)["eligible"] is False

    # What the table holds now is what a recomputation from scratch gives.
    before = facts_of(case)
    assert statsfacts.refresh_all() == 0
    assert facts_of(case) == before

    case.delete()
    assert not StatisticsFact.objects.filter(case_id=case.pk).exists()


def test_a_consent_moved_to_another_case_leaves_the_first_uncounted(org, recorder):
    first, second = CaseFactory(organisation=org), CaseFactory(organisation=org)
    consent = Consent.objects.create(
        case=first, scope=ConsentScope.INCLUDE_IN_STATISTICS, method="written", recorded_by=recorder
    )
    consent = Consent.objects.get(pk=consent.pk)  # as the admin site loads it
    consent.case = second
    consent.save()
    assert facts_of(first)["eligible"] is False and facts_of(second)["eligible"] is True


def test_a_case_saved_with_only_its_organisation_id_is_refreshed(org):
    case = CaseFactory(organisation=org)
    other = OrganisationFactory()
    case.organisation_id = other.pk
    case.save(update_fields=["organisation_id"])
    assert facts_of(case)["organisation_id"] == other.pk


def test_a_save_of_uncounted_fields_costs_no_refresh(org):
    case = CaseFactory(organisation=org)
    case.last_activity_at = case.created_at
    with CaptureQueriesContext(connection) as queries:
        case.save(update_fields=["last_activity_at"])
    assert not any("casework_statisticsfact" in query["sql"] for query in queries)


def test_a_registered_case_is_counted_at_once(org):
    # Registration writes the nationalities in bulk, before the case.
    caseworker = UserFactory(role=Role.CASEWORKER, organisation=org)
    client = signed_in_client(caseworker)
    register_in_steps(client, registration(**{"identity-nationalities": ["NP"]}))
    case = Case.objects.get()
    facts = facts_of(case)
    assert facts["nationality"] == "NP" and facts["sex"] == "male"
    assert facts["recruitment_method"] == "online_advertisement"
    assert facts["means_of_control"] == (
        statsfacts.MEANS_BITS["false_promises"] | statsfacts.MEANS_BITS["withholds_documents"]
    )


def test_refresh_all_recomputes_stale_rows_and_deletes_rows_of_deleted_cases(org, recorder):
    populate(org, recorder, [Spec(sex="male"), Spec(sex="female")])
    first, second = StatisticsFact.objects.order_by("case_id")
    StatisticsFact.objects.filter(pk=first.pk).update(sex="other", eligible=False)
    StatisticsFact.objects.create(  # a case deleted behind the ORM's back
        case_id=second.pk + 1000, organisation=org, created_at=second.created_at,
        eligible=True, means_of_control=1,
    )  # fmt: skip
    assert statsfacts.refresh_all(batch_size=1) == 1
    first.refresh_from_db()
    assert first.sex == "male" and first.eligible is True
    assert StatisticsFact.objects.count() == 2


def test_migrate_computes_the_facts_of_cases_that_have_none(org, recorder):
    populate(org, recorder, [Spec()] * 3)
    StatisticsFact.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert StatisticsFact.objects.count() == 3


def test_the_nightly_task_and_command_recompute_every_case(org, recorder, capsys):
    populate(org, recorder, [Spec()] * 3)
    StatisticsFact.objects.all().delete()
    assert tasks.refresh_statistics.apply().get() == 3
    StatisticsFact.objects.all().delete()
    call_command("refresh_statistics")
    assert "3 rows written" in capsys.readouterr().out
    assert StatisticsFact.objects.count() == 3
    schedule = PeriodicTask.objects.get(task="casework.tasks.refresh_statistics")
    assert schedule.enabled and schedule.crontab is not None
    assert settings.CELERY_TASK_ROUTES["casework.tasks.refresh_statistics"] == {"queue": "slow"}


# Races, on two connections ------------------------------------------------------------------


def _in_thread(target):
    """Run target in a thread with its own database connection; re-raise its error."""
    errors = []

    def run():
        try:
            target()
        except BaseException as error:  # noqa: BLE001 (handed to the test)
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _consented_case():
    org = OrganisationFactory()
    recorder = UserFactory(organisation=org)
    case = CaseFactory(organisation=org, person__sex="male")
    consent = Consent.objects.create(
        case=case,
        scope=ConsentScope.INCLUDE_IN_STATISTICS,
        method="written",
        recorded_by=recorder,
    )
    return case, consent, recorder


@pytest.mark.django_db(transaction=True)
def test_a_refresh_during_an_uncommitted_withdrawal_waits_for_it_and_reads_it():
    case, consent, recorder = _consented_case()
    withdrawn, go = threading.Event(), threading.Event()

    def withdraw():
        with transaction.atomic():
            Consent.objects.get(pk=consent.pk).withdraw(by=recorder)
            withdrawn.set()
            go.wait(10)  # still uncommitted while the other edit refreshes the case

    def edit():
        # Another edit of the case (its own writes already made) refreshing it: without
        # the case's lock it would compute "eligible" from before the withdrawal and
        # write that over the withdrawal's row once the withdrawal commits.
        with transaction.atomic():
            statsfacts.refresh([case.pk])

    first, first_errors = _in_thread(withdraw)
    assert withdrawn.wait(10)
    second, second_errors = _in_thread(edit)
    second.join(0.5)
    assert second.is_alive()  # waiting on the case's lock
    go.set()
    first.join(10), second.join(10)
    assert not first_errors and not second_errors
    assert facts_of(case)["eligible"] is False


def _block_until(first, then):
    """Start `first` in a thread, wait for the event it sets, run `then` in a thread, check
    that it is blocked (on a lock `first` holds), let `first` finish; returns errors."""
    go = threading.Event()
    ready = threading.Event()
    one, one_errors = _in_thread(lambda: first(ready, go))
    assert ready.wait(10)
    two, two_errors = _in_thread(then)
    two.join(0.5)
    blocked = two.is_alive()
    go.set()
    one.join(20), two.join(20)
    assert not one_errors and not two_errors, one_errors + two_errors
    return blocked


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_during_an_uncommitted_withdrawal_waits_for_it_and_reads_it():
    case, consent, recorder = _consented_case()

    def withdraw(ready, go):
        with transaction.atomic():
            Consent.objects.get(pk=consent.pk).withdraw(by=recorder)
            ready.set()
            go.wait(10)

    # Without the batch's lock it would read "eligible" from before the withdrawal and,
    # once the withdrawal committed, write that over the withdrawal's row.
    assert _block_until(withdraw, lambda: statsfacts._refresh_batch(case.pk, case.pk + 1))
    assert facts_of(case)["eligible"] is False


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_during_an_uncommitted_deletion_does_not_write_the_case_back():
    case, _consent, _recorder = _consented_case()
    other, _, _ = _consented_case()

    def delete(ready, go):
        with transaction.atomic():
            Case.objects.get(pk=case.pk).delete()
            ready.set()
            go.wait(10)

    assert _block_until(delete, lambda: statsfacts._refresh_batch(case.pk, other.pk + 1))
    assert not StatisticsFact.objects.filter(case_id=case.pk).exists()
    assert facts_of(other)["eligible"] is True


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_during_a_recomputation_waits_for_it_and_then_counts(monkeypatch):
    case, consent, recorder = _consented_case()
    upsert = statsfacts._upsert

    def recompute(ready, go):
        def upsert_when_told(*args):
            ready.set()  # the batch's cases are locked
            go.wait(10)
            return upsert(*args)

        monkeypatch.setattr(statsfacts, "_upsert", upsert_when_told)
        try:
            statsfacts._refresh_batch(case.pk, case.pk + 1)
        finally:
            monkeypatch.setattr(statsfacts, "_upsert", upsert)

    def withdraw():
        Consent.objects.get(pk=consent.pk).withdraw(by=recorder)

    assert _block_until(recompute, withdraw)
    assert facts_of(case)["eligible"] is False
