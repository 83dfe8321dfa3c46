"""Case dossiers (PDF, built in the background) and the liaison's export of their
country's shared cases with their custody status (CSV at once, PDF in the background)."""

import datetime
import hashlib

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import access, audit, dossiers
from casework.celery import enqueue
from casework.http import htmx
from casework.models import Dossier
from casework.tasks import build_dossier
from casework.views.cases import case_readers

liaison_only = role_required(Role.LIAISON)


def _enqueue_build(request: HttpRequest, dossier: Dossier) -> None:
    if not enqueue(build_dossier, dossier.pk):
        messages.warning(request, _("The file could not be started; please try again shortly."))


def _queue(request: HttpRequest, **fields) -> Dossier:
    dossier = Dossier.objects.create(
        requested_by=request.user, language=get_language() or "en", **fields
    )
    transaction.on_commit(lambda: _enqueue_build(request, dossier))
    return dossier


def _status(request: HttpRequest, dossier: Dossier, status_url: str, download_url: str):
    context = {"dossier": dossier, "status_url": status_url, "download_url": download_url}
    if htmx(request):
        return render(request, "casework/partials/dossier_status.html", context)
    return render(request, "casework/dossier_status.html", context)


def _servable(request: HttpRequest, dossier: Dossier, token: str) -> bool:
    """The link's token, not expired, and every case in the file still the requester's."""
    return (
        constant_time_compare(token, dossier.token)
        and dossier.downloadable
        and access.dossier_still_visible(request.user, dossier)
    )


def _file(dossier: Dossier, filename: str) -> FileResponse:
    return FileResponse(
        dossier.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@case_readers
@require_POST
def request_dossier(request, reference):
    """Ask for the case's dossier as the requester may see it; built by a worker."""
    case = access.get_case(request, reference)
    dossier = _queue(request, kind=Dossier.Kind.CASE, case=case)
    return redirect("case-dossier", reference=case.reference, pk=dossier.pk)


def _own_dossier(request, reference, pk, *, viewing):
    case = access.get_case(request, reference, viewing=viewing)
    children = access.dossiers_for(request.user, case)
    return case, access.get_child(request, case, children, pk, "dossier")


@case_readers
def dossier_status(request, reference, pk):
    case, dossier = _own_dossier(request, reference, pk, viewing=not htmx(request))
    status_url = reverse("case-dossier", kwargs={"reference": case.reference, "pk": pk})
    download_url = reverse(
        "case-dossier-download",
        kwargs={"reference": case.reference, "pk": pk, "token": dossier.token},
    )
    return _status(request, dossier, status_url, download_url)


@case_readers
def dossier_download(request, reference, pk, token):
    case, dossier = _own_dossier(request, reference, pk, viewing=False)
    if not _servable(request, dossier, token):
        access.deny(request, case.reference, "dossier", str(pk))
    access.record_case_event(
        request, case, audit.Action.DOWNLOAD, obj=dossier, detail=f"sha256={dossier.sha256}"
    )
    day = (dossier.finished_at or timezone.now()).date().isoformat()
    return _file(dossier, f"homeward-dossier-{case.reference}-{day}.pdf")


@liaison_only
def embassy_export_csv(request):
    """The liaison's shared cases with their custody status, as CSV, built at once."""
    rows = dossiers.embassy_rows(request.user)
    content = dossiers.embassy_csv(rows)
    dossiers.audit_embassy_file(
        request.user,
        audit.Action.EXPORT,
        hashlib.sha256(content).hexdigest(),
        [row["case_id"] for row in rows],
        ip_address=client_ip(request),
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    day = datetime.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="homeward-shared-cases-{day}.csv"'
    return response


@liaison_only
@require_POST
def embassy_export_pdf(request):
    """Ask for the same list as a PDF; built by a worker."""
    dossier = _queue(request, kind=Dossier.Kind.EMBASSY_CASES)
    return redirect("embassy-export", pk=dossier.pk)


def _own_list(request, pk) -> Dossier:
    return access.get_own(request, access.embassy_exports_for(request.user), pk, "dossier")


@liaison_only
def embassy_export_status(request, pk):
    dossier = _own_list(request, pk)
    download_url = reverse("embassy-export-download", kwargs={"pk": pk, "token": dossier.token})
    return _status(request, dossier, reverse("embassy-export", kwargs={"pk": pk}), download_url)


@liaison_only
def embassy_export_download(request, pk, token):
    """The built list, while every case in it is still shared with the liaison."""
    dossier = _own_list(request, pk)
    if not _servable(request, dossier, token):
        access.deny(request, "", "dossier", str(pk))
    dossiers.audit_embassy_file(
        request.user,
        audit.Action.DOWNLOAD,
        dossier.sha256,
        dossier.case_ids,
        ip_address=client_ip(request),
        id=dossier.pk,
    )
    day = (dossier.finished_at or timezone.now()).date().isoformat()
    return _file(dossier, f"homeward-shared-cases-{day}.pdf")
