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
    NoteForm,
    PersonForm,
    RecruitmentForm,
    SituationForm,
    StatusForm,
    TaskForm,
    is_id,
    is_typed_text,
)
from casework.http import htmx
from casework.models import Notification, Recruitment
from casework.views.custody import custody_context
from casework.views.tasks import tasks_due_today
from casework.vocabularies import CaseStatus, RiskLevel, Situation

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
case_readers = role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)

PAGE_SIZE = 25


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
    context["notifications"] = unread.select_related("case", "inquiry").order_by(
        "-created_at", "-id"
    )[:10]
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
    ordering = SORTS.get(sort, SORTS["activity"])
    if "sort" not in params and matching.RANK in cases.query.annotations:
        ordering = [matching.RANK, *ordering]  # a name search: the best matches first
    cases = cases.annotate(risk_rank=RISK_RANK).order_by(*ordering)
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


@case_readers
def case_detail(request, reference):
    case = access.get_case(request, reference, custody=True)
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
                "custody": access.custody_overview(user, case),
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
        **custody_context(user, case),
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
