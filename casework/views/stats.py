"""The statistics dashboard and exports, for data officers: anonymised figures only."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import audit, exports, stats
from casework.models import StatsExport
from casework.views.cases import htmx

data_officer_only = role_required(Role.DATA_OFFICER)


class StatsFilterForm(forms.Form):
    period_start = forms.DateField(
        label=_("Cases opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scope = forms.ChoiceField(
        label=_("Organisations"),
        choices=[("own", _("My organisation")), ("coalition", _("The whole coalition"))],
        required=False,
    )
    k = forms.IntegerField(
        label=_("Smallest count shown (k)"),
        min_value=stats.K_MIN,
        initial=stats.K_DEFAULT,
        required=False,
    )
    rounding = forms.BooleanField(label=_("Round counts to multiples of 5"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.STATS_COALITION:
            self.fields["scope"].choices = self.fields["scope"].choices[:1]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end is before the start."))
        data["k"] = data.get("k") or stats.K_DEFAULT
        data["scope"] = data.get("scope") or "own"
        return data


DIMENSION_CHOICES = [(name, dim.label) for name, dim in stats.DIMENSIONS.items()]


class CrossTabForm(forms.Form):
    rows = forms.ChoiceField(label=_("Rows"), choices=DIMENSION_CHOICES, initial="region")
    columns = forms.ChoiceField(label=_("Columns"), choices=DIMENSION_CHOICES, initial="situation")

    def clean(self):
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            self.add_error("columns", _("Choose two different dimensions."))
        return data


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=StatsExport.Format.choices)
    include_crosstab = forms.BooleanField(
        label=_("Include the cross-tabulation above"), required=False
    )


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
    from accounts.models import Organisation

    if scope == "coalition" and settings.STATS_COALITION:
        return list(Organisation.objects.values_list("pk", flat=True))
    return [user.organisation_id]


def _release(user, filters, tables):
    return stats.build_release(
        _organisation_ids(user, filters["scope"]),
        tables,
        k=filters["k"],
        rounding=filters["rounding"],
        period_start=filters["period_start"],
        period_end=filters["period_end"],
    )


def _shown(cell, k):
    return f"<{k}" if cell.suppressed else cell.count


def _chart(table, k):
    """Bars of a one-way table; suppressed counts are not drawn, totals not shown."""
    dimension = stats.DIMENSIONS[table.dimensions[0]]
    cells = [c for c in table.cells if not c.is_total]
    return {
        "labels": [dimension.value_label(c.values[dimension.name]) for c in cells],
        "counts": [None if c.suppressed else c.count for c in cells],
        "title": str(dimension.label),
    }


@data_officer_only
def dashboard(request):
    form, filters = _filters(request)
    release = _release(request.user, filters, list(stats.MAIN_TABLES))
    tables = [
        {
            "table": table,
            "label": stats.DIMENSIONS[table.dimensions[0]].label,
            "headers": [stats.DIMENSIONS[name].label for name in table.dimensions],
            "rows": table.rows(release.k),
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
        context.update(_grid(table, release.k))
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
    return {
        "row_label": row_dim.label,
        "col_label": col_dim.label,
        "columns": [col_dim.value_label(v) for v in col_values],
        "grid": [
            {
                "label": row_dim.value_label(rv),
                "cells": [cells.get((rv, cv), 0) for cv in col_values],
            }
            for rv in row_values
        ],
        "pair": (row_dim.name, col_dim.name),
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
        from casework.tasks import build_export

        transaction.on_commit(lambda: build_export.delay(export.pk))
    return redirect("stats-export", pk=export.pk)


def _own_export(request, pk):
    export = StatsExport.objects.filter(pk=pk, requested_by=request.user).first()
    if export is None:
        audit.record(
            audit.Action.DENIED,
            actor=request.user,
            object_type="statsexport",
            object_id=str(pk),
            ip_address=client_ip(request),
        )
        raise Http404
    return export


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
