"""Registration in steps: who, from where, recruited how, where now, then a summary."""

import re

import pytest
from django.urls import reverse

from casework import labels, matching
from casework.audit import AuditEvent
from casework.models import Case, Person
from casework.submissions import SubmissionKey
from casework.views.registration import SESSION_KEY
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory
from tests.helpers import page_forms, register_in_steps
from tests.helpers import signed_in_client as signed_in
from tests.test_case_pages import registration

pytestmark = pytest.mark.django_db

URL = "/cases/new/"


def step_form(response):
    """The registration form of a step's page, as a browser would send it untouched."""
    [form] = [f for f in page_forms(response.content) if f.action == URL]
    return form


def step_of(response) -> str:
    return dict(step_form(response).data)["step"]


def post_step(client, response, go="next", **typed):
    """Send the step shown in `response` with `typed` changed; follow a move to a step."""
    data = step_form(response).as_post_data()
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in typed.items()}
    )
    answer = client.post(URL, {**data, "go": go})
    if answer.status_code == 302 and answer.url.startswith(URL):
        return client.get(answer.url)
    return answer


def value_of(response, name):
    return step_form(response).as_post_data().get(name)


@pytest.mark.parametrize(
    ("step", "typed", "form", "field"),
    [
        ("who", {"person-given_name": ""}, "person_form", "given_name"),
        ("origin", {"identity-nationalities": []}, "identity_form", "nationalities"),
        (
            "recruitment",
            {
                "recruitment-arrived_in_russia_on": "2025-05-01",
                "recruitment-deployed_on": "2025-04-01",
            },
            "recruitment_form",
            "deployed_on",
        ),
        ("situation", {"case-next_review_on": "9999-12-31"}, "situation_form", "next_review_on"),
    ],
)
def test_each_step_is_validated_on_its_own_and_keeps_what_was_typed(
    caseworker, step, typed, form, field
):
    client = signed_in(caseworker)
    page = register_in_steps(client, registration(), until=step)
    answer = post_step(client, page, **typed)
    assert answer.status_code == 200 and step_of(answer) == step
    assert field in answer.context[form].errors
    for name, value in typed.items():
        if value:
            assert value_of(answer, name) == [value], f"{name} was lost"
    assert not Case.objects.exists() and not Person.objects.exists()


def test_values_survive_going_back_and_forth_between_steps(caseworker):
    client = signed_in(caseworker)
    recruitment = register_in_steps(client, registration(), until="recruitment")
    # Back from a step half filled in (and invalid): nothing is checked, nothing is lost.
    origin = post_step(
        client,
        recruitment,
        go="back",
        **{"recruitment-promised_salary_currency": "dollars", "recruitment-platform": "telegram"},
    )
    assert step_of(origin) == "origin"
    assert value_of(origin, "identity-document_number") == ["AK1234567"]
    assert value_of(origin, "identity-nationalities") == ["KE"]
    who = post_step(client, origin, go="back")
    assert value_of(who, "person-family_name") == ["Otieno"]
    assert value_of(who, "identity-aliases") == ["Brayan Otyeno"]
    # Forward again: each step shows what was kept of it.
    origin = post_step(client, who)
    recruitment = post_step(client, origin)
    assert step_of(recruitment) == "recruitment"
    assert value_of(recruitment, "recruitment-promised_salary_currency") == ["dollars"]
    assert value_of(recruitment, "recruitment-platform") == ["telegram"]
    # The browser's back button: the GET of an earlier step shows it as it was sent.
    key = value_of(recruitment, "r")[0]
    again = client.get(URL, {"r": key, "step": "who"})
    assert value_of(again, "person-given_name") == ["Brian"]


def test_a_later_step_cannot_be_reached_before_the_earlier_ones(caseworker):
    client = signed_in(caseworker)
    who = client.get(URL)
    key = value_of(who, "r")[0]
    response = client.get(URL, {"r": key, "step": "situation"})
    assert response.status_code == 302
    assert step_of(client.get(response.url)) == "who"
    response = client.get(URL, {"r": key, "step": "confirm"})
    assert response.status_code == 302 and response.url.startswith(URL)


def test_two_registrations_in_two_tabs_do_not_mix(caseworker):
    client = signed_in(caseworker)
    first = register_in_steps(client, registration(), until="origin")
    second = register_in_steps(
        client,
        registration(**{"person-given_name": "Ravi", "person-family_name": "Sharma"}),
        until="origin",
    )
    assert value_of(first, "r") != value_of(second, "r")
    back_to_first = post_step(client, first, go="back")
    assert value_of(back_to_first, "person-given_name") == ["Brian"]
    back_to_second = post_step(client, second, go="back")
    assert value_of(back_to_second, "person-given_name") == ["Ravi"]


def test_the_draft_in_the_session_is_encrypted(caseworker):
    client = signed_in(caseworker)
    register_in_steps(client, registration(), until="recruitment")
    kept = client.session[SESSION_KEY]
    assert len(kept) == 1
    assert "AK1234567" not in str(kept) and "Otieno" not in str(kept)


