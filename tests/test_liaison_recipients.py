"""The sweep's embassy reminders reach exactly the liaisons the access layer lets see the case."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from casework import access, workflows
from casework.models import Notification
from casework.vocabularies import ConsentStatus
from tests.factories import (
    CaseFactory,
    ConsentFactory,
    EmbassyDisclosureFactory,
    EmbassyRequestFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COUNTRIES = ["KE", "IN"]  # few, so that cases are often shared with a liaison
countries = st.sampled_from(COUNTRIES)


# Per country of a case: its embassy consent and its approval, over their history.
CONSENTS = ["given", "given", "withdrawn", "none", "withdrawn then given"]
DISCLOSURES = ["active", "active", "revoked", "none", "revoked then active"]


@dataclass
class CaseSpec:
    nationalities: list[str]  # none, one, or a dual national
    do_not_share: bool
    consents: list[str]  # per country of COUNTRIES
    disclosures: list[str]  # per country of COUNTRIES
    request_country: str


@dataclass
class LiaisonSpec:
    countries: list[str]
    expires_in_days: int  # -1: expired yesterday; 0: last day today
    active: bool


per_country = st.lists  # one value for each of COUNTRIES
cases = st.builds(
    CaseSpec,
    nationalities=st.sampled_from([["KE"], ["IN"], ["KE", "IN"], []]),
    do_not_share=st.sampled_from([False, False, True]),
    consents=per_country(
        st.sampled_from(CONSENTS), min_size=len(COUNTRIES), max_size=len(COUNTRIES)
    ),
    disclosures=per_country(
        st.sampled_from(DISCLOSURES), min_size=len(COUNTRIES), max_size=len(COUNTRIES)
    ),
    request_country=countries,
)
liaisons = st.builds(
    LiaisonSpec,
    countries=st.sampled_from([["KE"], ["IN"], ["KE", "IN"]]),
    expires_in_days=st.sampled_from([30, 0, -1]),
    active=st.sampled_from([True, True, False]),
)


def build_case(org, supervisor, spec: CaseSpec):
    case = CaseFactory(person=PersonFactory(organisation=org, nationalities=spec.nationalities))
    case.do_not_share_with_embassy = spec.do_not_share
    case.save()
    now = timezone.now()
    before = now - datetime.timedelta(days=1)
    for country, consent, disclosure in zip(
        COUNTRIES, spec.consents, spec.disclosures, strict=True
    ):
        if "withdrawn" in consent:
            ConsentFactory(
                case=case,
                country=country,
                recorded_by=supervisor,
                given_at=before,
                status=ConsentStatus.WITHDRAWN,
                withdrawn_at=now,
            )
        if "given" in consent:
            ConsentFactory(case=case, country=country, recorded_by=supervisor, given_at=before)
        if "revoked" in disclosure:
            EmbassyDisclosureFactory(
                case=case,
                country=country,
                approved_by=supervisor,
                revoked_by=supervisor,
                revoked_at=now,
            )
        if "active" in disclosure:
            EmbassyDisclosureFactory(case=case, country=country, approved_by=supervisor)
    return EmbassyRequestFactory(
        case=case,
        country=spec.request_country,
        created_by=supervisor,
        due_at=now + datetime.timedelta(hours=1),
    )


def build_liaison(spec: LiaisonSpec):
    return LiaisonFactory(
        liaison_countries=",".join(spec.countries),
        access_expires_on=timezone.localdate() + datetime.timedelta(days=spec.expires_in_days),
        is_active=spec.active,
    )


def reminded(request) -> set[int]:
    key = f"embassy:{request.pk}:reminder"
    return set(Notification.objects.filter(event_key=key).values_list("recipient_id", flat=True))


def may_see(liaison, request) -> bool:
    """What the liaison's own pages allow: the case, through the request's country."""
    case = access.cases_visible_to(liaison).filter(pk=request.case_id).first()
    return case is not None and request.country.code in access.shared_countries(liaison, case)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case_specs=st.lists(cases, min_size=1, max_size=3),
    liaison_specs=st.lists(liaisons, min_size=1, max_size=4),
)
def test_embassy_reminders_go_exactly_to_the_liaisons_who_may_see_the_case(
    case_specs, liaison_specs
):
    with transaction.atomic():
        org = OrganisationFactory()
        supervisor = UserFactory(role=Role.SUPERVISOR, organisation=org)
        requests = [build_case(org, supervisor, spec) for spec in case_specs]
        people = [build_liaison(spec) for spec in liaison_specs]
        workflows.run_sweep(timezone.now())
        got = {request.pk: reminded(request) for request in requests}
        expected = {
            request.pk: {liaison.pk for liaison in people if may_see(liaison, request)}
            for request in requests
        }
        transaction.set_rollback(True)

    event(f"liaisons reminded: {sum(map(len, expected.values()))}")
    assert got == expected
