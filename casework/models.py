"""The domain of SPEC section 2: persons, their cases and everything hanging off a case."""

import datetime
import hashlib
import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from accounts.models import Organisation
from casework import audit, labels, timeline
from casework.crypto import EncryptedTextField
from casework.notifications import message_for

# The audit log's models (in casework.audit) and SubmissionKey live with their logic in
# lower modules, which import nothing from this one; importing them here has the app
# registry load them with casework.models.
from casework.submissions import SubmissionKey  # noqa: F401
from casework.vocabularies import (
    FOLLOW_UP_MONTHS,
    IN_CUSTODY,
    INQUIRY_OUTCOMES,
    AttachmentKind,
    CaptureKind,
    CaseStatus,
    ClosureReason,
    Confidentiality,
    ConsentMethod,
    ConsentScope,
    ConsentStatus,
    ContactKind,
    ContactRequestStatus,
    CustodyEventKind,
    DocumentStatus,
    DocumentType,
    EmbassyRequestKind,
    EmbassyRequestStatus,
    IdentifierKind,
    InquiryChannel,
    InquiryStatus,
    MatchDecision,
    MeansOfControl,
    NoteKind,
    Platform,
    PowerConfirmation,
    ProceedingOutcome,
    PromisedJob,
    RecruitmentMethod,
    Relationship,
    ReturnListKind,
    RiskLevel,
    ServiceKind,
    ServiceOutcome,
    Sex,
    Situation,
    SourceReliability,
    TaskKind,
    TaskStatus,
    UnitType,
    Vulnerability,
)

# Sent with `case_ids` after a bulk update that sends no model signal but changes what the
# statistics count: casework.stats.facts refreshes those cases' facts.
cases_changed_in_bulk = Signal()

# Crockford's base32 without I, L, O, U: unambiguous when read out over a phone line.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def secrets_token():
    return secrets.token_urlsafe(32)


def new_reference(rng=secrets) -> str:
    """An opaque case reference, e.g. HW-7K3M-9QXD: random, never derived from the person."""
    chars = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"HW-{chars[:4]}-{chars[4:]}"


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="persons")
    given_name = models.CharField(_("given names (Latin script)"), max_length=200)
    family_name = models.CharField(_("family name (Latin script)"), max_length=200, blank=True)
    native_name = models.CharField(_("name in the person's own script"), max_length=300, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year (known or estimated)"), null=True, blank=True
    )
    birth_year_estimated = models.BooleanField(_("birth year is an estimate"), default=False)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    region_of_origin = models.CharField(
        _("region or province of origin"), max_length=200, blank=True
    )
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__range=(1900, 2100)),
                name="person_birth_year_plausible",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "family_name", "given_name"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if self.date_of_birth:
            self.birth_year = self.date_of_birth.year
            self.birth_year_estimated = False
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def language_labels(self) -> list[str]:
        """The languages spoken, named in the reader's language."""
        return labels.language_names(self.languages)

    def vulnerability_labels(self) -> list[str]:
        """The vulnerabilities, as the vocabulary's labels in the reader's language."""
        names = dict(Vulnerability.choices)
        return [str(names.get(value, value)) for value in self.vulnerabilities or ()]