def test_a_possible_duplicate_is_shown_after_the_first_step(caseworker):
    client = signed_in(caseworker)
    register_in_steps(client, registration())
    existing = Case.objects.get()
    again = registration(**{"person-given_name": "Брайан", "person-family_name": "Отиено"})
    response = register_in_steps(client, again)
    assert response.status_code == 200 and step_of(response) == "who"
    [row] = response.context["duplicates"]
    assert row["reference"] == existing.reference and row["can_open"]
    page = response.content.decode()
    assert "duplicate-warning" in page
    assert f'href="{existing.get_absolute_url()}"' in page  # "open the existing case"
    assert AuditEvent.objects.filter(object_type="duplicate-check").exists()
    # "Continue": a different person; the warning is not shown again for this one.
    origin = post_step(client, response, not_a_duplicate="1")
    assert step_of(origin) == "origin"
    answer = register_in_steps(client, {**again, "not_a_duplicate": "1"})
    assert answer.status_code == 302 and Case.objects.count() == 2


def test_the_duplicate_check_runs_as_names_and_birth_year_are_in_not_at_the_end(caseworker):
    person = PersonFactory(
        organisation=caseworker.organisation, given_name="Brian", family_name="Otieno"
    )
    matching.refresh_name_keys(person)
    CaseFactory(person=person)
    client = signed_in(caseworker)
    # Only the first step's fields are typed: nationality and the rest are not asked yet.
    who = {
        "person-given_name": "Brayan",
        "person-family_name": "Otieno",
        "person-birth_year": "1995",
    }
    response = register_in_steps(client, who)
    assert step_of(response) == "who" and response.context["duplicates"]


def test_the_summary_shows_every_step_in_words_and_sent_twice_registers_one_case(caseworker):
    client = signed_in(caseworker)
    summary = register_in_steps(client, registration(), until="confirm")
    page = summary.content.decode()
    for words in ["Kenya", "Online advertisement", "Swahili, English", "March 2025", "Lviv"]:
        assert words in page
    assert "online_advertisement" not in page and "pow_in_ukraine" not in page
    data = step_form(summary).as_post_data()
    first = client.post(URL, data)
    second = client.post(URL, data)
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == case.get_absolute_url()
    assert SubmissionKey.objects.filter(user=caseworker).count() == 1
    assert AuditEvent.objects.filter(object_type="case", action="create").count() == 1
    assert case.notes.filter(automatic=True).count() == 1
    assert not client.session[SESSION_KEY]  # the draft is forgotten once registered


def test_the_summarys_back_link_opens_the_last_step_with_what_was_typed(caseworker):
    # Once every step is done any step may be opened again (it answered 500 before).
    client = signed_in(caseworker)
    summary = register_in_steps(
        client, registration(**{"recruitment-contract_language": "ru"}), until="confirm"
    )
    # The contract's language in words, not its code.
    assert "Russian" in summary.content.decode()
    assert not re.search(r"\bru\b", summary.content.decode().split('id="main"')[1])
    key = value_of(summary, "r")[0]
    for step in ("who", "origin", "recruitment", "situation"):
        page = client.get(URL, {"r": key, "step": step})
        assert page.status_code == 200, step
        assert step_of(page) == step
    back = client.get(URL, {"r": key, "step": "situation"})
    assert value_of(back, "case-situation") == ["pow_in_ukraine"]


def test_most_common_nationalities_of_the_organisation_come_first(caseworker):
    organisation = caseworker.organisation
    for codes, count in [(["NP"], 3), (["IN"], 2), (["KE", "UG"], 1)]:
        for _ in range(count):
            PersonFactory(organisation=organisation, nationalities=codes)
    for _ in range(5):  # another organisation's persons count for nothing here
        PersonFactory(organisation=OrganisationFactory(), nationalities=["ZA"])
    client = signed_in(caseworker)
    origin = register_in_steps(client, registration(), until="origin")
    options = step_form(origin).options["identity-nationalities"]
    assert options[:4] == ["NP", "IN", "KE", "UG"]
    rest = options[4:]
    assert "ZA" in rest and "NP" not in rest and len(options) == len(set(options))
    page = origin.content.decode()
    assert re.search(r'<optgroup label="Most common">', page)
    # Then the rest, alphabetically in the reader's language.
    common = {"NP", "IN", "KE", "UG"}
    assert rest == [code for code, _name in labels.country_choices() if code not in common]


def test_searchable_selects_are_wired_without_inline_script(caseworker):
    client = signed_in(caseworker)
    origin = register_in_steps(client, registration(), until="origin")
    page = origin.content.decode()
    assert "vendor/tom-select-2.6.2/js/tom-select.complete.min.js" in page
    assert "js/registration.js" in page
    assert '<script id="language-choices" type="application/json">' in page
    assert "<script>" not in page and " style=" not in page
    response = client.get(reverse("case-register"))
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_duplicate_warning_follows_the_typing_of_the_first_step(caseworker):
    client = signed_in(caseworker)
    register_in_steps(client, registration())
    existing = Case.objects.get()
    who = step_form(client.get(URL)).as_post_data()
    typed = {"person-given_name": ["Брайан"], "person-family_name": ["Отиено"]}
    typed["person-birth_year"] = ["1996"]
    live = client.post(URL, {**who, **typed}, headers={"HX-Request": "true"})
    assert live.status_code == 200
    assert "duplicate-warning" in live.content.decode()
    assert existing.reference in live.content.decode()
    assert "<html" not in live.content.decode()  # a fragment for the page's live region
    # Still being typed: nothing is kept, nothing is registered.
    assert not client.session.get(SESSION_KEY) and Case.objects.count() == 1
    typed["person-family_name"] = ["Kamau"]
    live = client.post(URL, {**who, **typed}, headers={"HX-Request": "true"})
    assert "duplicate-warning" not in live.content.decode()
