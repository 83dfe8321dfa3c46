"""Case pages. Every view fetches through casework.access; none filters cases by hand."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import access, audit
from casework.models import EmbassyDisclosure, Note
from casework.vocabularies import NoteKind

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)
supervisor_only = role_required(Role.SUPERVISOR)


@login_required
def home(request):
    return render(request, "casework/home.html")


@role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)
def case_detail(request, reference):
    case = access.get_case(request, reference, viewing=True)
    user = request.user
    context = {
        "case": case,
        "fields": access.visible_fields(user, case),
        "embassy_requests": access.embassy_requests_for(user, case).order_by("-created_at"),
        "documents": access.documents_for(user, case).order_by("-uploaded_at"),
        "is_staff_view": access.is_case_staff(user),
    }
    if access.is_case_staff(user):
        context.update(
            notes=access.notes_for(user, case).select_related("author").order_by("-occurred_at"),
            tasks=access.tasks_for(user, case).order_by("due_at"),
            contacts=access.contacts_for(user, case),
            consents=access.consents_for(user, case).order_by("-given_at"),
            disclosures=access.disclosures_for(user, case).order_by("-approved_at"),
            nationality_choices=[
                (n.country.code, n.country.name) for n in case.person.nationalities.all()
            ],
        )
    return render(request, "casework/case_detail.html", context)


@case_staff
def note_detail(request, reference, pk):
    case = access.get_case(request, reference)
    note = access.get_child(request, case, access.notes_for(request.user, case), pk, "note")
    access.record_view(request, case, "note", note.pk)
    return render(request, "casework/note_detail.html", {"case": case, "note": note})


@role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)
def embassy_request_detail(request, reference, pk):
    case = access.get_case(request, reference)
    embassy_request = access.get_child(
        request, case, access.embassy_requests_for(request.user, case), pk, "embassyrequest"
    )
    access.record_view(request, case, "embassyrequest", embassy_request.pk)
    thread = embassy_request.messages.select_related("author").prefetch_related("documents")
    return render(
        request,
        "casework/embassy_request_detail.html",
        {"case": case, "embassy_request": embassy_request, "thread": thread},
    )


@role_required(Role.CASEWORKER, Role.SUPERVISOR, Role.LIAISON)
def document_download(request, reference, pk):
    case = access.get_case(request, reference)
    document = access.get_child(
        request, case, access.documents_for(request.user, case), pk, "document"
    )
    audit.record(
        audit.Action.DOWNLOAD,
        actor=request.user,
        organisation_id=case.organisation_id,
        obj=document,
        case_reference=case.reference,
        ip_address=client_ip(request),
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_POST
@supervisor_only
def approve_disclosure(request, reference):
    case = access.get_case(request, reference)
    country = request.POST.get("country", "")
    if country not in {n.country.code for n in case.person.nationalities.all()}:
        messages.error(request, _("Disclosure is only possible to a country of nationality."))
        return redirect("case-detail", reference=case.reference)
    try:
        with transaction.atomic():
            disclosure = EmbassyDisclosure.objects.create(
                case=case, country=country, approved_by=request.user
            )
            Note.objects.create(
                case=case,
                kind=NoteKind.EMBASSY,
                text=f"Disclosure to the embassy of {countries.name(country)} approved.",
                author=request.user,
                automatic=True,
            )
    except IntegrityError:
        messages.info(request, _("Disclosure to this embassy is already approved."))
        return redirect("case-detail", reference=case.reference)
    audit.record(
        audit.Action.DISCLOSURE,
        actor=request.user,
        obj=disclosure,
        case_reference=case.reference,
        detail=f"approved {country}",
        ip_address=client_ip(request),
    )
    messages.success(request, _("Disclosure approved."))
    return redirect("case-detail", reference=case.reference)


@require_POST
@supervisor_only
def revoke_disclosure(request, reference, pk):
    case = access.get_case(request, reference)
    disclosure = access.get_child(
        request, case, access.disclosures_for(request.user, case).active(), pk, "disclosure"
    )
    with transaction.atomic():
        EmbassyDisclosure.objects.filter(pk=disclosure.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=request.user
        )
        Note.objects.create(
            case=case,
            kind=NoteKind.EMBASSY,
            text=f"Disclosure to the embassy of {disclosure.country.name} revoked.",
            author=request.user,
            automatic=True,
        )
    audit.record(
        audit.Action.DISCLOSURE,
        actor=request.user,
        obj=disclosure,
        case_reference=case.reference,
        detail=f"revoked {disclosure.country.code}",
        ip_address=client_ip(request),
    )
    messages.success(request, _("Disclosure revoked."))
    return redirect("case-detail", reference=case.reference)


@require_POST
@case_staff
def withdraw_consent(request, reference, pk):
    case = access.get_case(request, reference)
    consent = access.get_child(
        request, case, access.consents_for(request.user, case), pk, "consent"
    )
    if consent.withdraw(by=request.user):
        audit.record(
            audit.Action.CONSENT,
            actor=request.user,
            obj=consent,
            case_reference=case.reference,
            fields=["status", "withdrawn_at"],
            detail=f"withdrawn {consent.scope} {consent.country}".strip(),
            ip_address=client_ip(request),
        )
        messages.success(request, _("Consent withdrawn. Access it granted has ended."))
    return redirect("case-detail", reference=case.reference)


AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMINISTRATOR)
def audit_log(request):
    """The organisation's audit events, newest first, filtered; keyset-paginated by seq."""
    events = audit.AuditEvent.objects.filter(organisation_id=request.user.organisation_id)
    filters = {
        "user": request.GET.get("user", "").strip(),
        "action": request.GET.get("action", ""),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
    }
    if filters["user"]:
        events = events.filter(actor_label=filters["user"])
    if filters["action"] in audit.Action.values:
        events = events.filter(action=filters["action"])
    for key, lookup, days in (("since", "created_at__gte", 0), ("until", "created_at__lt", 1)):
        try:
            day = datetime.date.fromisoformat(filters[key])
        except ValueError:
            continue
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        events = events.filter(**{lookup: start + datetime.timedelta(days=days)})
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(seq__lt=int(before))
    page = list(events.order_by("-seq")[: AUDIT_PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "casework/audit_log.html",
        {
            "events": page[:AUDIT_PAGE_SIZE],
            "older": page[AUDIT_PAGE_SIZE - 1].seq if len(page) > AUDIT_PAGE_SIZE else None,
            "filters": filters,
            "actions": audit.Action.choices,
            "query": query.urlencode(),
        },
    )
