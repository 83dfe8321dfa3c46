"""Who sees what: the one place that decides.

Every query for cases and their children goes through a function here, one per kind
of object, each scoped by the user's role (SPEC section 1). A request for something
outside the user's scope raises Http404 exactly as for something that does not exist,
and is audited as a denial. The field allowlists per role (SPEC section 4) are here
too, so templates and exports show only what `visible_fields` hands them.

"A liaison" means one thing here: `is_liaison(user)`, someone who may act as a liaison
now (active, liaison role, access not expired). `User.has_liaison_role` is the bare role,
for routing and for the account itself, never for deciding what someone may see.

What a liaison may see of a case depends on the countries it is shared with: a
`CaseGrant`, asked of the database once per case object and user (`grant_on`).
`get_case` settles the requester's grant as it fetches the case, so the page's person,
nationalities, documents and requests all read the same answer. Grants are kept on the
case object itself, so they last exactly as long as the object a request fetched.
"""

from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.http import Http404
from django_countries.fields import Country

from accounts.models import Role, User
from casework import audit
from casework.models import (
    Case,
    Consent,
    Contact,
    ContactRequest,
    CustodyEvent,
    CustodyObligations,
    Document,
    Dossier,
    EmbassyDisclosure,
    EmbassyRequest,
    Escalation,
    FollowUp,
    IcrcVisit,
    IdentityDocument,
    Inquiry,
    InquiryCandidate,
    InquiryDocument,
    InquiryNote,
    LegalProceeding,
    Nationality,
    Note,
    Person,
    Recruitment,
    ReintegrationService,
    ReturnListEntry,
    Task,
    WayHome,
)
from casework.vocabularies import (
    Confidentiality,
    ConsentScope,
    ConsentStatus,
    ContactRequestStatus,
    ReturnListKind,
)

STAFF_CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)
REFERENCE_LENGTH: int = Case._meta.get_field("reference").max_length or 0  # a CharField has one


def _active(user):
    return user.is_authenticated and user.is_active


def is_case_staff(user):
    return _active(user) and user.role in STAFF_CASE_ROLES


def is_liaison(user) -> bool:
    """May act as a liaison now: active, liaison role, access not expired."""
    return _active(user) and user.has_liaison_role and not user.liaison_access_expired()


def _embassy_shares(case_ref, countries):
    """Active embassy consents for `countries` backed by an approval and a nationality."""
    approved = EmbassyDisclosure.objects.active().filter(
        case=OuterRef("case"), country=OuterRef("country")
    )
    holds_nationality = Nationality.objects.filter(
        person=OuterRef("case__person"), country=OuterRef("country")
    )
    return Consent.objects.filter(
        case=case_ref,
        scope=ConsentScope.SHARE_WITH_EMBASSY,
        status=ConsentStatus.GIVEN,
        country__in=countries,
    ).filter(Exists(approved), Exists(holds_nationality))


def liaison_countries(user):
    return [c.code for c in user.liaison_countries]


def cases_visible_to(user):
    """The cases a user may open, as a queryset (SPEC section 1)."""
    if is_case_staff(user):
        cases = Case.objects.filter(organisation_id=user.organisation_id)
        if user.role == Role.SUPERVISOR:
            return cases
        # One id list, not "assigned OR collaborating" (an OR with a subquery): PostgreSQL
        # starts from the caseworker's own cases, not from every case of the organisation
        # (at a million cases, 5 ms against 400 ms for a page; see tests/bench/pages.py).
        assigned = Case.objects.filter(assigned_to=user).values("pk")
        collaborating = Case.collaborators.through.objects.filter(user_id=user.pk)
        return cases.filter(pk__in=assigned.union(collaborating.values("case_id"), all=True))
    if is_liaison(user):
        return Case.objects.filter(_shared_with_embassy(OuterRef("pk"), liaison_countries(user)))
    # Data officers, administrators and everyone else: no person-level access.
    return Case.objects.none()


def _shared_with_embassy(case_ref, countries) -> Exists:
    """The case may be shown to the embassies of one of `countries`: it is not flagged
    do-not-share, and an approved consent backed by a nationality exists for one."""
    return Exists(
        _embassy_shares(case_ref, countries).filter(case__do_not_share_with_embassy=False)
    )


