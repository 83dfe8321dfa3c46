import datetime
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from casework.models import Case, Nationality, Person

FROZEN = datetime.datetime(2026, 11, 27, 9, 30, tzinfo=datetime.UTC)


def dump_everything():
    """Every row of the project's own tables, with decrypted values, in key order."""
    rows = {}
    for model in [
        *apps.get_app_config("accounts").get_models(),
        *apps.get_app_config("casework").get_models(),
    ]:
        if model._meta.model_name in ("auditevent", "audithead"):
            continue  # the log of what happened, not seeded data
        values = list(model.objects.order_by("pk").values())
        for row in values:
            # Salted hashes differ by design; the password itself is the same.
            row.pop("password", None)
        rows[model._meta.label] = values
    return rows


def seed(**kwargs):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_same_seed_on_two_empty_databases_yields_the_same_data(settings):
    settings.DEBUG = True
    with time_machine.travel(FROZEN, tick=False):
        seed(cases=500, seed=7)
        first = dump_everything()
        call_command("flush", interactive=False)  # empties tables and resets sequences
        seed(cases=500, seed=7)
        second = dump_everything()
    assert first["casework.Case"], "the seed created no cases"
    assert len(first["casework.Case"]) == 500
    for label in first:
        assert first[label] == second[label], f"{label} differs between the two runs"
    # A different seed gives different data.
    call_command("flush", interactive=False)
    with time_machine.travel(FROZEN, tick=False):
        seed(cases=500, seed=8)
    assert dump_everything()["casework.Case"] != first["casework.Case"]


@pytest.mark.django_db
def test_seed_creates_every_role_and_a_realistic_population(settings):
    settings.DEBUG = True
    output = seed(cases=300, seed=3)
    assert "Demo logins" in output and "homeward-demo-2026" in output
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    liaison_countries = {str(u.liaison_countries[0]) for u in User.objects.filter(role="liaison")}
    assert liaison_countries == {"KE", "IN", "NP"}
    assert User.objects.get(username="caseworker").check_password("homeward-demo-2026")
    countries = set(Nationality.objects.values_list("country", flat=True))
    assert {"KE", "IN", "NP"} <= countries and len(countries) >= 10
    assert Person.objects.exclude(native_name="").exists()
    assert Person.objects.filter(aliases__isnull=False).exists()
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "active", "closed"} <= statuses
    # Tasks both overdue and upcoming, so the demo has something to remind about.
    from django.utils import timezone

    from casework.models import Task

    assert Task.objects.filter(due_at__lt=timezone.now()).exists()
    assert Task.objects.filter(due_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_seed_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed(cases=5)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_seed_refuses_a_database_that_holds_data(settings):
    settings.DEBUG = True
    seed(cases=5)
    with pytest.raises(CommandError, match="already holds data"):
        seed(cases=5)
    # --if-empty keeps the data and only prints the logins.
    assert "Demo logins" in seed(cases=5, if_empty=True)
    assert Case.objects.count() == 5


def test_demo_names_come_from_the_data_file_for_every_nationality_drawn():
    from casework import demo_data

    with demo_data.NAMES_FILE.open(encoding="utf-8") as source:
        header = source.readline().strip()
    assert header == "nationality,kind,latin,native_script,variants"
    names = demo_data.load_names()
    for country, _weight in demo_data.NATIONALITY_WEIGHTS:
        assert all(names[country][kind] for kind in demo_data.NAME_KINDS), country
        assert demo_data.NAMES[country]["family"] == names[country]["family"]
        assert demo_data.NAMES[country]["places"] and demo_data.NAMES[country]["languages"]
    assert ("John", "", ["Dzhon"]) in names["KE"]["given_male"]
