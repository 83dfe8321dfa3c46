"""Family inquiries matched against the registered persons of every organisation.

Matching runs as Celery work (casework.tasks): for an inquiry when it is recorded or
changed (`enqueue_matching`), for a person when they or their names, nationalities,
documents or phone numbers change (`enqueue_person_matching`, from model signals), and
nightly for every unsettled inquiry. Each run upserts InquiryCandidate rows: a decided
pair (confirmed or rejected) is never touched again, a pending one that no longer
reaches the threshold goes. A candidate reaching the threshold notifies the inquiry's
caseworker (or, with nobody assigned, the organisation's supervisors) once: the claim is
the conditional UPDATE of its `notified_at`.

Tasks are sent by name through the Celery app: this layer sits under casework.tasks.
"""

import functools
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from rapidfuzz import fuzz, process

from accounts.models import Role, User
from casework import matching
from casework.celery import app, enqueue
from casework.models import (
    Alias,
    DocumentDigest,
    IdentityDocument,
    Inquiry,
    InquiryCandidate,
    InquiryDocument,
    InquiryIdentifier,
    InquiryName,
    NameKey,
    NameKind,
    Nationality,
    Notification,
    Person,
    PersonIdentifier,
)
from casework.notifications import english_parts
from casework.vocabularies import InquiryStatus, MatchDecision, Sex

MATCH_INQUIRY_TASK = "casework.tasks.match_inquiry"
MATCH_PERSON_TASK = "casework.tasks.match_person"
EMAIL_TASK = "casework.tasks.send_notification_emails"
# How close (rapidfuzz ratio of loose keys, 0 to 100) a name part of an inquiry must be
# to one of a person's for the person's matching to look at the inquiry at all: looser
# than matching.MIN_WORD_SIMILARITY, so blocking never hides what scoring would find.
BLOCKING_SCORE = 55
NIGHTLY_BATCH = 200  # inquiries per task of the nightly re-match


