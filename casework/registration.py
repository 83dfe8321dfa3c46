"""Registering a case: the one path by which a person and their case come in.

Beside the models rather than on them: registration writes the search and duplicate-check
indexes (casework.matching), which import the models.
"""

from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from accounts.models import Role, User
from casework import audit, matching
from casework.models import Alias, Case, IdentityDocument, Nationality, Person, Recruitment
from casework.vocabularies import CaseStatus

# A registration form opens often; the ranking of an organisation's nationalities moves slowly.
COMMON_NATIONALITIES_SECONDS = 3600


@transaction.atomic
def register_case(
    by: User,
    person: Person,
    case: Case,
    recruitment: Recruitment,
    *,
    nationalities: Sequence[str] = (),
    aliases: Sequence[str] = (),
    identity_document: IdentityDocument | None = None,
    means_of_control: Sequence[str] = (),
) -> Case:
    """Save a new person with their case and recruitment (unsaved instances) in `by`'s
    organisation, with the indexes, audit events and timeline entry of a registration.

    A caseworker who registers a case is assigned to it, and it is active at once.
    """
    person.organisation_id = by.organisation_id
    person.save()
    # Bulk writes send no signals: audited explicitly below, once the case exists.
    Nationality.objects.bulk_create(
        [Nationality(person=person, country=code) for code in nationalities]
    )
    Alias.objects.bulk_create([Alias(person=person, name=name) for name in aliases])
    if identity_document is not None:
        identity_document.person = person
        identity_document.save()
        matching.refresh_document_digest(identity_document)
    case.person = person
    case.organisation_id = by.organisation_id
    if by.role == Role.CASEWORKER:
        case.assigned_to = by
        case.status = CaseStatus.ACTIVE
    case.save()
    recruitment.case = case
    recruitment.save()
    recruitment.set_means_of_control(means_of_control)
    matching.refresh_name_keys(person)
    for object_type, count in [
        ("nationality", len(nationalities)),
        ("alias", len(aliases)),
        ("controlmeans", len(means_of_control)),
    ]:
        if count:
            audit.record(
                audit.Action.CREATE,
                actor=by,
                organisation_id=case.organisation_id,
                object_type=object_type,
                case_reference=case.reference,
                detail=f"{count} rows",
            )
    case.record_event("case_registered", by)
    return case


def common_nationalities(organisation_id: int, limit: int = 10) -> list[str]:
    """The `limit` nationalities (ISO codes) most often held by the organisation's persons,
    commonest first: they head the registration's country lists."""

    def count() -> list[str]:
        ranked = (
            Nationality.objects.filter(person__organisation_id=organisation_id)
            .values("country")
            .annotate(persons=Count("person_id"))
            .order_by("-persons", "country")[:limit]
        )
        return [row["country"] for row in ranked]

    key = f"common-nationalities:{organisation_id}:{limit}"
    return list(cache.get_or_set(key, count, COMMON_NATIONALITIES_SECONDS) or [])
