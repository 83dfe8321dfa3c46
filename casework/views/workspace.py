"""The case page of case staff as a workspace (issue 14): a summary header that stays in
view, what is due next with one-click actions, and the sections as tabs.

A tab is a link to ?tab=<name>: htmx swaps #case-workspace (the tab list and the open
tab) and pushes the address; without script, on reload and on back, the same address
renders the whole page with that tab open. Each request builds only what it shows.

Regions always on the page (the header, the next panel) are refreshed out of band by the
actions that change them; a tab, which may be closed, listens for an event instead
(HX-Trigger), so nothing is ever swapped into a target that is not there.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from casework import access, audit
from casework.forms import ConsentForm, TaskForm
from casework.http import htmx
from casework.models import Case
from casework.views.custody import custody_context
from casework.views.timeline import timeline_context
from casework.vocabularies import AttachmentKind, ConsentStatus, TaskStatus
from casework.workflows.embassy_rules import AWAITING

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
supervisor_only = role_required(Role.SUPERVISOR)

WORKSPACE = "case-workspace"  # the id htmx swaps when a tab is chosen
TASKS_CHANGED = "tasks-changed"  # the tasks tab, if open, reloads on this event
ESCALATIONS_CHANGED = "escalations-changed"  # the timeline tab's escalations, likewise
NEXT_DAYS = 7  # the next panel's horizon
NEXT_LIMIT = 8  # rows of each kind in the next panel; the tabs have the rest
# Shown in the header only if it is an image (a photo may have been uploaded as a PDF):
# document-download serves it with its checked type, nosniff, under the page's CSP.
PHOTO_TYPES = ("image/jpeg", "image/png")
# The consent form sits beside other forms on the case page: ids of its own.
CONSENT_IDS = "consent-%s"


@dataclass(frozen=True)
class Tab:
    """One tab of the case page: its label, what it shows, and the section anchors it
    holds (a link to /cases/<ref>/#consent opens the contacts tab)."""

    label: Promise
    context: Callable[[HttpRequest, Case], dict]
    sections: tuple[str, ...]
    custody: bool = False  # read the case with its custody overview (one query)


def _timeline(request: HttpRequest, case: Case) -> dict:
    user = request.user
    escalations = list(
        access.escalations_for(user, case)
        .select_related("acknowledged_by")
        .order_by("-created_at")[:20]
    )
    for escalation in escalations:
        escalation.case = case  # its message names the case: no query for it
    return {
        "escalations": escalations,
        **timeline_context(
            user, case, kind=request.GET.get("kind", ""), page=request.GET.get("page", 1)
        ),
    }


def _tasks(request: HttpRequest, case: Case) -> dict:
    return {
        "tasks": access.tasks_for(request.user, case)
        .select_related("assignee")
        .order_by("status", "due_at"),
        "task_form": TaskForm(
            organisation=case.organisation,
            initial={"assignee": case.assigned_to_id or request.user.pk},
        ),
    }


def _person(request: HttpRequest, case: Case) -> dict:
    return {"fields": access.visible_fields(request.user, case)}


def _recruitment(request: HttpRequest, case: Case) -> dict:
    user = request.user
    recruitment = access.recruitment_for(user, case)
    return {
        "recruitment": recruitment,
        "means": list(recruitment.means_of_control.all()) if recruitment else [],
        "may_see_restricted": access.may_see_restricted(user, case),
    }


def _custody(request: HttpRequest, case: Case) -> dict:
    return custody_context(request.user, case)


def _contacts(request: HttpRequest, case: Case) -> dict:
    user = request.user
    nationalities = []
    if user.role == Role.SUPERVISOR:  # whom a disclosure may be approved to
        nationalities = [(n.country.code, n.country.name) for n in case.person.nationalities.all()]
    return {
        "contacts": access.contacts_for(user, case).order_by("kind", "name"),
        "disclosures": access.disclosures_for(user, case).order_by("-approved_at"),
        "nationality_choices": nationalities,
        **consent_context(user, case),
    }


def _embassy(request: HttpRequest, case: Case) -> dict:
    requests = access.embassy_requests_for(request.user, case)
    return {"embassy_requests": requests.order_by("-created_at")}


def _documents(request: HttpRequest, case: Case) -> dict:
    documents = access.documents_for(request.user, case)
    return {"documents": documents.order_by("-uploaded_at")}


TABS = {
    "timeline": Tab(gettext_lazy("Timeline"), _timeline, ("timeline", "escalations")),
    "tasks": Tab(gettext_lazy("Tasks"), _tasks, ("tasks",)),
    "person": Tab(gettext_lazy("Person"), _person, ("person", "situation")),
    "recruitment": Tab(gettext_lazy("Recruitment"), _recruitment, ("recruitment",)),
    "custody": Tab(gettext_lazy("Custody and return"), _custody, ("custody",), custody=True),
    "contacts": Tab(gettext_lazy("Contacts and consent"), _contacts, ("contacts", "consent")),
    "embassy": Tab(gettext_lazy("Embassy"), _embassy, ("embassy",)),
    "documents": Tab(gettext_lazy("Documents"), _documents, ("documents",)),
}
DEFAULT_TAB = "timeline"
# ?tab= also takes a section's anchor (redirects name the section they come back to).
TAB_OF_SECTION = {section: name for name, tab in TABS.items() for section in tab.sections}


def chosen_tab(value) -> str:
    """The tab named by ?tab= (a tab or one of its sections); anything else, the default."""
    return TAB_OF_SECTION.get(value, DEFAULT_TAB) if isinstance(value, str) else DEFAULT_TAB


def header_context(user, case: Case) -> dict:
    """What the summary header shows beside the case itself: three queries."""
    consents = access.consents_for(user, case).filter(status=ConsentStatus.GIVEN)
    photos = access.documents_for(user, case).filter(
        kind=AttachmentKind.PHOTO, content_type__in=PHOTO_TYPES
    )
    return {
        "nationalities": [n.country.name for n in case.person.nationalities.all()],
        "active_consents": consents.order_by("scope", "country", "organisation_name"),
        "photo": photos.order_by("-uploaded_at", "-pk").first(),
    }


def next_context(user, case: Case, now: datetime.datetime | None = None) -> dict:
    """What is due: open tasks overdue or due within NEXT_DAYS, embassy requests past
    their due date still awaiting an answer, escalations no one acknowledged yet."""
    now = now or timezone.now()
    tasks = (
        access.tasks_for(user, case)
        .filter(status=TaskStatus.OPEN, due_at__lt=now + datetime.timedelta(days=NEXT_DAYS))
        .select_related("assignee")
        .order_by("due_at", "pk")
    )
    requests = (
        access.embassy_requests_for(user, case)
        .filter(status__in=AWAITING, due_at__lt=now)
        .order_by("due_at", "pk")
    )
    escalations = list(
        access.escalations_for(user, case)
        .filter(acknowledged_at__isnull=True)
        .order_by("-created_at", "-pk")[: NEXT_LIMIT + 1]
    )
    for escalation in escalations:
        escalation.case = case  # its message names the case: no query for it
    tasks_shown = list(tasks[: NEXT_LIMIT + 1])
    requests_shown = list(requests[: NEXT_LIMIT + 1])
    return {
        "now": now,
        "next_days": NEXT_DAYS,
        "next_tasks": tasks_shown[:NEXT_LIMIT],
        "more_tasks": len(tasks_shown) > NEXT_LIMIT,
        "late_requests": requests_shown[:NEXT_LIMIT],
        "more_requests": len(requests_shown) > NEXT_LIMIT,
        "open_escalations": escalations[:NEXT_LIMIT],
        "more_escalations": len(escalations) > NEXT_LIMIT,
    }


def consent_context(user, case: Case, form: ConsentForm | None = None) -> dict:
    """The consents of the case and the form that records one in place."""
    if form is None:
        form = ConsentForm(initial={"given_at": timezone.now()})
    form.auto_id = CONSENT_IDS
    return {
        "consents": access.consents_for(user, case).order_by("-given_at"),
        "consent_form": form,
    }


def _wants_workspace(request: HttpRequest) -> bool:
    # htmx restoring history (back after a tab was pushed) asks for the whole page.
    return (
        htmx(request)
        and request.headers.get("HX-Target") == WORKSPACE
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _tab_context(request: HttpRequest, case: Case, name: str) -> dict:
    return {"case": case, "tab": name, "tabs": TABS, **TABS[name].context(request, case)}


def staff_case_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page of a caseworker or supervisor (views.cases.case_detail decides who
    gets it): the whole page, or the tab list and the chosen tab alone for htmx."""
    name = chosen_tab(request.GET.get("tab"))
    case = access.get_case(request, reference, custody=TABS[name].custody)
    user = request.user
    context = _tab_context(request, case, name)
    if _wants_workspace(request):
        response = render(request, "casework/partials/case_workspace.html", context)
    else:
        context |= header_context(user, case) | next_context(user, case)
        response = render(request, "casework/case_detail.html", context)
    # The same address answers a page or a fragment: no cache may give one for the other.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def section_form(request: HttpRequest, case: Case, section: str, form) -> HttpResponse:
    """A section's edit form (views.cases.edit_section) in place of the section, for htmx;
    sent back with its errors, it replaces itself rather than the whole tab."""
    context = {"case": case, "section": section, "tab": chosen_tab(section), "form": form}
    response = render(request, "casework/partials/section_form.html", context)
    if request.method == "POST":
        response["HX-Retarget"] = f"#{section}"
        response["HX-Reswap"] = "outerHTML"
    return response


def section_saved(request: HttpRequest, case: Case, section: str) -> HttpResponse:
    """A section saved in place: its tab again, saying so, and the header brought up to
    date (the name, the situation, the risk and the flags may have changed)."""
    name = chosen_tab(section)
    context = {**_tab_context(request, case, name), "saved": True}
    response = render(request, "casework/partials/case_workspace.html", context)
    header = {"case": case, "oob": True, **header_context(request.user, case)}
    response.content += render_to_string(
        "casework/partials/case_header.html", header, request
    ).encode()
    return response


def _next_panel(request: HttpRequest, case: Case, *, oob: bool = False) -> str:
    context = {"case": case, "oob": oob, **next_context(request.user, case)}
    return render_to_string("casework/partials/next_panel.html", context, request)


def with_next_panel(request: HttpRequest, case: Case, response: HttpResponse) -> HttpResponse:
    """An htmx answer that also refreshes the next panel (a task was added or closed)."""
    response.content += _next_panel(request, case, oob=True).encode()
    return response


def consent_block(
    request: HttpRequest, case: Case, form: ConsentForm, *, saved: bool
) -> HttpResponse:
    """The consents with the form in place, for htmx: a fresh form and the header's
    consent badges refreshed once one is recorded; else the form with its errors."""
    user = request.user
    context = {
        "case": case,
        "consent_saved": saved,
        **consent_context(user, case, None if saved else form),
    }
    response = render(request, "casework/partials/consents.html", context)
    if saved:
        header = {"case": case, "oob": True, **header_context(user, case)}
        response.content += render_to_string(
            "casework/partials/case_header.html", header, request
        ).encode()
    return response


def _back_to_page(case: Case) -> HttpResponse:
    return redirect(case.get_absolute_url())


@case_staff
@require_POST
def next_task_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Done, from the next panel: the panel again, and the tasks tab told to reload."""
    case = access.get_case(request, reference)
    task = access.get_child(request, case, access.tasks_for(request.user, case), pk, "task")
    if task.complete():
        access.record_case_event(
            request, case, audit.Action.UPDATE, obj=task, fields=["status", "completed_at"]
        )
    if not htmx(request):
        return _back_to_page(case)
    response = HttpResponse(_next_panel(request, case))
    response["HX-Trigger"] = TASKS_CHANGED
    return response


@supervisor_only
@require_POST
def next_escalation_acknowledge(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Acknowledge, from the next panel: the panel again, without the escalation, and the
    timeline tab's list of escalations told to reload."""
    case = access.get_case(request, reference)
    escalation = access.get_child(
        request, case, access.escalations_for(request.user, case), pk, "escalation"
    )
    if escalation.acknowledge(request.user):
        access.record_case_event(
            request, case, audit.Action.UPDATE, obj=escalation, fields=["acknowledged_at"]
        )
    if not htmx(request):
        return _back_to_page(case)
    response = HttpResponse(_next_panel(request, case))
    response["HX-Trigger"] = ESCALATIONS_CHANGED
    return response
