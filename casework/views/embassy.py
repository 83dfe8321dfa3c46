"""Embassy requests, seen from both sides, and the liaisons' portal."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import access, audit
from casework.forms import EmbassyRequestForm, ReplyForm
from casework.models import Document, EmbassyMessage
from casework.submissions import create_once
from casework.views.cases import PAGE_SIZE, case_readers, case_staff


@role_required(Role.LIAISON)
def portal(request):
    """The cases shared with the liaison's countries, and their open requests."""
    cases = (
        access.cases_visible_to(request.user)
        .select_related("person")
        .order_by("-last_activity_at", "-id")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    # Only the countries each case is shared with: never a dual national's other one.
    shared = access.shared_countries_by_case(request.user, [c.pk for c in page])
    rows = [
        {"case": case, "countries": [countries.name(code) for code in shared.get(case.pk, [])]}
        for case in page
    ]
    open_requests = (
        access.embassy_requests_visible_to(request.user)
        .exclude(status__in=["fulfilled", "declined"])
        .select_related("case")
        .order_by("due_at")[:20]
    )
    audit.record(
        audit.Action.VIEW,
        actor=request.user,
        object_type="embassy-portal",
        detail=f"page {page.number}",
        ip_address=client_ip(request),
    )
    return render(
        request,
        "casework/embassy_portal.html",
        {"page": page, "rows": rows, "open_requests": open_requests},
    )


@case_staff
def new_request(request, reference):
    case = access.get_case(request, reference)
    form = EmbassyRequestForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        embassy_request = create_once(request, form, lambda: _send_request(request, case, form))
        messages.success(request, _("Request sent to the embassy."))
        return redirect("embassy-request-detail", reference=case.reference, pk=embassy_request.pk)
    return render(
        request,
        "casework/child_form.html",
        {"case": case, "form": form, "title": _("New embassy request")},
    )


@transaction.atomic
def _send_request(request, case, form):
    embassy_request = form.save(commit=False)
    embassy_request.case, embassy_request.created_by = case, request.user
    embassy_request.save()
    EmbassyMessage.objects.create(
        request=embassy_request, author=request.user, body=embassy_request.message
    )
    case.record_event(
        "embassy_request_sent",
        request.user,
        kind=embassy_request.kind,
        country=embassy_request.country.code,
    )
    return embassy_request


@case_readers
def request_detail(request, reference, pk):
    case = access.get_case(request, reference, viewing=False)
    embassy_request = access.get_child(
        request, case, access.embassy_requests_for(request.user, case), pk, "embassyrequest"
    )
    access.record_view(request, case, "embassyrequest", embassy_request.pk)
    form = ReplyForm(
        request.POST or None,
        request.FILES or None,
        too_large=getattr(request, "upload_too_large", False),
    )
    if not access.is_liaison(request.user):
        form.fields.pop("status")
    if request.method == "POST" and form.is_valid():
        create_once(
            request, form, lambda: _reply(request, case, embassy_request, form.cleaned_data)
        )
        messages.success(request, _("Reply sent."))
        return redirect("embassy-request-detail", reference=case.reference, pk=pk)
    thread = embassy_request.messages.select_related("author").prefetch_related("documents")
    return render(
        request,
        "casework/embassy_request_detail.html",
        {"case": case, "embassy_request": embassy_request, "thread": thread, "form": form},
    )


@transaction.atomic
def _reply(request, case, embassy_request, data):
    from_embassy = access.is_liaison(request.user)
    message = EmbassyMessage.objects.create(
        request=embassy_request, author=request.user, from_embassy=from_embassy, body=data["body"]
    )
    if data.get("file"):
        Document.store(
            case,
            data["file"],
            "embassy_response" if from_embassy else "correspondence",
            request.user,
            embassy_message=message,
        )
    if from_embassy and data.get("status") and data["status"] != embassy_request.status:
        embassy_request.status = data["status"]
        embassy_request.save(update_fields=["status", "updated_at"])
    case.record_event(
        "embassy_replied",
        request.user,
        kind=embassy_request.kind,
        from_embassy=from_embassy,
        status=embassy_request.status if from_embassy else "",
    )
    return message
