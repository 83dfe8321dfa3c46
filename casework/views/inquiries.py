"""Family inquiries (SPEC section 7): the list, recording one, its page with the possible
matches side by side, decisions, outcomes, the answer to the inquirer, and the requests
one organisation sends another about a person it holds."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import access, audit, labels
from casework.forms import is_typed_text
from casework.http import htmx
from casework.inquiry_forms import (
    InquiryAssignForm,
    InquiryFilterForm,
    InquiryForm,
    InquiryNoteForm,
    OutcomeForm,
)
from casework.models import Case, ContactRequest, Inquiry, InquiryCandidate, Person
from casework.submissions import create_once
from casework.vocabularies import ContactRequestStatus, MatchDecision, Sex
from casework.workflows import tracing

inquiry_users = role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)
inquiry_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
supervisor_only = role_required(Role.SUPERVISOR)

PAGE_SIZE = 25
MAX_CANDIDATES_SHOWN = 50
SEARCH_SESSION_KEY = "homeward_inquiry_search"


def _back(inquiry: Inquiry, anchor: str = ""):
    return redirect(f"{inquiry.get_absolute_url()}{'#' + anchor if anchor else ''}")


# --- The list -----------------------------------------------------------------------


@inquiry_users
def inquiry_list(request):
    """Staff: the organisation's inquiries, filtered; a liaison: those they submitted.

    A searched name is POSTed and kept in the session, as on the case list: it reaches
    neither the browser history nor an access log.
    """
    user = request.user
    if request.method == "POST":
        text = request.POST.get("q", "").strip()[:200]
        if not is_typed_text(text):
            messages.warning(request, _("A filter could not be read and was ignored."))
            text = ""
        request.session[SEARCH_SESSION_KEY] = text
        query = {k: v for k, v in request.POST.items() if k in InquiryFilterForm.base_fields}
        return redirect(
            f"{request.path}?{urlencode(query)}" if any(query.values()) else request.path
        )
    inquiries = access.inquiries_visible_to(user)
    staff = access.is_case_staff(user)
    form = InquiryFilterForm(request.GET)
    search = request.session.get(SEARCH_SESSION_KEY, "") if staff else ""
    if staff:
        inquiries = form.filter(inquiries, user)
        if search:
            inquiries = inquiries.named(search)
    else:
        inquiries = inquiries.with_tracing_consent()  # the told status of every row
    inquiries = inquiries.select_related("assigned_to", "organisation").order_by(
        "-received_at", "-pk"
    )
    page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    if staff:
        prefetch_related_objects(page.object_list, "names")
    audit.record(
        audit.Action.VIEW,
        actor=user,
        object_type="inquiry-list",
        detail=f"page {page.number}",
        ip_address=client_ip(request),
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and is_typed_text(v)})
    context = {"page": page, "form": form, "search": search, "staff": staff, "query": query}
    return render(request, "casework/inquiries/list.html", context)


# --- Recording and editing ----------------------------------------------------------


@inquiry_users
def inquiry_new(request):
    """Record an inquiry; matching runs in the background once it is saved."""
    user = request.user
    liaison = user if access.is_liaison(user) else None
    if liaison is None and not access.is_case_staff(user):
        access.deny(request, "", "page", "inquiry-new")
    form = InquiryForm(
        request.POST or None,
        request.FILES or None,
        liaison=liaison,
        too_large=getattr(request, "upload_too_large", False),
    )
    if request.method == "POST" and form.is_valid():
        inquiry = create_once(request, form, lambda: form.save_inquiry(user, user.organisation_id))
        tracing.enqueue_matching(inquiry)
        messages.success(request, _("Inquiry recorded: possible matches will be looked for."))
        return _back(inquiry)
    title = _("Record a family inquiry")
    return render(request, "casework/inquiries/form.html", {"form": form, "title": title})


@inquiry_staff
def inquiry_edit(request, reference):
    inquiry = access.get_inquiry_to_work_on(request, reference)
    form = InquiryForm(
        request.POST or None,
        request.FILES or None,
        instance=inquiry,
        too_large=getattr(request, "upload_too_large", False),
    )
    if request.method == "POST" and form.is_valid():
        form.save_inquiry(request.user)
        tracing.enqueue_matching(inquiry)
        messages.success(request, _("Inquiry saved: possible matches will be looked for again."))
        return _back(inquiry)
    context = {"form": form, "inquiry": inquiry, "title": _("Edit the inquiry")}
    return render(request, "casework/inquiries/form.html", context)


# --- The inquiry page ---------------------------------------------------------------


@dataclass
class CandidateView:
    """A possible match as the reader may see it: in full (with `case`) or only as
    "held by <organisation>" with the fields that agree."""

    candidate: InquiryCandidate
    case: Case | None
    agreeing: str
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    request: ContactRequest | None = None
    may_ask: bool = False
    # The holder's shared case and contact show only while the person's consent holds.
    shared_visible: bool = False


def _person_values(person: Person) -> dict[str, str]:
    spellings = [person.full_name, person.native_name, *(a.name for a in person.aliases.all())]
    year = person.date_of_birth.year if person.date_of_birth else person.birth_year
    return {
        "name": "; ".join(dict.fromkeys(s for s in spellings if s)),
        "birth_year": str(year or "—"),
        "nationality": ", ".join(
            labels.country_name(n.country) for n in person.nationalities.all()
        ),
        "place": person.place_of_origin,
        "sex": "" if person.sex == Sex.UNKNOWN else person.get_sex_display(),
    }


def _inquiry_values(inquiry: Inquiry) -> dict[str, str]:
    return {
        "name": "; ".join(n.name for n in inquiry.names.all()),
        "birth_year": str(inquiry.birth_year or "—"),
        "nationality": labels.country_name(inquiry.nationality),
        "place": inquiry.place_of_origin,
        "sex": "" if inquiry.sex == Sex.UNKNOWN else inquiry.get_sex_display(),
    }


def _side_by_side(candidate, case, described) -> list[tuple[str, str, str, str, str]]:
    """(field, as described, as registered, level in words, level code) per comparison."""
    registered = _person_values(case.person)
    rows = []
    for comparison in labels.comparisons_of(candidate.comparisons):
        name = comparison["field"]
        level = comparison.get("level")
        level = level if level in labels.COMPARISON_LEVELS else "unknown"
        rows.append(
            (
                str(labels.COMPARISON_FIELDS[name]),
                described.get(name) or "—",
                registered.get(name) or "—",
                str(labels.COMPARISON_LEVELS[level]),
                level,
            )
        )
    return rows


def candidate_views(user, inquiry: Inquiry) -> list[CandidateView]:
    """The inquiry's possible matches, best first, each shown as much as the user may see."""
    candidates = list(access.candidates_for(user, inquiry)[:MAX_CANDIDATES_SHOWN])
    cases = access.cases_of_candidates(user, candidates)
    prefetch_related_objects([c.person for c in cases.values()], "aliases", "nationalities")
    requests: dict[int, ContactRequest] = {}
    for request in (
        access.contact_requests_of(user, inquiry)
        .select_related("answered_by", "shared_case")
        .order_by("created_at", "pk")
    ):
        requests[request.candidate_id] = request  # the latest one of each candidate
    described = _inquiry_values(inquiry)
    views = []
    for candidate in candidates:
        case = cases.get(candidate.person_id)
        request = requests.get(candidate.pk)
        views.append(
            CandidateView(
                candidate=candidate,
                case=case,
                agreeing=labels.agreeing_fields(candidate.comparisons),
                rows=_side_by_side(candidate, case, described) if case else [],
                request=request,
                may_ask=case is None
                and candidate.organisation_id != inquiry.organisation_id
                and candidate.decision == MatchDecision.PENDING
                and (request is None or request.status != ContactRequestStatus.PENDING),
                shared_visible=request is not None
                and request.status == ContactRequestStatus.SHARED
                and request.shared_case is not None
                and ContactRequest.may_share(request.shared_case),
            )
        )
    return views


