"""The statistics dashboard and exports, for data officers: anonymised figures only."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.decorators import role_required
from accounts.models import Organisation, Role
from accounts.security import client_ip
from casework import access, audit, stats
from casework.celery import enqueue
from casework.http import htmx
from casework.stats import custody as custody_stats
from casework.stats import exports
from casework.stats import inquiries as inquiry_stats
from casework.stats.forms import CrossTabForm, ExportForm, StatsFilterForm
from casework.stats.models import StatsExport
from casework.stats.tasks import build_export

data_officer_only = role_required(Role.DATA_OFFICER)


def _filters(request):
    form = StatsFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data
    return form, {
        "k": stats.K_DEFAULT,
        "scope": "own",
        "rounding": False,
        "period_start": None,
        "period_end": None,
    }


def _organisation_ids(user, scope):
    if scope == "coalition" and settings.STATS_COALITION:
        return list(Organisation.objects.values_list("pk", flat=True))
    return [user.organisation_id]


def _release(user, filters, *tables, build=stats.build_release) -> stats.Release:
    """`build` (the case, inquiry or custody release) over the organisations and period
    chosen, with the k and rounding chosen."""
    return build(
        _organisation_ids(user, filters["scope"]),
        *tables,
        k=filters["k"],
        rounding=filters["rounding"],
        period_start=filters["period_start"],
        period_end=filters["period_end"],
    )


# How a secondary suppression reads on the page (exports write the fixed "suppressed").
SECONDARY_MARK = pgettext_lazy("statistics cell", "suppressed")
# Tooltips of withheld counts; the legend says more.
PRIMARY_NOTE = _("Fewer than %(k)s cases")
SECONDARY_NOTE = _("Withheld to protect a small count: may be any number")


def _mark(cell: stats.Cell, k: int) -> str | None:
    """How a withheld count is shown ("<k" or "suppressed"); None for a shown one."""
    if cell.state == stats.CellState.PRIMARY:
        return stats.primary_mark(k)
    if cell.state == stats.CellState.SECONDARY:
        return str(SECONDARY_MARK)
    return None


def _shown(cell: stats.Cell, k: int) -> dict:
    """A count as the page shows it: its state (for its style and tooltip) and its text."""
    mark = _mark(cell, k)
    return {"state": str(cell.state), "text": cell.count if mark is None else mark}


def _notes(k: int) -> dict[str, str]:
    """Cell state -> the tooltip of a count withheld for that reason."""
    return {
        stats.CellState.PRIMARY: str(PRIMARY_NOTE) % {"k": k},
        stats.CellState.SECONDARY: str(SECONDARY_NOTE),
    }


def _legend(release: stats.Release) -> list[tuple[str, str]]:
    """(mark as shown, what it means) for both kinds of withheld count."""
    meanings = release.legend()
    primary = stats.primary_mark(release.k)
    return [(primary, meanings[primary]), (str(SECONDARY_MARK), meanings[stats.SUPPRESSED])]


def _chart(table: stats.Table, k: int) -> dict:
    """Bars of a one-way table, totals not shown. A withheld count is not drawn (a bar
    would read as a value): its label carries its mark, its tooltip says why."""
    dimension = stats.DIMENSIONS[table.dimensions[0]]
    cells = [c for c in table.cells if not c.is_total]
    marks = [_mark(c, k) for c in cells]
    labels = [dimension.value_label(c.values[dimension.name]) for c in cells]
    notes = _notes(k)
    return {
        "labels": [
            label if mark is None else f"{label} ({mark})"
            for label, mark in zip(labels, marks, strict=True)
        ],
        "counts": [None if c.suppressed else c.count for c in cells],
        "marks": marks,
        "notes": {_mark(c, k): notes[c.state] for c in cells if c.suppressed},
        "title": str(dimension.label),
    }


def _rows(table: stats.Table, k: int) -> list[dict]:
    """A table's rows as the page shows them: value labels, then the count."""
    return [
        {
            "labels": [
                table.catalogue[name].value_label(cell.values[name]) for name in table.dimensions
            ],
            "count": _shown(cell, k),
        }
        for cell in table.cells
    ]


def _plain_tables(release) -> list[dict]:
    """A release's tables without charts, as the dashboard shows them."""
    return [
        {
            "table": table,
            "label": table.title,
            "headers": [table.catalogue[name].label for name in table.dimensions],
            "rows": _rows(table, release.k),
        }
        for table in release.tables
    ]


