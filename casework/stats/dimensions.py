"""What cases are counted by: the dimensions, their generalisation and their labels.

Generalisation happens first: age in 10-year bands with an open top band (age at
recruitment if its month is known, else at the opening of the case; from the date of
birth, else the birth year), dates to month or quarter, places to countries. A
person's nationality and region are those of their first nationality in ISO code
order, so every case counts once in each. A nationality with fewer than k cases in
the release is rolled up into its UN M49 sub-region ("Eastern Africa (other
countries)") in the nationality table and in every cross-tabulation with it.

"Means of control" is the one multi-valued dimension: a case counts once under each
means reported for it (cases with none under "Not recorded"; the facts hold them as
a bit mask, counted per bit in the same query), so its counts add up to more than
the number of cases. No total is published across means: its one-way
table has no Total row, and a cross-tabulation with it has no grand total and no
totals summed over the means.
"""

import csv
import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework import labels
from casework.stats.facts import AGE_BANDS, AGE_TOP_BAND, DAY_BANDS, DAY_TOP_BAND
from casework.vocabularies import (
    CaseStatus,
    MeansOfControl,
    Platform,
    PromisedJob,
    RecruitmentMethod,
    Sex,
    Situation,
)

TOTAL = "Total"  # the value of a dimension in a total cell
NOT_RECORDED = ""  # the value of a dimension with nothing (valid) recorded
ROLLED_UP = "m49:"  # prefix of a nationality value that is an M49 sub-region
M49_CSV = Path(__file__).resolve().parent.parent / "data" / "m49.csv"


@functools.cache
def m49() -> dict[str, tuple[str, str]]:
    """ISO 3166 alpha-2 code -> (M49 sub-region, M49 region), from casework/data/m49.csv."""
    with M49_CSV.open(encoding="utf-8", newline="") as f:
        return {row["iso2"]: (row["m49_subregion"], row["m49_region"]) for row in csv.DictReader(f)}


def m49_subregion(code) -> str:
    return m49().get(code or "", (NOT_RECORDED, NOT_RECORDED))[0]


@dataclass(frozen=True)
class Context:
    """What generalising a raw value may depend on, decided once per release."""

    rolled_up: frozenset = frozenset()  # nationality codes below k


@dataclass(frozen=True)
class Dimension:
    """One thing cases are counted by: its fact column, generalisation and labels."""

    name: str
    label: Any  # lazy translation
    column: str  # of StatisticsFact; dimensions with one column count the same raw values
    # Raw database value -> published value (a stable key, "" for not recorded).
    generalise: Callable[[Any, Context], str] = field(repr=False, compare=False)
    # Published value -> label in the active language.
    label_value: Callable[[str], str] = field(repr=False, compare=False)
    sort_key: Callable[[str], Any] = field(repr=False, compare=False)
    multi_valued: bool = False
    # Roughly how many raw values the column holds: packing tables into one query
    # keeps the product of these small (_pack).
    cardinality: int = 250
    # (finer dimension, finer value -> this dimension's value): a quarter is its months.
    coarsens: tuple[str, Callable[[str], str]] | None = field(
        default=None, repr=False, compare=False
    )

    def value_label(self, value: str) -> str:
        if value == TOTAL:
            return gettext("Total")
        if value == NOT_RECORDED:
            return gettext("Not recorded")
        return str(self.label_value(value))


def _last_if_not_recorded(key):
    return lambda value: (value == NOT_RECORDED, key(value) if value != NOT_RECORDED else 0)


def _choice_dimension(name, label, choices, multi_valued=False, cardinality=None):
    labels = dict(choices.choices)
    order = {value: index for index, value in enumerate(labels)}
    return Dimension(
        name=name,
        label=label,
        column=name,
        generalise=lambda raw, ctx: raw if raw in labels else NOT_RECORDED,
        label_value=lambda value: labels[value],
        sort_key=_last_if_not_recorded(order.__getitem__),
        multi_valued=multi_valued,
        cardinality=cardinality or len(labels) + 1,  # and none
    )


_DAY_ORDER = [band for _days, band in DAY_BANDS] + [DAY_TOP_BAND]
_DAY_LABELS = {
    "0-7": _("Within a week"),
    "8-30": _("8 to 30 days"),
    "31-90": _("31 to 90 days"),
    "91-365": _("91 days to a year"),
    DAY_TOP_BAND: _("More than a year"),
}


def day_band_dimension(name: str, label) -> Dimension:
    """A time in days, in the bands of `facts.DAY_BANDS` (a column of band values)."""
    return Dimension(
        name=name,
        label=label,
        column=name,
        cardinality=len(_DAY_ORDER) + 1,
        generalise=lambda raw, ctx: raw if raw in _DAY_ORDER else NOT_RECORDED,
        label_value=lambda value: str(_DAY_LABELS[value]),
        sort_key=_last_if_not_recorded(_DAY_ORDER.index),
    )


def _known_country(code) -> bool:
    return bool(code) and (code in m49() or code in countries)


def _generalise_nationality(raw, ctx):
    if not _known_country(raw):
        return NOT_RECORDED
    if raw in ctx.rolled_up and m49_subregion(raw):
        return ROLLED_UP + m49_subregion(raw)
    return raw