def liaisons_seeing(case, country, today) -> QuerySet[User]:
    """The liaisons who may see `case` through `country` on `today`: those for whom
    `cases_visible_to` holds the case and `country` is one of its shared countries.

    `case` and `country` may be values or expressions: the sweep compiles this into its
    reminder query with the request's columns, so its recipients follow this very rule.
    """
    if not hasattr(country, "resolve_expression"):
        country = Value(country)
    speaks_for = Concat(Value(","), "liaison_countries", Value(","), output_field=CharField())
    # The database form of is_liaison(): an active liaison whose access has not expired.
    return (
        User.objects.filter(role=Role.LIAISON, is_active=True, access_expires_on__gte=today)
        .alias(speaks_for=speaks_for)
        .filter(
            speaks_for__contains=Concat(Value(","), country, Value(","), output_field=CharField())
        )
        .filter(_shared_with_embassy(case, [country]))
    )


def shared_countries_by_case(user, case_ids):
    """{case id: [country codes]} the liaison may see for each case, in one query."""
    if not is_liaison(user):
        return {}
    shares = _embassy_shares(OuterRef("case"), liaison_countries(user)).filter(
        country=OuterRef("country")
    )
    rows = (
        Consent.objects.filter(case_id__in=case_ids, case__do_not_share_with_embassy=False)
        .filter(Exists(shares))
        .values_list("case_id", "country")
    )
    result = {}
    for case_id, country in rows:
        result.setdefault(case_id, set()).add(country)
    return {case_id: sorted(codes) for case_id, codes in result.items()}


def embassy_requests_visible_to(user):
    """Every embassy request a liaison may see: to a country each case is shared with."""
    if not is_liaison(user):
        return EmbassyRequest.objects.none()
    shares = _embassy_shares(OuterRef("case"), liaison_countries(user)).filter(
        country=OuterRef("country")
    )
    return EmbassyRequest.objects.filter(Exists(shares), case__do_not_share_with_embassy=False)


@dataclass(frozen=True)
class CaseGrant:
    """What one user may see of one case through a liaison's countries.

    `shared_countries`: the user's countries the case is shared with, sorted (a dual
    national shows no more); `document_number_countries`: those of them whose consent
    also shares document numbers. Staff and everyone else have the empty grant: their
    scope is their role's, not a country's.
    """

    user_id: int | None
    shared_countries: tuple[str, ...] = ()
    document_number_countries: frozenset[str] = frozenset()


# Where grant_on keeps its answers on a case object: {user id: CaseGrant}.
_GRANTS = "_access_grants"


def grant_on(user, case) -> CaseGrant:
    """The user's grant on `case`, asked of the database once per case object and user."""
    grants: dict[int | None, CaseGrant] = case.__dict__.setdefault(_GRANTS, {})
    if user.pk not in grants:
        grants[user.pk] = _ask_grant(user, case)
    return grants[user.pk]


def _ask_grant(user, case) -> CaseGrant:
    if not is_liaison(user) or case.do_not_share_with_embassy:
        return CaseGrant(user_id=user.pk)
    rows = _embassy_shares(case.pk, liaison_countries(user)).values_list(
        "country", "includes_document_numbers"
    )
    shares: dict[str, bool] = {}
    for country, numbers in rows:
        shares[country] = shares.get(country, False) or numbers
    return CaseGrant(
        user_id=user.pk,
        shared_countries=tuple(sorted(shares)),
        document_number_countries=frozenset(c for c, numbers in shares.items() if numbers),
    )


def shared_countries(user, case) -> list[str]:
    """The liaison's countries this case is shared with (a dual national shows no more)."""
    return list(grant_on(user, case).shared_countries)


def _may_exist(reference: str) -> bool:
    # PostgreSQL refuses a NUL byte even in a query: no case has one, so none is asked.
    return 0 < len(reference) <= REFERENCE_LENGTH and "\x00" not in reference


def _holder(reference: str) -> int | None:
    """The organisation holding the case with exactly this reference, if there is one."""
    if not _may_exist(reference):
        return None
    holders = Inquiry.objects if reference.startswith("IQ-") else Case.objects
    owner = holders.filter(reference=reference).values_list("organisation_id", flat=True)
    return owner.first()


