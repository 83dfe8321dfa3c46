"""Every model a test may need to build has a factory, and each factory builds a valid row."""

import factory
import pytest
from django.apps import apps

from tests import factories

# Rows written only by the code that keeps them (the audit chain, the matching keys, the
# statistics facts, submission keys, worker pings): a test makes them through that code.
DERIVED = {
    "casework.AuditHead",
    "casework.AuditEvent",
    "casework.NameKey",
    "casework.NameWord",
    "casework.DocumentDigest",
    "stats.StatisticsFact",
    "casework.SubmissionKey",
    "casework.WorkerPing",
}

FACTORIES = [
    value
    for value in vars(factories).values()
    if isinstance(value, type)
    and issubclass(value, factory.django.DjangoModelFactory)
    and value is not factory.django.DjangoModelFactory
]


def model_label(factory_class) -> str:
    return factory_class._meta.get_model_class()._meta.label


def test_every_model_of_homeward_has_a_factory():
    models = {
        model._meta.label
        for app in ("accounts", "casework")
        for model in apps.get_app_config(app).get_models()
    }
    with_factory = {model_label(factory_class) for factory_class in FACTORIES}
    assert models - DERIVED - with_factory == set()


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_saves_a_row_that_keeps_the_models_constraints(factory_class):
    row = factory_class()
    row.refresh_from_db()
    row.validate_unique()
    row.validate_constraints()
