"""Home, the case list, registration and the case page with its editable sections."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.decorators import role_required
from accounts.models import EscalationPolicy, Role, User
from accounts.security import client_ip
from casework import access, audit, labels, matching
from casework.forms import (
    IdentityForm,
    NoteForm,
    PersonForm,
    RecruitmentForm,
    SituationForm,
    StatusForm,
    TaskForm,
    is_id,
    is_typed_text,
)
from casework.models import IdentityDocument, Notification, Recruitment
from casework.registration import register_case
from casework.submissions import create_once, sent_before
from casework.views.tasks import tasks_due_today
from casework.vocabularies import CaseStatus, RiskLevel, Situation

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
case_readers = role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)

PAGE_SIZE = 25


def htmx(request):
    return request.headers.get("HX-Request") == "true"


@login_required
def home(request):
    user = request.user
    if user.has_liaison_role:  # the portal is a liaison's home page
        return redirect("embassy-portal")
    context = {}
    if access.is_case_staff(user):
        now = timezone.now()
        visible = access.cases_visible_to(user).open()
        # The first few, and how many there are in all (a COUNT): "my tasks" has the rest.
        due = tasks_due_today(user)
        context["tasks"] = due.select_related("case").order_by("due_at", "pk")[:20]
        context["tasks_count"] = due.count()
        mine = visible if user.role == Role.SUPERVISOR else visible.filter(assigned_to=user)
        policy = EscalationPolicy.for_organisation(user.organisation)
        context["attention"] = (
            mine.needing_attention(now, policy)
            .annotate(risk_rank=RISK_RANK)
            .select_related("person")
            .order_by("-risk_rank", "last_activity_at")[:20]
        )
        context["now"] = now
        # Names of cases that need attention: a person-level page.
        audit.record(
            audit.Action.VIEW, actor=user, object_type="home", ip_address=client_ip(request)
        )
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    context["notifications"] = unread.select_related("case").order_by("-created_at", "-id")[:10]
    context["notifications_count"] = unread.count()
    return render(request, "casework/home.html", context)


RISK_RANK = When_(
    *[When(risk=r, then=Value(i)) for i, r in enumerate(["low", "medium", "high", "critical"])],
    output_field=IntegerField(),
)
SORTS = {
    "activity": ["-last_activity_at", "-id"],
    "-activity": ["last_activity_at", "id"],
    "reference": ["reference"],
    "risk": ["-risk_rank", "-last_activity_at", "-id"],
    "review": ["next_review_on", "id"],
}


def filtered_cases(user, params):
    """The user's visible cases, narrowed by the list page's filters (no hand-made scoping)."""
    cases = access.cases_visible_to(user)
    if params.get("status") in CaseStatus.values:
        cases = cases.filter(status=params["status"])
    elif params.get("status") != "all":
        cases = cases.open()
    if params.get("situation") in Situation.values:
        cases = cases.filter(situation=params["situation"])
    if params.get("risk") in RiskLevel.values:
        cases = cases.filter(risk=params["risk"])
    if params.get("nationality") in countries:  # an ISO code from the select; else no filter
        cases = cases.of_nationality(params["nationality"])
    assignee = params.get("assignee", "")
    if assignee == "me":
        cases = cases.filter(assigned_to=user)
    elif assignee == "none":
        cases = cases.filter(assigned_to__isnull=True)
    elif is_id(assignee):
        cases = cases.filter(assigned_to_id=int(assignee))
    if params.get("overdue") == "1":
        cases = cases.with_overdue_tasks(timezone.now())
    if params.get("q", "").strip():
        cases = matching.search_persons(
            cases, params["q"].strip(), organisation_id=user.organisation_id
        )
    return cases


SEARCH_SESSION_KEY = "homeward_case_search"
FILTER_NAMES = ("status", "situation", "nationality", "risk", "assignee", "overdue", "sort")


def _readable_filters(request, data, names) -> dict[str, str]:
    """The filters given in `data`; one holding what no one types (a NUL byte) is left
    out, with a message, before it reaches a query."""
    params = {name: data[name] for name in names if data.get(name)}
    unreadable = [name for name, value in params.items() if not is_typed_text(value)]
    if unreadable:
        messages.warning(request, _("A filter could not be read and was ignored."))
    return {name: value for name, value in params.items() if name not in unreadable}


@case_staff
def case_list(request):
    """The list. Filters travel in the query string; the searched name never does.

    A search is POSTed and kept in the session, so a name ends up neither in browser
    history nor in a proxy's or server's access log.
    """
    if request.method == "POST":
        params = _readable_filters(request, request.POST, (*FILTER_NAMES, "q"))
        request.session[SEARCH_SESSION_KEY] = params.pop("q", "").strip()[:200]
        if not htmx(request):
            return redirect(f"{request.path}?{urlencode(params)}" if params else request.path)
    else:
        params = _readable_filters(request, request.GET, FILTER_NAMES)
    params["q"] = request.session.get(SEARCH_SESSION_KEY, "")
    cases = filtered_cases(request.user, params)
    sort = params.get("sort", "activity")
    cases = cases.annotate(risk_rank=RISK_RANK).order_by(*SORTS.get(sort, SORTS["activity"]))
    page = Paginator(cases.with_list_details(), PAGE_SIZE).get_page(request.GET.get("page"))
    # The overdue badge, for the page's rows only (see CaseQuerySet.ids_with_overdue_tasks).
    overdue = (
        access.cases_visible_to(request.user)
        .filter(pk__in=[case.pk for case in page])
        .ids_with_overdue_tasks(timezone.now())
    )
    for case in page:
        case.has_overdue = case.pk in overdue
    query = urlencode({k: v for k, v in params.items() if k != "q"})
    audit.record(
        audit.Action.VIEW,
        actor=request.user,
        object_type="case-list",
        detail=f"page {page.number}",
        ip_address=client_ip(request),
    )
    assignees = User.objects.filter(
        organisation_id=request.user.organisation_id, role=Role.CASEWORKER, is_active=True
    ).order_by("username")
    context = {
        "page": page,
        "params": params,
        "query": query,
        "statuses": CaseStatus.choices,
        "situations": Situation.choices,
        "risks": RiskLevel.choices,
        "countries": labels.country_choices(),
        "assignees": assignees if request.user.role == Role.SUPERVISOR else [],
        "sort": sort,
    }
    template = "casework/partials/case_rows.html" if htmx(request) else "casework/case_list.html"
    return render(request, template, context)


@case_staff
def register(request):
    """Person, case and recruitment in one form; possible duplicates are shown first."""
    data = request.POST if request.method == "POST" else None
    person_form = PersonForm(data, prefix="person")
    identity_form = IdentityForm(data, prefix="identity")
    situation_form = SituationForm(data, prefix="case")
    recruitment_form = RecruitmentForm(data, prefix="recruitment")
    forms_ = [person_form, identity_form, situation_form, recruitment_form]
    duplicates = []
    if request.method == "POST" and all(f.is_valid() for f in forms_):
        person_data, identity = person_form.cleaned_data, identity_form.cleaned_data
        # Sent again (the key already made a case): that case, not itself, is the duplicate.
        resent = sent_before(request, identity_form) is not None
        if not resent and request.POST.get("not_a_duplicate") != "1":
            duplicates = matching.find_duplicates(
                access.duplicate_candidates_scope(request.user),
                given_name=person_data["given_name"],
                family_name=person_data["family_name"],
                native_name=person_data["native_name"],
                aliases=identity["aliases"],
                birth_year=person_data.get("birth_year")
                or (
                    person_data["date_of_birth"].year if person_data.get("date_of_birth") else None
                ),
                nationalities=identity["nationalities"],
                document_numbers=[identity["document_number"]]
                if identity.get("document_number")
                else [],
            )
        if duplicates:
            audit.record(
                audit.Action.VIEW,
                actor=request.user,
                object_type="duplicate-check",
                detail=f"{len(duplicates)} possible duplicates shown",
                ip_address=client_ip(request),
            )
        else:
            case = create_once(
                request,
                identity_form,
                lambda: _register(
                    request.user, person_form, identity, situation_form, recruitment_form
                ),
            )
            messages.success(request, _("Case %(ref)s registered.") % {"ref": case.reference})
            return redirect("case-detail", reference=case.reference)
    return render(
        request,
        "casework/register.html",
        {
            "person_form": person_form,
            "identity_form": identity_form,
            "situation_form": situation_form,
            "recruitment_form": recruitment_form,
            "duplicates": _describe_duplicates(request.user, duplicates),
        },
    )


def _describe_duplicates(user, candidates):
    """What a caseworker may know of a possible duplicate: reference, name, nationality."""
    if not candidates:
        return []
    persons = {
        p.pk: p
        for p in access.duplicate_candidates(
            user, [c.person_id for c in candidates]
        ).prefetch_related("nationalities")
    }
    visible = set(
        access.cases_visible_to(user)
        .filter(person_id__in=persons)
        .values_list("reference", flat=True)
    )
    rows = []
    for candidate in candidates:
        person = persons.get(candidate.person_id)
        if person is None:
            continue
        rows.append(
            {
                "reference": candidate.case_reference,
                "can_open": candidate.case_reference in visible,
                "name": person.full_name,
                "nationalities": ", ".join(n.country.name for n in person.nationalities.all()),
                "reason": candidate.reason,
            }
        )
    return rows


def _register(user, person_form, identity, situation_form, recruitment_form):
    document = None
    if identity.get("document_type"):
        document = IdentityDocument(
            doc_type=identity["document_type"],
            number=identity["document_number"],
            issuing_country=identity["document_country"],
            status=identity["document_status"],
        )
    return register_case(
        user,
        person_form.save(commit=False),
        situation_form.save(commit=False),
        recruitment_form.save(commit=False),
        nationalities=identity["nationalities"],
        aliases=identity["aliases"],
        identity_document=document,
        means_of_control=recruitment_form.cleaned_data.get("means_of_control", []),
    )


@case_readers
def case_detail(request, reference):
    case = access.get_case(request, reference)
    user = request.user
    if not access.is_case_staff(user):
        return render(
            request,
            "casework/embassy_case.html",
            {
                "case": case,
                "fields": access.visible_fields(user, case),
                "embassy_requests": access.embassy_requests_for(user, case).order_by("-created_at"),
                "documents": access.documents_for(user, case).order_by("-uploaded_at"),
            },
        )
    recruitment = access.recruitment_for(user, case)
    context = {
        "case": case,
        "fields": access.visible_fields(user, case),
        "recruitment": recruitment,
        "means": list(recruitment.means_of_control.all()) if recruitment else [],
        "may_see_restricted": access.may_see_restricted(user, case),
        "notes": access.notes_for(user, case).select_related("author").order_by("-occurred_at"),
        "escalations": access.escalations_for(user, case)
        .select_related("acknowledged_by")
        .order_by("-created_at")[:20],
        "tasks": access.tasks_for(user, case)
        .select_related("assignee")
        .order_by("status", "due_at"),
        "contacts": access.contacts_for(user, case).order_by("kind", "name"),
        "consents": access.consents_for(user, case).order_by("-given_at"),
        "disclosures": access.disclosures_for(user, case).order_by("-approved_at"),
        "embassy_requests": access.embassy_requests_for(user, case).order_by("-created_at"),
        "documents": access.documents_for(user, case).order_by("-uploaded_at"),
        "nationality_choices": [
            (n.country.code, n.country.name) for n in case.person.nationalities.all()
        ],
        "note_form": NoteForm(),
        "task_form": TaskForm(
            organisation=case.organisation, initial={"assignee": case.assigned_to_id or user.pk}
        ),
    }
    return render(request, "casework/case_detail.html", context)


SECTIONS = {"person": PersonForm, "situation": SituationForm, "recruitment": RecruitmentForm}


@case_staff
def edit_section(request, reference, section):
    if section not in SECTIONS:
        # Refused before the case is fetched: a page never shown is not audited as viewed.
        access.deny(request, reference, "section", section)
    case = access.get_case(request, reference)
    form_class = SECTIONS[section]
    user = request.user
    if section == "person":
        instance = case.person
    elif section == "situation":
        instance = case
    else:
        instance = access.recruitment_for(user, case) or Recruitment(case=case)
    kwargs = {"instance": instance}
    if section == "recruitment":
        kwargs["show_recruiter"] = access.may_see_restricted(user, case)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            if section == "recruitment":
                saved.set_means_of_control(form.cleaned_data.get("means_of_control", []))
            if section == "person":
                matching.refresh_name_keys(saved)
            # Saved unchanged: no "details updated" entry claiming a change that wasn't.
            if form.has_changed():
                case.record_event("section_updated", user, section=section)
        messages.success(request, _("Saved."))
        return redirect(f"{case.get_absolute_url()}#{section}")
    return render(
        request,
        "casework/edit_section.html",
        {"case": case, "form": form, "section": section},
    )


@case_staff
def change_status(request, reference):
    case = access.get_case(request, reference)
    form = StatusForm(request.POST or None, initial={"status": case.status})
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        if case.status == CaseStatus.CLOSED:
            messages.error(request, _("A closed case cannot change status."))
        elif status != case.status:
            case.change_status(status, request.user, form.cleaned_data["closure_reason"])
            messages.success(request, _("Status changed."))
        return redirect("case-detail", reference=case.reference)
    return render(
        request, "casework/edit_section.html", {"case": case, "form": form, "section": "status"}
    )
