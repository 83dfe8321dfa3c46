"""Files of what one viewer may see: the case dossier (PDF) and a liaison's list of their
country's disclosed cases with their custody status (CSV or PDF).

Everything written comes through casework/access.py (visible_fields, custody_overview
and the *_for functions): a file never holds more than its viewer's pages show. PDFs are
rendered by WeasyPrint from templates/casework/dossier/, watermarked on every page with
the viewer and the day; each file is audited with its SHA-256.
"""

import csv
import datetime
import hashlib
import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework import access, audit
from casework.models import Case, Dossier

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# How long a built file's download link works: a dossier is for now, not for keeping.
LINK_LIFETIME = datetime.timedelta(hours=1)


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would read as a formula gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _day(value: datetime.date | datetime.datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _steps(steps: list[tuple[str, datetime.date | None]]) -> str:
    return "; ".join(f"{label}: {_day(day) or _('not yet')}" for label, day in steps)


def embassy_rows(user) -> list[dict[str, Any]]:
    """One row per case of the liaison's export: the custody overview's allowlist only."""
    rows = []
    for case in access.embassy_export_cases(user)[: access.LIAISON_EXPORT_MAX_CASES]:
        overview = access.custody_overview(user, case)
        if overview is None:  # not shared after all: never written
            continue
        rows.append(
            {
                "case_id": case.pk,
                "organisation_id": case.organisation_id,
                "reference": case.reference,
                "situation": case.get_situation_display(),
                "custody_status": overview["status"],
                "icrc_registered": _("yes") if overview["icrc_registered"] else _("no"),
                "obligations": _steps(overview["obligations"]),
                "nationality_requested": _day(overview["nationality_requested"]),
                "lists": "; ".join(f"{kind}: {_day(day)}" for kind, day in overview["lists"]),
                "way_home": _steps(overview["way_home"]),
            }
        )
    return rows


def embassy_columns() -> list[tuple[str, str]]:
    """(key, heading) of the liaison's export, in the reader's language."""
    return [
        ("reference", _("Reference")),
        ("situation", _("Situation")),
        ("custody_status", _("Custody status")),
        ("icrc_registered", _("Registered with the ICRC")),
        ("obligations", _("Obligations")),
        ("nationality_requested", _("Nationality confirmation requested")),
        ("lists", _("Exchange or repatriation lists")),
        ("way_home", _("The way home")),
    ]


def embassy_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as CSV (UTF-8 with a BOM, for spreadsheet programs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = embassy_columns()
    writer.writerow([heading for _key, heading in columns])
    for row in rows:
        writer.writerow([_cell(row[key]) for key, _heading in columns])
    return buffer.getvalue().encode("utf-8-sig")


def audit_file(
    user, dossier_kind: str, digest: str, *, case: Case, ip_address=None, **extra
) -> None:
    """Audit a case's file built for `user`, with its SHA-256 `digest`."""
    details = " ".join(f"{key}={value}" for key, value in extra.items())
    audit.record(
        audit.Action.EXPORT,
        actor=user,
        organisation_id=case.organisation_id,
        object_type="dossier",
        object_id=dossier_kind,
        case_reference=case.reference,
        detail=f"{details} sha256={digest}".strip(),
        ip_address=ip_address,
    )


def audit_embassy_file(
    user, action: str, digest: str, case_ids: Iterable[int], *, ip_address=None, **extra
) -> None:
    """Audit a liaison's list in the log of each organisation holding cases in it: one
    event each, with its number of cases and the file's SHA-256 (no organisation if empty)."""
    holders = Counter(
        Case.objects.filter(pk__in=list(case_ids)).values_list("organisation_id", flat=True)
    )
    details = " ".join(f"{key}={value}" for key, value in extra.items())
    for organisation_id, count in sorted(holders.items()) or [(None, 0)]:
        audit.record(
            action,
            actor=user,
            organisation_id=organisation_id,
            object_type="dossier",
            object_id=Dossier.Kind.EMBASSY_CASES,
            detail=f"{details} cases={count} sha256={digest}".strip(),
            ip_address=ip_address,
        )


def render_pdf(template: str, context: dict[str, Any], viewer, when: datetime.datetime) -> bytes:
    """A template rendered to PDF, watermarked on every page with the viewer and the day."""
    from weasyprint import HTML  # heavy (Pango): loaded by the worker that renders

    name = viewer.get_full_name()
    label = f"{name} ({viewer.get_username()})" if name else viewer.get_username()
    html = render_to_string(
        template,
        {**context, "viewer": label, "when": date_format(when, "DATETIME_FORMAT")},
    )
    return HTML(string=html).write_pdf()


def case_context(user, case: Case) -> dict[str, Any]:
    """The case as `user` may see it, from the access layer alone."""
    context: dict[str, Any] = {
        "reference": case.reference,
        "fields": access.visible_fields(user, case),
        "custody": access.custody_overview(user, case),
        "embassy_requests": access.embassy_requests_for(user, case).order_by("created_at"),
        "documents": access.documents_for(user, case).order_by("uploaded_at"),
        "staff": access.is_case_staff(user),
    }
    if context["staff"]:
        context.update(
            custody_events=access.custody_events_for(user, case).latest_first(),
            may_see_facility=access.may_see_custody_facility(user, case),
            custody_obligations=access.custody_obligations_for(user, case),
            icrc_visits=access.icrc_visits_for(user, case).order_by("visited_on"),
            proceedings=access.legal_proceedings_for(user, case).order_by("recorded_at"),
            return_lists=access.return_list_entries_for(user, case).order_by("listed_on"),
            services=access.services_for(user, case).order_by("started_on", "pk"),
            follow_ups=access.follow_ups_for(user, case).order_by("months"),
            notes=access.notes_for(user, case).filter(automatic=False).order_by("occurred_at"),
        )
    return context


def build_dossier(dossier_id: int) -> str:
    """Build one queued dossier for its requester. Claimed: a second delivery does nothing."""
    dossier = Dossier.objects.filter(pk=dossier_id, state=Dossier.State.QUEUED).first()
    attempt = dossier.claim_build() if dossier is not None else None
    if dossier is None or attempt is None:
        return "skipped"
    mine = Dossier.objects.filter(pk=dossier_id, state=Dossier.State.RUNNING, attempts=attempt)
    user = dossier.requested_by
    try:
        with translation.override(dossier.language):
            built = _render(dossier, user)
    except Exception as exc:  # noqa: BLE001 - recorded on the dossier, shown to its owner
        mine.update(state=Dossier.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:300])
        raise
    if built is None:  # the requester may no longer see it: nothing is written
        mine.update(state=Dossier.State.FAILED, error="not visible")
        return "refused"
    content, case, case_ids = built
    # Whether restricted notes or evidence went in: the download is refused to a requester
    # who may no longer see them (access.dossier_still_visible).
    restricted = case is not None and access.may_see_restricted(user, case)
    now = timezone.now()
    dossier.file.save("dossier", ContentFile(content), save=False)
    with transaction.atomic():
        digest = hashlib.sha256(content).hexdigest()
        finished = mine.update(
            file=dossier.file.name,
            sha256=digest,
            case_ids=case_ids,
            included_restricted=restricted,
            state=Dossier.State.DONE,
            finished_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        if finished and case is None:
            audit_embassy_file(user, audit.Action.EXPORT, digest, case_ids, id=dossier.pk)
        elif finished:
            audit_file(user, dossier.kind, digest, case=case, id=dossier.pk, cases=len(case_ids))
    if not finished:
        dossier.file.delete(save=False)
        return "superseded"
    return "done"


def _render(dossier: Dossier, user) -> tuple[bytes, Case | None, list[int]] | None:
    """The PDF, the case it is about and the ids of the cases written; None if refused."""
    now = timezone.now()
    if dossier.kind == Dossier.Kind.EMBASSY_CASES:
        rows = embassy_rows(user)
        context = {"rows": rows, "columns": embassy_columns()}
        pdf = render_pdf("casework/dossier/embassy_cases.html", context, user, now)
        return pdf, None, [row["case_id"] for row in rows]
    # Re-checked as the worker builds it: the access layer decides, not the request.
    case = (
        access.cases_visible_to(user)
        .with_custody_overview()
        .select_related("person", "assigned_to")
        .filter(pk=dossier.case_id)
        .first()
    )
    if case is None:
        return None
    pdf = render_pdf("casework/dossier/case.html", case_context(user, case), user, now)
    return pdf, case, [case.pk]


def purge_expired_dossiers(now: datetime.datetime) -> int:
    """Delete the dossiers whose link has expired, files with them; how many (run by the
    periodic sweep: a dossier is for now, not for keeping)."""
    _total, deleted = Dossier.objects.filter(expires_at__lt=now).delete()
    return deleted.get(Dossier._meta.label, 0)


def delete_dossier_file(sender, instance: Dossier, **kwargs) -> None:
    """A deleted dossier's file goes too, once the deletion is committed."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


def connect_dossier_signals() -> None:
    post_delete.connect(delete_dossier_file, sender=Dossier, dispatch_uid="dossier-file-delete")
