"""Custody statistics: cases by custody status and proceeding outcome, and the time from
capture to ICRC registration, to the family's notification and to return, in bands.

Counted from the statistics facts of the eligible cases (`queries.eligible_facts`: an
active statistics consent, as for every case figure), through the same disclosure
control (`casework.stats.suppression`: k, primary and secondary suppression, optional
rounding). The bands are computed with the facts (`facts.CUSTODY_TIME_BANDS`); no date
is published.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.stats.dimensions import (
    NOT_RECORDED,
    Context,
    Dimension,
    _choice_dimension,
    _last_if_not_recorded,
    generalised_counts,
)
from casework.stats.facts import CUSTODY_TIME_BANDS, CUSTODY_TIME_TOP_BAND
from casework.stats.queries import eligible_facts, grouped_counts
from casework.stats.release import Cell, Release, Table, rounded, table_keys
from casework.stats.suppression import K_DEFAULT, CellState, Key, cell_states, validate_k
from casework.vocabularies import CustodyEventKind, ProceedingOutcome

_TIME_ORDER = [band for _days, band in CUSTODY_TIME_BANDS] + [CUSTODY_TIME_TOP_BAND]
_TIME_LABELS = {
    "0-7": _("Within a week"),
    "8-30": _("8 to 30 days"),
    "31-90": _("31 to 90 days"),
    "91-365": _("91 days to a year"),
    CUSTODY_TIME_TOP_BAND: _("More than a year"),
}


def _time_dimension(name: str, label) -> Dimension:
    return Dimension(
        name=name,
        label=label,
        column=name,
        cardinality=len(_TIME_ORDER) + 1,
        generalise=lambda raw, ctx: raw if raw in _TIME_ORDER else NOT_RECORDED,
        label_value=lambda value: str(_TIME_LABELS[value]),
        sort_key=_last_if_not_recorded(_TIME_ORDER.index),
    )


CUSTODY_DIMENSIONS: dict[str, Dimension] = {
    "custody_status": _choice_dimension("custody_status", _("Custody status"), CustodyEventKind),
    "proceeding_outcome": _choice_dimension(
        "proceeding_outcome", _("Outcome of legal proceedings"), ProceedingOutcome
    ),
    "capture_to_icrc": _time_dimension("capture_to_icrc", _("Capture to ICRC registration")),
    "capture_to_family": _time_dimension(
        "capture_to_family", _("Capture to the family's notification")
    ),
    "capture_to_return": _time_dimension("capture_to_return", _("Capture to return home")),
}
CUSTODY_TABLES: list[tuple[str, ...]] = [(name,) for name in CUSTODY_DIMENSIONS]


def custody_release(
    organisation_ids,
    tables=CUSTODY_TABLES,
    *,
    k=K_DEFAULT,
    rounding=False,
    period_start=None,
    period_end=None,
    now=None,
) -> Release:
    """The custody tables, generalised, suppressed and optionally rounded, as a Release."""
    k = validate_k(k)
    tables = [tuple(table) for table in tables]
    if any(name not in CUSTODY_DIMENSIONS for table in tables for name in table):
        raise ValueError(f"unknown custody dimension in {tables!r}")
    facts = eligible_facts(organisation_ids, period_start, period_end)
    # One grouped query for every table (a few thousand groups at most): each table sums
    # its own dimensions from it, so the eligible facts are read once, not once a table.
    names = list(dict.fromkeys(name for dims in tables for name in dims))
    rows = grouped_counts(facts, [CUSTODY_DIMENSIONS[name] for name in names])
    published = {}
    counts: dict[Key, int] = {}
    for dims in tables:
        dimensions = [CUSTODY_DIMENSIONS[name] for name in dims]
        cells = generalised_counts(rows, dimensions, Context())
        published[dims] = table_keys(dims, cells, CUSTODY_DIMENSIONS)
        for key, (_values, total) in published[dims].items():
            counts.setdefault(key, total)
    states = cell_states(counts, k, CUSTODY_DIMENSIONS)
    result = []
    for dims in tables:
        table_cells = []
        for key, (values, _count) in published[dims].items():
            shown: int | None = counts[key]
            if states[key] != CellState.SHOWN:
                shown = None
            elif rounding:
                shown = rounded(counts[key])
            table_cells.append(Cell(values=dict(values), count=shown, state=states[key]))
        result.append(
            Table(
                name="custody__" + "__".join(dims),
                dimensions=dims,
                cells=table_cells,
                catalogue=CUSTODY_DIMENSIONS,
            )
        )
    return Release(
        k=k,
        rounding=bool(rounding),
        generated_at=now or timezone.now(),
        tables=result,
        excluded_opt_outs=0,  # reported once, by the case release beside it
    )
