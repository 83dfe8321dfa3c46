"""Home, the case list, registration and the case page with its editable sections."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries

from accounts.decorators import role_required
from accounts.models import EscalationPolicy, Role, User
from accounts.security import client_ip
from casework import access, audit, caselist, labels, matching
from casework.forms import (
    BulkAssignForm,
    PersonForm,
    RecruitmentForm,
    SituationForm,
    StatusForm,
    is_typed_text,
)
from casework.http import htmx, is_id, page_number
from casework.models import Notification, Recruitment
from casework.views import workspace
from casework.views.caseload import caseload_pictures
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
        if user.role == Role.SUPERVISOR:
            context["caseload"] = caseload_pictures(visible, user.organisation_id, now)
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
    if params.get("view") in caselist.SAVED_VIEWS:
        cases = caselist.SAVED_VIEWS[params["view"]].narrow(cases, user, timezone.now())
    if params.get("q", "").strip():
        cases = matching.search_persons(
            cases, params["q"].strip(), organisation_id=user.organisation_id
        )
    return cases


SEARCH_SESSION_KEY = "homeward_case_search"
FILTER_NAMES = (
    "status", "situation", "nationality", "risk", "assignee", "overdue", "sort", "view"
)  # fmt: skip


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
    page = _list_page(request, params)
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
    supervisor = request.user.role == Role.SUPERVISOR
    context = {
        "page": page,
        "params": params,
        "query": query,
        "views": _saved_view_links(params),
        "statuses": CaseStatus.choices,
        "situations": Situation.choices,
        "risks": RiskLevel.choices,
        "countries": labels.country_choices(),
        "assignees": assignees if supervisor else [],
        "may_assign": supervisor,
        "oob": htmx(request),  # the fragment brings the saved views' links up to date
        "sort": params.get("sort", "activity"),
    }
    template = "casework/partials/case_rows.html" if htmx(request) else "casework/case_list.html"
    return render(request, template, context)


def _list_page(request, params) -> caselist.ListPage:
    """The page asked for, its rows with their columns; the total counted only where cheap."""
    cases = filtered_cases(request.user, params)
    ordering = SORTS.get(params.get("sort", ""), SORTS["activity"])
    if "sort" not in params and matching.RANK in cases.query.annotations:
        ordering = [matching.RANK, *ordering]  # a name search: the best matches first
    rows = caselist.with_columns(cases.annotate(risk_rank=RISK_RANK), request.user)
    number = page_number(request.GET.get("page"))
    page = caselist.page_of(rows.order_by(*ordering).with_list_details(), cases, number, PAGE_SIZE)
    caselist.mark_overdue(page, timezone.now())
    return page


def _saved_view_links(params) -> list[dict]:
    """The saved views as links keeping the other filters; "all cases" drops the view."""
    kept = {k: v for k, v in params.items() if k not in ("q", "view")}
    links: list[dict[str, object]] = [
        {"slug": "", "label": _("All cases"), "query": urlencode(kept)}
    ]
    for slug, view in caselist.SAVED_VIEWS.items():
        links.append(
            {"slug": slug, "label": view.label, "query": urlencode({**kept, "view": slug})}
        )
    current = params.get("view", "")
    for link in links:
        link["current"] = link["slug"] == (current if current in caselist.SAVED_VIEWS else "")
    return links


@role_required(Role.SUPERVISOR)
@require_POST
def bulk_assign(request):
    """A supervisor assigns the cases ticked on the list to one caseworker, each as the
    case page's assignment does (timeline entry, audited save)."""
    user = request.user
    # Back to the list as it was: its filters and page.
    was = QueryDict(request.POST.get("back", ""))
    back = _readable_filters(request, was, (*FILTER_NAMES, "page"))
    form = BulkAssignForm(request.POST, organisation=user.organisation)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('case-list')}?{urlencode(back)}")
    caseworker = form.cleaned_data["assigned_to"]
    cases = access.cases_visible_to(user).filter(reference__in=form.cleaned_data["cases"])
    assigned = 0
    with transaction.atomic():
        for case in cases.select_related("assigned_to").order_by("pk"):
            if case.assigned_to_id != caseworker.pk:
                case.assign(caseworker, user)
                assigned += 1
    name = caseworker.get_full_name() or caseworker.get_username()
    if assigned:
        message = ngettext(
            "%(count)d case assigned to %(name)s.",
            "%(count)d cases assigned to %(name)s.",
            assigned,
        )
        messages.success(request, message % {"count": assigned, "name": name})
    else:
        messages.info(
            request, _("No case changed: they were already assigned to %(name)s.") % {"name": name}
        )
    return redirect(f"{reverse('case-list')}?{urlencode(back)}")


@case_readers
def case_detail(request, reference):
    if access.is_case_staff(request.user):
        return workspace.staff_case_page(request, reference)
    user = request.user
    case = access.get_case(request, reference, custody=True)
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
        if htmx(request):  # edited in place on the case page
            return workspace.section_saved(request, case, section)
        messages.success(request, _("Saved."))
        return redirect(case.section_url(section))
    if htmx(request):
        return workspace.section_form(request, case, section, form)
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
