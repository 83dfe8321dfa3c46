"""Hostile input answers 400 or a form error, never a 500 (issue 10, points 10 and 12).

First the requests the production probe found, one by one; then a property test that
sends arbitrary text (NUL bytes, lone surrogates, very long strings, non-ASCII digits,
extreme dates) to every query parameter and form field of every page in the URLconf.
"""

import datetime
import os
from types import SimpleNamespace
from urllib.parse import quote_plus

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from casework.models import Alias, Dossier, Notification, Person
from casework.stats.models import StatsExport
from casework.views.cases import SECTIONS
from tests.factories import (
    CaseFactory,
    PersonFactory,
    UserFactory,
)
from tests.helpers import page_forms, register_in_steps, signed_in_client
from tests.test_permission_matrix import (
    ANONYMOUS,
    MATRIX,
    ROLES,
    users_and_shared_case,
    walk_urlconf,
)

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.django_db

LONG = "x" * 100_000
HOSTILE_DATES = ["a\x00b", "\x00", "0000-00-00", "9999-12-31", "0001-01-01", "1" * 100_000]


def hostile_client(user=None):
    """A client that answers a crash with its 500 page instead of raising it."""
    client = Client(raise_request_exception=False)
    return signed_in_client(user, client) if user else client


@pytest.fixture
def administrator(org):
    return UserFactory(role=Role.ADMINISTRATOR, organisation=org)


@pytest.fixture
def case(org, supervisor):
    person = PersonFactory(organisation=org, given_name="Brian", date_of_birth=None)
    return CaseFactory(person=person, assigned_to=UserFactory(organisation=org))


def registration(client, **fields):
    """The registration's first step as a browser would send it, with `fields` typed in."""
    form = next(
        f for f in page_forms(client.get("/cases/new/").content) if f.action == "/cases/new/"
    )
    data = form.as_post_data()
    data.update({"person-given_name": ["Joseph"], "identity-nationalities": ["NP"]})
    data.update({name: [value] for name, value in fields.items()})
    return data


# --- The requests the probe found -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?nationality=a%00b",
        "/cases/?page=a%00b&sort=a%00b",
        "/cases/?assignee=%C2%B2",
        "/cases/?assignee=" + "9" * 5000,
        "/cases/?status=%00&situation=%00&risk=%00&overdue=%00",
    ],
)
def test_hostile_case_list_filters_are_ignored_with_a_message(supervisor, url):
    response = hostile_client(supervisor).get(url)
    assert response.status_code == 200
    if "%00" in url:
        assert b"could not be read" in response.content


def test_a_nul_byte_in_the_case_search_is_refused(supervisor):
    response = hostile_client(supervisor).post("/cases/", {"q": "Bri\x00an"}, follow=True)
    assert response.status_code == 200
    assert b"could not be read" in response.content


@pytest.mark.parametrize(
    "query, field",
    [
        ("user=a%00b", "user"),
        ("user=%00", "user"),
        ("user=" + "u" * 1000, "user"),
        ("before=%C2%B2", None),
        ("before=" + "9" * 5000, None),
        ("until=9999-12-31", "until"),
        ("since=0001-01-01&until=2026-01-01", "since"),
        ("since=0000-00-00", "since"),
        ("action=%00", "action"),
    ],
)
def test_hostile_audit_filters_get_a_form_error(administrator, query, field):
    response = hostile_client(administrator).get(f"/audit/?{query}")
    assert response.status_code == 200
    if field:
        assert response.context["form"].errors.get(field), response.context["form"].errors


def test_a_valid_audit_filter_still_applies_beside_an_invalid_one(administrator, supervisor):
    client = hostile_client(administrator)
    response = client.get(f"/audit/?user={supervisor.username}&until=9999-12-31")
    assert response.status_code == 200
    labels = {event.actor_label for event in response.context["events"]}
    assert labels <= {supervisor.username}


@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_hostile_dates_of_birth_at_registration_get_a_form_error(supervisor, value):
    client = hostile_client(supervisor)
    response = client.post("/cases/new/", registration(client, **{"person-date_of_birth": value}))
    assert response.status_code == 200
    assert response.context["person_form"].errors.get("date_of_birth")
    assert not Person.objects.filter(given_name="Joseph").exists()


@pytest.mark.parametrize("value", ["a\x00b", LONG, "\n".join(f"Alias {i}" for i in range(500))])
def test_hostile_aliases_at_registration_get_a_form_error(supervisor, value):
    client = hostile_client(supervisor)
    response = client.post("/cases/new/", registration(client, **{"identity-aliases": value}))
    assert response.status_code == 200
    assert response.context["identity_form"].errors.get("aliases")
    assert not Alias.objects.exists()


