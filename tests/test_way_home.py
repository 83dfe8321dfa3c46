"""The way home as a progress line on the case page: each step's state (done with its
date, next step, not yet, not recorded) read from the custody records, in words."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from casework.models import CustodyEvent
from casework.views.custody import custody_context
from casework.vocabularies import CustodyEventKind, Situation
from casework.way_home import (
    CURRENT,
    DONE,
    NOT_RECORDED,
    NOT_YET,
    way_home_steps,
)
from tests.factories import (
    CustodyEventFactory,
    CustodyObligationsFactory,
    EmbassyRequestFactory,
    ReturnListEntryFactory,
    WayHomeFactory,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

KEYS = [
    "captured",
    "icrc_registered",
    "family_informed",
    "nationality_confirmed",
    "on_a_list",
    "returned",
]
CAPTURED = datetime.date(2025, 3, 4)


def steps_of(case, user):
    """The steps as the case page computes them: {key: (state, date, detail)}."""
    case.refresh_from_db()
    steps = custody_context(user, case)["way_home_steps"]
    assert [s.key for s in steps] == KEYS
    return {s.key: (s.state, s.on, str(s.detail)) for s in steps}


def states(case, user):
    return [state for state, _on, _detail in steps_of(case, user).values()]


def test_nothing_recorded_every_step_is_not_yet(case, caseworker):
    assert states(case, caseworker) == [NOT_YET] * 6


def test_a_capture_is_done_with_its_date_and_icrc_registration_comes_next(case, caseworker):
    CustodyEventFactory(case=case, kind=CustodyEventKind.CAPTURED, occurred_on=CAPTURED)
    CustodyEventFactory(
        case=case, kind=CustodyEventKind.HELD_AT, occurred_on=CAPTURED + datetime.timedelta(3)
    )
    steps = steps_of(case, caseworker)
    assert steps["captured"] == (DONE, CAPTURED, "")
    assert steps["icrc_registered"][0] == CURRENT
    assert [steps[k][0] for k in KEYS[2:]] == [NOT_YET] * 4


def test_held_without_a_recorded_capture_is_captured_without_a_date(case, caseworker):
    CustodyEventFactory(case=case, kind=CustodyEventKind.HELD_AT, occurred_on=CAPTURED)
    assert steps_of(case, caseworker)["captured"] == (DONE, None, "")


def test_icrc_registration_and_family_informed_from_the_obligations(case, caseworker):
    CustodyEventFactory(case=case, occurred_on=CAPTURED)
    obligations = CustodyObligationsFactory(
        case=case,
        icrc_registered_on=datetime.date(2025, 3, 20),
        capture_card_sent_on=datetime.date(2025, 3, 22),
    )
    steps = steps_of(case, caseworker)
    assert steps["icrc_registered"] == (DONE, datetime.date(2025, 3, 20), "")
    # A card sent is not the family informed: it is the next step, with what is known.
    assert steps["family_informed"][:2] == (CURRENT, None)
    assert steps["family_informed"][2] == "capture card sent on March 22, 2025"
    obligations.capture_card_received_on = datetime.date(2025, 4, 2)
    obligations.save()
    steps = steps_of(case, caseworker)
    assert steps["family_informed"] == (DONE, datetime.date(2025, 4, 2), "")
    assert steps["nationality_confirmed"][0] == CURRENT


def test_an_icrc_reference_without_a_date_is_a_registration(case, caseworker):
    CustodyObligationsFactory(case=case, icrc_reference="PW-1234")
    assert steps_of(case, caseworker)["icrc_registered"] == (DONE, None, "")


def test_nationality_is_confirmed_when_the_embassy_request_is_fulfilled(case, caseworker):
    request = EmbassyRequestFactory(
        case=case,
        kind="identity_confirmation",
        created_at=timezone.make_aware(datetime.datetime(2025, 5, 1, 12)),
    )
    WayHomeFactory(case=case, nationality_request=request)
    CustodyEventFactory(case=case, occurred_on=CAPTURED)
    step = steps_of(case, caseworker)["nationality_confirmed"]
    assert step[0] == NOT_YET and step[2] == "requested on May 1, 2025: Sent"
    request.status = "fulfilled"
    request.save()
    assert steps_of(case, caseworker)["nationality_confirmed"] == (DONE, None, "")


def test_nationality_confirmed_by_the_embassy_in_the_obligations(case, caseworker):
    CustodyObligationsFactory(case=case, dependent_power_confirmation="embassy_confirmed")
    assert steps_of(case, caseworker)["nationality_confirmed"][0] == DONE


def test_on_a_list_from_the_first_listing_and_earlier_gaps_are_not_recorded(case, caseworker):
    CustodyEventFactory(case=case, occurred_on=CAPTURED)
    ReturnListEntryFactory(case=case, list_kind="repatriation", listed_on=datetime.date(2025, 7, 1))
    ReturnListEntryFactory(case=case, list_kind="exchange", listed_on=datetime.date(2025, 6, 1))
    steps = steps_of(case, caseworker)
    assert steps["on_a_list"] == (
        DONE,
        datetime.date(2025, 6, 1),
        "Exchange list, Repatriation list",
    )
    assert [steps[k][0] for k in KEYS] == [
        DONE,
        NOT_RECORDED,
        NOT_RECORDED,
        NOT_RECORDED,
        DONE,
        CURRENT,
    ]


@pytest.mark.parametrize("source", ["arrival", "repatriated", "situation"])
def test_returned_from_the_arrival_a_repatriation_or_the_situation(case, caseworker, source):
    home = datetime.date(2025, 9, 9)
    if source == "arrival":
        WayHomeFactory(case=case, arrived_on=home)
    elif source == "repatriated":
        CustodyEventFactory(case=case, kind=CustodyEventKind.REPATRIATED, occurred_on=home)
    else:
        case.situation, case.situation_date = Situation.RETURNED_HOME, home
        case.save()
    steps = steps_of(case, caseworker)
    assert steps["returned"] == (DONE, home, "")
    assert CURRENT not in [state for state, _on, _d in steps.values()]


def test_no_next_step_after_death_in_custody(case, caseworker):
    CustodyEventFactory(case=case, kind=CustodyEventKind.CAPTURED, occurred_on=CAPTURED)
    CustodyEventFactory(
        case=case, kind=CustodyEventKind.DIED, occurred_on=CAPTURED.replace(month=8)
    )
    assert states(case, caseworker) == [DONE] + [NOT_YET] * 5


def test_the_steps_cost_no_query_of_their_own(case, caseworker):
    CustodyEventFactory(case=case, occurred_on=CAPTURED)
    ReturnListEntryFactory(case=case)
    context = custody_context(caseworker, case)
    with CaptureQueriesContext(connection) as captured:
        list(context["custody_events"]), list(context["return_lists"])
    assert len(captured.captured_queries) == 0  # already read for the steps


def test_way_home_steps_read_unsaved_records_without_the_database(case):
    events = [CustodyEvent(kind=CustodyEventKind.CAPTURED, occurred_on=CAPTURED)]
    with CaptureQueriesContext(connection) as captured:
        steps = way_home_steps(
            case, events=events, obligations=None, way_home=None, return_lists=[]
        )
    assert [s.state for s in steps][:2] == [DONE, CURRENT]
    assert not captured.captured_queries


# --- On the page -------------------------------------------------------------------------


def custody_tab(case) -> str:
    return f"{case.get_absolute_url()}?tab=custody"


def line_of(page: str) -> str:
    return page.split('id="way-home-line"')[1].split("</ol>")[0]


def test_the_case_page_shows_the_line_as_an_ordered_list_with_states_in_words(case, caseworker):
    CustodyEventFactory(case=case, kind=CustodyEventKind.CAPTURED, occurred_on=CAPTURED)
    CustodyObligationsFactory(case=case, icrc_registered_on=datetime.date(2025, 3, 20))
    page = signed_in_client(caseworker).get(custody_tab(case)).content.decode()
    assert '<ol class="way-home-line" id="way-home-line"' in page
    line = line_of(page)
    items = re.findall(r'<li class="way-home-step is-(\w+)"', line)
    assert items == [DONE, DONE, CURRENT, NOT_YET, NOT_YET, NOT_YET]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line))
    assert "Captured done on March 4, 2025" in text
    assert "ICRC registered done on March 20, 2025" in text
    assert "Family informed next step" in text
    assert "Returned home not yet" in text
    assert line.count('aria-current="step"') == 1


@pytest.mark.parametrize("language", ["fr", "uk"])
def test_the_line_speaks_the_reader_language(case, caseworker, settings, language):
    CustodyEventFactory(case=case, kind=CustodyEventKind.CAPTURED, occurred_on=CAPTURED)
    client = signed_in_client(caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    line = line_of(client.get(custody_tab(case)).content.decode())
    with translation.override(language):
        captured = str(CustodyEventKind.CAPTURED.label)
    assert captured in line and "Captured" not in line
    assert "captured" not in re.sub(r'data-step="\w+"', "", line)  # no code shown