def _timeline(user, inquiry: Inquiry):
    return (
        access.inquiry_notes_for(user, inquiry)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


@inquiry_users
def inquiry_detail(request, reference):
    """Staff: the whole inquiry. A liaison: its status, and the matched case if they may see it."""
    inquiry = access.get_inquiry(request, reference)
    user = request.user
    if not access.may_work_on_inquiry(user, inquiry):
        matched = access.matched_case_for(user, inquiry)
        return render(
            request, "casework/inquiries/status.html", {"inquiry": inquiry, "matched_case": matched}
        )
    prefetch_related_objects([inquiry], "names", "identifiers")
    candidates = candidate_views(user, inquiry)
    for shown in candidates:
        if shown.case is not None:  # a registered person read through the inquiry
            access.record_view(request, shown.case, "person", shown.case.person_id)
    context = {
        "inquiry": inquiry,
        "candidates": candidates,
        "documents": access.inquiry_documents_for(user, inquiry).order_by("-uploaded_at"),
        "notes": _timeline(user, inquiry),
        "note_form": InquiryNoteForm(),
        "outcome_form": OutcomeForm(),
        "assign_form": InquiryAssignForm(
            organisation=inquiry.organisation, initial={"assigned_to": inquiry.assigned_to_id}
        )
        if user.role == Role.SUPERVISOR
        else None,
    }
    return render(request, "casework/inquiries/detail.html", context)


@inquiry_staff
def inquiry_note_add(request, reference):
    inquiry = access.get_inquiry_to_work_on(request, reference)
    form = InquiryNoteForm(request.POST or None)
    saved = False
    if request.method == "POST" and form.is_valid():
        create_once(request, form, lambda: _save_note(request, inquiry, form))
        saved = True
    if htmx(request):
        context = {
            "inquiry": inquiry,
            "notes": _timeline(request.user, inquiry),
            "note_form": InquiryNoteForm() if saved else form,
        }
        return render(request, "casework/inquiries/partials/timeline.html", context)
    if saved:
        messages.success(request, _("Note added."))
        return _back(inquiry, "timeline")
    context = {"inquiry": inquiry, "form": form, "title": _("Add a note")}
    return render(request, "casework/inquiries/action_form.html", context)


def _save_note(request, inquiry: Inquiry, form):
    note = form.save(commit=False)
    note.inquiry, note.author = inquiry, request.user
    note.save()
    inquiry.touch()
    return note


@supervisor_only
def inquiry_assign(request, reference):
    inquiry = access.get_inquiry_to_work_on(request, reference)
    form = InquiryAssignForm(
        request.POST or None,
        organisation=request.user.organisation,
        initial={"assigned_to": inquiry.assigned_to_id},
    )
    if request.method == "POST" and form.is_valid():
        inquiry.assign(form.cleaned_data["assigned_to"], request.user)
        messages.success(request, _("Inquiry assigned."))
        return _back(inquiry)
    context = {"inquiry": inquiry, "form": form, "title": _("Assign the inquiry")}
    return render(request, "casework/inquiries/action_form.html", context)


@inquiry_staff
def inquiry_document(request, reference, pk):
    inquiry = access.get_inquiry_to_work_on(request, reference)
    documents = access.inquiry_documents_for(request.user, inquiry).exclude(file="")
    document = access.get_child(request, inquiry, documents, pk, "inquirydocument")
    audit.record(
        audit.Action.DOWNLOAD,
        actor=request.user,
        organisation_id=inquiry.organisation_id,
        obj=document,
        ip_address=client_ip(request),
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


# --- Decisions on candidates --------------------------------------------------------


@inquiry_staff
@require_POST
def candidate_decide(request, reference, pk):
    """Confirm (the inquiry is matched to the person's case) or reject a visible candidate."""
    inquiry = access.get_inquiry_to_work_on(request, reference)
    candidate = access.get_child(
        request, inquiry, access.candidates_for(request.user, inquiry), pk, "inquirycandidate"
    )
    case = access.cases_of_candidates(request.user, [candidate]).get(candidate.person_id)
    if case is None:  # a person the user may not see is neither confirmed nor rejected
        access.deny(request, inquiry.reference, "inquirycandidate", str(pk))
    if request.POST.get("decision") == "confirm":
        if candidate.confirm(request.user, case):
            messages.success(request, _("Match confirmed: the inquiry is linked to the case."))
        else:
            messages.error(
                request, _("This possible match was already decided, or the inquiry is settled.")
            )
    elif candidate.reject(request.user):
        messages.success(request, _("Possible match rejected: it will not be proposed again."))
    else:
        messages.error(request, _("This possible match was already decided."))
    return _back(inquiry, "candidates")


@inquiry_staff
@require_POST
def candidate_ask(request, reference, pk):
    """Ask the organisation holding a possible match whether it may share it."""
    inquiry = access.get_inquiry_to_work_on(request, reference)
    candidate = access.get_child(
        request,
        inquiry,
        access.candidates_for(request.user, inquiry).filter(decision=MatchDecision.PENDING),
        pk,
        "inquirycandidate",
    )
    if candidate.ask_holder(request.user):
        messages.success(
            request,
            _("%(organisation)s was asked: its supervisors will answer.")
            % {"organisation": candidate.organisation.name},
        )
    else:
        messages.info(
            request, _("A request about this possible match is already awaiting an answer.")
        )
    return _back(inquiry, "candidates")


# --- Outcome and the answer to the inquirer -----------------------------------------


@inquiry_staff
def inquiry_outcome(request, reference):
    inquiry = access.get_inquiry_to_work_on(request, reference)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if inquiry.set_outcome(form.cleaned_data["status"], request.user):
            messages.success(request, _("Outcome recorded."))
        return _back(inquiry)
    context = {"inquiry": inquiry, "form": form, "title": _("Record the outcome")}
    return render(request, "casework/inquiries/action_form.html", context)


@inquiry_staff
def inquiry_answer(request, reference):
    """The message for the inquirer, in their language: only what consent allows."""
    inquiry = access.get_inquiry_to_work_on(request, reference)
    if request.method == "POST":
        with transaction.atomic():
            inquiry.mark_inquirer_answered(request.user)
        messages.success(request, _("Recorded: the inquirer was answered."))
        return _back(inquiry)
    language = inquiry.inquirer_language or "en"
    context = {
        "inquiry": inquiry,
        "message": inquiry.answer_message(),
        "family_contact_blocked": inquiry.family_contact_blocked(),
        "language_name": labels.language_name(language),
        "language": language,
    }
    return render(request, "casework/inquiries/answer.html", context)


# --- Contact requests, answered by the holder's supervisors -------------------------


@supervisor_only
@require_POST
def contact_request_answer(request, reference, pk):
    """Share the case (needs the person's tracing consent) or decline; back to the queue."""
    case = access.get_case(request, reference)
    contact_request = access.get_child(
        request, case, access.contact_requests_for(request.user, case), pk, "contactrequest"
    )
    share = request.POST.get("decision") == "share"
    if share and case.do_not_contact_family:
        messages.error(
            request,
            _(
                "Nothing was shared: case %(case)s is flagged “do not contact family”. "
                "Decline, or lift the flag first if that is right."
            )
            % {"case": case.reference},
        )
    elif share and not ContactRequest.may_share(case):
        messages.error(
            request,
            _(
                "Nothing was shared: case %(case)s has no active consent to tell an inquiring "
                "relative that the person is known. Record it first, or decline."
            )
            % {"case": case.reference},
        )
    elif contact_request.answer(share, request.user, case):
        messages.success(request, _("Shared.") if share else _("Declined."))
    else:
        messages.info(request, _("This request was already answered."))
    return redirect(f"{reverse('queue')}#queue-contact-requests")