def deny(request, reference: str, object_type: str = "case", object_id="") -> NoReturn:
    """Audit the refusal and answer exactly as for something that does not exist.

    A refused look at an existing case, by anyone (a liaison, or staff of another
    organisation), lands in the log of the organisation holding the case, with the
    reference asked. A reference that matches no case, or none at all, lands in the
    requester's own organisation's log; a liaison's, who has none, is a deployment-level
    event with no organisation (seen by `verify_audit` and in the Django admin).
    Over-long values are cut at the audit layer, so the denial is always written.
    """
    audit.record(
        audit.Action.DENIED,
        actor=request.user,
        organisation_id=_holder(reference),
        object_type=object_type,
        object_id=object_id,
        case_reference=reference,
        ip_address=_ip(request),
    )
    raise Http404


def _ip(request):
    from accounts.security import client_ip

    return client_ip(request)


def get_case(request, reference, *, viewing=None, custody=False):
    """The case with this reference if the user may see it, else Http404 (audited).

    A GET of a page under a case shows person-level data and is audited as a view,
    unless the caller records a more precise event itself (viewing=False). With
    `custody`, what `custody_overview` reads comes in the same query.
    """
    if viewing is None:
        viewing = request.method == "GET"
    if not _may_exist(reference):
        deny(request, reference)
    cases = cases_visible_to(request.user).select_related("person", "assigned_to", "organisation")
    if custody:
        cases = cases.with_custody_overview()
    case = cases.filter(reference=reference).first()
    if case is None:
        deny(request, reference)
    grant_on(request.user, case)  # settled once, for every *_for call on this page
    if viewing:
        record_view(request, case, "case", case.pk)
    return case


def record_case_event(request, case, action, **details):
    """Audit something the user did or saw on a case, in the case's organisation's log."""
    audit.record(
        action,
        actor=request.user,
        organisation_id=case.organisation_id,
        case_reference=case.reference,
        ip_address=_ip(request),
        **details,
    )


def record_view(request, case, object_type, object_id):
    record_case_event(
        request, case, audit.Action.VIEW, object_type=object_type, object_id=str(object_id)
    )


# Children of a case. Each takes a case already fetched through get_case().


def may_see_restricted(user, case):
    """Restricted notes and recruiter evidence: the assigned caseworker and supervisors."""
    if not is_case_staff(user) or user.organisation_id != case.organisation_id:
        return False
    return user.role == Role.SUPERVISOR or case.assigned_to_id == user.pk


def readable_note(user) -> Q:
    """What a note of a case `user` sees must be for them to read it: may_see_restricted,
    for many cases at once (a list's column over notes)."""
    if user.role == Role.SUPERVISOR:
        return Q()
    return Q(confidentiality=Confidentiality.NORMAL) | Q(case__assigned_to_id=user.pk)


def notes_for(user, case):
    if not is_case_staff(user):
        return Note.objects.none()
    notes = Note.objects.filter(case=case)
    if not may_see_restricted(user, case):
        notes = notes.filter(confidentiality=Confidentiality.NORMAL)
    return notes


def escalations_for(user, case):
    if not is_case_staff(user):
        return Escalation.objects.none()
    return Escalation.objects.filter(case=case)


def recruitment_for(user, case) -> Recruitment | None:
    """The case's recruitment (restricted evidence included: the form hides it), for staff."""
    if not is_case_staff(user):
        return None
    return Recruitment.objects.filter(case=case).first()


def tasks_for(user, case):
    return Task.objects.filter(case=case) if is_case_staff(user) else Task.objects.none()


def tasks_assigned_to(user):
    """The user's own tasks on the open cases they may see, across cases (home, my tasks).

    A task stays assigned when its case is reassigned; it leaves the list with the case."""
    if not is_case_staff(user):
        return Task.objects.none()
    return Task.objects.filter(case__in=cases_visible_to(user).open(), assignee=user)


def contacts_for(user, case):
    return Contact.objects.filter(case=case) if is_case_staff(user) else Contact.objects.none()


def consents_for(user, case):
    return Consent.objects.filter(case=case) if is_case_staff(user) else Consent.objects.none()


def disclosures_for(user, case):
    if not is_case_staff(user):
        return EmbassyDisclosure.objects.none()
    return EmbassyDisclosure.objects.filter(case=case)


def embassy_requests_for(user, case):
    requests = EmbassyRequest.objects.filter(case=case)
    if is_case_staff(user):
        return requests
    if is_liaison(user):
        return requests.filter(country__in=shared_countries(user, case))
    return EmbassyRequest.objects.none()