def task_named(name: str):
    """The registered Celery task of this name, its module imported (autodiscovery) if no
    one has yet: a web process may not have imported casework.tasks."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


# --- Describing an inquiry -----------------------------------------------------------


def _description(inquiry: Inquiry, names, phones, documents) -> matching.Description:
    return matching.Description(
        names=tuple(names),
        sex="" if inquiry.sex == Sex.UNKNOWN else inquiry.sex,
        birth_year=inquiry.birth_year,
        # A CountryField reads as a Country, whose str() is its ISO code.
        nationalities=(str(inquiry.nationality),) if inquiry.nationality else (),
        place_of_origin=inquiry.place_of_origin,
        phone_digests=tuple(d for d in phones if d),
        document_digests=tuple(d for d in documents if d),
    )


def descriptions_of(inquiries: Sequence[Inquiry]) -> dict[int, matching.Description]:
    """The sought person of each inquiry as matching describes one: three queries in all."""
    ids = [inquiry.pk for inquiry in inquiries]
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    phones: dict[int, list[str]] = {pk: [] for pk in ids}
    documents: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = InquiryName.objects.filter(inquiry_id__in=ids).order_by("pk")
    for pk, name in rows.values_list("inquiry_id", "name"):
        names[pk].append(name)
    for pk, digest in InquiryIdentifier.objects.filter(inquiry_id__in=ids).values_list(
        "inquiry_id", "digest"
    ):
        phones[pk].append(digest)
    for pk, digest in InquiryDocument.objects.filter(inquiry_id__in=ids).values_list(
        "inquiry_id", "number_digest"
    ):
        documents[pk].append(digest)
    return {
        inquiry.pk: _description(
            inquiry, names[inquiry.pk], phones[inquiry.pk], documents[inquiry.pk]
        )
        for inquiry in inquiries
    }


def description_of(inquiry: Inquiry) -> matching.Description:
    """The sought person of one inquiry as matching describes one."""
    return descriptions_of([inquiry])[inquiry.pk]


# --- Recording matches ---------------------------------------------------------------


def _comparisons(match) -> list[dict]:
    return [
        {"field": c.field, "level": c.level, "weight": c.weight, "detail": c.detail}
        for c in match.comparisons
    ]


def record_matches(
    inquiry: Inquiry, matches: Iterable, *, person_id: int | None = None
) -> list[InquiryCandidate]:
    """Upsert the inquiry's candidates from `matches` (all of its matches, or, given
    `person_id`, those of that one person), then notify and follow the status.

    Returns the inquiry's candidates in scope, best first. Decided pairs stay as they are.
    """
    now = timezone.now()
    wanted = {m.person_id: m for m in matches if m.score >= matching.MATCH_THRESHOLD}
    in_scope = InquiryCandidate.objects.filter(inquiry=inquiry)
    if person_id is not None:
        in_scope = in_scope.filter(person_id=person_id)
        wanted = {pk: m for pk, m in wanted.items() if pk == person_id}
    existing = {c.person_id: c for c in in_scope}
    pending = {pk: c for pk, c in existing.items() if c.decision == MatchDecision.PENDING}
    fallen = [c.pk for pk, c in pending.items() if pk not in wanted]
    if fallen:
        InquiryCandidate.objects.filter(pk__in=fallen, decision=MatchDecision.PENDING).delete()
    # A pair decided or proposed by a run at the same moment is left alone (the unique
    # pair and the conditional updates).
    InquiryCandidate.objects.bulk_create(
        [
            InquiryCandidate(
                inquiry=inquiry,
                person_id=pk,
                organisation_id=m.organisation_id,
                score=m.score,
                comparisons=_comparisons(m),
                proposed_at=now,
            )
            for pk, m in wanted.items()
            if pk not in existing
        ],
        ignore_conflicts=True,
    )
    for pk, m in wanted.items():
        known = existing.get(pk)
        comparisons = _comparisons(m)
        if known and (known.score, known.comparisons) != (m.score, comparisons):
            InquiryCandidate.objects.filter(pk=known.pk, decision=MatchDecision.PENDING).update(
                score=m.score, comparisons=comparisons
            )
    notify_new_candidates(inquiry, now)
    follow_status(inquiry)
    return list(in_scope.order_by("-score", "pk"))


def _recipients(inquiry: Inquiry) -> list[int]:
    """The inquiry's caseworker if active, else its organisation's active supervisors."""
    active = User.objects.filter(is_active=True)
    if inquiry.assigned_to_id and active.filter(pk=inquiry.assigned_to_id).exists():
        return [inquiry.assigned_to_id]
    supervisors = active.filter(organisation_id=inquiry.organisation_id, role=Role.SUPERVISOR)
    return list(supervisors.order_by("pk").values_list("pk", flat=True))


def notify_new_candidates(inquiry: Inquiry, now=None) -> list[int]:
    """Tell of each pending candidate nobody was told of yet, once; returns notification
    ids (their emails go after the commit)."""
    now = now or timezone.now()
    fresh = InquiryCandidate.objects.filter(
        inquiry=inquiry, decision=MatchDecision.PENDING, notified_at__isnull=True
    ).values_list("pk", "person_id")
    before, after = english_parts("inquiry_candidate")
    created = []
    recipients: list[int] | None = None
    for pk, person_id in fresh:
        # The claim: of two runs at the same moment, one updates the row, one finds none.
        if not InquiryCandidate.objects.filter(pk=pk, notified_at__isnull=True).update(
            notified_at=now
        ):
            continue
        recipients = _recipients(inquiry) if recipients is None else recipients
        for recipient_id in recipients:
            notification, was_created = Notification.objects.get_or_create(
                recipient_id=recipient_id,
                event_key=f"inquiry:{inquiry.pk}:candidate:{person_id}",
                defaults={
                    "kind": "inquiry_candidate",
                    "inquiry": inquiry,
                    "message": f"{before}{inquiry.reference}{after}",
                    "created_at": now,
                },
            )
            if was_created:
                created.append(notification.pk)
    _send_emails_after_commit(created)
    return created


def _send_emails_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: enqueue(task_named(EMAIL_TASK), ids))


def follow_status(inquiry: Inquiry) -> None:
    """An open inquiry with a candidate to review becomes a possible match; one whose
    candidates all went (no longer matching) is open again. Both on its timeline."""
    pending = InquiryCandidate.objects.filter(
        inquiry=inquiry, decision=MatchDecision.PENDING
    ).exists()
    old, new, code = (
        (InquiryStatus.OPEN, InquiryStatus.POSSIBLE_MATCH, "inquiry_possible_match")
        if pending
        else (InquiryStatus.POSSIBLE_MATCH, InquiryStatus.OPEN, "inquiry_candidates_gone")
    )
    if Inquiry.objects.filter(pk=inquiry.pk, status=old).update(status=new):
        inquiry.status = new
        inquiry.record_event(code, None)


# --- Matching an inquiry -------------------------------------------------------------


def match_inquiries(inquiry_ids: Iterable[int]) -> dict[int, list[InquiryCandidate]]:
    """(Re)compute the candidates of these inquiries, those still unsettled; by inquiry."""
    inquiries = list(Inquiry.objects.unsettled().filter(pk__in=list(inquiry_ids)).order_by("pk"))
    descriptions = descriptions_of(inquiries)
    result = {}
    for inquiry in inquiries:
        matches = matching.match_persons(descriptions[inquiry.pk])
        with transaction.atomic():
            result[inquiry.pk] = record_matches(inquiry, matches)
            Inquiry.objects.filter(pk=inquiry.pk).update(matched_at=timezone.now())
    return result


def match_inquiry(inquiry_id: int) -> list[InquiryCandidate]:
    """(Re)compute an inquiry's candidates across every organisation; a settled (or gone)
    inquiry is left alone. Returns its candidates, best first."""
    return match_inquiries([inquiry_id]).get(inquiry_id, [])


def enqueue_matching(inquiry: Inquiry) -> None:
    """Match a new or changed inquiry in the background, once the transaction commits."""
    inquiry_id = inquiry.pk
    transaction.on_commit(lambda: enqueue(task_named(MATCH_INQUIRY_TASK), inquiry_id))


def unsettled_inquiry_batches(size: int = NIGHTLY_BATCH) -> list[list[int]]:
    """The ids of every unsettled inquiry, in batches for the nightly re-match."""
    ids = list(Inquiry.objects.unsettled().order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# --- Matching a person ---------------------------------------------------------------


@functools.lru_cache(maxsize=100_000)
def _loose_keys(name: str) -> tuple[str, ...]:
    # A worker sees the same inquiry names at every person's run: worked out once. Each
    # part in its other readings too (matching.typed_parts), as matching reads it.
    return tuple(
        dict.fromkeys(
            matching.loose_key(key)
            for typed, others in matching.typed_parts(name)
            for key in (typed, *others)
        )
    )


def _inquiries_sharing_names(person_id: int) -> set[int]:
    """Unsettled inquiries with a name part close to one of the person's (blocking)."""
    keys = NameKey.objects.filter(person_id=person_id, kind=NameKind.TOKEN)
    looses = {matching.loose_key(key) for key in keys.values_list("key", flat=True)}
    if not looses:
        return set()
    names = InquiryName.objects.filter(inquiry__in=Inquiry.objects.unsettled())
    choices, owners = [], []
    for inquiry_id, name in names.values_list("inquiry_id", "name").iterator(chunk_size=5000):
        for loose in _loose_keys(name):
            choices.append(loose)
            owners.append(inquiry_id)
    found: set[int] = set()
    for loose in looses:
        near = process.extract(
            loose, choices, scorer=fuzz.ratio, score_cutoff=BLOCKING_SCORE, limit=None
        )
        found.update(owners[index] for _choice, _score, index in near)
        # A part typed short ("Rahm" for Rakhmonov) is a beginning of the person's.
        found.update(
            owners[i] for i, part in enumerate(choices) if len(part) >= 2 and loose.startswith(part)
        )
    return found


