"""factory-boy factories for the domain."""

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Organisation, Role, User
from casework import matching, models
from casework.vocabularies import (
    AttachmentKind,
    ConsentScope,
    ContactKind,
    DocumentStatus,
    DocumentType,
    EmbassyRequestKind,
    MeansOfControl,
    NoteKind,
    Platform,
    PromisedJob,
    RecruitmentMethod,
)


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
        # Kenyan unless told otherwise; `nationalities=[]` for none.
        if create:
            for code in ["KE"] if extracted is None else extracted:
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


# The factories below name their model by label: a model may move between modules of its
# app (casework/stats/, casework/workflows/) without its label changing.


class NationalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Nationality"

    person = factory.SubFactory(PersonFactory, nationalities=[])
    country = "KE"


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Alias"

    person = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Bryan Otyeno{n}")
    source = "family"


class IdentityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.IdentityDocument"

    person = factory.SubFactory(PersonFactory)
    doc_type = DocumentType.PASSPORT
    number = factory.Sequence(lambda n: f"AK{n:07d}")
    issuing_country = "KE"
    status = DocumentStatus.CONFISCATED


class RecruitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Recruitment"

    case = factory.SubFactory(CaseFactory)
    method = RecruitmentMethod.ONLINE_ADVERTISEMENT
    platform = Platform.TELEGRAM
    promised_job = PromisedJob.SECURITY


class ControlMeansFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.ControlMeans"

    recruitment = factory.SubFactory(RecruitmentFactory)
    means = MeansOfControl.WITHHOLDS_DOCUMENTS


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Contact"

    case = factory.SubFactory(CaseFactory)
    kind = ContactKind.FAMILY
    name = factory.Sequence(lambda n: f"Grace Otieno{n}")
    relationship = "mother"
    phone = factory.Sequence(lambda n: f"+2547{n:08d}")
    country = "KE"
    person_agreed = True
    safe_to_contact = True


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Note"

    case = factory.SubFactory(CaseFactory)
    kind = NoteKind.CALL
    text = "Spoke with the family."
    author = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


class EmbassyDisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.EmbassyDisclosure"

    case = factory.SubFactory(CaseFactory)
    country = "KE"
    approved_by = factory.SubFactory(
        UserFactory,
        role=Role.SUPERVISOR,
        organisation=factory.SelfAttribute("..case.organisation"),
    )


class EmbassyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.EmbassyRequest"

    case = factory.SubFactory(CaseFactory)
    country = "KE"
    kind = EmbassyRequestKind.IDENTITY_CONFIRMATION
    message = "Please confirm the identity of this national."
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    created_by = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


class EmbassyMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.EmbassyMessage"

    request = factory.SubFactory(EmbassyRequestFactory)
    author = factory.SelfAttribute("request.created_by")
    body = "We have asked the family for a birth certificate."


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored file with its size and digest, as an upload records them."""

    class Meta:
        model = "casework.Document"

    class Params:
        content = b"%PDF-1.4\n% a scanned page\n"

    case = factory.SubFactory(CaseFactory)
    kind = AttachmentKind.CONSENT_FORM
    file = factory.LazyAttribute(lambda d: ContentFile(d.content, name="scan.pdf"))
    original_name = "scan.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda d: len(d.content))
    sha256 = factory.LazyAttribute(lambda d: hashlib.sha256(d.content).hexdigest())
    uploaded_by = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..case.organisation")
    )


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Escalation"

    case = factory.SubFactory(CaseFactory)
    rule = "stale_case"
    event_key = factory.Sequence(lambda n: f"case:{n}:stale:1")
    message = "A case has had no activity for too long."


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Notification"

    case = factory.SubFactory(CaseFactory)
    recipient = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..case.organisation")
    )
    kind = "task_reminder"
    message = "A task is due soon."
    event_key = factory.Sequence(lambda n: f"task:{n}:reminder")


class DigestRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.DigestRun"

    user = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(timezone.localdate)


class StatsExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stats.StatsExport"

    organisation = factory.SubFactory(OrganisationFactory)
    requested_by = factory.SubFactory(
        UserFactory,
        role=Role.DATA_OFFICER,
        organisation=factory.SelfAttribute("..organisation"),
    )
    format = "csv"
    parameters = factory.LazyFunction(dict)


class EscalationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.EscalationPolicy"
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Holiday"

    organisation = factory.SubFactory(OrganisationFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    name = "Public holiday"


# --- Custody and the way home ----------------------------------------------------------


class CustodyEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.CustodyEvent"

    case = factory.SubFactory(CaseFactory)
    kind = "captured"
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    place = "Vuhledar"
    authority = "Armed Forces of Ukraine"
    source = "ICRC Central Tracing Agency"


class CustodyObligationsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.CustodyObligations"

    case = factory.SubFactory(CaseFactory)


class IcrcVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.IcrcVisit"

    case = factory.SubFactory(CaseFactory)
    visited_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))


class LegalProceedingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.LegalProceeding"

    case = factory.SubFactory(CaseFactory)
    charge = "Mercenarism (art. 447 Criminal Code of Ukraine)"
    court = "Lviv District Court"


class WayHomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.WayHome"

    case = factory.SubFactory(CaseFactory)


class ReturnListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.ReturnListEntry"

    case = factory.SubFactory(CaseFactory)
    list_kind = "exchange"
    listed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))


class ReintegrationServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.ReintegrationService"

    case = factory.SubFactory(CaseFactory)
    kind = "psychosocial"
    provider = "Trauma counselling centre"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.FollowUp"

    case = factory.SubFactory(CaseFactory)
    months = 3
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class DossierFactory(factory.django.DjangoModelFactory):
    """A case dossier asked for by the case's assigned caseworker (queued, not built)."""

    class Meta:
        model = "casework.Dossier"

    case = factory.SubFactory(CaseFactory)
    requested_by = factory.LazyAttribute(
        lambda d: d.case.assigned_to or UserFactory(organisation=d.case.organisation)
    )