@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_hostile_dates_of_birth_on_the_person_form_get_a_form_error(supervisor, case, value):
    url = f"/cases/{case.reference}/edit/person/"
    client = hostile_client(supervisor)
    form = next(f for f in page_forms(client.get(url).content) if f.action in ("", url))
    data = {**form.as_post_data(), "date_of_birth": [value]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors.get("date_of_birth")
    case.person.refresh_from_db()
    assert case.person.date_of_birth is None


@pytest.mark.parametrize("username", ["a\x00b", LONG, "\x00"])
def test_hostile_usernames_at_sign_in_get_a_form_error(username):
    response = hostile_client().post(
        "/accounts/login/", {"username": username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


# --- Point 12: a clear error, and nothing typed is lost ------------------------------


def test_an_out_of_range_date_of_birth_is_explained_and_the_rest_is_kept(supervisor):
    client = hostile_client(supervisor)
    data = registration(
        client,
        **{
            "person-date_of_birth": "0001-01-01",
            "person-family_name": "Thapa",
            "person-native_name": "जोसेफ थापा",
            "identity-aliases": "Jozef Tapa\nИосиф Тхапа",
        },
    )
    response = client.post("/cases/new/", data)
    assert response.status_code == 200
    errors = response.context["person_form"].errors["date_of_birth"]
    assert errors == ["Enter a date between 1900-01-01 and 2100-12-31."]
    page = response.content.decode()
    for typed in ("Joseph", "Thapa", "जोसेफ थापा", "Jozef Tapa", "Иосиф Тхапа", "0001-01-01"):
        assert typed in page, f"{typed!r} was lost"
    assert not Person.objects.filter(given_name="Joseph").exists()


def test_a_very_long_alias_is_explained_and_the_rest_is_kept(supervisor):
    client = hostile_client(supervisor)
    data = registration(
        client,
        **{
            "person-date_of_birth": "1994-07-21",
            "person-family_name": "Thapa",
            "identity-aliases": "Jozef Tapa\n" + "y" * 100_000,
        },
    )
    response = client.post("/cases/new/", data)
    assert response.status_code == 200
    errors = response.context["identity_form"].errors["aliases"]
    assert errors == ["Each spelling can have at most 300 characters: see line 2."]
    page = response.content.decode()
    for typed in ("Joseph", "Thapa", "1994-07-21", "Jozef Tapa"):
        assert typed in page, f"{typed!r} was lost"
    assert not Person.objects.filter(given_name="Joseph").exists()


def test_dates_far_in_the_future_are_refused_on_every_dated_form(supervisor, case):
    """9999-12-31 passed the situation and task forms, then broke date arithmetic."""
    client = hostile_client(supervisor)
    url = f"/cases/{case.reference}/edit/situation/"
    form = next(f for f in page_forms(client.get(url).content) if f.action in ("", url))
    response = client.post(url, {**form.as_post_data(), "next_review_on": ["9999-12-31"]})
    assert response.status_code == 200
    assert response.context["form"].errors.get("next_review_on")
    assert datetime.date.today().year < 2100  # the bound is a plausibility bound, not today


# --- Every page, every field: a property test ----------------------------------------

# Text a hostile client sends; lone surrogates go out as the bytes it would send
# (see encode_pairs), since they cannot be encoded as UTF-8.
KNOWN_HOSTILE = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "²",
        "٣",
        "1²",
        "-1",
        "0",
        "9" * 30,
        "1e999",
        "NaN",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "2026-02-30",
        "x" * 100_000,
        "\r\n" * 50,
        "' OR 1=1 --",
        "<script>",
    ]
)
HOSTILE_TEXT = st.one_of(
    KNOWN_HOSTILE,
    KNOWN_HOSTILE,  # twice: half of the values are the ones known to hurt
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "Nd", "No"]), max_size=8),
)
# Query parameters the views read beside the fields of their GET forms.
QUERY_NAMES = ["page", "sort", "before", "next", "q", "assignee", "overdue", "escalations"]
# Fields of POST-only views, whose forms live on other pages.
POST_NAMES = ["next", "decision", "cancel", "country", "active", "role", "reason", "language"]
# Posting these would end the very session the test uses; they take no fields anyway.
SKIPPED = {"logout", "sign-out-everywhere", "team-member-sessions"}
PREAUTH = "preauth"
FUZZ = settings(
    # A deeper search by hand: HOMEWARD_FUZZ_EXAMPLES=200 make test PYTEST_ARGS=-ktest_no_input
    max_examples=int(os.environ.get("HOMEWARD_FUZZ_EXAMPLES", "8")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def encode_pairs(pairs) -> str:
    """application/x-www-form-urlencoded, with lone surrogates as their raw bytes."""
    return "&".join(
        f"{quote_plus(name.encode('utf-8', 'surrogatepass'))}="
        f"{quote_plus(value.encode('utf-8', 'surrogatepass'))}"
        for name, value in pairs
    )


def fuzzed_urls():
    """(key, route) of every page but the admin's: the URLconf, walked as the matrix does."""
    urls = []
    for route, name in walk_urlconf():
        if route.startswith("admin/") or name in SKIPPED:
            continue
        if name == "case-edit":
            urls += [(f"case-edit:{section}", route) for section in SECTIONS]
        else:
            urls.append((name or route, route))
    return urls


def url_for(key, world, extra) -> str:
    name, _colon, section = key.partition(":")
    if name in MATRIX:
        kwargs = MATRIX[name]["kwargs"](world.inside)
        if section:
            kwargs["section"] = section
    else:
        kwargs = extra.get(name, {})
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def world():
    """Users of every role and a case with a child of every kind, as the permission
    matrix has them: every page is reached with objects in the user's scope."""
    users, inside = users_and_shared_case()
    return SimpleNamespace(users=users, inside=inside)


@pytest.fixture
def extra(world):
    """URL kwargs of the pages outside cases/, for objects in the users' scope."""
    users = world.users
    export = StatsExport.objects.create(
        organisation=users["data_officer"].organisation,
        requested_by=users["data_officer"],
        format="csv",
        state="done",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    notification = Notification.objects.create(
        recipient=users["caseworker"], kind="task", message="Due", event_key="fuzz"
    )
    member = {"pk": users["caseworker"].pk}
    shared_list = Dossier.objects.create(
        kind=Dossier.Kind.EMBASSY_CASES,
        requested_by=users["liaison"],
        state="done",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return {
        "embassy-export": {"pk": shared_list.pk},
        "embassy-export-download": {"pk": shared_list.pk, "token": shared_list.token},
        "stats-export": {"pk": export.pk},
        "stats-export-download": {"pk": export.pk, "token": export.token},
        "notification-read": {"pk": notification.pk},
        "team-member": member,
        "team-member-role": member,
        "team-member-active": member,
        "team-member-2fa": member,
        "password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(users["caseworker"].pk)),
            "token": default_token_generator.make_token(users["caseworker"]),
        },
    }


def fuzz_client(world, role) -> Client:
    """A client of `role` that answers a crash with its 500 page instead of raising."""
    client = Client(raise_request_exception=False)
    if role == PREAUTH:  # past the password step, before the second factor
        user = world.users["caseworker"]
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        return client
    return client if role == ANONYMOUS else signed_in_client(world.users[role], client)


def reachable_forms(world, url) -> dict[str, list]:
    """{role: the forms of the page} for each role for which `url` is a page rather than
    a 404 or the sign-in page."""
    reached = {}
    for role in (*ROLES, ANONYMOUS, PREAUTH):
        page = fuzz_client(world, role).get(url)
        if page.status_code == 200:
            reached[role] = [] if page.streaming else page_forms(page.content)
        elif page.status_code == 405 or (
            page.status_code == 302 and not page.url.startswith(reverse("login"))
        ):
            reached[role] = []
    return reached or {ANONYMOUS: []}


@pytest.mark.parametrize("key", [key for key, _route in fuzzed_urls()])
def test_no_input_makes_any_page_crash(world, extra, key):
    url = url_for(key, world, extra)
    reached = reachable_forms(world, url)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        role = data.draw(st.sampled_from(sorted(reached)), label="role")
        forms = reached[role]
        with transaction.atomic():
            client = fuzz_client(world, role)
            query_names = {n for f in forms if f.method == "get" for n in f.names}
            names = data.draw(st.sets(st.sampled_from(sorted(query_names | set(QUERY_NAMES)))))
            query = [(name, data.draw(HOSTILE_TEXT, label=name)) for name in sorted(names)]
            response = client.get(f"{url}?{encode_pairs(query)}")
            assert response.status_code < 500, f"GET {url} as {role} with {query!r:.300}"

            posts = [f for f in forms if f.method == "post" and f.names]
            if posts:
                form = data.draw(st.sampled_from(posts), label="form")
                target, names, pairs = form.action or url, form.names, form.data
            else:
                target, names, pairs = url, POST_NAMES, []
            hostile = data.draw(st.sets(st.sampled_from(names), min_size=1), label="fields")
            pairs = [(n, v) for n, v in pairs if n not in hostile]
            pairs += [(name, data.draw(HOSTILE_TEXT, label=name)) for name in sorted(hostile)]
            response = client.post(
                target, encode_pairs(pairs), content_type="application/x-www-form-urlencoded"
            )
            assert response.status_code < 500, f"POST {target} as {role} with {pairs!r:.300}"
            transaction.set_rollback(True)

    fuzz()


def test_a_pasted_paragraph_as_languages_is_echoed_short_in_its_error(supervisor):
    """The error names the bad codes, cut short: a pasted paragraph widened the page."""
    client = hostile_client(supervisor)
    data = {
        "person-given_name": "Joseph",
        "person-family_name": "Thapa",
        "identity-nationalities": ["NP"],
        "person-languages": "sw, " + "R" * 150,
    }
    response = register_in_steps(client, data)  # languages are asked on the second step
    assert response.status_code == 200
    [error] = response.context["person_form"].errors["languages"]
    assert error.startswith("Not a language code: ") and len(error) < 60
    assert "R" * 150 in response.content.decode(), "what was typed is kept in the field"