def _nationality_label(value):
    if value.startswith(ROLLED_UP):
        region = labels.region_name(value[len(ROLLED_UP) :])
        return gettext("%(region)s (other countries)") % {"region": region}
    return countries.name(value) or value


def _nationality_sort_key(value):
    return (
        value == NOT_RECORDED,
        value.startswith(ROLLED_UP),
        str(_nationality_label(value)) if value else "",
    )


def nationality_to_region(value):
    if value.startswith(ROLLED_UP):
        return value[len(ROLLED_UP) :]
    return m49_subregion(value)


# Packing estimate of the distinct means-of-control masks (see _pack in queries).
MEANS_COMBINATIONS = 2000

_AGE_ORDER = [band for _lower, _upper, band in AGE_BANDS] + [AGE_TOP_BAND[1]]


def _month(raw, ctx):
    return raw.strftime("%Y-%m") if isinstance(raw, datetime.date) else NOT_RECORDED


def _quarter(raw, ctx):
    if not isinstance(raw, datetime.date):
        return NOT_RECORDED
    return f"{raw.year:04d}-Q{(raw.month - 1) // 3 + 1}"


def _month_to_quarter(value):
    if value == NOT_RECORDED:
        return NOT_RECORDED
    year, month = value.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _period_dimensions(prefix, label_month, label_quarter):
    chronological = _last_if_not_recorded(str)
    month = Dimension(
        name=f"{prefix}_month",
        label=label_month,
        column=f"{prefix}_month",
        cardinality=121,  # ten years of months, and none
        generalise=_month,
        label_value=str,
        sort_key=chronological,
    )
    quarter = Dimension(
        name=f"{prefix}_quarter",
        label=label_quarter,
        column=f"{prefix}_month",  # a quarter is counted from its months
        cardinality=121,
        generalise=_quarter,
        label_value=str,
        sort_key=chronological,
        coarsens=(month.name, _month_to_quarter),
    )
    return month, quarter


def _build_dimensions():
    recruitment_month, recruitment_quarter = _period_dimensions(
        "recruitment", _("Month of recruitment"), _("Quarter of recruitment")
    )
    capture_month, capture_quarter = _period_dimensions(
        "capture", _("Month of capture"), _("Quarter of capture")
    )
    dimensions = [
        Dimension(
            name="nationality",
            label=_("Nationality"),
            column="nationality",
            generalise=_generalise_nationality,
            label_value=_nationality_label,
            sort_key=_nationality_sort_key,
        ),
        Dimension(
            name="region",
            label=_("Region of origin (UN M49)"),
            column="nationality",
            generalise=lambda raw, ctx: m49_subregion(raw),
            label_value=labels.region_name,
            sort_key=_last_if_not_recorded(str),
            coarsens=("nationality", nationality_to_region),
        ),
        _choice_dimension("recruitment_method", _("Recruitment method"), RecruitmentMethod),
        _choice_dimension("platform", _("Platform"), Platform),
        _choice_dimension("promised_job", _("Promised job"), PromisedJob),
        _choice_dimension(
            "means_of_control",
            _("Means of control"),
            MeansOfControl,
            multi_valued=True,
            # Counted from its bit masks: the combinations of means recorded together
            # (about 1,200 at a million cases of one to three means each).
            cardinality=MEANS_COMBINATIONS,
        ),
        _choice_dimension("situation", _("Current situation"), Situation),
        _choice_dimension("status", _("Case status"), CaseStatus),
        _choice_dimension("sex", _("Sex"), Sex),
        Dimension(
            name="age_band",
            label=_("Age band"),
            column="age_band",
            cardinality=len(_AGE_ORDER) + 1,
            generalise=lambda raw, ctx: raw if raw in _AGE_ORDER else NOT_RECORDED,
            label_value=str,
            sort_key=_last_if_not_recorded(_AGE_ORDER.index),
        ),
        recruitment_month,
        recruitment_quarter,
        capture_month,
        capture_quarter,
    ]
    return {dimension.name: dimension for dimension in dimensions}


DIMENSIONS: dict[str, Dimension] = _build_dimensions()

# Microdata only: the year of recruitment.
RECRUITMENT_YEAR = Dimension(
    name="recruitment_year",
    label=_("Year of recruitment"),
    column="recruitment_month",
    generalise=lambda raw, ctx: (
        f"{raw.year:04d}" if isinstance(raw, datetime.date) else NOT_RECORDED
    ),
    label_value=str,
    sort_key=_last_if_not_recorded(str),
)

MAIN_TABLES: list[tuple[str, ...]] = [
    ("nationality",),
    ("region",),
    ("recruitment_method",),
    ("platform",),
    ("promised_job",),
    ("means_of_control",),
    ("situation",),
    ("status",),
    ("sex",),
    ("age_band",),
    ("recruitment_quarter",),
    ("capture_quarter",),
]


def generalised_counts(raw_rows, dimensions, ctx) -> dict[tuple[str, ...], int]:
    """Grouped rows of raw values ({"n": cases, name: raw value}) -> cases per combination
    of the dimensions' published values."""
    # Adding groups up is exact: every dimension generalised here is single-valued, and
    # a multi-valued one (means of control) is never merged.
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for row in raw_rows:
        counts[
            tuple(dimension.generalise(row[dimension.name], ctx) for dimension in dimensions)
        ] += row["n"]
    return counts