def documents_for(user, case):
    documents = Document.objects.filter(case=case)
    if is_case_staff(user):
        return documents
    if is_liaison(user):
        # Only what was exchanged on requests addressed to the liaison's shared countries.
        return documents.filter(embassy_message__request__in=embassy_requests_for(user, case))
    return Document.objects.none()


def identity_documents_for(user, case):
    documents = IdentityDocument.objects.filter(person_id=case.person_id)
    if is_case_staff(user):
        return documents
    shared = shared_countries(user, case)
    if not shared:
        return IdentityDocument.objects.none()
    # A passport of another nationality would reveal that nationality: leave it out.
    hidden = Nationality.objects.filter(person_id=case.person_id).exclude(country__in=shared)
    return documents.exclude(issuing_country__in=hidden.values("country"))


# Across cases: the supervisors' queue and the duplicate check.


def escalations_awaiting_acknowledgement(user):
    """Escalations on the cases the user may see that no one has acknowledged yet."""
    if not is_case_staff(user):
        return Escalation.objects.none()
    return Escalation.objects.filter(case__in=cases_visible_to(user), acknowledged_at__isnull=True)


def disclosures_awaiting_approval(user):
    """Active embassy consents on the user's open, shareable cases that no supervisor has
    approved yet: one row per consent."""
    if not is_case_staff(user):
        return Consent.objects.none()
    approved = EmbassyDisclosure.objects.active().filter(
        case=OuterRef("case"), country=OuterRef("country")
    )
    return Consent.objects.filter(
        case__in=cases_visible_to(user).open().filter(do_not_share_with_embassy=False),
        scope=ConsentScope.SHARE_WITH_EMBASSY,
        status=ConsentStatus.GIVEN,
    ).exclude(Exists(approved))


def active_disclosures_visible_to(user):
    """The embassy disclosures in force on the cases the user may see."""
    if not is_case_staff(user):
        return EmbassyDisclosure.objects.none()
    return EmbassyDisclosure.objects.active().filter(case__in=cases_visible_to(user))


def duplicate_candidates_scope(user) -> int | None:
    """The organisation whose persons a new registration is compared with: the registering
    staff member's own (never another organisation's persons); None for anyone else."""
    return user.organisation_id if is_case_staff(user) else None


def duplicate_candidates(user, person_ids):
    """The persons among `person_ids` a duplicate warning may describe (reference, name,
    nationality; see views.cases): those in the user's duplicate-check scope."""
    scope = duplicate_candidates_scope(user)
    if scope is None:
        return Person.objects.none()
    return Person.objects.filter(pk__in=person_ids, organisation_id=scope)


def get_child(request, parent, children, pk, object_type):
    """One child object of a case or an inquiry from `children` (a queryset from a
    function here), else Http404."""
    obj = children.filter(pk=pk).first()
    if obj is None:
        deny(request, parent.reference, object_type, str(pk))
    return obj


# Field allowlists (SPEC section 4).

LIAISON_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "native_name",
    "sex",
    "date_of_birth",
    "birth_year",
)
LIAISON_CASE_FIELDS = ("reference", "situation", "situation_country", "situation_region")
STAFF_PERSON_FIELDS = (
    *LIAISON_PERSON_FIELDS,
    "birth_year_estimated",
    "languages",
    "interpreter_needed",
    "place_of_origin",
    "region_of_origin",
    "vulnerabilities",
)
STAFF_CASE_FIELDS = (
    *LIAISON_CASE_FIELDS,
    "status",
    "closure_reason",
    "situation_place",
    "situation_date",
    "risk",
    "do_not_contact_family",
    "do_not_share_with_embassy",
    "media_attention",
    "next_review_on",
    "last_activity_at",
    "created_at",
)


# Lists of codes, shown as the labels a model method gives them.
LABELLED_LISTS = {"languages": "language_labels", "vulnerabilities": "vulnerability_labels"}


def _display(obj, name):
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if name in LABELLED_LISTS:
        return field.verbose_name, getattr(obj, LABELLED_LISTS[name])()
    if field.choices and value not in (None, ""):
        return field.verbose_name, getattr(obj, f"get_{name}_display")()
    if hasattr(value, "name") and hasattr(value, "code"):  # a country
        return field.verbose_name, value.name
    return field.verbose_name, value


