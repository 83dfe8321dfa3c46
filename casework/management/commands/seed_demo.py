"""A deterministic synthetic coalition for demos, development and benchmarks."""

import base64
import datetime
import random
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Holiday, Organisation, Role, User
from casework import demo_data, matching
from casework.demo_custody import CustodyDrawer, CustodyRows
from casework.demo_inquiries import InquiryDrawer
from casework.models import (
    Alias,
    Case,
    Consent,
    Contact,
    ControlMeans,
    EmbassyDisclosure,
    EmbassyMessage,
    EmbassyRequest,
    IdentityDocument,
    Nationality,
    Note,
    Person,
    Recruitment,
    Task,
    new_reference,
)
from casework.stats import facts as statsfacts
from casework.vocabularies import (
    CaptureKind,
    CaseStatus,
    ClosureReason,
    ConsentMethod,
    ConsentScope,
    ConsentStatus,
    ContactKind,
    DocumentStatus,
    DocumentType,
    EmbassyRequestKind,
    EmbassyRequestStatus,
    MeansOfControl,
    NoteKind,
    Platform,
    PromisedJob,
    RecruitmentMethod,
    RiskLevel,
    Sex,
    Situation,
    TaskKind,
    UnitType,
)
from casework.workflows import tracing

DEMO_PASSWORD = "homeward-demo-2026"  # noqa: S105 (demo accounts only)
BATCH = 2000

ORGANISATIONS = [
    ("Safe Return Network", "srn", "UA"),
    ("Frontline Families Aid", "ffa", "KE"),
]

# (username, role, organisation code or None, liaison countries)
USERS = [
    ("admin", Role.ADMINISTRATOR, "srn", ""),
    ("supervisor", Role.SUPERVISOR, "srn", ""),
    ("caseworker", Role.CASEWORKER, "srn", ""),
    ("caseworker2", Role.CASEWORKER, "srn", ""),
    ("caseworker3", Role.CASEWORKER, "srn", ""),
    ("dataofficer", Role.DATA_OFFICER, "srn", ""),
    ("ffa-admin", Role.ADMINISTRATOR, "ffa", ""),
    ("ffa-supervisor", Role.SUPERVISOR, "ffa", ""),
    ("ffa-caseworker", Role.CASEWORKER, "ffa", ""),
    ("ffa-dataofficer", Role.DATA_OFFICER, "ffa", ""),
    ("liaison-ke", Role.LIAISON, None, "KE"),
    ("liaison-in", Role.LIAISON, None, "IN"),
    ("liaison-np", Role.LIAISON, None, "NP"),
]


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


