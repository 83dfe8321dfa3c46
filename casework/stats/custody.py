"""Custody statistics: cases by custody status and proceeding outcome, and the time from
capture to ICRC registration, to the family's notification and to return, in bands.

Counted from the statistics facts of the eligible cases (`queries.eligible_facts`: an
active statistics consent, as for every case figure), through the same disclosure
control (`casework.stats.suppression`: k, primary and secondary suppression, optional
rounding). The bands are computed with the facts (`facts.DAY_BANDS`); no date
is published.
"""

from django.utils.translation import gettext_lazy as _

from casework.stats.dimensions import (
    Context,
    Dimension,
    _choice_dimension,
    day_band_dimension,
    generalised_counts,
)
from casework.stats.queries import eligible_facts, grouped_counts
from casework.stats.release import Release, controlled_release, validated_tables
from casework.stats.suppression import K_DEFAULT, validate_k
from casework.vocabularies import CustodyEventKind, ProceedingOutcome

CUSTODY_DIMENSIONS: dict[str, Dimension] = {
    "custody_status": _choice_dimension("custody_status", _("Custody status"), CustodyEventKind),
    "proceeding_outcome": _choice_dimension(
        "proceeding_outcome", _("Outcome of legal proceedings"), ProceedingOutcome
    ),
    "capture_to_icrc": day_band_dimension("capture_to_icrc", _("Capture to ICRC registration")),
    "capture_to_family": day_band_dimension(
        "capture_to_family", _("Capture to the family's notification")
    ),
    "capture_to_return": day_band_dimension("capture_to_return", _("Capture to return home")),
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
    tables = validated_tables(tables, CUSTODY_DIMENSIONS)
    facts = eligible_facts(organisation_ids, period_start, period_end)
    # One grouped query for every table (a few thousand groups at most): each table sums
    # its own dimensions from it, so the eligible facts are read once, not once a table.
    names = list(dict.fromkeys(name for dims in tables for name in dims))
    rows = grouped_counts(facts, [CUSTODY_DIMENSIONS[name] for name in names])
    return controlled_release(
        [
            (dims, generalised_counts(rows, [CUSTODY_DIMENSIONS[n] for n in dims], Context()))
            for dims in tables
        ],
        CUSTODY_DIMENSIONS,
        k=k,
        rounding=rounding,
        now=now,
        excluded_opt_outs=0,  # reported once, by the case release beside it
        prefix="custody__",
    )
