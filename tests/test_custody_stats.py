"""Custody statistics: facts kept true on custody writes, counted only with a statistics
consent, through the disclosure control, and shown on the dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from casework.models import Consent, CustodyObligations, WayHome
from casework.stats.custody import custody_release
from casework.stats.models import StatisticsFact
from casework.stats.suppression import CellState
from casework.vocabularies import ConsentScope
from tests.factories import (
    CaseFactory,
    CustodyEventFactory,
    LegalProceedingFactory,
    UserFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

CAPTURED = datetime.date(2025, 3, 1)


def days(n: int) -> datetime.date:
    return CAPTURED + datetime.timedelta(days=n)


def consented(case, recorder):
    Consent.objects.create(
        case=case, scope=ConsentScope.INCLUDE_IN_STATISTICS, method="written", recorded_by=recorder
    )
    return case


def facts_of(case) -> dict:
    return StatisticsFact.objects.filter(case_id=case.pk).values().get()


def captured_case(org, recorder, kind="captured"):
    case = consented(CaseFactory(organisation=org), recorder)
    CustodyEventFactory(case=case, kind="captured", occurred_on=CAPTURED)
    if kind != "captured":
        CustodyEventFactory(case=case, kind=kind, occurred_on=days(100))
    return case


def test_custody_writes_refresh_the_facts(org, recorder):
    case = captured_case(org, recorder)
    facts = facts_of(case)
    assert facts["custody_status"] == "captured"
    assert facts["capture_to_icrc"] == facts["capture_to_family"] == ""
    assert facts["capture_to_return"] == "" and facts["proceeding_outcome"] is None

    obligations = CustodyObligations.objects.create(
        case=case, icrc_registered_on=days(10), capture_card_received_on=days(5)
    )
    assert facts_of(case)["capture_to_icrc"] == "8-30"
    assert facts_of(case)["capture_to_family"] == "0-7"
    obligations.icrc_registered_on = days(200)
    obligations.save()
    assert facts_of(case)["capture_to_icrc"] == "91-365"

    LegalProceedingFactory(case=case, outcome="convicted")
    assert facts_of(case)["proceeding_outcome"] == "convicted"
    repatriated = CustodyEventFactory(case=case, kind="repatriated", occurred_on=days(400))
    WayHome.objects.create(case=case, arrived_on=days(401))
    facts = facts_of(case)
    assert facts["custody_status"] == "repatriated" and facts["capture_to_return"] == "366+"
    repatriated.delete()
    assert facts_of(case)["custody_status"] == "captured"


def test_a_step_dated_before_the_capture_is_not_recorded(org, recorder):
    case = captured_case(org, recorder)
    CustodyObligations.objects.create(case=case, icrc_registered_on=days(-3))
    assert facts_of(case)["capture_to_icrc"] == ""


def test_custody_release_counts_only_cases_with_a_statistics_consent(org, recorder):
    for _ in range(12):
        captured_case(org, recorder)
    unconsented = CaseFactory(organisation=org)
    CustodyEventFactory(case=unconsented, kind="captured", occurred_on=CAPTURED)

    table = custody_release([org.pk], k=11).table("custody_status")
    by_status = {cell.values["custody_status"]: cell.count for cell in table.cells}
    assert by_status["captured"] == 12 and not by_status.get("released")


def test_custody_release_withholds_small_counts_and_what_gives_them_away(org, recorder):
    for _ in range(12):
        captured_case(org, recorder)
    for _ in range(3):
        captured_case(org, recorder, kind="released")

    table = custody_release([org.pk], k=11).table("custody_status")
    by_status = {cell.values["custody_status"]: cell for cell in table.cells}
    assert by_status["released"].count is None
    assert by_status["released"].state == CellState.PRIMARY
    assert all(cell.count is None or cell.count == 0 or cell.count >= 11 for cell in table.cells)
    # Captured and the total together would give the 3 away: one of them is withheld.
    assert any(cell.state == CellState.SECONDARY for cell in table.cells)


def test_custody_release_reads_the_facts_once_for_every_table(org, recorder):
    for _ in range(12):
        captured_case(org, recorder)
    with CaptureQueriesContext(connection) as queries:
        release = custody_release([org.pk], k=11)
    assert len(release.tables) == 5
    assert len(queries) == 1


def test_dashboard_shows_the_custody_tables(org, recorder):
    for _ in range(12):
        captured_case(org, recorder)
    officer = UserFactory(role=Role.DATA_OFFICER, organisation=org)
    page = signed_in_client(officer).get(reverse("stats-dashboard")).content.decode()
    assert 'id="custody-statistics"' in page
    assert 'id="table-custody__custody_status"' in page
    assert 'id="table-custody__capture_to_return"' in page