# --- Family inquiries ------------------------------------------------------------------


class PersonIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.PersonIdentifier"

    person = factory.SubFactory(PersonFactory)
    organisation_id = factory.SelfAttribute("person.organisation_id")
    kind = "phone"
    value = factory.Sequence(lambda n: f"+97798{n:08d}")
    digest = factory.LazyAttribute(lambda i: matching.identifier_digest(i.kind, i.value))


class InquiryFactory(factory.django.DjangoModelFactory):
    """An inquiry by a mother about a son, with one spelling of his name."""

    class Meta:
        model = "casework.Inquiry"
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    channel = "phone"
    inquirer_name = "Sita Thapa"
    inquirer_relationship = "mother"
    inquirer_phone = "+9779812345678"
    inquirer_language = "en"
    consent_to_store = True
    consent_to_contact = True
    sex = "male"
    birth_year = 1995
    nationality = "NP"

    @factory.post_generation
    def names(self, create, extracted, **kwargs):
        # "Ram Thapa" unless told otherwise; `names=[]` for none.
        if create:
            for name in ["Ram Thapa"] if extracted is None else extracted:
                models.InquiryName.objects.create(inquiry=self, name=name)


class InquiryNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.InquiryName"

    inquiry = factory.SubFactory(InquiryFactory, names=[])
    name = factory.Sequence(lambda n: f"राम थापा {n}")


class InquiryIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.InquiryIdentifier"

    inquiry = factory.SubFactory(InquiryFactory)
    kind = "handle"
    value = factory.Sequence(lambda n: f"@ram{n}")
    digest = factory.LazyAttribute(lambda i: matching.identifier_digest(i.kind, i.value))


class InquiryDocumentFactory(factory.django.DjangoModelFactory):
    """A photo the family gave, with the passport number written on its back."""

    class Meta:
        model = "casework.InquiryDocument"

    class Params:
        content = b"\x89PNG\r\n\x1a\n a photo"

    inquiry = factory.SubFactory(InquiryFactory)
    kind = AttachmentKind.PHOTO
    file = factory.LazyAttribute(lambda d: ContentFile(d.content, name="photo.png"))
    original_name = "photo.png"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda d: len(d.content))
    sha256 = factory.LazyAttribute(lambda d: hashlib.sha256(d.content).hexdigest())
    number = "PA1234567"
    number_digest = factory.LazyAttribute(lambda d: matching.document_digest(d.number))


class InquiryNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.InquiryNote"

    inquiry = factory.SubFactory(InquiryFactory)
    text = "The mother called again."


class InquiryCandidateFactory(factory.django.DjangoModelFactory):
    """A possible match: name, birth year and nationality agree."""

    class Meta:
        model = "casework.InquiryCandidate"

    inquiry = factory.SubFactory(InquiryFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    score = 12.5
    comparisons = factory.LazyFunction(
        lambda: [
            {"field": "name", "level": "agree", "weight": 8.0, "detail": ""},
            {"field": "birth_year", "level": "agree", "weight": 3.0, "detail": ""},
            {"field": "nationality", "level": "agree", "weight": 1.5, "detail": ""},
            {"field": "place", "level": "unknown", "weight": 0.0, "detail": ""},
        ]
    )


class ContactRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.ContactRequest"

    candidate = factory.SubFactory(InquiryCandidateFactory)
    from_organisation = factory.SelfAttribute("candidate.inquiry.organisation")
    to_organisation = factory.SelfAttribute("candidate.organisation")
