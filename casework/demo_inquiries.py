"""Synthetic family inquiries for `seed_demo`, from a random generator of their own.

About half describe a registered person, of the same organisation or of another one,
as a family would: the name in the person's own script (Devanagari, Arabic, Cyrillic...)
or, for names written only in Latin letters, in Cyrillic as a Russian-speaking relative
might spell it, with a birth year that may be a year out. The rest describe nobody known.
`seed_demo` matches them once everything is written (casework.workflows.tracing).
"""

import datetime
import random

from accounts.models import Organisation, Role, User
from casework import demo_data, matching
from casework.models import (
    Inquiry,
    InquiryIdentifier,
    InquiryName,
    Person,
    PersonIdentifier,
    new_inquiry_reference,
)
from casework.vocabularies import IdentifierKind, InquiryChannel, InquiryStatus, Relationship

PER_ORGANISATION = 30
PERSONS_LOOKED_AT = 2000  # per organisation, the first registered: enough to draw from

_CYRILLIC_PAIRS = [
    ("shch", "щ"),
    ("kh", "х"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("j", "дж"),
    ("x", "кс"),
]
_CYRILLIC_LETTERS = str.maketrans("abcdefghiklmnopqrstuvwyz", "абкдефгхиклмнопкрстуввйз")


def cyrillic(name: str) -> str:
    """A Latin name as a Russian speaker might spell it in Cyrillic (for demo data only)."""
    words = []
    for word in name.lower().split():
        for latin, letters in _CYRILLIC_PAIRS:
            word = word.replace(latin, letters)
        word = word.translate(_CYRILLIC_LETTERS)
        words.append(word[:1].upper() + word[1:])
    return " ".join(words)


class InquiryDrawer:
    """Draws and bulk-writes the demo inquiries; the order of the draws is the data."""

    def __init__(self, seed: int, now: datetime.datetime) -> None:
        self.rng = random.Random(f"inquiries:{seed}")
        self.now = now
        self.references: set[str] = set()

    def reference(self) -> str:
        while True:
            reference = new_inquiry_reference(self.rng)
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def create(self, organisations: dict[str, Organisation], users: dict[str, User]) -> list[int]:
        """A few dozen inquiries per organisation; returns their ids."""
        persons = {
            code: list(
                Person.objects.filter(organisation=org)
                .order_by("pk")
                .prefetch_related("nationalities")[:PERSONS_LOOKED_AT]
            )
            for code, org in organisations.items()
        }
        rows: list[tuple[Inquiry, list[str], Person | None]] = []
        for code, org in organisations.items():
            staff = [u for u in users.values() if u.organisation_id == org.pk]
            others = [p for other, group in persons.items() if other != code for p in group]
            for _ in range(PER_ORGANISATION):
                draw = self.rng.random()
                pool = persons[code] if draw < 0.45 else others if draw < 0.65 else []
                target = self.rng.choice(pool) if pool else None
                rows.append(self.draw(org, staff, users, target))
        Inquiry.objects.bulk_create([inquiry for inquiry, _names, _target in rows])
        InquiryName.objects.bulk_create(
            InquiryName(inquiry=inquiry, name=name)
            for inquiry, names, _target in rows
            for name in dict.fromkeys(names)
        )
        self.add_phones(rows)
        return [inquiry.pk for inquiry, _names, _target in rows]

    def draw(self, org, staff, users, target: Person | None):
        """One unsaved inquiry, its names, and the person it describes (or None)."""
        rng = self.rng
        country = self.country_of(target)
        names = demo_data.NAMES[country]
        received = self.now - datetime.timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
        if target is not None:
            spelled = self.spellings(target)
            birth_year = target.birth_year and target.birth_year + rng.choice([0, 0, 0, 1, -1])
            sex, place = target.sex, target.place_of_origin if rng.random() < 0.5 else ""
        else:
            given = rng.choice(names["given_male"])
            family = rng.choice(names["family"])
            spelled = [f"{given[0]} {family[0]}"]
            birth_year, sex, place = rng.randint(1975, 2005), "male", ""
        status = InquiryStatus.OPEN
        if target is None and rng.random() < 0.3:
            status = rng.choice([InquiryStatus.CLOSED_NOT_FOUND, InquiryStatus.WITHDRAWN])
        channel = rng.choice(InquiryChannel.values)
        caseworkers = [u for u in staff if u.role == Role.CASEWORKER]
        assigned = rng.choice(caseworkers) if caseworkers and rng.random() < 0.8 else None
        liaison = users.get(f"liaison-{country.lower()}")
        inquiry = Inquiry(
            organisation=org,
            reference=self.reference(),
            status=status,
            received_at=received,
            channel=channel,
            assigned_to=assigned,
            submitted_by=liaison if channel == InquiryChannel.EMBASSY and liaison else assigned,
            inquirer_name=" ".join(
                [rng.choice(names["given_female"])[0], rng.choice(names["family"])[0]]
            ),
            inquirer_relationship=rng.choice(Relationship.values),
            inquirer_phone=f"+{rng.randint(20, 998)} {rng.randint(10**7, 10**8 - 1)}",
            inquirer_language=demo_data.LANGUAGES[country][0],
            consent_to_store=True,
            consent_to_contact=rng.random() < 0.9,
            sex=sex,
            birth_year=birth_year or None,
            nationality=country,
            place_of_origin=place,
            last_contact_on=(received - datetime.timedelta(days=rng.randint(20, 400))).date(),
            outcome_at=received + datetime.timedelta(days=rng.randint(5, 60))
            if status != InquiryStatus.OPEN
            else None,
            last_activity_at=min(self.now, received + datetime.timedelta(days=rng.randint(0, 30))),
            created_at=received,
        )
        return inquiry, spelled, target

    def country_of(self, target: Person | None) -> str:
        if target is not None:
            codes = sorted(str(n.country.code) for n in target.nationalities.all())
            if codes and codes[0] in demo_data.NAMES:
                return codes[0]
        return self.rng.choice(sorted(demo_data.NAMES))

    def spellings(self, person: Person) -> list[str]:
        """How the family writes the name: their script first, sometimes Latin as well."""
        spelled = [person.native_name or cyrillic(person.full_name)]
        if self.rng.random() < 0.3:
            spelled.append(person.full_name)
        return spelled

    def add_phones(self, rows) -> None:
        """A phone number known to the family and recorded on the person, for some."""
        person_phones, inquiry_phones = [], []
        for inquiry, _names, target in rows:
            if target is None or self.rng.random() >= 0.25:
                continue
            phone = f"+{self.rng.randint(20, 998)} {self.rng.randint(10**8, 10**9 - 1)}"
            digest = matching.identifier_digest(IdentifierKind.PHONE, phone)
            person_phones.append(
                PersonIdentifier(
                    person=target,
                    organisation_id=target.organisation_id,
                    kind=IdentifierKind.PHONE,
                    value=phone,
                    digest=digest,
                )
            )
            inquiry_phones.append(
                InquiryIdentifier(
                    inquiry=inquiry, kind=IdentifierKind.PHONE, value=phone, digest=digest
                )
            )
        PersonIdentifier.objects.bulk_create(person_phones)
        InquiryIdentifier.objects.bulk_create(inquiry_phones)
