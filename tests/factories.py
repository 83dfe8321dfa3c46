"""factory-boy factories for the domain."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Organisation, Role, User
from casework import models
from casework.vocabularies import ConsentScope


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    code = factory.Sequence(lambda n: f"org{n}")
    country = "UA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.CASEWORKER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("correct-horse-battery")


class LiaisonFactory(UserFactory):
    role = Role.LIAISON
    organisation = None
    liaison_countries = "KE"
    access_expires_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=90)
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    given_name = "Brian"
    family_name = factory.Sequence(lambda n: f"Otieno{n}")
    birth_year = 1995

    @factory.post_generation
    def nationalities(self, create, extracted, **kwargs):
        if create:
            for code in extracted or ["KE"]:
                models.Nationality.objects.create(person=self, country=code)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Case

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Task

    case = factory.SubFactory(CaseFactory)
    title = "Call the family"
    kind = "follow_up"
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Consent

    case = factory.SubFactory(CaseFactory)
    scope = ConsentScope.SHARE_WITH_EMBASSY
    country = "KE"
    method = "written"
    recorded_by = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..case.organisation")
    )