SITUATIONS = [
    (Situation.POW_IN_UKRAINE, 30),
    (Situation.AT_FRONT, 20),
    (Situation.MISSING, 12),
    (Situation.ELSEWHERE_IN_RUSSIA, 8),
    (Situation.OCCUPIED_TERRITORY, 6),
    (Situation.RETURNED_HOME, 8),
    (Situation.DECEASED, 6),
    (Situation.EXCHANGED_TO_RUSSIA, 3),
    (Situation.THIRD_COUNTRY, 2),
    (Situation.UNKNOWN, 5),
]
METHODS = [
    (RecruitmentMethod.ONLINE_ADVERTISEMENT, 30),
    (RecruitmentMethod.AGENCY, 20),
    (RecruitmentMethod.INDIVIDUAL_RECRUITER, 18),
    (RecruitmentMethod.FRIEND_OR_RELATIVE, 8),
    (RecruitmentMethod.EMPLOYER_IN_RUSSIA, 7),
    (RecruitmentMethod.STATE_OFFICE, 6),
    (RecruitmentMethod.DETENTION, 4),
    (RecruitmentMethod.OTHER, 2),
    (RecruitmentMethod.UNKNOWN, 5),
]
PLATFORMS = [
    (Platform.TELEGRAM, 25),
    (Platform.TIKTOK, 20),
    (Platform.FACEBOOK, 15),
    (Platform.VKONTAKTE, 10),
    (Platform.WHATSAPP, 12),
    (Platform.INSTAGRAM, 8),
    (Platform.YOUTUBE, 5),
    (Platform.X, 3),
    (Platform.OTHER, 2),
]
JOBS = [
    (PromisedJob.SECURITY, 30),
    (PromisedJob.CONSTRUCTION, 20),
    (PromisedJob.DRIVER, 15),
    (PromisedJob.COOK, 6),
    (PromisedJob.FACTORY, 8),
    (PromisedJob.WAREHOUSE, 8),
    (PromisedJob.MILITARY, 8),
    (PromisedJob.OTHER, 5),
]
STATUSES = [
    (CaseStatus.NEW, 8),
    (CaseStatus.ACTIVE, 50),
    (CaseStatus.AWAITING_EMBASSY, 14),
    (CaseStatus.AWAITING_REPATRIATION, 8),
    (CaseStatus.CLOSURE_REQUESTED, 4),
    (CaseStatus.CLOSED, 16),
]
RISKS = [
    (RiskLevel.LOW, 20),
    (RiskLevel.MEDIUM, 40),
    (RiskLevel.HIGH, 30),
    (RiskLevel.CRITICAL, 10),
]
NOTE_TEXTS = [
    (NoteKind.CALL, "Called the family; they had no news since the last message."),
    (NoteKind.MESSAGE, "Received a voice message; the person reports being held with others."),
    (NoteKind.VISIT, "Visit arranged through the ICRC delegation; awaiting confirmation."),
    (NoteKind.MEETING, "Meeting with the lawyer about the contract signed in Russian."),
    (NoteKind.DOCUMENT, "Copy of the passport received from the family."),
]
TASK_TITLES = [
    (TaskKind.FOLLOW_UP, "Follow up on the last call"),
    (TaskKind.FAMILY_UPDATE, "Update the family"),
    (TaskKind.EMBASSY_REQUEST, "Chase the embassy's answer"),
    (TaskKind.DOCUMENT, "Obtain a copy of the identity document"),
    (TaskKind.WELFARE_CHECK, "Welfare check"),
]
EMBASSY_MESSAGES = {
    EmbassyRequestKind.IDENTITY_CONFIRMATION: "Please confirm the identity of the person.",
    EmbassyRequestKind.TRAVEL_DOCUMENT: "The person needs an emergency travel document.",
    EmbassyRequestKind.CONSULAR_VISIT: "The person asks for a consular visit.",
    EmbassyRequestKind.REPATRIATION: "Please start repatriation arrangements.",
    EmbassyRequestKind.FAMILY_NOTIFICATION: "Please help notify the family.",
}
RELATIONSHIPS = ["mother", "father", "wife", "brother", "sister", "son", "cousin"]
DIAL_CODES = {
    "KE": "254",
    "IN": "91",
    "NP": "977",
    "GH": "233",
    "NG": "234",
    "CM": "237",
    "TG": "228",
    "SL": "232",
    "SN": "221",
    "SO": "252",
    "ZA": "27",
    "EG": "20",
    "LK": "94",
    "BD": "880",
    "TJ": "992",
    "UZ": "998",
    "KG": "996",
    "KZ": "7",
    "TM": "993",
    "SY": "963",
    "IQ": "964",
    "YE": "967",
    "JO": "962",
    "CU": "53",
    "CN": "86",
}


CONSENT_CHANCES = [
    (ConsentScope.INCLUDE_IN_STATISTICS, 0.92),
    (ConsentScope.CONTACT_FAMILY, 0.75),
    (ConsentScope.SHARE_WITH_EMBASSY, 0.55),
]


class DrawnPerson(NamedTuple):
    """A person drawn for the demo, with what is written for it once it has a key."""

    person: Person
    country: str
    extra_country: str | None
    aliases: list[str]
    doc_status: str


