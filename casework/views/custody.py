"""Custody and the way home on a case: events, obligations, ICRC visits, proceedings,
lists, the way home, reintegration services and follow-up check-ins (issue 13)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import role_required
from accounts.models import Role
from casework import access
from casework.forms import (
    CustodyEventForm,
    CustodyObligationsForm,
    FollowUpForm,
    IcrcVisitForm,
    LegalProceedingForm,
    ReintegrationServiceForm,
    ReturnListEntryForm,
    WayHomeForm,
)
from casework.models import Case, CustodyObligations, WayHome
from casework.submissions import create_once
from casework.way_home import way_home_steps

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
ANCHOR = "custody"


@dataclass(frozen=True)
class Child:
    """One kind of custody record listed on the case page: its form, its access-layer
    scope, the `what` of its timeline entries and the titles of its form pages."""

    form: type[forms.ModelForm]
    children: Callable[[Any, Case], models.QuerySet]
    what: str
    add_title: Promise
    edit_title: Promise
    # Follow-ups are made by the return (FollowUp.schedule_after_return), only edited.
    may_add: bool = True
    form_kwargs: Callable[[Any, Case], dict] = field(default=lambda user, case: {})


CHILDREN = {
    "events": Child(
        CustodyEventForm,
        access.custody_events_for,
        "event",
        gettext_lazy("Record a custody event"),
        gettext_lazy("Correct a custody event"),
        form_kwargs=lambda user, case: {
            "documents": access.documents_for(user, case),
            "show_facility": access.may_see_custody_facility(user, case),
        },
    ),
    "icrc-visits": Child(
        IcrcVisitForm,
        access.icrc_visits_for,
        "icrc_visit",
        gettext_lazy("Record an ICRC visit"),
        gettext_lazy("Correct an ICRC visit"),
    ),
    "proceedings": Child(
        LegalProceedingForm,
        access.legal_proceedings_for,
        "proceeding",
        gettext_lazy("Record a legal proceeding"),
        gettext_lazy("Edit a legal proceeding"),
    ),
    "lists": Child(
        ReturnListEntryForm,
        access.return_list_entries_for,
        "list_entry",
        gettext_lazy("Record an exchange or repatriation list entry"),
        gettext_lazy("Edit an exchange or repatriation list entry"),
    ),
    "services": Child(
        ReintegrationServiceForm,
        access.services_for,
        "service",
        gettext_lazy("Record a reintegration service"),
        gettext_lazy("Edit a reintegration service"),
    ),
    "follow-ups": Child(
        FollowUpForm,
        access.follow_ups_for,
        "follow_up",
        gettext_lazy("Follow-up check-in"),
        gettext_lazy("Follow-up check-in"),
        may_add=False,
    ),
}


def _back(case: Case) -> HttpResponse:
    return redirect(case.section_url(ANCHOR))


@case_staff
def custody_child(
    request: HttpRequest, reference: str, kind: str, pk: int | None = None
) -> HttpResponse:
    """Add (pk None) or edit one custody record of kind `kind` (a key of CHILDREN)."""
    child = CHILDREN.get(kind)
    if child is None or (pk is None and not child.may_add):
        # Refused before the case is fetched: a page never shown is not audited as viewed.
        access.deny(request, reference, "custody", kind)
    case = access.get_case(request, reference)
    user = request.user
    instance = None
    if pk is not None:
        instance = access.get_child(request, case, child.children(user, case), pk, kind)
    form = child.form(request.POST or None, instance=instance, **child.form_kwargs(user, case))
    if request.method == "POST" and form.is_valid():
        if instance is None:
            create_once(request, form, lambda: _save(request, case, form, child, created=True))
        elif form.has_changed():  # saved unchanged: no entry claiming a change
            _save(request, case, form, child, created=False)
        messages.success(request, _("Saved."))
        return _back(case)
    title = child.add_title if instance is None else child.edit_title
    return render(request, "casework/child_form.html", {"case": case, "form": form, "title": title})


def _save(request, case: Case, form: forms.ModelForm, child: Child, *, created: bool):
    record = form.save(commit=False)
    record.case = case
    if created and hasattr(record, "recorded_by_id"):
        record.recorded_by = request.user
    with transaction.atomic():
        record.save()
        if child.what == "event":
            case.record_event(
                "custody_event", request.user, kind=record.kind, corrected=not created or None
            )
        else:
            case.record_event(
                "custody_record", request.user, what=child.what, updated=not created or None
            )
    return record


# The records a case has one of: (form, model, `what` of the timeline entry, title).
SECTIONS: dict[str, tuple[type[forms.ModelForm], type[models.Model], str, Promise]] = {
    "obligations": (
        CustodyObligationsForm,
        CustodyObligations,
        "obligations",
        gettext_lazy("Custody obligations"),
    ),
    "way-home": (WayHomeForm, WayHome, "way_home", gettext_lazy("The way home")),
}


@case_staff
def custody_section(request: HttpRequest, reference: str, section: str) -> HttpResponse:
    """Edit the case's custody obligations or its way home."""
    if section not in SECTIONS:
        access.deny(request, reference, "custody", section)
    case = access.get_case(request, reference)
    user = request.user
    form_class, model, what, title = SECTIONS[section]
    kwargs: dict[str, Any] = {}
    if model is CustodyObligations:
        kwargs["instance"] = access.custody_obligations_for(user, case) or model(case=case)
    else:
        kwargs["instance"] = access.way_home_for(user, case) or model(case=case)
        kwargs["embassy_requests"] = access.embassy_requests_for(user, case)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            with transaction.atomic():
                form.save()
                case.record_event("custody_record", user, what=what, updated=True)
        messages.success(request, _("Saved."))
        return _back(case)
    return render(request, "casework/child_form.html", {"case": case, "form": form, "title": title})


def custody_context(user, case: Case) -> dict:
    """What the case page's custody and return section shows to staff: a fixed number of
    queries whatever the number of events, visits or services."""
    context = {
        "custody": access.custody_overview(user, case),
        "may_see_facility": access.may_see_custody_facility(user, case),
        "custody_events": access.custody_events_for(user, case)
        .select_related("document", "recorded_by")
        .latest_first(),
        "custody_obligations": access.custody_obligations_for(user, case),
        "icrc_visits": access.icrc_visits_for(user, case).order_by("-visited_on", "-pk"),
        "proceedings": access.legal_proceedings_for(user, case).order_by("-recorded_at", "-pk"),
        "way_home": access.way_home_for(user, case),
        "return_lists": access.return_list_entries_for(user, case).order_by("-listed_on", "-pk"),
        "services": access.services_for(user, case).order_by("-started_on", "-pk"),
        "follow_ups": access.follow_ups_for(user, case).order_by("months"),
    }
    # Read from the querysets above, whose results the template then reuses: no query.
    context["way_home_steps"] = way_home_steps(
        case,
        events=context["custody_events"],
        obligations=context["custody_obligations"],
        way_home=context["way_home"],
        return_lists=context["return_lists"],
    )
    return context
