"""Supervisors: assignment, closure decisions, embassy disclosure; the queue page."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import EscalationPolicy, Role
from accounts.security import client_ip
from casework import access, audit
from casework.forms import AssignForm
from casework.vocabularies import CaseStatus

supervisor_only = role_required(Role.SUPERVISOR)
QUEUE_SIZE = 50


@dataclass
class QueueSection:
    """One page of a queue section, paged by its own query parameter (?escalations=2)."""

    page: Page
    previous_url: str
    next_url: str

    def __iter__(self):
        return iter(self.page)


def _section_url(numbers: dict[str, int], name: str, number: int) -> str:
    """The queue with section `name` at page `number`, every other section where it is."""
    query = urlencode({key: n for key, n in {**numbers, name: number}.items() if n != 1})
    return f"{reverse('queue')}{'?' if query else ''}{query}#queue-{name}"


def _paginate(request, sections: dict[str, QuerySet]) -> dict[str, QueueSection]:
    # get_page turns garbage ("abc", NUL, "99999") into the first or the last page.
    pages = {
        name: Paginator(items, QUEUE_SIZE).get_page(request.GET.get(name))
        for name, items in sections.items()
    }
    numbers = {name: page.number for name, page in pages.items()}
    return {
        name: QueueSection(
            page,
            _section_url(numbers, name, page.number - 1) if page.has_previous() else "",
            _section_url(numbers, name, page.number + 1) if page.has_next() else "",
        )
        for name, page in pages.items()
    }


@supervisor_only
def queue(request):
    user = request.user
    cases = access.cases_visible_to(user)
    policy = EscalationPolicy.for_organisation(user.organisation)
    # Each section is counted (a COUNT query) and paged; a stable order keeps pages apart.
    sections = {
        "escalations": access.escalations_awaiting_acknowledgement(user)
        .select_related("case")
        .order_by("-created_at", "-pk"),
        "unassigned": cases.filter(status=CaseStatus.NEW, assigned_to__isnull=True)
        .select_related("person")
        .order_by("created_at", "pk"),
        "closures": cases.filter(status=CaseStatus.CLOSURE_REQUESTED)
        .select_related("person", "assigned_to")
        .order_by("last_activity_at", "pk"),
        "pending": access.disclosures_awaiting_approval(user)
        .select_related("case")
        .order_by("given_at", "pk"),
        "active": access.active_disclosures_visible_to(user)
        .select_related("case", "approved_by")
        .order_by("-approved_at", "-pk"),
        # Other organisations ask whether a person is known (family inquiries).
        "contact_requests": access.contact_requests_awaiting_answer(user)
        .select_related("from_organisation", "candidate")
        .order_by("created_at", "pk"),
        # Custody obligations past the policy's thresholds (GC III arts. 70 and 126).
        "custody_overdue": cases.with_overdue_custody_obligations(
            timezone.localdate(), policy.custody_family_days, policy.custody_icrc_visit_days
        )
        .select_related("person")
        .order_by("custody_captured_on", "pk"),
    }
    context = {
        **_paginate(request, sections),
        "assign_form": AssignForm(organisation=request.user.organisation),
    }
    audit.record(
        audit.Action.VIEW, actor=request.user, object_type="queue", ip_address=client_ip(request)
    )
    return render(request, "casework/queue.html", context)


def _next(request, case, section=""):
    """Back to the queue, or to the case page with the tab holding `section` open."""
    if request.POST.get("next") == "queue":
        return redirect("queue")
    if section:
        return redirect(case.section_url(section))
    return redirect("case-detail", reference=case.reference)


@supervisor_only
def assign(request, reference):
    case = access.get_case(request, reference)
    form = AssignForm(
        request.POST or None,
        organisation=request.user.organisation,
        initial={"assigned_to": case.assigned_to_id, "collaborators": case.collaborators.all()},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # The queue's one-click form assigns only; the full form also sets collaborators.
            from_queue = request.POST.get("next") == "queue"
            case.assign(
                form.cleaned_data["assigned_to"],
                request.user,
                collaborators=None if from_queue else form.cleaned_data["collaborators"],
            )
        messages.success(request, _("Case assigned."))
        return _next(request, case)
    return render(
        request, "casework/edit_section.html", {"case": case, "form": form, "section": "assign"}
    )


@supervisor_only
@require_POST
def acknowledge_escalation(request, reference, pk):
    case = access.get_case(request, reference)
    escalation = access.get_child(
        request, case, access.escalations_for(request.user, case), pk, "escalation"
    )
    escalation.acknowledge(request.user)
    access.record_case_event(
        request,
        case,
        audit.Action.UPDATE,
        obj=escalation,
        fields=["acknowledged_at"],
    )
    messages.success(request, _("Escalation acknowledged."))
    return _next(request, case, "timeline")


@supervisor_only
@require_POST
def decide_closure(request, reference):
    case = access.get_case(request, reference)
    if case.status != CaseStatus.CLOSURE_REQUESTED:
        messages.error(request, _("No closure was requested for this case."))
        return _next(request, case)
    approve = request.POST.get("decision") == "approve"
    if approve and not case.closure_reason:
        # The database refuses such a request; should one slip through, a closed case
        # without a reason would be refused too: say so rather than fail.
        messages.error(
            request,
            _("This closure request gives no reason: refuse it, and request closure again."),
        )
        return _next(request, case)
    with transaction.atomic():
        case.decide_closure(approve, request.user)
    messages.success(request, _("Case closed.") if approve else _("Closure refused."))
    return _next(request, case)


@supervisor_only
@require_POST
def approve_disclosure(request, reference):
    case = access.get_case(request, reference)
    try:
        disclosure = case.approve_disclosure(request.POST.get("country", ""), request.user)
    except ValueError:
        messages.error(request, _("Disclosure is only possible to a country of nationality."))
        return _next(request, case, "consent")
    if disclosure is None:
        messages.info(request, _("Disclosure to this embassy is already approved."))
        return _next(request, case, "consent")
    access.record_case_event(
        request,
        case,
        audit.Action.DISCLOSURE,
        obj=disclosure,
        detail="approved",
    )
    messages.success(request, _("Disclosure approved."))
    return _next(request, case, "consent")


@supervisor_only
@require_POST
def revoke_disclosure(request, reference, pk):
    case = access.get_case(request, reference)
    disclosure = access.get_child(
        request, case, access.disclosures_for(request.user, case).active(), pk, "disclosure"
    )
    disclosure.revoke(request.user)
    access.record_case_event(
        request,
        case,
        audit.Action.DISCLOSURE,
        obj=disclosure,
        detail="revoked",
    )
    messages.success(request, _("Disclosure revoked."))
    return _next(request, case, "consent")