@data_officer_only
def dashboard(request):
    form, filters = _filters(request)
    release = _release(request.user, filters, list(stats.MAIN_TABLES))
    tables = [
        {
            "table": table,
            "label": stats.DIMENSIONS[table.dimensions[0]].label,
            "headers": [stats.DIMENSIONS[name].label for name in table.dimensions],
            "rows": _rows(table, release.k),
            "chart_id": f"chart-{table.name}",
            "data_id": f"chart-{table.name}-data",
            "chart": _chart(table, release.k),
        }
        for table in release.tables
    ]
    audit.record(
        audit.Action.VIEW,
        actor=request.user,
        object_type="statistics",
        detail=f"k={release.k}",
        ip_address=client_ip(request),
    )
    return render(
        request,
        "casework/stats/dashboard.html",
        {
            "form": form,
            "release": release,
            "tables": tables,
            "legend": _legend(release),
            "notes": _notes(release.k),
            "inquiry_tables": _plain_tables(
                _release(request.user, filters, build=inquiry_stats.inquiry_release)
            ),
            "custody_tables": _plain_tables(
                _release(request.user, filters, build=custody_stats.custody_release)
            ),
            "crosstab_form": CrossTabForm(),
            "export_form": ExportForm(),
            "exports": StatsExport.objects.filter(requested_by=request.user).order_by(
                "-created_at"
            )[:10],
            "query": request.GET.urlencode(),
        },
    )


@data_officer_only
def crosstab(request):
    form, filters = _filters(request)
    cross = CrossTabForm(request.GET or None)
    context = {"crosstab_form": cross, "query": request.GET.urlencode()}
    if cross.is_valid():
        pair = (cross.cleaned_data["rows"], cross.cleaned_data["columns"])
        # Built with the dashboard's one-way tables, so its margins are suppressed exactly
        # where those tables are: nothing hidden there can be recovered here.
        release = _release(request.user, filters, [*stats.MAIN_TABLES, pair])
        table = release.tables[-1]
        context.update(_grid(table, release.k), legend=_legend(release))
    template = (
        "casework/stats/crosstab.html" if htmx(request) else "casework/stats/crosstab_page.html"
    )
    return render(request, template, context)


def _grid(table, k):
    """A two-way table as rows x columns, totals last (found by value, not by label)."""
    row_dim, col_dim = (stats.DIMENSIONS[d] for d in table.dimensions)

    def ordered(name):
        values = list(dict.fromkeys(c.values[name] for c in table.cells))
        return [v for v in values if v != stats.TOTAL] + (
            [stats.TOTAL] if stats.TOTAL in values else []
        )

    row_values, col_values = ordered(row_dim.name), ordered(col_dim.name)
    cells = {(c.values[row_dim.name], c.values[col_dim.name]): _shown(c, k) for c in table.cells}
    absent = {"state": str(stats.CellState.SHOWN), "text": 0}  # a combination nobody has
    return {
        "row_label": row_dim.label,
        "col_label": col_dim.label,
        "columns": [col_dim.value_label(v) for v in col_values],
        "grid": [
            {
                "label": row_dim.value_label(rv),
                "cells": [cells.get((rv, cv), absent) for cv in col_values],
            }
            for rv in row_values
        ],
        "pair": (row_dim.name, col_dim.name),
        "notes": _notes(k),
    }


@data_officer_only
def create_export(request):
    if request.method != "POST":
        return redirect("stats-dashboard")
    form, filters = _filters(request)
    export_form = ExportForm(request.POST)
    cross = CrossTabForm(request.POST)
    if not export_form.is_valid():
        return redirect("stats-dashboard")
    tables = list(stats.MAIN_TABLES)
    if export_form.cleaned_data["include_crosstab"]:
        if not cross.is_valid():
            messages.error(request, _("Choose two different dimensions for the cross-tabulation."))
            return redirect(f"{reverse('stats-dashboard')}?{request.GET.urlencode()}")
        tables.append((cross.cleaned_data["rows"], cross.cleaned_data["columns"]))
    with transaction.atomic():
        export = StatsExport.objects.create(
            organisation_id=request.user.organisation_id,
            requested_by=request.user,
            format=export_form.cleaned_data["format"],
            parameters=exports.export_parameters(
                tables=tables,
                k=filters["k"],
                rounding=filters["rounding"],
                period_start=filters["period_start"],
                period_end=filters["period_end"],
                scope=filters["scope"],
            ),
        )
        transaction.on_commit(lambda: _enqueue_build(request, export))
    return redirect("stats-export", pk=export.pk)


def _enqueue_build(request, export: StatsExport) -> None:
    if not enqueue(build_export, export.pk):
        # The export is saved as queued: the sweep enqueues it within minutes.
        messages.info(
            request, _("The export will start shortly; this page shows when it is ready.")
        )


def _own_export(request, pk):
    return access.get_own(request, StatsExport.objects, pk, "statsexport")


@data_officer_only
def export_status(request, pk):
    export = _own_export(request, pk)
    template = (
        "casework/stats/export_status.html" if htmx(request) else "casework/stats/export.html"
    )
    return render(request, template, {"export": export, "now": timezone.now()})


@data_officer_only
def export_download(request, pk, token):
    export = _own_export(request, pk)
    if token != export.token or not export.downloadable:
        raise Http404
    audit.record(
        audit.Action.DOWNLOAD,
        actor=request.user,
        obj=export,
        detail=f"sha256={export.sha256}",
        ip_address=client_ip(request),
    )
    extension = "csv" if export.format == StatsExport.Format.MICRODATA else export.format
    content_type = {
        "csv": "text/csv",
        "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[extension]
    day = (export.finished_at or datetime.datetime.now(tz=datetime.UTC)).date().isoformat()
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"homeward-statistics-{day}-{export.pk}.{extension}",
        content_type=content_type,
    )
