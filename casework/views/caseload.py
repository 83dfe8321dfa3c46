"""The supervisor's pictures of the organisation's open caseload on home: by current
situation, and per caseworker with the cases that have overdue tasks.

Each picture carries the same figures as a table (for screen readers, and for a browser
without JavaScript) whose rows link to the case list filtered the same way, so the
counts a supervisor clicks are the cases the list shows. Grouped queries: four in all,
whatever the number of cases or caseworkers.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from casework.labels import collation_key
from casework.vocabularies import Situation


def caseload_pictures(open_cases, organisation_id: int, now: datetime.datetime) -> list[dict]:
    """Both pictures of `open_cases` (the supervisor's visible open cases)."""
    return [by_situation(open_cases), per_caseworker(open_cases, organisation_id, now)]


def by_situation(open_cases) -> dict:
    """Open cases per current situation, in the vocabulary's order; situations no open
    case is in are left out."""
    counts = _grouped(open_cases, "situation")
    rows = [
        _row(str(label), [(counts[code], _case_list(situation=code))])
        for code, label in Situation.choices
        if counts.get(code)
    ]
    return _picture(
        "situations",
        _("Open cases by current situation"),
        [_("Current situation"), _("Open cases")],
        rows,
    )


def per_caseworker(open_cases, organisation_id: int, now: datetime.datetime) -> dict:
    """Open cases and those with an overdue task (the case list's "Overdue tasks")
    per active caseworker of the organisation, and per anyone else still holding open
    cases (a supervisor, a disabled account); then the open cases assigned to nobody."""
    open_by = _grouped(open_cases, "assigned_to")
    overdue_by = _grouped(open_cases.with_overdue_tasks(now), "assigned_to")
    holders = [pk for pk in open_by if pk is not None]
    people = User.objects.filter(organisation_id=organisation_id).filter(
        Q(role=Role.CASEWORKER, is_active=True) | Q(pk__in=holders)
    )
    # (name, user id), by name in the reader's alphabet; None: the cases of nobody.
    named: list[tuple[str, int | None]] = sorted(
        ((person.get_full_name() or person.get_username(), person.pk) for person in people),
        key=lambda pair: collation_key(pair[0]),
    )
    if open_by.get(None):
        named.append((_("Nobody"), None))
    rows = []
    for name, pk in named:
        assignee = "none" if pk is None else pk
        rows.append(
            _row(
                name,
                [
                    (open_by.get(pk, 0), _case_list(assignee=assignee)),
                    (overdue_by.get(pk, 0), _case_list(assignee=assignee, overdue=1)),
                ],
            )
        )
    return _picture(
        "caseworkers",
        _("Open cases and overdue work per caseworker"),
        [_("Caseworker"), _("Open cases"), _("With overdue tasks")],
        rows,
    )


def _grouped(cases, field: str) -> dict:
    """How many of `cases` hold each value of `field`, in one GROUP BY query."""
    return dict(cases.order_by().values_list(field).annotate(n=Count("pk")))


def _case_list(**filters) -> str:
    return f"{reverse('case-list')}?{urlencode(filters)}"


def _row(label: str, cells: list[tuple[int, str]]) -> dict:
    """A table row: its label, then (count, link to those cases) per series."""
    return {"label": label, "cells": [{"count": n, "link": link} for n, link in cells]}


def _picture(name: str, title: str, columns: list[str], rows: list[dict]) -> dict:
    """What the template draws: a heading, a table, the chart's data for
    static/js/home-charts.js and the chart's text alternative."""
    series = columns[1:]
    if len(series) == 1:
        figures = [
            _("%(label)s: %(count)s") % {"label": row["label"], "count": row["cells"][0]["count"]}
            for row in rows
        ]
    else:
        figures = [
            _("%(name)s: %(open)s open, %(overdue)s with overdue tasks")
            % {
                "name": row["label"],
                "open": row["cells"][0]["count"],
                "overdue": row["cells"][1]["count"],
            }
            for row in rows
        ]
    return {
        "name": name,
        "title": title,
        "columns": columns,
        "rows": rows,
        "totals": [sum(row["cells"][i]["count"] for row in rows) for i in range(len(series))],
        "description": _("Bar chart. %(figures)s.") % {"figures": "; ".join(figures)},
        "chart": {
            "labels": [row["label"] for row in rows],
            "series": [
                {"label": label, "data": [row["cells"][i]["count"] for row in rows]}
                for i, label in enumerate(series)
            ],
            "links": [row["cells"][0]["link"] for row in rows],
        },
    }
