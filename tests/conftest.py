from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from accounts.models import Role
from tests import workers
from tests.factories import (
    CaseFactory,
    LiaisonFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.workers import CeleryProcesses


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the default language: a request of an earlier test may
    have left another one active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "celery_worker(**options): options of the `celery_worker` fixture "
        "(tests.workers.celery_worker: queue_prefix, env, start, beat)",
    )


@pytest.fixture
def celery_worker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CeleryProcesses]:
    """A real Celery worker process on a queue of this test's own, stopped afterwards.

    Options come from `@pytest.mark.celery_worker(...)`, e.g. `start=False` to start it
    later with `.start()`, or `env={...}` for the worker's settings. A test on the
    database requests its db fixture before this one, so the worker stops first.
    """
    marker = request.node.get_closest_marker("celery_worker")
    options = marker.kwargs if marker else {}
    with workers.celery_worker(tmp_path, **options) as worker:
        yield worker


# People and places most tests need. A test module that needs them otherwise (a named
# person, a case with particular values) defines its own fixture of the same name.


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def org(organisation):
    """The same organisation, by its short name."""
    return organisation


@pytest.fixture
def caseworker(org):
    return UserFactory(role=Role.CASEWORKER, organisation=org, first_name="Amina")


@pytest.fixture
def supervisor(org):
    return UserFactory(role=Role.SUPERVISOR, organisation=org)


@pytest.fixture
def recorder(org):
    """Whoever records cases in the organisation (a caseworker)."""
    return UserFactory(organisation=org)


@pytest.fixture
def liaison():
    """A liaison of Kenya's embassy."""
    return LiaisonFactory(liaison_countries="KE")


@pytest.fixture
def case(caseworker):
    """A Kenyan's case in the caseworker's organisation, assigned to the caseworker."""
    return CaseFactory(
        person=PersonFactory(organisation=caseworker.organisation, nationalities=["KE"]),
        assigned_to=caseworker,
    )
