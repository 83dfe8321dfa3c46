"""Controlled vocabularies of the domain (SPEC section 2).

Means of control follow the IOM CTDC list, extended for forced military recruitment.
Stored values are stable identifiers: never rename one, add a new one instead.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Vulnerability(models.TextChoices):
    MINOR_AT_RECRUITMENT = "minor_at_recruitment", _("Minor at recruitment")
    INJURED = "injured", _("Injured")
    ILL = "ill", _("Ill")
    DISABILITY = "disability", _("Disability")
    OTHER = "other", _("Other")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    RUSSIAN_PASSPORT = "russian_passport", _("Russian passport")
    MILITARY_ID = "military_id", _("Military identity document")
    MILITARY_CONTRACT = "military_contract", _("Military contract")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    WITH_PERSON = "with_person", _("With the person")
    CONFISCATED = "confiscated", _("Confiscated by recruiter or unit")
    LOST = "lost", _("Lost")
    DESTROYED = "destroyed", _("Destroyed")
    UNKNOWN = "unknown", _("Unknown")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    AWAITING_EMBASSY = "awaiting_embassy", _("Awaiting embassy")
    AWAITING_REPATRIATION = "awaiting_repatriation", _("Awaiting repatriation")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    RETURNED_HOME = "returned_home", _("Returned home")
    DECEASED = "deceased", _("Deceased")
    NO_LONGER_WANTS_SUPPORT = "no_longer_wants_support", _("No longer wants support")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DUPLICATE = "duplicate", _("Duplicate record")
    OTHER = "other", _("Other")


class Situation(models.TextChoices):
    AT_FRONT = "at_front", _("At the front in Russian forces")
    ELSEWHERE_IN_RUSSIA = "elsewhere_in_russia", _("Elsewhere in Russia")
    OCCUPIED_TERRITORY = "occupied_territory", _("In occupied territory")
    POW_IN_UKRAINE = "pow_in_ukraine", _("Prisoner of war held by Ukraine")
    EXCHANGED_TO_RUSSIA = "exchanged_to_russia", _("Exchanged to Russia")
    RETURNED_HOME = "returned_home", _("Returned home")
    THIRD_COUNTRY = "third_country", _("In a third country")
    MISSING = "missing", _("Missing")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RecruitmentMethod(models.TextChoices):
    ONLINE_ADVERTISEMENT = "online_advertisement", _("Online advertisement")
    AGENCY = "agency", _("Recruitment agency")
    INDIVIDUAL_RECRUITER = "individual_recruiter", _("Individual recruiter or agent")
    FRIEND_OR_RELATIVE = "friend_or_relative", _("Friend or relative")
    EMPLOYER_IN_RUSSIA = "employer_in_russia", _("Employer in Russia")
    STATE_OFFICE = "state_office", _("Russian state office or migration centre")
    DETENTION = "detention", _("While in detention or prison")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Platform(models.TextChoices):
    VKONTAKTE = "vkontakte", _("VKontakte")
    TELEGRAM = "telegram", _("Telegram")
    TIKTOK = "tiktok", _("TikTok")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    YOUTUBE = "youtube", _("YouTube")
    X = "x", _("X")
    OTHER = "other", _("Other")


class PromisedJob(models.TextChoices):
    SECURITY = "security", pgettext_lazy("promised job", "Security")
    CONSTRUCTION = "construction", _("Construction")
    DRIVER = "driver", _("Driver")
    COOK = "cook", _("Cook")
    FACTORY = "factory", _("Factory")
    WAREHOUSE = "warehouse", _("Warehouse")
    MILITARY = "military", _("Military service (stated openly)")
    OTHER = "other", _("Other")


class MeansOfControl(models.TextChoices):
    # IOM CTDC means of control
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    TAKES_EARNINGS = "takes_earnings", _("Takes earnings")
    THREATS = "threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    FALSE_PROMISES = "false_promises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours", _("Excessive working hours")
    THREATS_TO_FAMILY = "threats_to_family", _("Threats against family")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds necessities")
    THREAT_OF_LAW_ENFORCEMENT = "threat_of_law_enforcement", _("Threat of law enforcement")
    # Forced military recruitment
    THREAT_OF_DEPORTATION = "threat_of_deportation", _("Threat of deportation")
    THREAT_OF_LOSING_CITIZENSHIP = "threat_of_losing_citizenship", _("Threat of losing citizenship")
    CONTRACT_NOT_UNDERSTOOD = "contract_not_understood", _("Contract in a language not understood")
    ASSAULT_UNIT_DESPITE_PROMISES = (
        "assault_unit_despite_promises",
        _("Sent to an assault unit despite promises"),
    )
    OTHER = "other", _("Other")


class UnitType(models.TextChoices):
    REGULAR = "regular", _("Regular army unit")
    ASSAULT = "assault", _("Assault unit")
    VOLUNTEER = "volunteer", _("Volunteer formation")
    PRIVATE_MILITARY = "private_military", _("Private military company")
    SUPPORT = "support", _("Support or logistics")
    UNKNOWN = "unknown", _("Unknown")


class CaptureKind(models.TextChoices):
    CAPTURED = "captured", _("Captured")
    SURRENDERED = "surrendered", _("Surrendered")


class ContactKind(models.TextChoices):
    FAMILY = "family", _("Family member")
    EMBASSY = "embassy", _("Embassy or consulate")
    LAWYER = "lawyer", _("Lawyer")
    HUMANITARIAN = "humanitarian", _("Humanitarian organisation")
    OTHER = "other", _("Other")


class ConsentScope(models.TextChoices):
    SHARE_WITH_EMBASSY = "share_with_embassy", _("Share with the embassy of a country")
    CONTACT_FAMILY = "contact_family", _("Contact family")
    SHARE_WITH_HUMANITARIAN = (
        "share_with_humanitarian",
        _("Share with a named humanitarian organisation"),
    )
    INCLUDE_IN_STATISTICS = "include_in_statistics", _("Include in statistics")
    # Restoring Family Links: a relative who asks may be told the person is known.
    TRACING = "tracing", _("Tell an inquiring relative that the person is known")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")


class NoteKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")
    MEETING = "meeting", _("Meeting")
    DOCUMENT = "document", _("Document")
    STATUS_CHANGE = "status_change", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    CONSENT = "consent", _("Consent change")
    EMBASSY = "embassy", _("Embassy exchange")
    ESCALATION = "escalation", _("Escalation")
    DETAILS_UPDATED = "details_updated", _("Details updated")
    CUSTODY = "custody", _("Custody and return")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal")
    RESTRICTED = "restricted", _("Restricted: assigned caseworker and supervisors only")


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    FAMILY_UPDATE = "family_update", _("Family update")
    EMBASSY_REQUEST = "embassy_request", _("Embassy request")
    DOCUMENT = "document", _("Document")
    WELFARE_CHECK = "welfare_check", _("Welfare check")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class EmbassyRequestKind(models.TextChoices):
    IDENTITY_CONFIRMATION = "identity_confirmation", _("Identity confirmation")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    CONSULAR_VISIT = "consular_visit", _("Consular visit")
    REPATRIATION = "repatriation", _("Repatriation")
    FAMILY_NOTIFICATION = "family_notification", _("Family notification")
    OTHER = "other", _("Other")


class EmbassyRequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")


class AttachmentKind(models.TextChoices):
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    CONSENT_FORM = "consent_form", _("Consent form")
    CONTRACT = "contract", _("Contract")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    PHOTO = "photo", _("Photo")
    EMBASSY_RESPONSE = "embassy_response", _("Embassy response")
    OTHER = "other", _("Other")


# Family inquiries (SPEC section 7): a relative asks whether their person is known.


class InquiryChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    PARTNER = "partner", _("Partner organisation")
    EMBASSY = "embassy", _("Embassy")
    RED_CROSS = "red_cross", _("Red Cross or Red Crescent")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSSIBLE_MATCH = "possible_match", _("Possible match")
    MATCHED = "matched", _("Matched")
    LOCATED_NO_CONTACT = "located_no_contact", _("Located, does not wish contact")
    DECEASED = "deceased", _("Deceased")
    CLOSED_NOT_FOUND = "closed_not_found", _("Closed, not found")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An inquiry in one of these is settled: the sweep leaves it alone.
INQUIRY_OUTCOMES = (
    InquiryStatus.MATCHED,
    InquiryStatus.LOCATED_NO_CONTACT,
    InquiryStatus.DECEASED,
    InquiryStatus.CLOSED_NOT_FOUND,
    InquiryStatus.WITHDRAWN,
)


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Son or daughter")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    FRIEND = "friend", _("Friend")
    OTHER = "other", _("Other")


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    HANDLE = "handle", _("Social-media handle")


class MatchDecision(models.TextChoices):
    PENDING = "pending", _("To be reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class ContactRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    SHARED = "shared", _("Shared")
    DECLINED = "declined", _("Declined")


# Custody and the way home (SPEC section 2): Geneva Convention III, arts. 70, 122, 123.


class CustodyEventKind(models.TextChoices):
    CAPTURED = "captured", _("Captured")
    HELD_AT = "held_at", _("Held")
    TRANSFERRED = "transferred", _("Transferred")
    HOSPITALISED = "hospitalised", _("Hospitalised")
    RELEASED = "released", _("Released")
    EXCHANGED = "exchanged", _("Exchanged")
    REPATRIATED = "repatriated", _("Repatriated")
    DIED = "died", _("Died in custody")


# Custody statuses of a person still held: the obligations of the detaining power run on.
IN_CUSTODY = (
    CustodyEventKind.CAPTURED,
    CustodyEventKind.HELD_AT,
    CustodyEventKind.TRANSFERRED,
    CustodyEventKind.HOSPITALISED,
)


class SourceReliability(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by a document or an official source")
    RELIABLE = "reliable", _("Reliable source, not confirmed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    UNKNOWN = "unknown", _("Reliability unknown")


class PowerConfirmation(models.TextChoices):
    """How sure we are of the "power on which he depends" (GC III art. 122)."""

    STATED = "stated", _("Stated by the person")
    DOCUMENTS_SEEN = "documents_seen", _("Documents seen")
    EMBASSY_CONFIRMED = "embassy_confirmed", _("Confirmed by the embassy")


class ProceedingOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DROPPED = "dropped", _("Charges dropped")
    PARDONED = "pardoned", _("Pardoned or amnestied")
    OTHER = "other", _("Other")


class ReturnListKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange list")
    REPATRIATION = "repatriation", _("Repatriation list")


class ServiceKind(models.TextChoices):
    LEGAL = "legal", _("Legal")
    CONSULAR = "consular", _("Consular")
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    TRAVEL = "travel", _("Travel")
    LIVELIHOOD = "livelihood", _("Livelihood")
    RECRUITER_DEBT = "recruiter_debt", _("Debt to a recruiter")


class ServiceOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")
    DECLINED = "declined", _("Declined by the person")


# Follow-up check-ins after return, in months.
FOLLOW_UP_MONTHS = (3, 6, 12)