class Command(BaseCommand):
    help = "Create a deterministic synthetic coalition: organisations, demo users, cases."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300, help="number of cases (300)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing but print the logins if seeded"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="allow running with DEBUG off (never in production)",
        )

    def handle(self, *args, cases, seed, if_empty, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it is for demo databases only. "
                "Pass --force on a throw-away database."
            )
        if Organisation.objects.exists() or Person.objects.exists():
            if if_empty:
                self.print_logins()
                return
            raise CommandError("The database already holds data; seed_demo only fills empty ones.")
        with transaction.atomic():
            seeder = DemoSeeder(seed=seed, now=timezone.now())
            seeder.create_organisations_and_users()
            seeder.create_cases(cases)
            statsfacts.refresh_all()  # the cases were written in bulk, without signals
            inquiries = InquiryDrawer(seed, seeder.now).create(seeder.organisations, seeder.users)
            # Written in bulk too: matched now, as the tasks would have done.
            tracing.match_inquiries(inquiries)
        self.stdout.write(f"Seeded {cases} cases (seed {seed}).")
        self.print_logins()

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}).")
        self.stdout.write(
            "Second factor: add the TOTP secret to an authenticator app, or print a current "
            "code with `python manage.py demo_totp USERNAME`."
        )
        secrets = {
            d.user.username: base64.b32encode(d.bin_key).decode()
            for d in TOTPDevice.objects.filter(name="Demo authenticator").select_related("user")
        }
        for username, role, org, countries in USERS:
            where = org or f"embassy of {countries}"
            secret = secrets.get(username, "")
            self.stdout.write(f"  {username:<16} {role.label:<16} {where:<16} TOTP {secret}")
        self.stdout.write("")