def inquiries_near(person_id: int) -> set[int]:
    """The unsettled inquiries whose description could match the person, cheaply: a close
    name part, the same phone or handle, the same document, or a candidate already."""
    unsettled = Inquiry.objects.unsettled()
    phones = PersonIdentifier.objects.filter(person_id=person_id).values("digest")
    documents = DocumentDigest.objects.filter(identity_document__person_id=person_id)
    ids = _inquiries_sharing_names(person_id)
    for rows in (
        InquiryIdentifier.objects.filter(digest__in=phones).values_list("inquiry_id", flat=True),
        InquiryDocument.objects.filter(number_digest__in=documents.values("digest")).values_list(
            "inquiry_id", flat=True
        ),
        InquiryCandidate.objects.filter(person_id=person_id).values_list("inquiry_id", flat=True),
    ):
        ids.update(unsettled.filter(pk__in=rows).values_list("pk", flat=True))
    return ids


def match_person(person_id: int) -> dict[int, list[InquiryCandidate]]:
    """Offer a new or changed person to the unsettled inquiries that could be about them
    (and withdraw them from those they no longer match); by inquiry id."""
    persons = Person.objects.filter(pk=person_id)
    if not persons.exists():
        return {}  # deleted: its candidates went with it
    inquiries = list(Inquiry.objects.unsettled().filter(pk__in=inquiries_near(person_id)))
    descriptions = descriptions_of(inquiries)
    result = {}
    for inquiry in inquiries:
        matches = matching.match_persons(descriptions[inquiry.pk], persons=persons)
        with transaction.atomic():
            result[inquiry.pk] = record_matches(inquiry, matches, person_id=person_id)
    return result


class _MatchPersonAfterCommit:
    """The callback enqueueing a person's matching; equal for the same person, so that a
    transaction saving a person and their names enqueues it once."""

    def __init__(self, person_id: int) -> None:
        self.person_id = person_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _MatchPersonAfterCommit) and other.person_id == self.person_id

    def __hash__(self) -> int:
        return hash(self.person_id)

    def __call__(self) -> None:
        enqueue(task_named(MATCH_PERSON_TASK), self.person_id)


def enqueue_person_matching(person_id: int | None) -> None:
    """Match a new or changed person in the background, once (per transaction) it commits."""
    if person_id is None:
        return
    callback = _MatchPersonAfterCommit(person_id)
    pending = transaction.get_connection().run_on_commit
    if any(entry[1] == callback for entry in pending):
        return
    transaction.on_commit(callback)


def person_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save and post_delete receiver for a person and what describes them."""
    if raw:
        return
    person_id = instance.pk if sender.__name__ == "Person" else instance.person_id
    enqueue_person_matching(person_id)


def connect_person_signals() -> None:
    """A new or changed person is offered to the inquiries that could be about them, once
    their transaction commits (called by the app's ready()). Bulk writes send no signal:
    seed_demo and the like match at the end."""
    for model in (Person, Alias, Nationality, IdentityDocument, PersonIdentifier):
        name = model.__name__
        post_save.connect(person_changed, sender=model, dispatch_uid=f"tracing-save-{name}")
        if model is not Person:
            post_delete.connect(person_changed, sender=model, dispatch_uid=f"tracing-del-{name}")
