"""Anonymised statistics exports: build, write as CSV, XLSX or JSON, audit, expire.

Every figure comes from a release (casework.stats.release) or the microdata
(casework.stats.records), already disclosure-controlled. Spreadsheet cells that a
spreadsheet program would read as a formula are neutralised.
"""

import csv
import datetime
import hashlib
import io
import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Organisation
from casework import audit, stats
from casework.stats.models import StatsExport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell starting like a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_parameters(*, tables, k, rounding, period_start=None, period_end=None, scope="own"):
    return {
        "tables": [list(t) for t in tables],
        "k": stats.validate_k(k),
        "rounding": bool(rounding),
        "period_start": period_start.isoformat() if period_start else None,
        "period_end": period_end.isoformat() if period_end else None,
        "scope": scope,
    }


def _dates(parameters):
    start, end = parameters.get("period_start"), parameters.get("period_end")
    return (
        datetime.date.fromisoformat(start) if start else None,
        datetime.date.fromisoformat(end) if end else None,
    )


def organisation_ids(export):
    if export.parameters.get("scope") == "coalition" and settings.STATS_COALITION:
        return list(Organisation.objects.values_list("pk", flat=True))
    return [export.organisation_id]


def render_release(release, fmt):
    """The release as file content (bytes) and the number of data rows written."""
    tables = [(t, t.rows(release.k)) for t in release.tables]
    rows_written = sum(len(rows) for _t, rows in tables)
    if fmt == StatsExport.Format.JSON:
        content = json.dumps(release.as_json_dict(), ensure_ascii=False, indent=2)
        return content.encode(), rows_written
    if fmt == StatsExport.Format.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["# k", release.k, "generated_at", release.generated_at.isoformat()])
        # What "<k" and "suppressed" in the count column mean: one note row each.
        for mark, meaning in release.legend().items():
            writer.writerow(["# legend", mark, neutralise(meaning)])
        for table, rows in tables:
            writer.writerow([])
            writer.writerow(["table", table.name])
            writer.writerow([*table.dimensions, "count"])
            for row in rows:
                writer.writerow(
                    [neutralise(str(row[d])) for d in table.dimensions] + [neutralise(row["count"])]
                )
        return buffer.getvalue().encode("utf-8-sig"), rows_written
    if fmt == StatsExport.Format.XLSX:
        return _xlsx(release, tables), rows_written
    raise ValueError(f"Unknown format {fmt!r}")


def _xlsx(release, tables):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    about.append(["k", release.k])
    about.append(["generated_at", release.generated_at.isoformat()])
    about.append(["rounding", "yes" if release.rounding else "no"])
    # What "<k" and "suppressed" in the count columns mean.
    for mark, meaning in release.legend().items():
        about.append([mark, neutralise(meaning)])
    used = set()
    for table, rows in tables:
        title = table.name[:31]
        suffix = 1
        while title in used:
            suffix += 1
            title = f"{table.name[:28]}-{suffix}"
        used.add(title)
        sheet = workbook.create_sheet(title)
        sheet.append([*table.dimensions, "count"])
        for row in rows:
            sheet.append(
                [neutralise(str(row[d])) for d in table.dimensions] + [neutralise(row["count"])]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_microdata(rows):
    buffer = io.StringIO()
    columns = (
        list(rows[0])
        if rows
        else ["region", "sex", "age_band", "year", "situation", "recruitment_method"]
    )
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutralise(str(value)) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def build_export(export_id: int) -> str:
    """Build one queued export. Claimed: a second delivery of the same id does nothing."""
    export = StatsExport.objects.filter(pk=export_id, state=StatsExport.State.QUEUED).first()
    attempt = export.claim_build() if export is not None else None
    if attempt is None:
        return "skipped"
    return build_claimed(export_id, attempt)


def build_claimed(export_id: int, attempt: int) -> str:
    """Build the export claimed by `attempt`; only that attempt may finish it.

    A build so slow that the sweep gave its export to a new attempt finishes nothing:
    its file is discarded and nothing is audited ("superseded").
    """
    export = StatsExport.objects.select_related("requested_by").get(pk=export_id)
    export.attempts = attempt
    mine = StatsExport.objects.filter(
        pk=export_id, state=StatsExport.State.RUNNING, attempts=attempt
    )
    try:
        # Published files speak one language, whatever the worker last rendered.
        with translation.override(settings.LANGUAGE_CODE):
            content, row_count, suppressed = _content(export)
    except Exception as exc:  # noqa: BLE001 - recorded on the export, shown to its owner
        mine.update(state=StatsExport.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:300])
        raise
    digest = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    export.file.save("export", ContentFile(content), save=False)
    with transaction.atomic():
        finished = mine.update(
            file=export.file.name,
            sha256=digest,
            row_count=row_count,
            state=StatsExport.State.DONE,
            progress=100,
            finished_at=now,
            expires_at=now + datetime.timedelta(hours=settings.EXPORT_LINK_HOURS),
        )
        if finished:
            export.refresh_from_db()
            audit.record(
                audit.Action.EXPORT,
                actor=export.requested_by,
                organisation_id=export.organisation_id,
                obj=export,
                fields=sorted(export.parameters),
                detail=_audit_detail(export, row_count, suppressed, digest),
            )
    if not finished:
        export.file.delete(save=False)
        return "superseded"
    return "done"


def _audit_detail(export, row_count, suppressed, digest):
    """Parameters, row count and file hash in one line (the hash always fits)."""
    p = export.parameters
    period = f"{p.get('period_start') or '…'}..{p.get('period_end') or '…'}"
    held_back = f" suppressed={suppressed}" if suppressed is not None else ""
    head = (
        f"{export.format} k={p.get('k')} round={int(bool(p.get('rounding')))} {period} "
        f"{p.get('scope')} tables={len(p.get('tables', []))} rows={row_count}{held_back}"
    )
    return f"{head[: 200 - 72]} sha256={digest}"


def _content(export):
    parameters = export.parameters
    start, end = _dates(parameters)
    ids = organisation_ids(export)
    _progress(export, 20)
    if export.format == StatsExport.Format.MICRODATA:
        rows, suppressed = stats.microdata(
            ids, k=parameters["k"], period_start=start, period_end=end
        )
        _progress(export, 80)
        return render_microdata(rows), len(rows), suppressed
    release = stats.build_release(
        ids,
        [tuple(t) for t in parameters["tables"]],
        k=parameters["k"],
        rounding=parameters["rounding"],
        period_start=start,
        period_end=end,
    )
    _progress(export, 80)
    content, rows = render_release(release, export.format)
    return content, rows, None


def _progress(export, percent):
    StatsExport.objects.filter(
        pk=export.pk, state=StatsExport.State.RUNNING, attempts=export.attempts
    ).update(progress=percent)
