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
from django.utils.translation import gettext_lazy as _

from casework.models import Inquiry
from casework.stats.dimensions import (
    DIMENSIONS,
    NOT_RECORDED,
    Context,
    Dimension,
    _choice_dimension,
    day_band_dimension,
    generalised_counts,
)
from casework.stats.facts import DAY_BANDS, DAY_TOP_BAND
from casework.stats.release import Release, controlled_release, validated_tables
from casework.stats.suppression import K_DEFAULT, validate_k
from casework.vocabularies import INQUIRY_OUTCOMES, InquiryChannel, InquiryStatus

INQUIRY_DIMENSIONS: dict[str, Dimension] = {
    "channel": _choice_dimension("channel", _("Received by"), InquiryChannel),
    "nationality": DIMENSIONS["nationality"],
    "region": DIMENSIONS["region"],
    "status": _choice_dimension("status", _("Status or outcome"), InquiryStatus),
    "time_to_outcome": day_band_dimension("time_to_outcome", _("Time to outcome")),
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
            for days, band in DAY_BANDS
        ],
        When(settled, then=V(DAY_TOP_BAND)),
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
    tables = validated_tables(tables, INQUIRY_DIMENSIONS)
    inquiries = inquiries_in_scope(organisation_ids, period_start, period_end)
    # One grouped query for every table and the nationality roll-up (a few thousand
    # groups at most): each sums its own dimensions from it.
    names = dict.fromkeys(["nationality", *(name for dims in tables for name in dims)])
    rows = grouped(inquiries, [INQUIRY_DIMENSIONS[name] for name in names])
    nationality = INQUIRY_DIMENSIONS["nationality"]
    by_nationality = generalised_counts(rows, [nationality], Context())
    ctx = Context(rolled_up=frozenset(code for (code,), n in by_nationality.items() if 0 < n < k))
    return controlled_release(
        [
            (dims, generalised_counts(rows, [INQUIRY_DIMENSIONS[n] for n in dims], ctx))
            for dims in tables
        ],
        INQUIRY_DIMENSIONS,
        k=k,
        rounding=rounding,
        now=now,
        excluded_opt_outs=0,  # no consent to lack: every inquiry counts
        prefix="inquiries__",
    )