def visible_fields(user, case):
    """What of the case and its person this user may see: {section: [(label, value)]}."""
    if is_case_staff(user):
        person_fields, case_fields = STAFF_PERSON_FIELDS, STAFF_CASE_FIELDS
    elif is_liaison(user):
        person_fields, case_fields = LIAISON_PERSON_FIELDS, LIAISON_CASE_FIELDS
    else:
        return {}
    shown = {
        "person": [_display(case.person, name) for name in person_fields],
        "case": [_display(case, name) for name in case_fields],
    }
    shown["aliases"] = list(case.person.aliases.values_list("name", flat=True))
    if is_liaison(user):
        # A case is shared with a country only if the person holds its nationality, so
        # these are exactly the nationalities a liaison may see (no other one of a dual
        # national).
        shown["nationalities"] = [Country(code).name for code in shared_countries(user, case)]
    else:
        nationalities = Nationality.objects.filter(person_id=case.person_id)
        shown["nationalities"] = [n.country.name for n in nationalities]
    shown["identity_documents"] = _identity_documents(user, case)
    assigned = case.assigned_to
    shown["contact_person"] = (
        (assigned.get_full_name() or assigned.get_username(), assigned.email) if assigned else None
    )
    return shown


def _identity_documents(user, case):
    if is_case_staff(user):
        number_countries = None  # every number
    else:
        # A liaison gets numbers only where the consent says so, and only of documents
        # issued by the country it was given for.
        number_countries = grant_on(user, case).document_number_countries
    rows = []
    for doc in identity_documents_for(user, case):
        show_number = number_countries is None or doc.issuing_country.code in number_countries
        rows.append(
            {
                "type": doc.get_doc_type_display(),
                "status": doc.get_status_display(),
                "issuing_country": doc.issuing_country.name if doc.issuing_country else "",
                "number": doc.number if show_number else None,
            }
        )
    return rows


# Family inquiries. The organisation's case staff work on its inquiries; a liaison sees
# the status of the inquiries they submitted, nothing more. Candidates span every
# organisation, but a person is shown only to whoever may open one of their cases.


def inquiries_visible_to(user) -> QuerySet[Inquiry]:
    """The inquiries a user may open, as a queryset."""
    if is_case_staff(user):
        return Inquiry.objects.filter(organisation_id=user.organisation_id)
    if is_liaison(user):
        return Inquiry.objects.filter(submitted_by=user)
    return Inquiry.objects.none()


def may_work_on_inquiry(user, inquiry: Inquiry) -> bool:
    """Edit, note, decide on candidates, ask another organisation: the inquiry's staff."""
    return is_case_staff(user) and user.organisation_id == inquiry.organisation_id


def get_inquiry(request, reference: str, *, viewing=None) -> Inquiry:
    """The inquiry with this reference if the user may see it, else Http404 (audited)."""
    if viewing is None:
        viewing = request.method == "GET"
    if not _may_exist(reference):
        deny(request, reference, "inquiry")
    inquiry = (
        inquiries_visible_to(request.user)
        .select_related("assigned_to", "organisation", "matched_case")
        .filter(reference=reference)
        .first()
    )
    if inquiry is None:
        deny(request, reference, "inquiry")
    if viewing:
        audit.record(
            audit.Action.VIEW,
            actor=request.user,
            organisation_id=inquiry.organisation_id,
            object_type="inquiry",
            object_id=str(inquiry.pk),
            ip_address=_ip(request),
        )
    return inquiry


def candidates_for(user, inquiry: Inquiry) -> QuerySet[InquiryCandidate]:
    """The inquiry's possible matches, best first: for its staff only (never a liaison)."""
    if not may_work_on_inquiry(user, inquiry):
        return InquiryCandidate.objects.none()
    return inquiry.candidates.select_related("organisation").order_by("-score", "pk")


def contact_requests_to_answer(user) -> QuerySet[ContactRequest]:
    """Contact requests addressed to the user's organisation, for its supervisors."""
    if not (is_case_staff(user) and user.role == Role.SUPERVISOR):
        return ContactRequest.objects.none()
    return ContactRequest.objects.filter(to_organisation_id=user.organisation_id)


def get_inquiry_to_work_on(request, reference: str) -> Inquiry:
    """`get_inquiry` for the pages that show its details or change it: its staff only."""
    inquiry = get_inquiry(request, reference)
    if not may_work_on_inquiry(request.user, inquiry):
        deny(request, reference, "inquiry")
    return inquiry


