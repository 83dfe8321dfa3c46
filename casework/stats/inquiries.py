"""Statistics of family inquiries: by channel, nationality, outcome and time to outcome.

Counted through the same disclosure control as cases (`casework.stats.suppression`: k,
primary and secondary suppression, optional rounding), with the nationality of a
nationality below k rolled up into its UN M49 sub-region as the case tables do.

Inquiries carry no statistics consent and need none: every inquiry of the
organisations and period counts. What is counted is how and when an organisation was
asked and what it answered, never anything about a registered person; the sought
person's nationality is the family's description, and small counts of it are withheld
or rolled up like any other.
"""

import datetime

from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, When
from django.db.models import Value as V
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Inquiry
from casework.stats.dimensions import (
    DIMENSIONS,
    NOT_RECORDED,
    Context,
    Dimension,
    _choice_dimension,
    _last_if_not_recorded,
    generalised_counts,
)
from casework.stats.release import Cell, Release, Table, rounded, table_keys
from casework.stats.suppression import K_DEFAULT, CellState, Key, cell_states, validate_k
from casework.vocabularies import INQUIRY_OUTCOMES, InquiryChannel, InquiryStatus

# (upper bound in days, band): the time from receiving an inquiry to its outcome.
TIME_BANDS = [
    (7, "0-7"),
    (30, "8-30"),
    (90, "31-90"),
    (365, "91-365"),
]
TIME_TOP_BAND = "366+"
_TIME_ORDER = [band for _days, band in TIME_BANDS] + [TIME_TOP_BAND]
_TIME_LABELS = {
    "0-7": _("Within a week"),
    "8-30": _("8 to 30 days"),
    "31-90": _("31 to 90 days"),
    "91-365": _("91 days to a year"),
    TIME_TOP_BAND: _("More than a year"),
}

INQUIRY_DIMENSIONS: dict[str, Dimension] = {
    "channel": _choice_dimension("channel", _("Received by"), InquiryChannel),
    "nationality": DIMENSIONS["nationality"],
    "region": DIMENSIONS["region"],
    "status": _choice_dimension("status", _("Status or outcome"), InquiryStatus),
    "time_to_outcome": Dimension(
        name="time_to_outcome",
        label=_("Time to outcome"),
        column="time_to_outcome",
        cardinality=len(_TIME_ORDER) + 1,
        generalise=lambda raw, ctx: raw if raw in _TIME_ORDER else NOT_RECORDED,
        label_value=lambda value: str(_TIME_LABELS[value]),
        sort_key=_last_if_not_recorded(_TIME_ORDER.index),
    ),
}
INQUIRY_TABLES: list[tuple[str, ...]] = [
    ("channel",),
    ("nationality",),
    ("status",),
    ("time_to_outcome",),
]


def inquiries_in_scope(organisation_ids, period_start=None, period_end=None) -> QuerySet:
    """The inquiries of these organisations received in the period (dates, inclusive)."""
    inquiries = Inquiry.objects.filter(organisation_id__in=list(organisation_ids))
    if period_start:
        inquiries = inquiries.filter(received_at__date__gte=period_start)
    if period_end:
        inquiries = inquiries.filter(received_at__date__lte=period_end)
    return inquiries


def _time_to_outcome() -> Case:
    """The band of a settled inquiry's time to outcome, in SQL, from the alias `elapsed`;
    "" for no outcome yet."""
    settled = Q(status__in=INQUIRY_OUTCOMES, outcome_at__isnull=False)
    return Case(
        *[
            When(settled & Q(elapsed__lte=datetime.timedelta(days=days)), then=V(band))
            for days, band in TIME_BANDS
        ],
        When(settled, then=V(TIME_TOP_BAND)),
        default=V(NOT_RECORDED),
    )


def grouped(inquiries: QuerySet, dimensions: list[Dimension]) -> list[dict]:
    """One grouped query: [{"n": inquiries, <dimension name>: raw value}, ...]."""
    columns = sorted({dimension.column for dimension in dimensions})
    if "time_to_outcome" in columns:
        inquiries = inquiries.alias(
            elapsed=ExpressionWrapper(
                F("outcome_at") - F("received_at"), output_field=DurationField()
            )
        ).annotate(time_to_outcome=_time_to_outcome())
    rows = inquiries.order_by().values(*columns).annotate(n=Count("pk"))
    return [
        {"n": row["n"], **{d.name: row[d.column] for d in dimensions}} for row in rows.iterator()
    ]


def _validated(tables) -> list[tuple[str, ...]]:
    result = []
    for table in tables:
        table = tuple(table)
        if not 1 <= len(table) <= 2 or len(set(table)) != len(table):
            raise ValueError(f"a table has one or two distinct dimensions, not {table!r}")
        if any(name not in INQUIRY_DIMENSIONS for name in table):
            raise ValueError(f"unknown dimension in {table!r}")
        result.append(table)
    return result


def inquiry_release(
    organisation_ids,
    tables=INQUIRY_TABLES,
    *,
    k=K_DEFAULT,
    rounding=False,
    period_start=None,
    period_end=None,
    now=None,
) -> Release:
    """The inquiry tables, generalised, suppressed and optionally rounded, as a Release."""
    k = validate_k(k)
    tables = _validated(tables)
    inquiries = inquiries_in_scope(organisation_ids, period_start, period_end)
    nationality = INQUIRY_DIMENSIONS["nationality"]
    by_nationality = generalised_counts(grouped(inquiries, [nationality]), [nationality], Context())
    ctx = Context(rolled_up=frozenset(code for (code,), n in by_nationality.items() if 0 < n < k))

    published = {}
    counts: dict[Key, int] = {}
    for dims in tables:
        dimensions = [INQUIRY_DIMENSIONS[name] for name in dims]
        cells = generalised_counts(grouped(inquiries, dimensions), dimensions, ctx)
        published[dims] = table_keys(dims, cells, INQUIRY_DIMENSIONS)
        for key, (_values, total) in published[dims].items():
            counts.setdefault(key, total)
    states = cell_states(counts, k, INQUIRY_DIMENSIONS)

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
                name="inquiries__" + "__".join(dims),
                dimensions=dims,
                cells=table_cells,
                catalogue=INQUIRY_DIMENSIONS,
            )
        )
    return Release(
        k=k,
        rounding=bool(rounding),
        generated_at=now or timezone.now(),
        tables=result,
        excluded_opt_outs=0,  # no consent to lack: every inquiry counts
    )