class DemoSeeder:
    """Builds the demo rows from one random.Random, so a seed always yields the same data."""

    def __init__(self, seed, now):
        self.rng = random.Random(seed)
        self.now = now.replace(second=0, microsecond=0)
        self.today = self.now.date()
        self.custody = CustodyDrawer(seed, self.now)
        self.references = set()

    def create_organisations_and_users(self):
        self.organisations = {}
        for name, code, country in ORGANISATIONS:
            org = Organisation.objects.create(
                name=name, code=code, country=country, weekend_days=[6, 7], created_at=self.now
            )
            for month, day, label in [(1, 1, "New Year's Day"), (12, 25, "Christmas Day")]:
                Holiday.objects.create(
                    organisation=org, date=datetime.date(self.today.year, month, day), name=label
                )
            self.organisations[code] = org
        # One Argon2 hash for every demo account: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        self.users = {}
        for username, role, org_code, countries in USERS:
            self.users[username] = User.objects.create(
                username=username,
                email=f"{username}@example.org",
                password=password,
                role=role,
                organisation=self.organisations.get(org_code),
                liaison_countries=countries,
                access_expires_on=(
                    self.today + datetime.timedelta(days=365) if role == Role.LIAISON else None
                ),
                first_name=username.split("-")[-1].capitalize(),
                date_joined=self.now,
            )
        # A TOTP device per demo user, from the seed, so the demo can be signed into.
        for user in self.users.values():
            TOTPDevice.objects.create(
                user=user,
                name="Demo authenticator",
                key=self.rng.randbytes(20).hex(),
                confirmed=True,
            )
        self.caseworkers = {
            code: [
                u
                for u in self.users.values()
                if u.organisation_id == org.id and u.role == Role.CASEWORKER
            ]
            for code, org in self.organisations.items()
        }

    def reference(self):
        while True:
            ref = new_reference(self.rng)
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def days_ago(self, low, high):
        return self.now - datetime.timedelta(days=self.rng.randint(low, high))

    def create_cases(self, count):
        for start in range(0, count, BATCH):
            self.create_batch(min(BATCH, count - start))

    def create_batch(self, count):
        drawn = [self.draw_person() for _ in range(count)]
        people = [d.person for d in drawn]
        Person.objects.bulk_create(people, batch_size=BATCH)
        nationalities, aliases, documents, case_rows = [], [], [], []
        for d in drawn:
            nationalities.append(Nationality(person=d.person, country=d.country))
            if d.extra_country:
                nationalities.append(Nationality(person=d.person, country=d.extra_country))
            aliases.extend(
                Alias(person=d.person, name=spelling, source="family or documents")
                for spelling in d.aliases
            )
            documents.extend(self.build_identity_documents(d.person, d.country, d.doc_status))
            case_rows.append(self.build_case(d.person, d.country, d.person.organisation))
        Nationality.objects.bulk_create(nationalities, batch_size=BATCH)
        Alias.objects.bulk_create(aliases, batch_size=BATCH)
        IdentityDocument.objects.bulk_create(documents, batch_size=BATCH)
        # The search and duplicate-check indexes, as registration would write them.
        matching.refresh_name_keys_bulk(people)
        matching.refresh_document_digests_bulk(documents)
        Case.objects.bulk_create([c for c, _ in case_rows], batch_size=BATCH)
        self.create_case_children(case_rows)

    def draw_person(self) -> DrawnPerson:
        """An unsaved person of a random organisation and country, with the rest drawn
        for it (the order of the draws is the data: keep it)."""
        rng = self.rng
        org = self.organisations["srn" if rng.random() < 0.8 else "ffa"]
        country = weighted(rng, demo_data.NATIONALITY_WEIGHTS)
        names = demo_data.NAMES[country]
        sex = Sex.FEMALE if rng.random() < 0.06 else Sex.MALE
        given = rng.choice(names["given_female" if sex == Sex.FEMALE else "given_male"])
        family = rng.choice(names["family"])
        place, region = rng.choice(names["places"])
        birth_year = rng.randint(1972, 2006)
        exact_birth = rng.random() < 0.6
        person = Person(
            organisation=org,
            given_name=given[0],
            family_name=family[0],
            native_name=" ".join(p for p in (given[1], family[1]) if p),
            sex=sex,
            date_of_birth=(
                datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
                if exact_birth
                else None
            ),
            birth_year=birth_year,
            birth_year_estimated=not exact_birth,
            languages=list(names["languages"]),
            interpreter_needed=rng.random() < 0.5,
            place_of_origin=place,
            region_of_origin=region,
            vulnerabilities=(
                [rng.choice(["injured", "ill", "disability", "minor_at_recruitment"])]
                if rng.random() < 0.25
                else []
            ),
            created_at=self.days_ago(30, 700),
        )
        return DrawnPerson(
            person,
            country,
            self.draw_extra_nationality(country),
            self.draw_aliases(person, given, family),
            self.draw_document_status(),
        )

    def draw_extra_nationality(self, country: str) -> str | None:
        """A few people hold a second nationality."""
        if self.rng.random() >= 0.06:
            return None
        extra_country = self.rng.choice(["IN", "KE", "GB", "US", "RU", "AE"])
        return None if extra_country == country else extra_country

    def draw_aliases(self, person: Person, given, family) -> list[str]:
        """Up to three other spellings of the person's name, from the name lists."""
        spellings = {f"{g} {f}" for g in [given[0], *given[2]] for f in [family[0], *family[2]]}
        spellings.discard(person.full_name)
        return sorted(spellings)[: self.rng.randint(0, 3)]

    def draw_document_status(self) -> str:
        return weighted(
            self.rng,
            [
                (DocumentStatus.CONFISCATED, 40),
                (DocumentStatus.WITH_PERSON, 15),
                (DocumentStatus.LOST, 15),
                (DocumentStatus.DESTROYED, 5),
                (DocumentStatus.UNKNOWN, 25),
            ],
        )

    def build_identity_documents(
        self, person: Person, country: str, doc_status: str
    ) -> list[IdentityDocument]:
        """The person's passport, and for some a military contract."""
        rng = self.rng
        documents = [
            IdentityDocument(
                person=person,
                doc_type=DocumentType.PASSPORT,
                number=f"{rng.choice('ABCKLMPR')}{rng.randint(1000000, 9999999)}",
                issuing_country=country,
                status=doc_status,
            )
        ]
        if rng.random() < 0.3:
            documents.append(
                IdentityDocument(
                    person=person,
                    doc_type=DocumentType.MILITARY_CONTRACT,
                    number="",
                    issuing_country="RU",
                    status=DocumentStatus.UNKNOWN,
                )
            )
        return documents

    def build_case(self, person, country, org):
        rng = self.rng
        status = weighted(rng, STATUSES)
        situation = weighted(rng, SITUATIONS)
        if status == CaseStatus.NEW:
            assignee = None if rng.random() < 0.5 else rng.choice(self.caseworkers[org.code])
        else:
            assignee = rng.choice(self.caseworkers[org.code])
        place_country, region, place = self.place_for(situation, country)
        closed = status == CaseStatus.CLOSED
        case = Case(
            reference=self.reference(),
            person=person,
            organisation=org,
            assigned_to=assignee,
            status=status,
            closure_reason=(
                weighted(
                    rng,
                    [
                        (ClosureReason.RETURNED_HOME, 50),
                        (ClosureReason.DECEASED, 15),
                        (ClosureReason.LOST_CONTACT, 15),
                        (ClosureReason.NO_LONGER_WANTS_SUPPORT, 10),
                        (ClosureReason.TRANSFERRED, 10),
                    ],
                )
                # A closure request carries its reason, as a closed case does.
                if closed or status == CaseStatus.CLOSURE_REQUESTED
                else ""
            ),
            situation=situation,
            situation_country=place_country,
            situation_region=region,
            situation_place=place,
            situation_date=(self.now - datetime.timedelta(days=rng.randint(0, 120))).date(),
            risk=weighted(rng, RISKS),
            do_not_contact_family=rng.random() < 0.05,
            do_not_share_with_embassy=rng.random() < 0.05,
            media_attention=rng.random() < 0.04,
            next_review_on=self.today + datetime.timedelta(days=rng.randint(-5, 30)),
            last_activity_at=self.now - datetime.timedelta(hours=rng.randint(1, 24 * 60)),
            created_at=person.created_at,
            closed_at=self.days_ago(1, 400) if closed else None,
            closure_requested_at=(
                self.days_ago(1, 12) if status == CaseStatus.CLOSURE_REQUESTED else None
            ),
        )
        return case, country

    def place_for(self, situation, country):
        rng = self.rng
        if situation in (Situation.AT_FRONT, Situation.OCCUPIED_TERRITORY):
            place, region = rng.choice(demo_data.OCCUPIED_PLACES)
            return "UA", region, place
        if situation == Situation.POW_IN_UKRAINE:
            return "UA", rng.choice(demo_data.POW_PLACES), ""
        if situation in (Situation.ELSEWHERE_IN_RUSSIA, Situation.EXCHANGED_TO_RUSSIA):
            place, region = rng.choice(demo_data.RUSSIA_PLACES)
            return "RU", region, place
        if situation == Situation.RETURNED_HOME:
            place, region = rng.choice(demo_data.NAMES[country]["places"])
            return country, region, place
        return "", "", ""

    def create_case_children(self, case_rows):
        rng = self.rng
        recruitments, contacts, consents, notes, tasks, requests = [], [], [], [], [], []
        disclosures = []
        custody = CustodyRows()
        staff = {u.organisation_id: u for u in self.users.values() if u.role == Role.SUPERVISOR}
        for case, country in case_rows:
            supervisor = staff[case.organisation_id]
            recorder = case.assigned_to or supervisor
            recruitment = self.build_recruitment(case, country)
            recruitment.captured_on = self.custody.draw(
                custody, case, recruitment.captured_on, recruitment.capture_place, recorder
            )
            if recruitment.captured_on and not recruitment.capture_kind:
                recruitment.capture_kind = CaptureKind.CAPTURED
            recruitments.append(recruitment)
            for _ in range(rng.randint(1, 2)):
                contacts.append(self.build_family_contact(case, country))
            for scope, chance in CONSENT_CHANCES:
                if rng.random() < chance:
                    consent, disclosure = self.build_consent(
                        case, country, scope, recorder, supervisor
                    )
                    if disclosure is not None:
                        disclosures.append(disclosure)
                    consents.append(consent)
            notes.extend(self.build_notes(case, recorder))
            if case.status != CaseStatus.CLOSED:
                tasks.extend(self.build_tasks(case, recorder))
                if rng.random() < 0.3:
                    requests.append(self.build_embassy_request(case, country, recorder))
        self.save_recruitments(recruitments)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        Consent.objects.bulk_create(consents, batch_size=BATCH)
        EmbassyDisclosure.objects.bulk_create(disclosures, batch_size=BATCH)
        Note.objects.bulk_create(notes, batch_size=BATCH)
        Task.objects.bulk_create(tasks, batch_size=BATCH)
        self.save_embassy_requests(requests)
        custody.save()

    def build_consent(
        self, case: Case, country: str, scope: str, recorder: User, supervisor: User
    ) -> tuple[Consent, EmbassyDisclosure | None]:
        """A consent given (perhaps since withdrawn), and for most consents to share with
        the embassy, the supervisor's approval of the disclosure."""
        rng = self.rng
        given_at = case.created_at + datetime.timedelta(days=rng.randint(0, 10))
        withdrawn = rng.random() < 0.05
        disclosure = None
        if scope == ConsentScope.SHARE_WITH_EMBASSY and not withdrawn and rng.random() < 0.7:
            # Most consented cases were approved for disclosure by a supervisor.
            disclosure = EmbassyDisclosure(
                case=case,
                country=country,
                approved_by=supervisor,
                approved_at=given_at + datetime.timedelta(days=1),
            )
        consent = Consent(
            case=case,
            scope=scope,
            country=country if scope == ConsentScope.SHARE_WITH_EMBASSY else "",
            status=ConsentStatus.WITHDRAWN if withdrawn else ConsentStatus.GIVEN,
            given_at=given_at,
            withdrawn_at=(
                given_at + datetime.timedelta(days=rng.randint(1, 30)) if withdrawn else None
            ),
            method=rng.choice([ConsentMethod.VERBAL, ConsentMethod.WRITTEN]),
            recorded_by=recorder,
        )
        return consent, disclosure

    def build_notes(self, case: Case, recorder: User) -> list[Note]:
        """One to three notes of the case's work, before its last activity."""
        rng = self.rng
        notes = []
        for _ in range(rng.randint(1, 3)):
            kind, text = rng.choice(NOTE_TEXTS)
            occurred = case.last_activity_at - datetime.timedelta(days=rng.randint(0, 60))
            notes.append(
                Note(
                    case=case,
                    kind=kind,
                    occurred_at=occurred,
                    text=text,
                    confidentiality="restricted" if rng.random() < 0.15 else "normal",
                    author=recorder,
                    created_at=occurred,
                )
            )
        return notes

    def build_tasks(self, case: Case, recorder: User) -> list[Task]:
        """Up to three open tasks of an open case, some overdue."""
        rng = self.rng
        tasks = []
        for _ in range(rng.randint(0, 3)):
            kind, title = rng.choice(TASK_TITLES)
            tasks.append(
                Task(
                    case=case,
                    title=title,
                    kind=kind,
                    due_at=self.now + datetime.timedelta(hours=rng.randint(-24 * 10, 24 * 14)),
                    assignee=case.assigned_to,
                    created_by=recorder,
                    created_at=case.created_at,
                )
            )
        return tasks

    def build_embassy_request(self, case: Case, country: str, recorder: User) -> EmbassyRequest:
        rng = self.rng
        kind = rng.choice(list(EMBASSY_MESSAGES))
        return EmbassyRequest(
            case=case,
            country=country,
            kind=kind,
            message=EMBASSY_MESSAGES[kind],
            due_at=self.now + datetime.timedelta(days=rng.randint(-7, 14)),
            status=weighted(
                rng,
                [
                    (EmbassyRequestStatus.SENT, 50),
                    (EmbassyRequestStatus.ACKNOWLEDGED, 25),
                    (EmbassyRequestStatus.IN_PROGRESS, 20),
                    (EmbassyRequestStatus.FULFILLED, 5),
                ],
            ),
            created_by=recorder,
            created_at=self.days_ago(5, 40),
        )

    def save_recruitments(self, recruitments: list[Recruitment]) -> None:
        """Writes the recruitments, then one to four means of control for each."""
        recruitments = Recruitment.objects.bulk_create(recruitments, batch_size=BATCH)
        means = []
        for recruitment in recruitments:
            picked = self.rng.sample(list(MeansOfControl), self.rng.randint(1, 4))
            means.extend(ControlMeans(recruitment=recruitment, means=m) for m in picked)
        ControlMeans.objects.bulk_create(means, batch_size=BATCH)

    def save_embassy_requests(self, requests: list[EmbassyRequest]) -> None:
        """Writes the requests, each with its first message: the request's own text."""
        requests = EmbassyRequest.objects.bulk_create(requests, batch_size=BATCH)
        EmbassyMessage.objects.bulk_create(
            [
                EmbassyMessage(
                    request=r, author=r.created_by, body=r.message, created_at=r.created_at
                )
                for r in requests
            ],
            batch_size=BATCH,
        )

    def build_recruitment(self, case, country):
        rng = self.rng
        method = weighted(rng, METHODS)
        recruited = (case.created_at - datetime.timedelta(days=rng.randint(60, 700))).date()
        arrived = recruited + datetime.timedelta(days=rng.randint(10, 90))
        deployed = arrived + datetime.timedelta(days=rng.randint(10, 60))
        captured = None
        if case.situation in (Situation.POW_IN_UKRAINE, Situation.EXCHANGED_TO_RUSSIA):
            captured = deployed + datetime.timedelta(days=rng.randint(5, 200))
        has_recruiter = method in (RecruitmentMethod.AGENCY, RecruitmentMethod.INDIVIDUAL_RECRUITER)
        return Recruitment(
            case=case,
            recruited_in=recruited.replace(day=1),
            country=country if rng.random() < 0.7 else "RU",
            method=method,
            platform=(
                weighted(rng, PLATFORMS) if method == RecruitmentMethod.ONLINE_ADVERTISEMENT else ""
            ),
            promised_job=weighted(rng, JOBS),
            promised_salary=Decimal(rng.randrange(1000, 4000, 100)),
            promised_salary_currency=demo_data.CURRENCY_BY_COUNTRY.get(country, "USD"),
            promised_visa=rng.random() < 0.4,
            promised_citizenship=rng.random() < 0.3,
            promised_education=rng.random() < 0.1,
            promised_travel_paid=rng.random() < 0.6,
            arrived_in_russia_on=arrived,
            transit_countries=rng.choice(["", "AE", "TR", "AE,BY", "EG"]),
            contract_signed=rng.choice([True, True, False, None]),
            contract_language="ru",
            unit_type=weighted(
                rng,
                [
                    (UnitType.ASSAULT, 40),
                    (UnitType.REGULAR, 25),
                    (UnitType.VOLUNTEER, 10),
                    (UnitType.PRIVATE_MILITARY, 5),
                    (UnitType.SUPPORT, 5),
                    (UnitType.UNKNOWN, 15),
                ],
            ),
            deployed_on=deployed,
            captured_on=captured,
            capture_kind=rng.choice(list(CaptureKind)) if captured else "",
            capture_place=rng.choice(demo_data.OCCUPIED_PLACES)[0] if captured else "",
            recruiter_details=(
                f"Agent known as '{rng.choice(['Sasha', 'Max', 'Dima', 'Alex'])}', "
                f"handle @{rng.choice(['jobs', 'work', 'visa'])}_{rng.randint(100, 999)}"
                if has_recruiter
                else ""
            ),
        )

    def build_family_contact(self, case, country):
        rng = self.rng
        names = demo_data.NAMES[country]
        given = rng.choice(names["given_male"] + names["given_female"])[0]
        dial = DIAL_CODES.get(country, "1")
        return Contact(
            case=case,
            kind=ContactKind.FAMILY,
            name=f"{given} {case.person.family_name}".strip(),
            relationship=rng.choice(RELATIONSHIPS),
            phone=f"+{dial}{rng.randint(700000000, 799999999)}",
            email=f"family{rng.randint(1000, 9999)}@example.net" if rng.random() < 0.4 else "",
            messaging_handle="",
            country=country,
            languages=list(names["languages"]),
            person_agreed=rng.random() < 0.8,
            safe_to_contact=rng.random() < 0.85,
            last_contacted_at=(
                self.now - datetime.timedelta(days=rng.randint(0, 60))
                if rng.random() < 0.7
                else None
            ),
        )