def inquiry_notes_for(user, inquiry: Inquiry) -> QuerySet[InquiryNote]:
    """An inquiry's timeline: its staff's, never a liaison's."""
    if not may_work_on_inquiry(user, inquiry):
        return InquiryNote.objects.none()
    return inquiry.notes.all()


def inquiry_documents_for(user, inquiry: Inquiry) -> QuerySet[InquiryDocument]:
    if not may_work_on_inquiry(user, inquiry):
        return InquiryDocument.objects.none()
    return inquiry.documents.all()


def contact_requests_of(user, inquiry: Inquiry) -> QuerySet[ContactRequest]:
    """The requests the inquiry's organisation sent about its candidates, and their answers."""
    if not may_work_on_inquiry(user, inquiry):
        return ContactRequest.objects.none()
    return ContactRequest.objects.filter(candidate__inquiry=inquiry)


def cases_of_candidates(user, candidates) -> dict[int, Case]:
    """{person id: the newest of their cases the user may open} for these candidates:
    those persons are shown in full and linked to that case; the others without personal
    data, as "possible match held by <organisation>" with the fields that agree."""
    person_ids = {c.person_id for c in candidates}
    if not person_ids:
        return {}
    cases = (
        cases_visible_to(user)
        .filter(person_id__in=person_ids)
        .select_related("person")
        .order_by("-created_at", "-pk")
    )
    newest: dict[int, Case] = {}
    for case in cases:
        newest.setdefault(case.person_id, case)
    return newest


def matched_case_for(user, inquiry: Inquiry) -> Case | None:
    """The case the inquiry was matched to, if the user may open it (a liaison through
    an embassy disclosure): else the page shows no link."""
    if inquiry.matched_case_id is None:
        return None
    return cases_visible_to(user).filter(pk=inquiry.matched_case_id).first()


def contact_requests_for(user, case: Case) -> QuerySet[ContactRequest]:
    """Requests about the person of `case` its supervisors may answer (pending or not)."""
    return contact_requests_to_answer(user).filter(
        candidate__person_id=case.person_id, to_organisation_id=case.organisation_id
    )


def contact_requests_awaiting_answer(user) -> QuerySet[ContactRequest]:
    """Pending requests to the user's organisation, each with `holder_reference`: the
    newest case of the person asked about (which the supervisor may open)."""
    newest = (
        Case.objects.filter(
            person_id=OuterRef("candidate__person_id"),
            organisation_id=OuterRef("to_organisation_id"),
        )
        .order_by("-created_at", "-pk")
        .values("reference")[:1]
    )
    return (
        contact_requests_to_answer(user)
        .filter(status=ContactRequestStatus.PENDING)
        .annotate(holder_reference=Subquery(newest))
    )


# Custody and the way home (issue 13). Staff see the records; the facility only with
# may_see_restricted. A liaison sees the custody overview alone, through the allowlists
# below: never an event, its facility or source, nor a proceeding or its notes.


def custody_events_for(user, case) -> QuerySet[CustodyEvent]:
    if not is_case_staff(user):
        return CustodyEvent.objects.none()
    return CustodyEvent.objects.filter(case=case)


def may_see_custody_facility(user, case) -> bool:
    """Where the person is held: restricted like restricted notes."""
    return may_see_restricted(user, case)


def icrc_visits_for(user, case) -> QuerySet[IcrcVisit]:
    return IcrcVisit.objects.filter(case=case) if is_case_staff(user) else IcrcVisit.objects.none()


def legal_proceedings_for(user, case) -> QuerySet[LegalProceeding]:
    if not is_case_staff(user):
        return LegalProceeding.objects.none()
    return LegalProceeding.objects.filter(case=case)


def return_list_entries_for(user, case) -> QuerySet[ReturnListEntry]:
    if not is_case_staff(user):
        return ReturnListEntry.objects.none()
    return ReturnListEntry.objects.filter(case=case)


def services_for(user, case) -> QuerySet[ReintegrationService]:
    if not is_case_staff(user):
        return ReintegrationService.objects.none()
    return ReintegrationService.objects.filter(case=case)


def follow_ups_for(user, case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case) if is_case_staff(user) else FollowUp.objects.none()


def custody_obligations_for(user, case) -> CustodyObligations | None:
    """The case's obligations record, for staff (None if none is recorded yet); no query
    for a case from get_case(custody=True)."""
    if not is_case_staff(user):
        return None
    return _one_to_one(case, "custody_obligations")