class Nationality(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nationalities")
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("nationality")
        verbose_name_plural = _("nationalities")
        constraints = [
            models.UniqueConstraint(fields=["person", "country"], name="one_row_per_nationality")
        ]
        indexes = [models.Index(fields=["country", "person"])]

    def __str__(self):
        return str(self.country.name)


class Alias(models.Model):
    """Another spelling or name: transliterations differ between documents and families."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=300)
    source = models.CharField(_("where this spelling comes from"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="one_row_per_alias")]

    def __str__(self):
        return self.name


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identity_documents")
    doc_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"), blank=True)
    issuing_country = CountryField(_("issuing country"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.UNKNOWN
    )

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self):
        return f"{self.get_doc_type_display()} ({self.get_status_display()})"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=CaseStatus.CLOSED)

    def touch(self, when: datetime.datetime | None = None) -> int:
        """Something happened on these cases: their last activity moves to `when` (now)."""
        return self.update(last_activity_at=when or timezone.now())

    def of_nationality(self, country: str) -> "CaseQuerySet":
        """Cases whose person holds the nationality of `country` (an ISO code)."""
        return self.filter(
            models.Exists(
                Nationality.objects.filter(person=models.OuterRef("person"), country=country)
            )
        )

    def with_overdue_tasks(self, now: datetime.datetime) -> "CaseQuerySet":
        """Cases with an open task due before `now`."""
        return self.filter(
            models.Exists(Task.objects.overdue(now).filter(case=models.OuterRef("pk")))
        )

    def with_overdue_custody_obligations(
        self, today: datetime.date, family_days: int, icrc_visit_days: int
    ) -> "CaseQuerySet":
        """Cases still in custody whose family was not told `family_days` after the latest
        capture, or with no ICRC visit `icrc_visit_days` after it; annotated with
        `custody_captured_on`, `family_overdue` and `icrc_visit_overdue` (the sweep's
        custody rules ask the same in SQL)."""
        latest_capture = (
            CustodyEvent.objects.filter(case=models.OuterRef("pk"), kind=CustodyEventKind.CAPTURED)
            .order_by("-occurred_on")
            .values("occurred_on")[:1]
        )
        informed = CustodyObligations.objects.filter(
            case=models.OuterRef("pk"), capture_card_received_on__isnull=False
        )
        visited = IcrcVisit.objects.filter(
            case=models.OuterRef("pk"), visited_on__gte=models.OuterRef("custody_captured_on")
        )
        family = Q(custody_captured_on__lte=today - datetime.timedelta(days=family_days))
        icrc = Q(custody_captured_on__lte=today - datetime.timedelta(days=icrc_visit_days))
        flag = models.BooleanField()
        return (
            self.filter(custody_status__in=IN_CUSTODY)
            .exclude(status=CaseStatus.CLOSED)
            .annotate(custody_captured_on=models.Subquery(latest_capture))
            .annotate(
                family_overdue=models.ExpressionWrapper(family & ~models.Exists(informed), flag),
                icrc_visit_overdue=models.ExpressionWrapper(icrc & ~models.Exists(visited), flag),
            )
            .filter(Q(family_overdue=True) | Q(icrc_visit_overdue=True))
        )

    def with_list_details(self) -> "CaseQuerySet":
        """What a list row shows beside the case: person, assignee, nationalities in order."""
        return self.select_related("person", "assigned_to").prefetch_related(
            models.Prefetch(
                "person__nationalities", queryset=Nationality.objects.order_by("country")
            )
        )

    def with_custody_overview(self) -> "CaseQuerySet":
        """The custody record's one-to-one parts and the latest day on each kind of
        exchange or repatriation list, in the cases' own query (access.custody_overview)."""

        def latest(kind: str) -> models.Subquery:
            entries = ReturnListEntry.objects.filter(case=models.OuterRef("pk"), list_kind=kind)
            return models.Subquery(entries.order_by("-listed_on").values("listed_on")[:1])

        return self.select_related("custody_obligations", "way_home__nationality_request").annotate(
            **{f"{kind}_listed_on": latest(kind) for kind in ReturnListKind.values}
        )

    def needing_attention(self, now, policy):
        """Cases idle for longer than `policy` (an EscalationPolicy) allows at their risk
        level, at high or critical risk, or awaiting an embassy."""
        stale = Q()
        for risk in RiskLevel.values:
            idle_since = now - datetime.timedelta(days=policy.stale_days(risk))
            stale |= Q(risk=risk, last_activity_at__lt=idle_since)
        return self.filter(
            stale
            | Q(risk__in=[RiskLevel.HIGH, RiskLevel.CRITICAL])
            | Q(status=CaseStatus.AWAITING_EMBASSY)
        )


class Case(models.Model):
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned caseworker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collaborators"),
        blank=True,
        related_name="collaborating_cases",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True
    )
    situation = models.CharField(
        _("current situation"), max_length=30, choices=Situation.choices, default=Situation.UNKNOWN
    )
    situation_country = CountryField(_("country of current situation"), blank=True)
    situation_region = models.CharField(_("oblast or region"), max_length=200, blank=True)
    situation_place = models.CharField(_("place"), max_length=200, blank=True)
    situation_date = models.DateField(_("situation as of"), null=True, blank=True)
    risk = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    do_not_contact_family = models.BooleanField(_("do not contact family"), default=False)
    do_not_share_with_embassy = models.BooleanField(_("do not share with embassy"), default=False)
    media_attention = models.BooleanField(_("media attention"), default=False)
    # The kind of the latest custody event (CustodyEvent.save keeps it in step): the case
    # list and the liaison's page read it without looking at the events.
    custody_status = models.CharField(
        _("custody status"),
        max_length=20,
        choices=CustodyEventKind.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status="closed"),
                name="one_open_case_per_person",
                violation_error_message=_("This person already has an open case."),
            ),
            models.CheckConstraint(
                condition=(Q(status="closed", closed_at__isnull=False) & ~Q(closure_reason=""))
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="closed_case_has_reason_and_date",
            ),
            # A supervisor approves a closure for its reason: a request without one
            # could never be approved (the case above would be refused).
            models.CheckConstraint(
                condition=~Q(status="closure_requested") | ~Q(closure_reason=""),
                name="closure_request_has_reason",
                violation_error_message=_("Give a reason to request closure."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-last_activity_at"]),
            # The case list's default order, open or all: a page without sorting them all.
            models.Index(fields=["organisation", "-last_activity_at", "-id"]),
            # The list's count when filtered by nationality, from the index alone.
            models.Index(fields=["organisation", "status", "person"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["status", "last_activity_at"]),
            models.Index(fields=["next_review_on"]),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"reference": self.reference})

    def section_url(self, section: str) -> str:
        """The case page with the tab holding `section` open, scrolled to it."""
        return f"{self.get_absolute_url()}?tab={section}#{section}"

    @property
    def is_open(self):
        return self.status != CaseStatus.CLOSED

    def timeline(self, kind, text, by, **extra):
        """An automatic timeline entry, and the case's last activity moves to now."""
        now = timezone.now()
        Note.objects.create(
            case=self, kind=kind, text=text, author=by, automatic=True, occurred_at=now, **extra
        )
        self.touch(now)

    def touch(self, when: datetime.datetime | None = None) -> None:
        """Something happened on the case: its last activity moves to `when` (now)."""
        when = when or timezone.now()
        Case.objects.filter(pk=self.pk).touch(when)
        self.last_activity_at = when

    def record_event(self, code: str, by, **params) -> None:
        """An automatic timeline entry for event `code` (casework.timeline): shown to each
        reader in their own language."""
        entry = timeline.entry(code, **params)
        self.timeline(entry["kind"], entry["text"], by, event=entry["event"])

    def change_status(self, status, by, closure_reason=""):
        old = self.status
        self.status = status
        if status == CaseStatus.CLOSURE_REQUESTED:
            self.closure_reason = closure_reason
            self.closure_requested_at = timezone.now()
        elif status != CaseStatus.CLOSED:
            self.closure_reason = ""
            self.closure_requested_at = None
        self.closed_at = timezone.now() if status == CaseStatus.CLOSED else None
        self.save(update_fields=["status", "closure_reason", "closed_at", "closure_requested_at"])
        self.record_event("status_changed", by, old=old, new=self.status)

    def decide_closure(self, approve, by):
        """A supervisor approves (case closed) or refuses (back to active) a closure request."""
        if approve:
            self.change_status(CaseStatus.CLOSED, by)
        else:
            self.change_status(CaseStatus.ACTIVE, by)

    def assign(self, caseworker, by, collaborators=None):
        previous = self.assigned_to
        self.assigned_to = caseworker
        fields = ["assigned_to"]
        if self.status == CaseStatus.NEW:
            self.status = CaseStatus.ACTIVE
            fields.append("status")
        self.save(update_fields=fields)
        if collaborators is not None:
            self.collaborators.set(collaborators)
        who = caseworker.get_full_name() or caseworker.get_username()
        before = (previous.get_full_name() or previous.get_username()) if previous else ""
        self.record_event("assigned", by, before=before, after=who)

    def approve_disclosure(self, country: str, by) -> "EmbassyDisclosure | None":
        """A supervisor shows the case to `country`'s embassy liaisons; on the timeline.

        None if a disclosure to that country is already active; ValueError if the person
        does not hold its nationality (a case is only ever shown to its own embassies).
        """
        # django-stubs types a CountryField as the CharField it subclasses (str): it is a Country.
        codes = {n.country.code for n in self.person.nationalities.all()}  # type: ignore[attr-defined]
        if country not in codes:
            raise ValueError("disclosure is only possible to a country of nationality")
        try:
            with transaction.atomic():
                disclosure = EmbassyDisclosure.objects.create(
                    case=self, country=country, approved_by=by
                )
                self.record_event("disclosure_approved", by, country=country)
        except IntegrityError:  # one active disclosure per country
            return None
        return disclosure


class Recruitment(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="recruitment")
    # Month precision: stored as the first day of the month.
    recruited_in = models.DateField(_("month of recruitment"), null=True, blank=True)
    country = CountryField(_("country of recruitment"), blank=True)
    method = models.CharField(
        _("method"), max_length=30, choices=RecruitmentMethod.choices, default="unknown"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    promised_job = models.CharField(
        _("promised job"), max_length=20, choices=PromisedJob.choices, blank=True
    )
    promised_salary = models.DecimalField(
        _("promised monthly salary"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    promised_salary_currency = models.CharField(_("currency"), max_length=3, blank=True)
    promised_visa = models.BooleanField(_("visa or residency promised"), default=False)
    promised_citizenship = models.BooleanField(_("citizenship promised"), default=False)
    promised_education = models.BooleanField(_("education promised"), default=False)
    promised_travel_paid = models.BooleanField(_("travel paid"), default=False)
    arrived_in_russia_on = models.DateField(_("arrival in Russia"), null=True, blank=True)
    transit_countries = CountryField(_("transit countries"), multiple=True, blank=True)
    contract_signed = models.BooleanField(_("contract signed"), null=True, blank=True)
    contract_language = models.CharField(_("language of the contract"), max_length=8, blank=True)
    unit_type = models.CharField(
        _("unit type"), max_length=20, choices=UnitType.choices, default=UnitType.UNKNOWN
    )
    deployed_on = models.DateField(_("deployment date"), null=True, blank=True)
    captured_on = models.DateField(_("capture or surrender date"), null=True, blank=True)
    capture_kind = models.CharField(
        _("captured or surrendered"), max_length=12, choices=CaptureKind.choices, blank=True
    )
    capture_place = models.CharField(_("capture place"), max_length=200, blank=True)
    # Evidence about the recruiter (name, handle, phone): restricted, encrypted.
    recruiter_details = EncryptedTextField(_("recruiter details"), blank=True)

    class Meta:
        verbose_name = _("recruitment")
        verbose_name_plural = _("recruitments")
        indexes = [models.Index(fields=["method"]), models.Index(fields=["recruited_in"])]

    def __str__(self):
        return f"{self.case} {self.get_method_display()}"

    def set_means_of_control(self, means) -> None:
        """Set the means of control reported; deletions and additions are audited."""
        for row in self.means_of_control.exclude(means__in=means):
            row.delete()  # one by one: each deletion is audited by the signal
        existing = set(self.means_of_control.values_list("means", flat=True))
        for value in means:
            if value not in existing:
                ControlMeans.objects.create(recruitment=self, means=value)


class ControlMeans(models.Model):
    """One means of control or coercion reported for a recruitment."""

    recruitment = models.ForeignKey(
        Recruitment, on_delete=models.CASCADE, related_name="means_of_control"
    )
    means = models.CharField(_("means of control"), max_length=40, choices=MeansOfControl.choices)

    class Meta:
        verbose_name = _("means of control")
        verbose_name_plural = _("means of control")
        constraints = [
            models.UniqueConstraint(fields=["recruitment", "means"], name="one_row_per_means")
        ]

    def __str__(self):
        return self.get_means_display()


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    # Phone numbers, emails and handles of contacts are encrypted: a family's phone
    # number is exactly what a reprisal needs.
    phone = EncryptedTextField(_("phone (international format)"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    messaging_handle = EncryptedTextField(_("messaging handle"), blank=True)
    country = CountryField(_("country"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    person_agreed = models.BooleanField(
        _("the person agreed to this contact being used"), default=False
    )
    safe_to_contact = models.BooleanField(_("safe to contact"), default=False)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def likely_duplicates(self) -> list["Contact"]:
        """Other contacts of the case that look like this one: the same name, phone number
        or email. Compared here, not in SQL: phone numbers and emails are encrypted."""

        def name(contact):
            return " ".join(contact.name.split()).casefold()

        def same(contact):
            return (
                (name(self) and name(contact) == name(self))
                or (self.phone and contact.phone == self.phone)
                or (self.email and contact.email.casefold() == self.email.casefold())
            )

        others = Contact.objects.filter(case_id=self.case_id).exclude(pk=self.pk).order_by("pk")
        return [contact for contact in others if same(contact)]


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("scope"), max_length=30, choices=ConsentScope.choices)
    # For "share with embassy": whose embassy. For "share with humanitarian": which one.
    country = CountryField(_("country"), blank=True)
    organisation_name = models.CharField(_("humanitarian organisation"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.GIVEN
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.ForeignKey(
        "Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Embassy consent only: identity-document numbers are withheld unless this is set.
    includes_document_numbers = models.BooleanField(
        _("includes identity-document numbers"), default=False
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="given", withdrawn_at__isnull=True)
                | Q(status="withdrawn", withdrawn_at__isnull=False),
                name="withdrawn_consent_has_date",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~Q(scope="share_with_embassy") | ~Q(country=""),
                name="embassy_consent_names_country",
            ),
            models.UniqueConstraint(
                fields=["case", "scope", "country", "organisation_name"],
                condition=Q(status="given"),
                name="one_active_consent_per_scope",
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "country", "status"]),
            # What statistics count: the cases with an active statistics consent
            # (casework.stats.eligible_cases; the facts' "eligible"), read from this
            # small index alone.
            models.Index(
                fields=["case"],
                condition=Q(scope="include_in_statistics", status="given"),
                name="consent_statistics_given",
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} {self.country or self.organisation_name}".strip()

    @property
    def is_active(self):
        return self.status == ConsentStatus.GIVEN

    @property
    def label(self) -> str:
        """What it allows, in the reader's language: "Share with the embassy of Kenya"."""
        return labels.consent_label(self.scope, self.country, self.organisation_name)

    def event_params(self) -> dict:
        """What a timeline entry about this consent records of it."""
        return {
            "scope": self.scope,
            # django-stubs types a CountryField as the CharField it subclasses: it is a Country.
            "country": str(self.country.code or ""),  # type: ignore[attr-defined]
            "organisation": self.organisation_name,
        }

    def withdraw(self, by, when=None):
        """Withdraw now; an embassy consent takes its country's disclosure with it."""
        when = when or timezone.now()
        with transaction.atomic():
            updated = Consent.objects.filter(pk=self.pk, status=ConsentStatus.GIVEN).update(
                status=ConsentStatus.WITHDRAWN, withdrawn_at=when
            )
            if not updated:
                return False
            self.status, self.withdrawn_at = ConsentStatus.WITHDRAWN, when
            if self.scope == ConsentScope.SHARE_WITH_EMBASSY:
                revoked = EmbassyDisclosure.objects.active().filter(
                    case_id=self.case_id, country=self.country
                )
                for disclosure_id in list(revoked.values_list("pk", flat=True)):
                    audit.record(
                        audit.Action.DISCLOSURE,
                        actor=by,
                        object_type="embassydisclosure",
                        object_id=str(disclosure_id),
                        case_reference=Case.objects.values_list("reference", flat=True).get(
                            pk=self.case_id
                        ),
                        detail="revoked: consent withdrawn",
                    )
                revoked.update(revoked_at=when, revoked_by=by)
            Note.objects.create(
                case_id=self.case_id,
                author=by,
                automatic=True,
                occurred_at=when,
                **timeline.entry("consent_withdrawn", **self.event_params()),
            )
            Case.objects.filter(pk=self.case_id).touch(when)
            # A bulk update sends no model signal: this one takes the case out of the
            # statistics (casework.stats.facts receives it).
            cases_changed_in_bulk.send(sender=Consent, case_ids=[self.case_id])
        return True


class DisclosureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class EmbassyDisclosure(models.Model):
    """A supervisor's approval to show a case to one country's embassy liaisons."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    country = CountryField(_("embassy of"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("embassy disclosure")
        verbose_name_plural = _("embassy disclosures")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "country"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_disclosure_per_country",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="revoked_disclosure_names_who",
            ),
        ]
        indexes = [models.Index(fields=["country", "revoked_at"])]

    def __str__(self):
        return f"{self.case} → {self.country.code}"

    def revoke(self, by) -> bool:
        """End the disclosure now, with its timeline entry; False if it had already ended."""
        when = timezone.now()
        with transaction.atomic():
            revoked = EmbassyDisclosure.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=when, revoked_by=by
            )
            if not revoked:
                return False
            self.revoked_at, self.revoked_by = when, by
            # django-stubs types a CountryField as the CharField it subclasses: it is a Country.
            self.case.record_event("disclosure_revoked", by, country=self.country.code)  # type: ignore[attr-defined]
        return True


class Note(models.Model):
    """A timeline entry. Automatic entries record status, assignment, consent and embassy events."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    # Encrypted for every note: restricted notes must be, and a caseworker's free text
    # about a person is rarely less sensitive.
    text = EncryptedTextField(_("text"))
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    # An automatic entry's event ({"code": ..., "params": {...}}, see casework.timeline),
    # told in the reader's language; `text` keeps it in English. Null on typed notes
    # and on automatic entries recorded before events were.
    event = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["case", "-occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def display_text(self) -> str:
        """The text in the reader's language: an automatic entry is told from its event."""
        return timeline.describe(self.event) or self.text


class TaskQuerySet(models.QuerySet):
    def overdue(self, now: datetime.datetime) -> "TaskQuerySet":
        """Open tasks due before `now`."""
        return self.filter(status=TaskStatus.OPEN, due_at__lt=now)

    def due_by_end_of(self, day: datetime.date) -> "TaskQuerySet":
        """Open tasks due before the end of `day` (UTC), overdue ones included."""
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
        )
        return self.overdue(end)


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | (~Q(status="open") & Q(completed_at__isnull=False)),
                name="closed_task_has_completion",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self):
        return self.title

    def complete(self, *, cancelled: bool = False) -> bool:
        """Close the open task as done (or cancelled) and touch its case; False, and
        nothing changed, if it was already closed (or is being closed at the same time)."""
        now = timezone.now()
        status = TaskStatus.CANCELLED if cancelled else TaskStatus.DONE
        # Conditional update: a task already closed (or closed twice at once) stays as it was.
        if not Task.objects.filter(pk=self.pk, status=TaskStatus.OPEN).update(
            status=status, completed_at=now
        ):
            return False
        self.status, self.completed_at = status, now
        Case.objects.filter(pk=self.case_id).touch(now)
        return True


class EmbassyRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="embassy_requests")
    country = CountryField(_("embassy of"))
    kind = models.CharField(_("kind"), max_length=30, choices=EmbassyRequestKind.choices)
    message = models.TextField(_("message"))
    due_at = models.DateTimeField(_("answer due"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EmbassyRequestStatus.choices,
        default=EmbassyRequestStatus.SENT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("embassy request")
        verbose_name_plural = _("embassy requests")
        indexes = [
            models.Index(fields=["country", "status", "due_at"]),
            models.Index(fields=["case", "country"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.country.code})"


class EmbassyMessage(models.Model):
    """One message in an embassy request's thread, from the NGO or from the embassy."""

    request = models.ForeignKey(EmbassyRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_embassy = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("embassy message")
        verbose_name_plural = _("embassy messages")

    def __str__(self):
        return f"{self.request_id} {self.created_at:%Y-%m-%d}"


def private_document_name(instance, filename):
    # Random storage name: nothing of the original name or the person reaches the disk.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    note = models.ForeignKey(
        Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    embassy_message = models.ForeignKey(
        EmbassyMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("type"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=private_document_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["case", "-uploaded_at"])]

    def __str__(self):
        return self.original_name

    @classmethod
    def store(cls, case: Case, upload, kind: str, by, **links) -> "Document":
        """Save an already validated upload (casework.uploads) under a random name."""
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        name = (upload.name or "document").replace("/", "_").replace("\\", "_")[:150]
        stem = name.rsplit(".", 1)[0] if "." in name else name
        document = cls(
            case=case,
            kind=kind,
            original_name=f"{stem}{upload.detected_extension}",
            content_type=upload.detected_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
            **links,
        )
        document.file.save("upload", upload, save=False)
        document.save()
        return document


class Escalation(models.Model):
    """One step of one rule for one case: claimed once by its unique key, then notified.

    Shown on the case timeline and in the supervisors' queue until acknowledged.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    rule = models.CharField(_("rule"), max_length=40)
    # e.g. "task:42:overdue:1": the same event can never be escalated twice.
    event_key = models.CharField(max_length=100, unique=True)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            models.Index(fields=["case", "-created_at"]),
            models.Index(fields=["acknowledged_at", "-created_at"]),
        ]

    def __str__(self):
        return self.message

    def acknowledge(self, by) -> bool:
        """A supervisor has seen it: it leaves the queue. False if already acknowledged."""
        now = timezone.now()
        if not Escalation.objects.filter(pk=self.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        ):
            return False
        self.acknowledged_at, self.acknowledged_by = now, by
        return True

    @property
    def display_message(self):
        """The message in the reader's language."""
        return message_for(self.rule, self.case.reference) or self.message


class DigestRun(models.Model):
    """One daily digest per user and day: the unique pair is the claim."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_day")]

    def __str__(self):
        return f"{self.user_id} {self.day}"


def private_export_name(instance, filename):
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class BuiltInBackground:
    """For a model of files built by a worker for their requester (a dossier, a statistics
    export): one build at a time claims the row, and its link works until expires_at."""

    # The model's own fields, named here for the methods below.
    pk: int
    state: str
    attempts: int
    expires_at: datetime.datetime | None
    _default_manager: ClassVar[models.Manager]
    # Set on the row too when a build claims it (besides the state, attempt and start).
    CLAIM_FIELDS: ClassVar[dict[str, Any]] = {}

    def claim_build(self) -> int | None:
        """Claim the queued row for one build; its attempt number, or None if taken."""
        attempt = self.attempts + 1
        rows = type(self)._default_manager.filter(
            pk=self.pk, state="queued", attempts=self.attempts
        )
        claimed = rows.update(
            state="running", attempts=attempt, started_at=timezone.now(), **self.CLAIM_FIELDS
        )
        if not claimed:
            return None
        self.state, self.attempts = "running", attempt
        for name, value in self.CLAIM_FIELDS.items():
            setattr(self, name, value)
        return attempt

    @property
    def downloadable(self) -> bool:
        """Built, and its download link not yet expired."""
        return (
            self.state == "done"
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class Notification(models.Model):
    """Something a user should know: shown in the app and, unless opted out, emailed."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("email", "Sent")
        FAILED = "failed", _("Failed")
        NOT_SENT = "not_sent", _("Not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # A notification about a family inquiry links to it (it has no case).
    inquiry = models.ForeignKey(
        "Inquiry", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    # What it is about and why, without personal data: shown and emailed as is.
    message = models.CharField(_("message"), max_length=300)
    # Identifies the event being notified (e.g. "task:42:reminder"); unique per recipient
    # so that a rule running twice cannot notify twice.
    event_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["email_status"]),
        ]

    def __str__(self):
        return self.message

    @property
    def subject(self) -> "Case | Inquiry | None":
        """The case or the inquiry it is about, if any (no query for neither)."""
        return self.case if self.case_id else self.inquiry if self.inquiry_id else None

    @property
    def subject_reference(self) -> str:
        """The reference of the case or inquiry it is about ("" for neither)."""
        subject = self.subject
        return subject.reference if subject is not None else ""

    @property
    def link(self) -> str:
        """The page of the case or inquiry it is about ("" for neither)."""
        subject = self.subject
        return subject.get_absolute_url() if subject is not None else ""

    @property
    def display_message(self) -> str:
        """The message in the reader's language (the stored one is English)."""
        reference = self.subject_reference
        return (message_for(self.kind, reference) if reference else "") or self.message


# --- Derived data for duplicate and tracing matches (their logic: casework.matching) ---

NAME_KEY_LENGTH = 200


class NameKind(models.TextChoices):
    FULL = "full", _("whole name")
    TOKEN = "token", _("name part")
    # Two parts of one spelling: a search for both finds their holders in one index probe.
    PAIR = "pair", _("two name parts")


class NameKey(models.Model):
    """One skeleton of one of a person's names: derived data, rebuilt from the person."""

    # No index of its own: the unique constraint below starts with person.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_keys", db_index=False
    )
    # A copy of person.organisation_id: searches stay inside one organisation's index range.
    organisation_id = models.BigIntegerField()
    key = models.CharField(max_length=NAME_KEY_LENGTH)
    kind = models.CharField(max_length=5, choices=NameKind.choices)

    class Meta:
        verbose_name = _("name key")
        verbose_name_plural = _("name keys")
        constraints = [
            models.UniqueConstraint(fields=["person", "key", "kind"], name="one_row_per_name_key")
        ]
        indexes = [
            # Covering, ordered by person: a search reads the newest holders of a key from
            # the index alone, however many hold it.
            models.Index(
                fields=["organisation_id", "key", "person"], name="namekey_org_key_person"
            ),
            # Matching across organisations: the persons holding a name part, index only.
            models.Index(fields=["key", "person"], name="namekey_key_person"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.key}"


class NameWord(models.Model):
    """One distinct name-part key of any person: the vocabulary fuzzy search looks into.

    Rows are only added (by matching.refresh_name_keys_bulk); one no person holds any more
    finds nobody. On PostgreSQL a trigram GiST index on `loose` (migration 0019) gives
    the nearest words of a misspelt or transliterated part.
    """

    key = models.CharField(max_length=NAME_KEY_LENGTH, unique=True)
    # matching.loose_key(key): sounds that scripts write differently folded together.
    loose = models.CharField(max_length=NAME_KEY_LENGTH)

    class Meta:
        verbose_name = _("name word")
        verbose_name_plural = _("name words")
        indexes = [
            models.Index(
                fields=["key"], name="nameword_key_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self):
        return self.key


class DocumentDigest(models.Model):
    """A keyed digest of an identity-document number, for finding the same document.

    The key is derived from the first key of FIELD_ENCRYPTION_KEYS: after prepending a
    new key (and `manage.py rotate_field_keys`), run `manage.py rebuild_name_index`.
    """

    identity_document = models.OneToOneField(
        IdentityDocument, on_delete=models.CASCADE, related_name="digest"
    )
    organisation_id = models.BigIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("document digest")
        verbose_name_plural = _("document digests")
        indexes = [models.Index(fields=["organisation_id", "digest"], name="docdigest_org_digest")]

    def __str__(self):
        return self.digest[:12]


class WorkerPing(models.Model):
    """A worker's answer to `manage.py ping_worker`, in the database: no result backend
    is needed, and it works alike on the embedded default and in production."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.token


# --- Family inquiries (SPEC section 7) ---------------------------------------------------


class PersonIdentifier(models.Model):
    """A phone number or social-media handle the person used: shown decrypted to staff,
    matched against family inquiries by its keyed digest (casework.matching)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    # A copy of person.organisation_id, as on NameKey.
    organisation_id = models.BigIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=IdentifierKind.choices)
    value = EncryptedTextField(_("value"))
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("phone number or handle")
        verbose_name_plural = _("phone numbers and handles")
        indexes = [models.Index(fields=["digest"], name="personidentifier_digest")]

    def __str__(self):
        return self.get_kind_display()


def new_inquiry_reference(rng=secrets) -> str:
    """An opaque inquiry reference, e.g. IQ-7K3M-9QXD."""
    return "IQ" + new_reference(rng)[2:]


class InquiryQuerySet(models.QuerySet):
    def touch(self, when: datetime.datetime | None = None) -> int:
        """Something happened on these inquiries: their last activity moves to `when`."""
        return self.update(last_activity_at=when or timezone.now())

    def unsettled(self) -> "InquiryQuerySet":
        """Inquiries still looking for their person: no outcome yet."""
        return self.exclude(status__in=INQUIRY_OUTCOMES)

    def named(self, text: str) -> "InquiryQuerySet":
        """Inquiries with this reference, or a spelling of the person sought containing `text`."""
        spelled = InquiryName.objects.filter(inquiry=models.OuterRef("pk"), name__icontains=text)
        return self.filter(Q(reference__iexact=text) | models.Exists(spelled))

    def with_tracing_consent(self) -> "InquiryQuerySet":
        """Each inquiry with `has_tracing_consent` (Inquiry.tracing_consent_given) read in
        the same query: a liaison's list tells every row's status without one query each."""
        # The shared cases' subquery sits inside the consents' one: its inquiry is two out.
        consents = _tracing_consents(
            models.OuterRef(models.OuterRef("pk")), models.OuterRef("matched_case_id")
        )
        return self.annotate(has_tracing_consent=models.Exists(consents))


def _shared_cases(inquiry) -> models.QuerySet:
    """The cases other organisations shared about the inquiry's candidates (`inquiry`:
    an id or an outer reference), as a subquery."""
    return ContactRequest.objects.filter(
        candidate__inquiry=inquiry, status=ContactRequestStatus.SHARED
    ).values("shared_case")


def _tracing_consents(inquiry, matched_case) -> models.QuerySet:
    """Active tracing consents on the inquiry's matched or shared cases that are not
    flagged "do not contact family" (ids or outer references)."""
    return Consent.objects.filter(
        Q(case_id=matched_case) | Q(case__in=_shared_cases(inquiry)),
        scope=ConsentScope.TRACING,
        status=ConsentStatus.GIVEN,
        case__do_not_contact_family=False,
    )


# An inquiry's status as its inquirer may be told it (Inquiry.told_status): a possible
# match, or a match without the person's consent, reads as "in progress".
TOLD_STATUS_LABELS = {
    "in_progress": _("In progress"),
    "matched": _("Found, and agreed that relatives be told"),
    InquiryStatus.LOCATED_NO_CONTACT.value: InquiryStatus.LOCATED_NO_CONTACT.label,
    InquiryStatus.DECEASED.value: InquiryStatus.DECEASED.label,
    InquiryStatus.CLOSED_NOT_FOUND.value: InquiryStatus.CLOSED_NOT_FOUND.label,
    InquiryStatus.WITHDRAWN.value: InquiryStatus.WITHDRAWN.label,
}


class Inquiry(models.Model):
    """A relative (or an embassy or partner on their behalf) asks whether a person is known."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="inquiries"
    )
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_inquiry_reference, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    channel = models.CharField(_("received by"), max_length=12, choices=InquiryChannel.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        verbose_name=_("assigned caseworker"),
    )
    # Who recorded it: a liaison sees the status of the inquiries they submitted, no more.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # The inquirer. Their contact details are encrypted like every contact's.
    inquirer_name = EncryptedTextField(_("inquirer's name"))
    inquirer_relationship = models.CharField(
        _("relationship to the person sought"), max_length=20, choices=Relationship.choices
    )
    inquirer_phone = EncryptedTextField(_("inquirer's phone"), blank=True)
    inquirer_email = EncryptedTextField(_("inquirer's email"), blank=True)
    inquirer_address = EncryptedTextField(_("inquirer's address"), blank=True)
    inquirer_language = models.CharField(_("inquirer's language"), max_length=20, blank=True)
    consent_to_store = models.BooleanField(_("the inquirer agrees that we keep their details"))
    consent_to_contact = models.BooleanField(_("the inquirer agrees to be contacted"))

    # The person sought, as described. Names in every spelling given: InquiryName.
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year (known or estimated)"), null=True, blank=True
    )
    nationality = CountryField(_("nationality"), blank=True)
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    last_contact_on = models.DateField(_("date of last contact"), null=True, blank=True)
    last_contact_place = models.CharField(_("place of last contact"), max_length=200, blank=True)
    told_about_job = EncryptedTextField(_("what they were told about the job"), blank=True)

    # The outcome: the case the person was matched to, when it was reached, and when the
    # inquirer was told.
    matched_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inquiries"
    )
    outcome_at = models.DateTimeField(_("outcome reached"), null=True, blank=True)
    inquirer_answered_at = models.DateTimeField(_("inquirer answered"), null=True, blank=True)
    # When matching last ran for it: the nightly re-match and the sweep read it.
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("family inquiry")
        verbose_name_plural = _("family inquiries")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__range=(1900, 2100)),
                name="inquiry_birth_year_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-received_at"]),
            models.Index(fields=["submitted_by", "-received_at"]),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.date_of_birth:
            self.birth_year = self.date_of_birth.year
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("inquiry-detail", args=[self.reference])

    @property
    def settled(self) -> bool:
        return self.status in INQUIRY_OUTCOMES

    def touch(self, when: datetime.datetime | None = None) -> None:
        """Something happened on the inquiry: its last activity moves to `when` (now)."""
        when = when or timezone.now()
        Inquiry.objects.filter(pk=self.pk).touch(when)
        self.last_activity_at = when

    def record_event(self, code: str, by, **params) -> "InquiryNote":
        """An automatic timeline entry, told to each reader in their language."""
        entry = timeline.entry(code, **params)
        return InquiryNote.objects.create(
            inquiry=self, text=entry["text"], event=entry["event"], author=by, automatic=True
        )

    def assign(self, caseworker, by) -> None:
        """A supervisor gives the inquiry to a caseworker; on its timeline."""
        previous = self.assigned_to
        self.assigned_to = caseworker
        self.save(update_fields=["assigned_to", "updated_at"])
        self.touch()
        self.record_event(
            "inquiry_assigned",
            by,
            before=previous.get_username() if previous else "",
            after=caseworker.get_username() if caseworker else "",
        )

    def set_names(self, names: list[str]) -> None:
        """The sought person's spellings become exactly `names` (one row each)."""
        self.names.exclude(name__in=names).delete()
        known = set(self.names.values_list("name", flat=True))
        for name in names:
            if name not in known:
                InquiryName.objects.create(inquiry=self, name=name)

    def set_identifiers(self, rows: list[tuple[str, str, str]]) -> None:
        """The phone numbers and handles become `rows` of (kind, value, digest)."""
        self.identifiers.all().delete()
        for kind, value, digest in rows:
            InquiryIdentifier.objects.create(inquiry=self, kind=kind, value=value, digest=digest)

    def set_outcome(self, status: str, by) -> bool:
        """Settle the inquiry without a match (located, deceased, not found, withdrawn);
        False if that is already its status. A match comes from InquiryCandidate.confirm."""
        if status not in INQUIRY_OUTCOMES or status == InquiryStatus.MATCHED:
            raise ValueError("not an outcome set by hand")
        if status == self.status:
            return False
        old, now = self.status, timezone.now()
        self.status, self.outcome_at = status, now
        self.save(update_fields=["status", "outcome_at", "updated_at"])
        self.touch(now)
        self.record_event("inquiry_outcome", by, old=old, new=status)
        return True

    def mark_inquirer_answered(self, by) -> None:
        """The inquirer was told what the outcome allows (see answer_template)."""
        now = timezone.now()
        self.inquirer_answered_at = now
        self.save(update_fields=["inquirer_answered_at", "updated_at"])
        self.touch(now)
        self.record_event("inquiry_inquirer_answered", by)

    def tracing_consent_given(self) -> bool:
        """The person found agreed that an inquiring relative be told they are known: an
        active tracing consent on the matched case or on a case another organisation shared,
        unless that case is flagged "do not contact family"."""
        if hasattr(self, "has_tracing_consent"):  # from InquiryQuerySet.with_tracing_consent
            return self.has_tracing_consent
        return _tracing_consents(self.pk, self.matched_case_id).exists()

    def family_contact_blocked(self) -> bool:
        """The matched (or a shared) case is flagged "do not contact family"."""
        return Case.objects.filter(
            Q(pk=self.matched_case_id) | Q(pk__in=_shared_cases(self.pk)),
            do_not_contact_family=True,
        ).exists()

    def told_status(self) -> str:
        """What the inquirer (and a liaison) may be told: a key of TOLD_STATUS_LABELS.
        Whether the person is known shows only once they agreed that relatives be told."""
        if self.status in INQUIRY_OUTCOMES and self.status != InquiryStatus.MATCHED:
            return self.status
        return "matched" if self.tracing_consent_given() else "in_progress"

    def get_told_status_display(self) -> str:
        return str(TOLD_STATUS_LABELS[self.told_status()])

    def answer_template(self) -> str:
        """The outcome message the inquirer may be given: only what the sought person's
        consent allows. Without a tracing consent a match reads as work in progress."""
        return f"casework/inquiries/outcome/{self.told_status()}.txt"

    def answer_message(self) -> str:
        """The outcome message in the inquirer's language (English if we have not theirs)."""
        with translation.override(self.inquirer_language or settings.LANGUAGE_CODE):
            context = {"inquiry": self, "organisation": self.organisation.name}
            return render_to_string(self.answer_template(), context).strip()


class InquiryName(models.Model):
    """One spelling of the sought person's name, in whatever script the family gave it."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("name of the person sought")
        verbose_name_plural = _("names of the person sought")
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "name"], name="one_row_per_inquiry_name")
        ]

    def __str__(self):
        return self.name


class InquiryIdentifier(models.Model):
    """A phone number or handle the sought person used, as the family gave it."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentifierKind.choices)
    value = EncryptedTextField(_("value"))
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("phone number or handle of the person sought")
        verbose_name_plural = _("phone numbers and handles of the person sought")

    def __str__(self):
        return self.get_kind_display()


class InquiryDocument(models.Model):
    """A photo or document the family gave: a number on it may be matched (its digest)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=private_document_name, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # An identity-document number read from it, if any: encrypted, matched by digest.
    number = EncryptedTextField(_("document number"), blank=True)
    number_digest = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("inquiry document")
        verbose_name_plural = _("inquiry documents")

    def __str__(self):
        return self.original_name or self.get_kind_display()

    @classmethod
    def store(
        cls, inquiry: Inquiry, upload, kind: str, by, number: str = "", number_digest: str = ""
    ) -> "InquiryDocument":
        """Save an already validated upload (as Document.store) and the number read on it."""
        document = cls(inquiry=inquiry, kind=kind, number=number, number_digest=number_digest)
        document.uploaded_by = by
        if upload is not None:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            name = (upload.name or "document").replace("/", "_").replace("\\", "_")[:150]
            stem = name.rsplit(".", 1)[0] if "." in name else name
            document.original_name = f"{stem}{upload.detected_extension}"
            document.content_type = upload.detected_type
            document.size, document.sha256 = upload.size, digest.hexdigest()
            document.file.save("upload", upload, save=False)
        document.save()
        return document


class InquiryNote(models.Model):
    """An inquiry's timeline: typed notes and automatic entries (casework.timeline)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    event = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("inquiry note")
        verbose_name_plural = _("inquiry notes")
        indexes = [models.Index(fields=["inquiry", "-created_at"])]

    def __str__(self):
        return f"{self.inquiry_id} {self.created_at:%Y-%m-%d}"

    @property
    def display_text(self) -> str:
        return timeline.describe(self.event) or self.text


class InquiryCandidateQuerySet(models.QuerySet):
    def open_for_review(self) -> "InquiryCandidateQuerySet":
        return self.filter(decision=MatchDecision.PENDING)


class InquiryCandidate(models.Model):
    """A registered person who may be the one sought, with the score and why.

    One row per inquiry and person, kept after a decision: a rejected pair is never
    proposed again, and a confirmed one links the inquiry to the person's case.
    """

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # The organisation holding the person, copied: another organisation's candidate is
    # shown without personal data.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # casework.matching Comparisons: [{"field", "level", "weight", "detail"}, ...]
    comparisons = models.JSONField(default=list)
    decision = models.CharField(
        max_length=10, choices=MatchDecision.choices, default=MatchDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)
    # The assigned caseworker was told of it (once, when it first reached the threshold).
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = InquiryCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible match")
        verbose_name_plural = _("possible matches")
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "person"], name="one_candidate_per_inquiry_and_person"
            )
        ]
        indexes = [models.Index(fields=["person"], name="inquirycandidate_person")]

    def __str__(self):
        return f"{self.inquiry_id}/{self.person_id} {self.score:.1f}"

    def _claim(self) -> "InquiryCandidate | None":
        """This candidate, locked, if it still awaits a decision."""
        return (
            InquiryCandidate.objects.select_for_update()
            .filter(pk=self.pk, decision=MatchDecision.PENDING)
            .first()
        )

    def _decide(self, decision: str, by) -> bool:
        if self._claim() is None:
            return False
        self.decision, self.decided_by, self.decided_at = decision, by, timezone.now()
        self.save(update_fields=["decision", "decided_by", "decided_at"])
        return True

    def confirm(self, by, case: Case) -> bool:
        """The person is the one sought: the inquiry is matched to `case` (the person's),
        on both timelines. False if already decided or the inquiry is settled."""
        inquiry = self.inquiry
        if inquiry.settled or case.person_id != self.person_id:
            return False
        with transaction.atomic():
            if not self._decide(MatchDecision.CONFIRMED, by):
                return False
            inquiry.status, inquiry.matched_case = InquiryStatus.MATCHED, case
            inquiry.outcome_at = self.decided_at
            inquiry.save(update_fields=["status", "matched_case", "outcome_at", "updated_at"])
            inquiry.touch(self.decided_at)
            inquiry.record_event("inquiry_candidate_confirmed", by, case=case.reference)
            case.record_event("inquiry_linked", by, inquiry=inquiry.reference)
        return True

    def reject(self, by) -> bool:
        """Not the person sought: kept as rejected, so matching never proposes it again."""
        inquiry = self.inquiry
        with transaction.atomic():
            if not self._decide(MatchDecision.REJECTED, by):
                return False
            others = inquiry.candidates.open_for_review().exists()
            if inquiry.status == InquiryStatus.POSSIBLE_MATCH and not others:
                inquiry.status = InquiryStatus.OPEN
                inquiry.save(update_fields=["status", "updated_at"])
            inquiry.touch(self.decided_at)
            inquiry.record_event("inquiry_candidate_rejected", by)
        return True

    def ask_holder(self, by) -> "ContactRequest | None":
        """Ask the organisation holding the person to share it; None if a request is
        already pending (one per candidate) or the person is the inquiry's own."""
        inquiry = self.inquiry
        if self.organisation_id == inquiry.organisation_id:
            return None
        try:
            with transaction.atomic():
                request = ContactRequest.objects.create(
                    candidate=self,
                    from_organisation_id=inquiry.organisation_id,
                    to_organisation_id=self.organisation_id,
                    requested_by=by,
                )
        except IntegrityError:
            return None
        inquiry.touch()
        inquiry.record_event("inquiry_contact_requested", by, organisation=self.organisation.name)
        return request


class ContactRequest(models.Model):
    """An organisation asks the holder of a possible match to share it; the holder's
    supervisors answer. Sharing needs a recorded tracing consent on their case."""

    candidate = models.ForeignKey(
        InquiryCandidate, on_delete=models.CASCADE, related_name="contact_requests"
    )
    from_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = EncryptedTextField(_("message"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContactRequestStatus.choices,
        default=ContactRequestStatus.PENDING,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The holder's case shared, once the answer is "share".
    shared_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        constraints = [
            # One open request per candidate: asking twice adds nothing.
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status="pending"),
                name="one_pending_contact_request_per_candidate",
            )
        ]
        indexes = [models.Index(fields=["to_organisation", "status", "-created_at"])]

    def __str__(self):
        return f"{self.candidate_id} {self.status}"

    @staticmethod
    def may_share(case: Case) -> bool:
        """The person agreed that an inquiring relative be told they are known, and the
        case is not flagged "do not contact family"."""
        if case.do_not_contact_family:
            return False
        return case.consents.filter(scope=ConsentScope.TRACING, status=ConsentStatus.GIVEN).exists()

    def answer(self, share: bool, by, case: Case) -> bool:
        """The holder's supervisor shares `case` (the person's) or declines; False if
        already answered. Sharing without a tracing consent on `case` is a ValueError."""
        if case.person_id != self.candidate.person_id:
            raise ValueError("not the case of the person asked about")
        if share and not self.may_share(case):
            raise ValueError("sharing needs an active tracing consent")
        with transaction.atomic():
            locked = ContactRequest.objects.select_for_update().filter(
                pk=self.pk, status=ContactRequestStatus.PENDING
            )
            if not locked.exists():
                return False
            self.status = ContactRequestStatus.SHARED if share else ContactRequestStatus.DECLINED
            self.answered_by, self.answered_at = by, timezone.now()
            self.shared_case = case if share else None
            self.save(update_fields=["status", "answered_by", "answered_at", "shared_case"])
            inquiry = self.candidate.inquiry
            holder = self.to_organisation.name
            # Told on the inquiry without the answering user: staff of another organisation.
            if share:
                inquiry.record_event(
                    "inquiry_contact_shared", None, organisation=holder, case=case.reference
                )
            else:
                inquiry.record_event("inquiry_contact_declined", None, organisation=holder)
            inquiry.touch()
            case.record_event(
                "contact_request_answered",
                by,
                organisation=self.from_organisation.name,
                shared="yes" if share else "no",
            )
        return True


# --- Custody and the way home -----------------------------------------------------------
# Geneva Convention III, arts. 70, 122 and 123: what the detaining power owes a prisoner
# and his family, then the steps home and the months after return (SPEC section 2).


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved `months` calendar months on; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (next_month - datetime.timedelta(days=1)).day))


def _verbose_name(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


class CustodyEventQuerySet(models.QuerySet):
    def latest_first(self) -> "CustodyEventQuerySet":
        return self.order_by("-occurred_on", "-recorded_at", "-pk")


class CustodyEvent(models.Model):
    """One step of a person's custody, from capture to release, exchange or death: the
    record is a timeline, never overwritten; the latest event is the custody status."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="custody_events")
    kind = models.CharField(_("what happened"), max_length=20, choices=CustodyEventKind.choices)
    occurred_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    authority = models.CharField(_("by whom, or detaining authority"), max_length=200, blank=True)
    # Restricted to the assigned caseworker and supervisors (access.may_see_restricted):
    # where someone is held is what a reprisal needs. Encrypted like restricted notes.
    facility = EncryptedTextField(_("facility"), blank=True, null=True)
    source = EncryptedTextField(_("source (who told us)"), blank=True, null=True)
    source_reliability = models.CharField(
        _("reliability of the source"),
        max_length=12,
        choices=SourceReliability.choices,
        default=SourceReliability.UNKNOWN,
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = EncryptedTextField(_("notes"), blank=True, null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = CustodyEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        indexes = [models.Index(fields=["case", "-occurred_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        CustodyEvent.refresh_case_status(self.case_id)
        if self.kind == CustodyEventKind.REPATRIATED:
            returned = WayHome.objects.filter(case_id=self.case_id, arrived_on__isnull=False)
            if not returned.exists():  # the arrival, once recorded, sets the check-ins
                FollowUp.schedule_after_return(self.case_id, self.occurred_on)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        CustodyEvent.refresh_case_status(self.case_id)
        return result

    @staticmethod
    def refresh_case_status(*case_ids: int) -> None:
        """Set each case's custody status to the kind of its latest event, in one UPDATE."""
        latest = CustodyEvent.objects.filter(case_id=models.OuterRef("pk")).latest_first()
        Case.objects.filter(pk__in=case_ids).update(
            custody_status=Coalesce(models.Subquery(latest.values("kind")[:1]), models.Value(""))
        )


class CustodyObligations(models.Model):
    """The detaining power's obligations and when each was met; the "power on which he
    depends" is recorded apart from nationality: it often rests on the person's word."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="custody_obligations")
    capture_card_sent_on = models.DateField(_("capture card sent"), null=True, blank=True)
    capture_card_received_on = models.DateField(
        _("capture card received by the family"), null=True, blank=True
    )
    icrc_registered_on = models.DateField(_("ICRC registration"), null=True, blank=True)
    icrc_reference = EncryptedTextField(_("ICRC reference"), blank=True, null=True)
    power_notified_on = models.DateField(_("power of origin notified"), null=True, blank=True)
    consular_access_requested_on = models.DateField(
        _("consular access requested"), null=True, blank=True
    )
    consular_access_granted_on = models.DateField(
        _("consular access granted"), null=True, blank=True
    )
    dependent_power = CountryField(_("power on which he depends"), blank=True)
    dependent_power_confirmation = models.CharField(
        _("how the power is known"), max_length=20, choices=PowerConfirmation.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("custody obligations")
        verbose_name_plural = _("custody obligations")

    def __str__(self):
        return f"{self.case_id}"

    @property
    def icrc_registered(self) -> bool:
        return bool(self.icrc_registered_on or self.icrc_reference)

    # The obligations in the order they fall due, as (field, label).
    STEPS = (
        "capture_card_sent_on",
        "capture_card_received_on",
        "icrc_registered_on",
        "power_notified_on",
        "consular_access_requested_on",
        "consular_access_granted_on",
    )

    def steps(self, names=STEPS) -> list[tuple[str, datetime.date | None]]:
        """Each obligation's label and the date it was met (None: not yet)."""
        return [(_verbose_name(self, name), getattr(self, name)) for name in names]


class IcrcVisit(models.Model):
    """A visit by the ICRC to the person in custody."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="icrc_visits")
    visited_on = models.DateField(_("date of the visit"))
    notes = EncryptedTextField(_("notes"), blank=True, null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("ICRC visit")
        verbose_name_plural = _("ICRC visits")
        indexes = [models.Index(fields=["case", "-visited_on"])]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d}"


class LegalProceeding(models.Model):
    """A prosecution of the person (charge, court, hearings, lawyer, outcome)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proceedings")
    charge = models.CharField(_("charge"), max_length=300, blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    next_hearing_on = models.DateField(_("next hearing"), null=True, blank=True)
    lawyer = models.CharField(_("lawyer"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ProceedingOutcome.choices,
        default=ProceedingOutcome.PENDING,
    )
    # Legal notes: never shown to a liaison.
    notes = EncryptedTextField(_("notes"), blank=True, null=True)
    # Made by migration 0020 from the former yes/no flag: nothing else is known of it.
    recorded_before_tracking = models.BooleanField(default=False, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("legal proceeding")
        verbose_name_plural = _("legal proceedings")
        indexes = [
            models.Index(fields=["case"]),
            # Hearing reminders: the pending proceedings with a hearing ahead.
            models.Index(
                fields=["next_hearing_on"],
                condition=Q(outcome="pending"),
                name="proceeding_pending_hearing",
            ),
        ]

    def __str__(self):
        return self.charge or str(_("legal proceeding"))


class WayHome(models.Model):
    """The steps home: nationality confirmed, travel documents, travel, arrival, handover."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="way_home")
    nationality_request = models.ForeignKey(
        EmbassyRequest,
        verbose_name=_("nationality confirmation requested"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    travel_documents = models.CharField(_("travel documents"), max_length=200, blank=True)
    travel_documents_issued_on = models.DateField(
        _("travel documents issued"), null=True, blank=True
    )
    travel_on = models.DateField(_("travel date"), null=True, blank=True)
    arrived_on = models.DateField(_("arrival home"), null=True, blank=True)
    handed_over_on = models.DateField(_("handover"), null=True, blank=True)
    handed_over_to = models.CharField(_("handed over to"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("way home")
        verbose_name_plural = _("ways home")

    def __str__(self):
        return f"{self.case_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.arrived_on:
            FollowUp.schedule_after_return(self.case_id, self.arrived_on)

    STEPS = ("travel_documents_issued_on", "travel_on", "arrived_on", "handed_over_on")

    def steps(self, names=STEPS) -> list[tuple[str, datetime.date | None]]:
        """Each step's label and its date (None: not yet)."""
        return [(_verbose_name(self, name), getattr(self, name)) for name in names]


class ReturnListEntry(models.Model):
    """The person put on an exchange or repatriation list: which, when, by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_list_entries")
    list_kind = models.CharField(_("list"), max_length=12, choices=ReturnListKind.choices)
    list_name = models.CharField(_("which list"), max_length=200, blank=True)
    listed_on = models.DateField(_("listed on"))
    listed_by = models.CharField(_("listed by"), max_length=200, blank=True)
    # The latest news of the list: the sweep asks after a list silent for too long.
    last_news_on = models.DateField(_("latest news"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("exchange or repatriation list entry")
        verbose_name_plural = _("exchange or repatriation list entries")
        indexes = [models.Index(fields=["case", "-listed_on"])]

    def __str__(self):
        return f"{self.get_list_kind_display()} {self.listed_on:%Y-%m-%d}"


class ReintegrationService(models.Model):
    """A service delivered after return: legal, medical, livelihood, a recruiter's debt..."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    started_on = models.DateField(_("started"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ServiceOutcome.choices,
        default=ServiceOutcome.IN_PROGRESS,
    )
    notes = EncryptedTextField(_("notes"), blank=True, null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("reintegration service")
        verbose_name_plural = _("reintegration services")
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self):
        return self.get_kind_display()


class FollowUp(models.Model):
    """A check-in 3, 6 or 12 months after return, made when the return is recorded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(
        _("months after return"), choices=[(m, m) for m in FOLLOW_UP_MONTHS]
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True, null=True)

    class Meta:
        verbose_name = _("follow-up check-in")
        verbose_name_plural = _("follow-up check-ins")
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="one_follow_up_per_interval")
        ]
        indexes = [
            # The sweep's question: check-ins due and not done.
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="follow_up_due")
        ]

    def __str__(self):
        return f"{self.case_id} +{self.months}"

    @classmethod
    def schedule_after_return(cls, case_id: int, returned_on: datetime.date) -> None:
        """The check-ins after a return on `returned_on`: made once; those not yet done
        move with a corrected return date."""
        existing = {f.months: f for f in cls.objects.filter(case_id=case_id)}
        for months in FOLLOW_UP_MONTHS:
            due = add_months(returned_on, months)
            follow_up = existing.get(months)
            if follow_up is None:
                cls.objects.create(case_id=case_id, months=months, due_on=due)
            elif follow_up.done_on is None and follow_up.due_on != due:
                follow_up.due_on = due
                follow_up.save(update_fields=["due_on"])


class Dossier(BuiltInBackground, models.Model):
    """A PDF (or the liaison's list) of what one viewer may see, built in the background
    for its requester alone and downloadable briefly: a case dossier, or a liaison's list
    of their country's disclosed cases with their custody status."""

    class Kind(models.TextChoices):
        CASE = "case", _("Case dossier")
        EMBASSY_CASES = "embassy_cases", _("Shared cases and their custody status")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CASE)
    # None for a liaison's list, which spans the cases shared with their countries.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="dossiers"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The requester's language when asked: the worker renders the file in it.
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=private_export_name, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The cases written into the file: it is served only while the requester still may
    # see every one of them (a withdrawn consent makes a built list unreadable at once).
    case_ids = models.JSONField(default=list)
    # Restricted notes or recruiter evidence were written into it: served only to a
    # requester who may still see them.
    included_restricted = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    # The download link carries this random token and stops working at expires_at.
    token = models.CharField(max_length=64, default=secrets_token, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.kind} dossier #{self.pk}"

    @property
    def downloadable(self) -> bool:
        return bool(self.file) and super().downloadable