def way_home_for(user, case) -> WayHome | None:
    """The case's way home, for staff (None if none is recorded yet); no query for a case
    from get_case(custody=True)."""
    if not is_case_staff(user):
        return None
    return _one_to_one(case, "way_home")


# What a liaison sees of custody and the way home: dates of the steps, yes/no for the
# ICRC registration (never its reference), the lists the person is on (never by whom).
LIAISON_OBLIGATION_FIELDS = tuple(s for s in CustodyObligations.STEPS if s != "icrc_registered_on")
LIAISON_WAY_HOME_FIELDS = WayHome.STEPS


def _one_to_one(case, name):
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _latest_listings(case) -> dict[str, object]:
    """{list kind: latest day listed}: from get_case(custody=True)'s query if it ran."""
    names = [f"{kind}_listed_on" for kind in ReturnListKind.values]
    if all(hasattr(case, name) for name in names):
        return {kind: getattr(case, f"{kind}_listed_on") for kind in ReturnListKind.values}
    row = Case.objects.with_custody_overview().filter(pk=case.pk).values(*names).first() or {}
    return {kind: row.get(f"{kind}_listed_on") for kind in ReturnListKind.values}


def custody_overview(user, case) -> dict | None:
    """The custody status, obligations and way-home steps a user may see; None for
    whoever sees no case content. No query for a case from get_case(custody=True)."""
    if not (is_case_staff(user) or shared_countries(user, case)):
        return None
    obligations = _one_to_one(case, "custody_obligations") or CustodyObligations()
    way_home = _one_to_one(case, "way_home") or WayHome()
    request = way_home.nationality_request if way_home.nationality_request_id else None
    if request and not is_case_staff(user) and request.country not in shared_countries(user, case):
        request = None  # another embassy's exchange
    listings = _latest_listings(case)
    return {
        "status": case.get_custody_status_display() if case.custody_status else "",
        "icrc_registered": obligations.icrc_registered,
        "obligations": obligations.steps(
            CustodyObligations.STEPS if is_case_staff(user) else LIAISON_OBLIGATION_FIELDS
        ),
        "nationality_requested": request.created_at if request else None,
        "way_home": way_home.steps(LIAISON_WAY_HOME_FIELDS),
        "lists": [
            (ReturnListKind(kind).label, day) for kind, day in listings.items() if day is not None
        ],
    }


# Dossiers and the liaison's export (issue 13): a dossier is its requester's alone, and
# is served only while they still may see every case written into it.


def dossiers_for(user, case) -> QuerySet[Dossier]:
    """The user's own dossiers of `case` (a case from get_case)."""
    return Dossier.objects.filter(kind=Dossier.Kind.CASE, case=case, requested_by_id=user.pk)


def embassy_exports_for(user) -> QuerySet[Dossier]:
    """The liaison's own lists of shared cases."""
    if not is_liaison(user):
        return Dossier.objects.none()
    return Dossier.objects.filter(kind=Dossier.Kind.EMBASSY_CASES, requested_by_id=user.pk)


def dossier_still_visible(user, dossier: Dossier) -> bool:
    """Every case written into the file is still one the user may open, and the
    restricted content written into it (if any) is still theirs to see."""
    ids = set(dossier.case_ids)
    cases = list(cases_visible_to(user).filter(pk__in=ids))
    if len(cases) != len(ids):
        return False
    return not dossier.included_restricted or all(may_see_restricted(user, c) for c in cases)


# What a liaison's export holds of each case: exactly the custody overview's allowlist.
LIAISON_EXPORT_MAX_CASES = 2000


def embassy_export_cases(user) -> QuerySet[Case]:
    """The cases a liaison's export lists, with what custody_overview reads, by reference."""
    if not is_liaison(user):
        return Case.objects.none()
    return cases_visible_to(user).with_custody_overview().order_by("reference")


def get_own(request, requests: QuerySet, pk: int, object_type: str):
    """Something the user asked to be built for themselves (a statistics export, a
    dossier) from `requests`, else Http404, audited like any refusal: no one else's
    export can be watched or downloaded, and "not yours" looks like "does not exist"."""
    obj = requests.filter(pk=pk, requested_by=request.user).first()
    if obj is None:
        deny(request, "", object_type, str(pk))
    return obj
