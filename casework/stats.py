"""Anonymised statistics and their disclosure control (SPEC section 6).

What counts
    `eligible_cases` defines whom every figure counts: the cases of the given
    organisations opened (``Case.created_at``) in the period that carry an ACTIVE
    "include in statistics" consent. This is the conservative reading of "cases whose
    person opted out are left out": a withdrawn consent leaves the case out, and so does
    a case on which no statistics consent was ever recorded. Consent is recorded per
    case, so a person's new case needs its own. A withdrawn consent followed by a new
    given one counts as given. Period bounds that are dates are inclusive calendar days
    (in the current time zone); datetimes give the half-open interval [start, end).

How it is counted
    From the statistics facts (`casework.statsfacts`): one row per case holding the raw
    value of every dimension and whether the case is eligible, kept true by every write
    of case data. A release reads `eligible_facts`, the facts of `eligible_cases`.
    Every count comes from a grouped query in the database (``values(...).annotate(
    Count(...))``); Python only relabels and adds up the groups, never loops over
    cases. A table whose counts another table of the release holds is not queried but
    summed from that one's groups, to the same counts: a one-way table from a
    cross-tabulation with it, region from nationality, a quarter from its months (one
    fact column); see `_columns_in`. The tables left to query are packed a few to a
    query, grouped by all their dimensions at once and summed per table (`_pack`): each
    query reads every eligible case's row, so fewer queries is what makes a release
    fast. Counting rows counts cases, as a case is one row. The snapshot's transaction
    turns PostgreSQL's JIT compilation off: on these queries it cost more than it saved.

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

Disclosure control, applied inside `build_release` to every figure
    1. Primary suppression: a count from 1 to k-1 is published as "<k". Zero may show
       (tables list observed combinations only, so it is rare). A figure withheld by
       secondary suppression below is published as "suppressed", never as "<k": it may
       hold any count (in fact k or more), and "<k" must not say otherwise. Each cell
       carries its `CellState`; `Release.legend` explains both marks.
    2. Secondary suppression over the whole release. Every published figure, cell or
       total, is identified by the set of (dimension, value) pairs it counts, so the
       same figure in two tables (a one-way table's cell and a cross-tabulation's
       margin, the grand total of several tables) is one figure, suppressed in all or
       none. Every additive relation between published figures is a "line": a figure
       and the figures that add up to it over one single-valued dimension (a row or
       column and its total, the margins and the grand total, across tables too), and
       a coarse figure and the finer ones it is made of (an M49 region and the
       nationalities in it, a quarter and its months). No line may have exactly one
       suppressed figure: where one has, another non-zero figure of the line is
       suppressed too (its total when nothing else is left): the one that settles most
       other such lines and opens fewest new ones, then the smallest. Until nothing
       changes. Then, as lines can give a figure away in combination (two suppressed
       rectangles joined by one cell), all lines are solved together as linear
       equations, exactly; while some suppressed figure is determined, the smallest
       published figure of one of its lines is suppressed too and both steps run again.
       Then ranges, as the marks say something too: "<k" is 1 to k-1, "suppressed" is
       k or more (secondary suppression never picks a small or a zero figure). With
       that, the shown figures and the lines, a reader bounds every withheld figure
       (men "suppressed", women "<11", Total 12: one woman). The rule: the range of
       each figure marked "<k", over all the lines together, reaches above its count
       (below it, for a count of k-1), so it is never one value, nor "at most" its
       count; it is checked exactly, as a linear programme (`_exposed`). While some
       figure fails, the nearest shown figure that could take up its move is
       suppressed too, and all the steps run again. Not protected: what the marks
       alone give away with every figure withheld (four categories of 1 under a total
       of 4, k = 5, are 1 each, as a listed category is not 0); ranges narrower in
       whole numbers than in the linear programme (possible in linked tables in
       principle); what the order of choices tells (a secondary figure was the
       smallest candidate, so no larger than those it was preferred to).
    3. Optional rounding: every published count, totals included, to a multiple of 5
       (half up; a positive count never becomes 0). Rounded totals need not equal the
       sum of their rounded cells. Suppression is decided on exact counts, as if
       a reader knew them: rounding only blurs what they know.
    Only vocabulary labels, country and M49 region names, bands, months and quarters
    are released: values outside a vocabulary are shown as "Not recorded".

`microdata` is the CTDC-style record-level export: one row per eligible case with only
generalised quasi-identifiers, k-anonymous over them (see its docstring).
"""

import contextlib
import csv
import datetime
import functools
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, QuerySet
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework import labels
from casework.models import Case, StatisticsFact
from casework.statsfacts import (
    AGE_BANDS,
    AGE_TOP_BAND,
    MEANS_BITS,
    MEANS_NOT_RECORDED_BIT,
    active_statistics_consent,
)
from casework.vocabularies import (
    CaseStatus,
    MeansOfControl,
    Platform,
    PromisedJob,
    RecruitmentMethod,
    Sex,
    Situation,
)

K_MIN = 5
K_DEFAULT = 11
TOTAL = "Total"  # the value of a dimension in a total cell
NOT_RECORDED = ""  # the value of a dimension with nothing (valid) recorded
ROLLED_UP = "m49:"  # prefix of a nationality value that is an M49 sub-region
M49_CSV = Path(__file__).resolve().parent / "data" / "m49.csv"


def validate_k(k) -> int:
    """The suppression threshold as an int; ValueError below K_MIN or if not a whole number."""
    if isinstance(k, bool):
        raise ValueError("k must be a whole number")
    try:
        value = int(k)
    except (TypeError, ValueError):
        raise ValueError("k must be a whole number") from None
    if value != k and str(value) != str(k).strip():
        raise ValueError("k must be a whole number")
    if value < K_MIN:
        raise ValueError(f"k must be at least {K_MIN}")
    return value


def rounded(count: int) -> int:
    """A published count to a multiple of 5, half up; a positive count never becomes 0."""
    if count <= 0:
        return count
    return max(5, (count + 2) // 5 * 5)


@functools.cache
def m49() -> dict[str, tuple[str, str]]:
    """ISO 3166 alpha-2 code -> (M49 sub-region, M49 region), from casework/data/m49.csv."""
    with M49_CSV.open(encoding="utf-8", newline="") as f:
        return {row["iso2"]: (row["m49_subregion"], row["m49_region"]) for row in csv.DictReader(f)}


def m49_subregion(code) -> str:
    return m49().get(code or "", (NOT_RECORDED, NOT_RECORDED))[0]


# Dimensions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What generalising a raw value may depend on, decided once per release."""

    rolled_up: frozenset = frozenset()  # nationality codes below k


@dataclass(frozen=True)
class Dimension:
    """One thing cases are counted by: its fact column, generalisation and labels."""

    name: str
    label: Any  # lazy translation
    column: str  # of StatisticsFact; dimensions with one column count the same raw values
    # Raw database value -> published value (a stable key, "" for not recorded).
    generalise: Callable[[Any, _Context], str] = field(repr=False, compare=False)
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


def _choice_dimension(name, label, choices, multi_valued=False):
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
        cardinality=len(labels) + 1,  # and none
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


def _nationality_to_region(value):
    if value.startswith(ROLLED_UP):
        return value[len(ROLLED_UP) :]
    return m49_subregion(value)


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
            coarsens=("nationality", _nationality_to_region),
        ),
        _choice_dimension("recruitment_method", _("Recruitment method"), RecruitmentMethod),
        _choice_dimension("platform", _("Platform"), Platform),
        _choice_dimension("promised_job", _("Promised job"), PromisedJob),
        _choice_dimension(
            "means_of_control", _("Means of control"), MeansOfControl, multi_valued=True
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
_RECRUITMENT_YEAR = Dimension(
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


# The published shapes ----------------------------------------------------------------


SUPPRESSED = "suppressed"  # the published mark of a secondary suppression (any count)


class CellState(StrEnum):
    """Whether a figure is published, and if not, why."""

    SHOWN = "shown"
    PRIMARY = "primary"  # a count from 1 to k-1, published as "<k"
    SECONDARY = "secondary"  # withheld only to protect a primary one; any count


def primary_mark(k: int) -> str:
    return f"<{k}"


@dataclass
class Cell:
    """One published figure. ``values`` maps each dimension to a stable value key (an ISO
    code, a vocabulary value, "m49:<sub-region>", a band, "2025-03", "2025-Q1", "" for not
    recorded, or TOTAL); ``Table.rows`` turns them into labels."""

    values: dict[str, str]
    count: int | None  # None unless shown
    state: CellState

    @property
    def suppressed(self) -> bool:
        return self.state != CellState.SHOWN

    @property
    def is_total(self) -> bool:
        return TOTAL in self.values.values()

    def published(self, k: int) -> int | str:
        """The count as exports publish it: a number, "<k" or "suppressed"."""
        if self.state == CellState.PRIMARY:
            return primary_mark(k)
        if self.state == CellState.SECONDARY:
            return SUPPRESSED
        return self.count


@dataclass
class Table:
    name: str
    dimensions: tuple[str, ...]
    cells: list[Cell]

    @property
    def title(self) -> str:
        return " × ".join(str(DIMENSIONS[name].label) for name in self.dimensions)

    def rows(self, k) -> list[dict]:
        """[{"<dimension>": "<value label>", ..., "count": int, "<k" or "suppressed"}],
        totals included."""
        return [
            {
                **{
                    name: DIMENSIONS[name].value_label(cell.values[name])
                    for name in self.dimensions
                },
                "count": cell.published(k),
            }
            for cell in self.cells
        ]


@dataclass
class Release:
    k: int
    rounding: bool
    generated_at: datetime.datetime
    tables: list[Table]
    # Cases of the organisations and period left out for lack of an active statistics
    # consent (withdrawn or never recorded). For the data officer and the audit log; not
    # part of the published JSON.
    excluded_opt_outs: int

    def table(self, *dimensions) -> Table:
        """The release's table over these dimensions; KeyError if it has none."""
        for table in self.tables:
            if table.dimensions == dimensions:
                return table
        raise KeyError(dimensions)

    def legend(self) -> dict[str, str]:
        """Each mark a withheld count may carry -> what it means, in the active language."""
        return {
            primary_mark(self.k): gettext(
                "A count from 1 to %(most)s: fewer than %(k)s cases, withheld to protect "
                "the people counted."
            )
            % {"k": self.k, "most": self.k - 1},
            SUPPRESSED: gettext(
                "Withheld only so that a count shown as “<%(k)s” cannot be worked out from "
                "totals or other figures: it may be any number of cases, including %(k)s "
                "or more."
            )
            % {"k": self.k},
        }

    def as_json_dict(self) -> dict:
        return {
            "k": self.k,
            "rounding": self.rounding,
            "generated_at": self.generated_at.isoformat(),
            "legend": self.legend(),
            "tables": [
                {
                    "name": table.name,
                    "dimensions": list(table.dimensions),
                    "rows": table.rows(self.k),
                }
                for table in self.tables
            ],
        }


# Which cases ---------------------------------------------------------------------------


def _in_scope(queryset, organisation_ids, period_start, period_end) -> QuerySet:
    """Cases (or their facts) of these organisations opened in the period."""
    queryset = queryset.filter(organisation_id__in=organisation_ids)
    if period_start is not None:
        if isinstance(period_start, datetime.datetime):
            queryset = queryset.filter(created_at__gte=period_start)
        else:
            queryset = queryset.filter(created_at__date__gte=period_start)
    if period_end is not None:
        if isinstance(period_end, datetime.datetime):
            queryset = queryset.filter(created_at__lt=period_end)
        else:
            queryset = queryset.filter(created_at__date__lte=period_end)
    return queryset


def eligible_cases(organisation_ids, period_start=None, period_end=None) -> QuerySet:
    """The cases statistics count: those orgs', opened in the period, with active consent.

    The definition, read from the case data; releases count the same cases from their
    facts (`eligible_facts`)."""
    return _in_scope(Case.objects.all(), organisation_ids, period_start, period_end).filter(
        Exists(active_statistics_consent())
    )


def eligible_facts(organisation_ids, period_start=None, period_end=None) -> QuerySet:
    """The statistics facts of `eligible_cases`: what every figure is counted from."""
    facts = StatisticsFact.objects.filter(eligible=True)
    return _in_scope(facts, organisation_ids, period_start, period_end)


# Means of control as the fact table holds it: raw value -> bit (None: not recorded).
_MEANS_BITS = {None: MEANS_NOT_RECORDED_BIT, **MEANS_BITS}
# The value of a multi-valued dimension in a row that counts each case once.
EACH_CASE = "*each case*"


def _grouped_counts(facts: QuerySet, dimensions: Iterable[Dimension]) -> list[dict]:
    """One query: cases per combination of the dimensions' raw values.

    A multi-valued dimension (means of control, a bit mask) is counted in the same
    query, once per value (the cases whose mask has its bit), and once more as
    EACH_CASE (every case once), for the tables packed with it that do not have it."""
    dimensions = list(dimensions)
    single = [dimension for dimension in dimensions if not dimension.multi_valued]
    multi = [dimension for dimension in dimensions if dimension.multi_valued]
    if len(multi) > 1:
        raise ValueError("a query has at most one multi-valued dimension")
    counts = {"stat_n": Count("pk")}
    if multi:
        mask = F(multi[0].column)
        for index, bit in enumerate(_MEANS_BITS.values()):
            counts[f"stat_{index}"] = Count("pk", filter=GreaterThan(mask.bitand(bit), 0))
    columns = list(dict.fromkeys(dimension.column for dimension in single))
    if columns:
        rows = facts.values(*columns).annotate(**counts).order_by()
    else:
        rows = [facts.aggregate(**counts)]
    result = []
    for row in rows:
        values = {dimension.name: row[dimension.column] for dimension in single}
        if not multi:
            result.append({"n": row["stat_n"], **values})
            continue
        result.append({"n": row["stat_n"], multi[0].name: EACH_CASE, **values})
        for index, raw in enumerate(_MEANS_BITS):
            result.append({"n": row[f"stat_{index}"], multi[0].name: raw, **values})
    return [row for row in result if row["n"]]


def _summed(rows, names, multi=None) -> list[dict]:
    """Rows of a query summed over every dimension but `names`; `multi` names the query's
    multi-valued dimension if it has one (see _grouped_counts)."""
    sums = defaultdict(int)
    for row in rows:
        if multi is not None and (row[multi] == EACH_CASE) == (multi in names):
            continue  # a per-value row for a table without the dimension, or the reverse
        sums[tuple(row[name] for name in names)] += row["n"]
    return [{"n": n, **dict(zip(names, values, strict=True))} for values, n in sums.items()]


PACKED_GROUPS = 20_000


def _pack(sources) -> list[list[tuple[str, ...]]]:
    """The sources (tables to query) packed into queries, first fit from the largest.

    Tables can share a query: grouped by all their dimensions at once, each table is
    the query's rows summed over the others (exact, as those are single-valued: each
    case is in one row, see _columns_in; the multi-valued one, at most one a query, is
    counted once per value and once per case). One query over three dimensions costs
    much less than three over one (each reads every eligible case's facts), as long as
    the groups stay few: the product of the columns' cardinalities, at most
    PACKED_GROUPS."""
    queries = []  # [multi-valued dimension or None, {column: cardinality}, [sources]]
    parts = {}  # source -> (its multi-valued dimension or None, {column: cardinality})
    for source in sources:
        dimensions = [DIMENSIONS[name] for name in source]
        parts[source] = (
            next((d.name for d in dimensions if d.multi_valued), None),
            {d.column: d.cardinality for d in dimensions if not d.multi_valued},
        )
    largest_first = sorted(
        sources, key=lambda s: (parts[s][0] is None, -math.prod(parts[s][1].values()))
    )
    for source in largest_first:
        multi, single = parts[source]
        for query in queries:
            if multi is not None and query[0] not in (None, multi):
                continue
            if math.prod({**query[1], **single}.values()) <= PACKED_GROUPS:
                query[0] = query[0] or multi
                query[1].update(single)
                query[2].append(source)
                break
        else:
            queries.append([multi, dict(single), [source]])
    return [query[2] for query in queries]


def _generalised_counts(raw_rows, dimensions, ctx) -> dict[tuple[str, ...], int]:
    # Adding groups up is exact: every dimension generalised here is single-valued, and
    # a multi-valued one (means of control) is never merged.
    counts = defaultdict(int)
    for row in raw_rows:
        counts[
            tuple(dimension.generalise(row[dimension.name], ctx) for dimension in dimensions)
        ] += row["n"]
    return counts


def _columns_in(dims, other) -> list[str] | None:
    """The dimensions of table `other` that give the raw values of `dims`, if `other`'s
    grouped rows, summed over its remaining dimensions, are `dims`' own; else None.

    They are when `other` has dimensions of the same fact columns (region's is
    nationality's, a quarter's its month's) and only single-valued ones besides: each
    case is in one row of them, so it is counted once.
    """
    columns, rest = [], list(other)
    for name in dims:
        wanted = DIMENSIONS[name].column
        column = next((o for o in rest if DIMENSIONS[o].column == wanted), None)
        if column is None:
            return None
        columns.append(column)
        rest.remove(column)
    if any(DIMENSIONS[name].multi_valued for name in rest):
        return None
    return columns


def _source(dims, tables) -> tuple[tuple[str, ...], list[str]]:
    """The table of the release to query for `dims` (the first of the widest that hold
    its counts, maybe itself) and its columns for `dims`. Holding is transitive, so the
    source of a source is itself."""
    for other in sorted(tables, key=len, reverse=True):
        if len(other) < len(dims):
            break
        columns = _columns_in(dims, other)
        if columns is not None:
            return other, columns
    return dims, list(dims)


def _validated_tables(tables) -> list[tuple[str, ...]]:
    result = []
    for table in tables:
        table = tuple(table)
        if not 1 <= len(table) <= 2 or len(set(table)) != len(table):
            raise ValueError(f"a table has one or two distinct dimensions, not {table!r}")
        for name in table:
            if name not in DIMENSIONS:
                raise ValueError(f"unknown dimension {name!r}")
        result.append(table)
    return result


# Disclosure control ---------------------------------------------------------------------

Key = frozenset  # of (dimension, value) pairs: what a figure counts
Line = tuple[list[Key], Key]  # parts that add up to a whole


def _dims(key: Key) -> frozenset:
    return frozenset(name for name, _value in key)


def _value(key: Key, name: str) -> str:
    return next(value for dimension, value in key if dimension == name)


def _canonical(key: Key):
    return tuple(sorted(key))


def _lines(counts: dict[Key, int]) -> list[tuple[list[Key], Key]]:
    """Every (parts, whole) of published figures where the parts add up to the whole."""
    by_dims = defaultdict(list)
    for key in counts:
        by_dims[_dims(key)].append(key)
    lines = []

    def add(groups):
        for whole in sorted(groups, key=_canonical):
            if whole in counts:
                lines.append((sorted(groups[whole], key=_canonical), whole))

    for dims in sorted(by_dims, key=sorted):
        # Summing over one single-valued dimension: rows, columns, margins, one-way tables.
        for name in sorted(dims):
            if DIMENSIONS[name].multi_valued or (dims - {name}) not in by_dims:
                continue
            groups = defaultdict(list)
            for key in by_dims[dims]:
                groups[key - {(name, _value(key, name))}].append(key)
            add(groups)
        # A coarse value and the finer ones it is made of: region and nationalities,
        # quarter and months.
        for name in sorted(dims):
            coarse = DIMENSIONS.get(name)
            if coarse is None or coarse.coarsens is None:
                continue
            finer, to_coarse = coarse.coarsens
            finer_dims = dims - {name} | {finer}
            if finer in dims or finer_dims not in by_dims:
                continue
            groups = defaultdict(list)
            for key in by_dims[finer_dims]:
                value = _value(key, finer)
                groups[key - {(finer, value)} | {(name, to_coarse(value))}].append(key)
            add(groups)
    return lines


def _cheapest(candidates, counts, lines, lines_of, suppressed):
    """The figure to suppress next: the one that settles the most lines with exactly one
    suppressed figure and opens the fewest new ones, then the smallest."""

    def cost(key):
        knock_on = 0
        for index in lines_of[key]:
            parts, whole = lines[index]
            withheld = sum(part in suppressed for part in parts) + (whole in suppressed)
            knock_on += {0: 1, 1: -1}.get(withheld, 0)
        return (knock_on, counts[key], _canonical(key))

    return min(candidates, key=cost)


def _apply_line_rule(counts, lines, lines_of, suppressed, changed) -> None:
    """Until no line has exactly one suppressed figure: suppress another one of it."""
    queue = deque(sorted({index for key in changed for index in lines_of[key]}))
    while queue:
        parts, whole = lines[queue.popleft()]
        withheld = sum(key in suppressed for key in parts) + (whole in suppressed)
        if withheld != 1:
            continue
        candidates = [key for key in parts if key not in suppressed and counts[key] > 0]
        if not candidates and whole not in suppressed and counts[whole] > 0:
            candidates = [whole]
        if candidates:
            pick = _cheapest(candidates, counts, lines, lines_of, suppressed)
            suppressed.add(pick)
            queue.extend(lines_of[pick])


def _recoverable(lines, suppressed) -> set[Key]:
    """The suppressed figures that the lines, as linear equations, determine exactly.

    A line whose every suppressed figure sits in other lines can still give one away in
    combination (two suppressed rectangles joined by a single cell, for instance): a
    figure is determined when its unit vector lies in the row space of the equations
    over the suppressed figures, i.e. when the reduced echelon form has a row with that
    figure alone. Exact arithmetic (Fractions); the system is small and sparse.
    """
    pivots = _reduced(lines, suppressed, _canonical)
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def _reduced(lines, suppressed, order: Callable[[Key], Any]) -> dict[Key, dict[Key, Fraction]]:
    """The lines over the suppressed figures (shown ones are constants) in fully reduced
    echelon form: pivot figure -> its row (coefficients, the pivot's 1 included). Each
    row's pivot is its first figure in `order` once the rows before it are applied: with
    an order that puts some figures first, a row whose pivot is not one of them holds
    none of them (its row had none left; rows mixed into it later had none either)."""
    pivots: dict[Key, dict[Key, Fraction]] = {}  # pivot figure -> its reduced row
    holding: dict[Key, set[Key]] = defaultdict(set)  # figure -> pivots whose row holds it
    for parts, whole in lines:
        row: dict[Key, Fraction] = defaultdict(int)  # ints until a division needs more
        for key in parts:
            if key in suppressed:
                row[key] += 1
        if whole in suppressed:
            row[whole] -= 1
        row = {key: value for key, value in row.items() if value}
        for pivot in [key for key in row if key in pivots]:
            factor = row.get(pivot)
            if not factor:
                continue
            for key, value in pivots[pivot].items():
                row[key] = row.get(key, 0) - factor * value
                if not row[key]:
                    del row[key]
        if not row:
            continue
        pivot = min(row, key=order)
        scale = row[pivot]
        row = {key: _divided(value, scale) for key, value in row.items()}
        # Keep every stored row free of the new pivot: fully reduced form.
        for other in list(holding[pivot]):
            other_row = pivots[other]
            factor = other_row.pop(pivot)
            for key, value in row.items():
                if key == pivot:
                    continue
                updated = other_row.get(key, 0) - factor * value
                if updated:
                    if key not in other_row:
                        holding[key].add(other)
                    other_row[key] = updated
                else:
                    other_row.pop(key, None)
                    holding[key].discard(other)
        holding.pop(pivot, None)
        pivots[pivot] = row
        for key in row:
            if key != pivot:
                holding[key].add(pivot)
    return pivots


def primary_suppressions(counts: dict[Key, int], k: int) -> set[Key]:
    """The figures withheld for being small: counts from 1 to k-1."""
    return {key for key, count in counts.items() if 0 < count < k}


def _held(
    counts: dict[Key, int], suppressed: set[Key], primary: set[Key], k: int
) -> dict[Key, int]:
    """The withheld figures that sit at one end of what their mark says, each -> the one
    way it can move: +1 for "<k" at 1 and "suppressed" at exactly k (secondary
    suppression picks neither small nor zero figures, so "suppressed" means k or more),
    -1 for "<k" at k-1."""
    held = {}
    for key in suppressed:
        count = counts[key]
        if key in primary:
            if count == 1:
                held[key] = 1
            elif count == k - 1:
                held[key] = -1
        elif count == k:
            held[key] = 1
    return held


def _reduced_for_ranges(
    counts: dict[Key, int], lines: list[Line], suppressed: set[Key], primary: set[Key], k: int
) -> tuple[dict[Key, int], dict[Key, dict[Key, Fraction]]]:
    """(`_held`, the lines reduced with the figures not held as pivots first)."""
    held = _held(counts, suppressed, primary, k)
    order = {key: (key in held, _canonical(key)) for key in suppressed}
    return held, _reduced(lines, suppressed, order.__getitem__)


def _exposed(
    counts: dict[Key, int],
    lines: list[Line],
    suppressed: set[Key],
    primary: set[Key],
    k: int,
    reduced: tuple[dict[Key, int], dict[Key, dict[Key, Fraction]]] | None = None,
) -> dict[Key, int]:
    """The primary figures whose range a reader can narrow to their count (the rule in
    `suppress_small_cells`), each -> the way it must be able to move: +1 (up), or -1
    for a count of k-1. `reduced`: `_reduced_for_ranges`, if already computed.

    A figure can move its way when some change of the withheld figures keeps every
    line's sum, moves it that way and moves no figure out of what its mark says. Only
    the figures at an end of their mark (`_held`) constrain that: with the other
    figures as pivots first, the rows left hold held figures only, and the question is
    whether some y >= 0 (each held figure's change, times its way) with those rows at
    zero moves the figure (`_best_change`). A primary figure that is no pivot and not
    held, or whose row holds another figure not held, always can: that one takes up
    the change.
    """
    held, pivots = reduced or _reduced_for_ranges(counts, lines, suppressed, primary, k)
    cone = [
        {key: value * held[key] for key, value in row.items()}
        for pivot, row in pivots.items()
        if pivot in held
    ]
    rows_of = defaultdict(list)  # held figure -> the rows of `cone` that hold it
    for index, row in enumerate(cone):
        for key in row:
            rows_of[key].append(index)
    ways, goals = {}, {}  # figure -> its way; -> its change as a function of y
    for key in primary:
        ways[key] = way = 1 if counts[key] < k - 1 else -1
        if key in held:
            goal = {key: 1}  # held[key] is its way
        elif key in pivots and all(other in held for other in pivots[key] if other != key):
            # Its change is minus its row's other terms: -sum(row[o] * held[o] * y[o]).
            goal = {o: -way * v * held[o] for o, v in pivots[key].items() if o != key}
        else:
            continue
        if not any(value > 0 and not rows_of[other] for other, value in goal.items()):
            goals[key] = goal  # else a held figure no row holds moves it alone
    goals_of = defaultdict(list)  # held figure -> the goals that hold it
    for key, goal in goals.items():
        for other in goal:
            goals_of[other].append(key)
    moved = set()

    def witness(y):
        # One change often moves several figures their way: those need no other.
        for figure in {figure for other in y for figure in goals_of[other]} - moved:
            if sum(value * y.get(other, 0) for other, value in goals[figure].items()) > 0:
                moved.add(figure)

    # The held primary figures together: the most of them one change can move, each
    # capped at 1, until no change moves any of those left (then none can: a change
    # that moved one, scaled down, would have counted).
    left = {key for key in goals if key in held}
    while left:
        y = _best_change(cone, rows_of, dict.fromkeys(left, 1), [{key: 1} for key in left])
        if y is None:
            break
        witness(y)
        left -= moved
    exposed = {}
    for key in sorted(goals, key=_canonical):
        if key in moved:
            continue
        y = None if key in held else _best_change(cone, rows_of, goals[key], [goals[key]], True)
        if y is None:
            exposed[key] = ways[key]
        else:
            witness(y)
    return exposed


def _divided(value: int | Fraction, by: int | Fraction) -> int | Fraction:
    """value / by, exactly: ints stay ints where they can (faster than Fractions)."""
    if by == 1:
        return value
    if by == -1:
        return -value
    return Fraction(value) / by


def _best_change(
    rows: list[dict[Key, Fraction]],
    rows_of: dict[Key, list[int]],
    objective: dict[Key, Fraction],
    caps: list[dict[Key, Fraction]],
    first: bool = False,
) -> dict[Key, Fraction] | None:
    """The y >= 0 with row . y = 0 for every row and cap . y <= 1 for every cap that
    maximises objective . y (with `first`, the first one found with objective . y > 0),
    or None if that maximum is 0. The simplex method, exact, Bland's rule (no cycling),
    from y = 0; each row = 0 as row . y <= 0 and -(sum of the rows) . y <= 0. Only the
    rows linked to the objective's figures take part: the others can stay at 0."""
    figures, used, pending = set(), set(), [key for key, value in objective.items() if value]
    while pending:
        key = pending.pop()
        if key not in figures:
            figures.add(key)
            for index in rows_of[key]:
                if index not in used:
                    used.add(index)
                    pending.extend(rows[index])
    variables = sorted(figures, key=_canonical)
    column = {key: index for index, key in enumerate(variables)}
    constraints = [{column[key]: value for key, value in rows[i].items()} for i in sorted(used)]
    summed = defaultdict(int)
    for constraint in constraints:
        for j, value in constraint.items():
            summed[j] -= value
    constraints.append({j: value for j, value in summed.items() if value})
    bounds = [0] * len(constraints) + [1] * len(caps)
    constraints += [{column[key]: value for key, value in cap.items() if value} for cap in caps]
    # Tableau: constraint i has the slack variable len(variables) + i, basic at first.
    tableau = [{**row, len(variables) + i: 1} for i, row in enumerate(constraints)]
    basis = [len(variables) + i for i in range(len(constraints))]
    cost = {column[key]: value for key, value in objective.items() if value}  # reduced
    gained = 0
    while True:
        entering = min((j for j, value in cost.items() if value > 0), default=None)
        if entering is None or (first and gained > 0):
            break
        leaving = min(
            (
                (_divided(bounds[i], row[entering]), basis[i], i)
                for i, row in enumerate(tableau)
                if row.get(entering, 0) > 0
            ),
            default=None,
        )
        if leaving is None:
            return None  # unbounded, impossible under the caps: withhold more
        r = leaving[2]
        scale = tableau[r][entering]
        pivot_row = {j: _divided(value, scale) for j, value in tableau[r].items()}
        tableau[r], bounds[r], basis[r] = pivot_row, _divided(bounds[r], scale), entering
        for i, row in enumerate(tableau):
            factor = row.get(entering, 0) if i != r else 0
            if factor:
                for j, value in pivot_row.items():
                    updated = row.get(j, 0) - factor * value
                    if updated:
                        row[j] = updated
                    else:
                        row.pop(j, None)
                bounds[i] -= factor * bounds[r]
        factor = cost[entering]
        for j, value in pivot_row.items():
            updated = cost.get(j, 0) - factor * value
            if updated:
                cost[j] = updated
            else:
                cost.pop(j, None)
        gained += factor * bounds[r]
    if gained <= 0:
        return None
    return {
        variables[j]: bounds[i] for i, j in enumerate(basis) if j < len(variables) and bounds[i]
    }


def _easing(
    exposed: dict[Key, int],
    counts: dict[Key, int],
    lines: list[Line],
    lines_of: dict[Key, list[int]],
    suppressed: set[Key],
    k: int,
) -> set[Key]:
    """The shown figures nearest the exposed ones that, withheld, may let them move:
    first those of their own lines that could take up the move (one that would move
    down needs more than k, as "suppressed" says k or more; any may move up), then any
    shown non-zero figure of their lines, then of the lines of the withheld figures in
    those, and so on."""
    easing = set()
    for key, way in exposed.items():
        for index in lines_of[key]:
            parts, whole = lines[index]
            sign = -1 if key == whole else 1
            for figure, figure_sign in (*((part, 1) for part in parts), (whole, -1)):
                if figure in suppressed or counts[figure] <= 0:
                    continue
                # Keeping the line's sum, it moves against `key`'s signed move.
                if -way * sign * figure_sign > 0 or counts[figure] > k:
                    easing.add(figure)
    if easing:
        return easing
    reached, seen, frontier = set(exposed), set(), set(exposed)
    while frontier:
        shown, further = set(), set()
        for key in frontier:
            for index in lines_of[key]:
                if index in seen:
                    continue
                seen.add(index)
                for figure in (*lines[index][0], lines[index][1]):
                    if figure not in suppressed:
                        if counts[figure] > 0:
                            shown.add(figure)
                    elif figure not in reached:
                        reached.add(figure)
                        further.add(figure)
        if shown:
            return shown
        frontier = further
    return set()


def suppress_small_cells(counts: dict[Key, int], k: int) -> set[Key]:
    """The figures to withhold: primary (1..k-1), then secondary until none is exposed.

    Secondary: no line may have exactly one suppressed figure, no suppressed figure may
    be determined by all the lines taken together, and no primary figure's range may
    be narrowed to its count. The range is what a reader who knows the algorithm can
    work out from all the lines together (as a linear programme), the shown figures and
    what the marks say: "<k" is 1 to k-1, "suppressed" k or more. The rule: the range
    of a figure marked "<k" reaches above its count, or below it for a count of k-1
    (the top of "<k"). So it always holds two values or more, and, as a reader can
    never bound it by its own count from above, a cell of 1 or 2 never reads as "at
    most 1" or "at most 2": what singles people out is a small upper bound. A figure
    that withholding every figure would leave narrowed (the marks alone pin it) gets
    nothing more withheld for it: nothing would help.
    """
    primary = primary_suppressions(counts, k)
    suppressed = set(primary)
    lines = _lines(counts)
    lines_of = defaultdict(list)
    for index, (parts, whole) in enumerate(lines):
        for key in (*parts, whole):
            lines_of[key].append(index)
    changed = set(suppressed)
    marked_alone = None  # primary figures no suppression can protect (computed if needed)
    while changed:
        _apply_line_rule(counts, lines, lines_of, suppressed, changed)
        reduced = _reduced_for_ranges(counts, lines, suppressed, primary, k)
        # What `_recoverable` finds: a figure is determined when its row holds it alone,
        # whichever figures are pivots first.
        recoverable = {pivot for pivot, row in reduced[1].items() if len(row) == 1}
        # Ranges only once nothing is determined: a determined figure has none.
        exposed = {} if recoverable else _exposed(counts, lines, suppressed, primary, k, reduced)
        if exposed and marked_alone is None:
            # Withholding more only widens ranges; what withholding every figure leaves
            # exposed, the marks alone expose (four cells of 1 under a total of 4, k = 5,
            # are 1 each): nothing to withhold for those.
            everything = {key for key, count in counts.items() if count > 0}
            marked_alone = set(_exposed(counts, lines, everything, primary, k))
        exposed = {key: way for key, way in exposed.items() if key not in (marked_alone or ())}
        if not recoverable and not exposed:
            break
        # One figure at a time: it may protect several recoverable ones at once. First
        # from the lines of a recoverable figure; failing that (it is determined only
        # through figures whose lines are all withheld), from any line with a
        # suppressed figure. For exposed figures, the nearest that may let them move.
        if not recoverable:
            candidates = _easing(exposed, counts, lines, lines_of, suppressed, k)
        else:
            candidates = {
                figure
                for key in recoverable
                for index in lines_of[key]
                for figure in (*lines[index][0], lines[index][1])
                if figure not in suppressed and counts[figure] > 0
            } or {
                figure
                for parts, whole in lines
                if any(key in suppressed for key in (*parts, whole))
                for figure in (*parts, whole)
                if figure not in suppressed and counts[figure] > 0
            }
        changed = set()
        if candidates:
            pick = _cheapest(candidates, counts, lines, lines_of, suppressed)
            suppressed.add(pick)
            changed.add(pick)
    return suppressed


def cell_states(counts: dict[Key, int], k: int) -> dict[Key, CellState]:
    """Each figure's state: primary (1..k-1), secondary (withheld to protect one), shown.

    Secondary suppression only ever adds figures to the primary ones, so the two sets
    tell every withheld figure's reason."""
    primary = primary_suppressions(counts, k)
    suppressed = suppress_small_cells(counts, k)
    return {
        key: (
            CellState.PRIMARY
            if key in primary
            else CellState.SECONDARY
            if key in suppressed
            else CellState.SHOWN
        )
        for key in counts
    }


# The release ---------------------------------------------------------------------------


def _table_keys(dims: tuple[str, ...], cells: dict[tuple[str, ...], int]):
    """The figures a table publishes, in display order, with their counts."""
    dimensions = [DIMENSIONS[name] for name in dims]
    published = {}  # Key -> (values dict, count), insertion-ordered

    def put(values: dict[str, str], count: int):
        key = frozenset((name, value) for name, value in values.items() if value != TOTAL)
        published[key] = (values, count)

    if len(dims) == 1:
        (first,) = dimensions
        for (value,), count in sorted(cells.items(), key=lambda item: first.sort_key(item[0][0])):
            put({first.name: value}, count)
        if not first.multi_valued:
            put({first.name: TOTAL}, sum(cells.values()))
        return published

    first, second = dimensions
    row_values = sorted({a for a, _b in cells}, key=first.sort_key)
    column_values = sorted({b for _a, b in cells}, key=second.sort_key)
    row_totals = defaultdict(int)
    column_totals = defaultdict(int)
    for (a, b), count in cells.items():
        row_totals[a] += count
        column_totals[b] += count
    for a in row_values:
        for b in column_values:
            if (a, b) in cells:
                put({first.name: a, second.name: b}, cells[a, b])
        if not second.multi_valued:
            put({first.name: a, second.name: TOTAL}, row_totals[a])
    if not first.multi_valued:
        for b in column_values:
            put({first.name: TOTAL, second.name: b}, column_totals[b])
        if not second.multi_valued:
            put({first.name: TOTAL, second.name: TOTAL}, sum(cells.values()))
    return published


def _snapshot():
    """One consistent snapshot for all the queries of a release, where we can choose it."""
    if connection.in_atomic_block:
        # Too late to choose the isolation level; the caller's transaction decides.
        return contextlib.nullcontext()
    atomic = transaction.atomic()
    if connection.vendor != "postgresql":
        return atomic  # SQLite: a transaction reads one snapshot already

    @contextlib.contextmanager
    def repeatable_read():
        with atomic:
            with connection.cursor() as cursor:
                # One round trip. No JIT: compiling the grouped queries took longer than
                # running them (module docstring).
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off"
                )
            yield

    return repeatable_read()


def build_release(
    organisation_ids,
    tables: list[tuple[str, ...]],
    *,
    k=K_DEFAULT,
    rounding=False,
    period_start=None,
    period_end=None,
    now=None,
) -> Release:
    """The tables, generalised, suppressed and optionally rounded: safe to publish as is."""
    k = validate_k(k)
    tables = _validated_tables(tables)
    facts = eligible_facts(organisation_ids, period_start, period_end)
    nationality = DIMENSIONS["nationality"]

    needed = list(tables)
    if any("nationality" in dims for dims in tables):
        needed.append(("nationality",))  # for the roll-up
    sources = {dims: _source(dims, tables) for dims in needed}
    queries = _pack(list(dict.fromkeys(source for source, _columns in sources.values())))
    # Each query's dimensions, and the query of each source.
    query_dimensions = [
        [DIMENSIONS[name] for name in dict.fromkeys(n for source in packed for n in source)]
        for packed in queries
    ]
    query_of = {source: index for index, packed in enumerate(queries) for source in packed}
    queried = {}  # query index -> its rows

    def grouped(dims):
        source, columns = sources[dims]
        index = query_of[source]
        if index not in queried:
            queried[index] = _grouped_counts(facts, query_dimensions[index])
        multi = next((d.name for d in query_dimensions[index] if d.multi_valued), None)
        return [
            {"n": row["n"], **dict(zip(dims, (row[c] for c in columns), strict=True))}
            for row in _summed(queried[index], columns, multi)
        ]

    with _snapshot():
        raw = {dims: grouped(dims) for dims in tables}
        if any("nationality" in dims for dims in tables):
            one_way = grouped(("nationality",))
            totals = _generalised_counts(one_way, [nationality], _Context())
            ctx = _Context(rolled_up=frozenset(code for (code,), n in totals.items() if 0 < n < k))
        else:
            ctx = _Context()
        excluded = (
            _in_scope(StatisticsFact.objects.all(), organisation_ids, period_start, period_end)
            .filter(eligible=False)
            .count()
        )

    published = {}  # dims -> {Key: (values, count)}
    counts: dict[Key, int] = {}
    for dims in tables:
        cells = _generalised_counts(raw[dims], [DIMENSIONS[name] for name in dims], ctx)
        published[dims] = _table_keys(dims, cells)
        for key, (_values, count) in published[dims].items():
            counts.setdefault(key, count)  # the same figure in several tables: one count
    states = cell_states(counts, k)

    result = []
    for dims in tables:
        table_cells = []
        for key, (values, _count) in published[dims].items():
            count, state = counts[key], states[key]
            if state != CellState.SHOWN:
                count = None
            elif rounding:
                count = rounded(count)
            table_cells.append(Cell(values=dict(values), count=count, state=state))
        result.append(Table(name="__".join(dims), dimensions=dims, cells=table_cells))
    return Release(
        k=k,
        rounding=bool(rounding),
        generated_at=now or timezone.now(),
        tables=result,
        excluded_opt_outs=excluded,
    )


# Microdata -----------------------------------------------------------------------------

MICRODATA_FIELDS = (
    "nationality",
    "sex",
    "age_band",
    "recruitment_year",
    "situation",
    "recruitment_method",
)


# Each level generalises further what the previous one released: (nationality, age band,
# recruitment year, situation, recruitment method) as "country" / "subregion" / "region"
# / "withheld", or kept / withheld. Sex is never generalised.
_MICRODATA_LEVELS = [
    ("country", True, True, True, True),
    ("subregion", True, True, True, True),
    ("subregion", True, False, True, True),
    ("subregion", True, False, True, False),
    ("subregion", True, False, False, False),
    ("region", True, False, False, False),
    ("region", False, False, False, False),
]
WITHHELD = "*"  # a microdata value generalised away (no real value is "*")


def _generalise_record(values, level):
    nationality, sex, age_band, year, situation, method = values
    geography, *keep = level
    if geography == "subregion":
        nationality = _nationality_to_region(nationality)
    elif geography == "region":
        nationality = m49().get(nationality, (NOT_RECORDED, NOT_RECORDED))[1]
    kept = [
        value if keep_it else WITHHELD
        for value, keep_it in zip((age_band, year, situation, method), keep, strict=True)
    ]
    return (geography, nationality, sex, *kept)


def microdata(
    organisation_ids, *, k=K_DEFAULT, period_start=None, period_end=None
) -> tuple[list[dict], int]:
    """CTDC-style records of generalised quasi-identifiers only, k-anonymous over them.

    Fields: MICRODATA_FIELDS, as labels. Each record is released at the first level of
    generalisation at which its combination of all six fields holds at least k records
    (local recoding): first as is (nationality, sex, age band, recruitment year,
    situation, recruitment method), then with the nationality as its M49 sub-region,
    then with the year, the method and the situation withheld in turn, then with the
    M49 region, then with the age band withheld too. Records still in a combination of
    fewer than k are suppressed. Returns (rows, number suppressed). Rows are sorted by
    their values, so their order says nothing about the cases behind them.
    """
    k = validate_k(k)
    dimensions = [
        DIMENSIONS["nationality"],
        DIMENSIONS["sex"],
        DIMENSIONS["age_band"],
        _RECRUITMENT_YEAR,
        DIMENSIONS["situation"],
        DIMENSIONS["recruitment_method"],
    ]
    facts = eligible_facts(organisation_ids, period_start, period_end)
    pending = _generalised_counts(_grouped_counts(facts, dimensions), dimensions, _Context())

    released = defaultdict(int)  # generalised combination -> records
    for level in _MICRODATA_LEVELS:
        classes = defaultdict(list)
        for values, count in pending.items():
            classes[_generalise_record(values, level)].append((values, count))
        pending = {}
        for combination, members in classes.items():
            size = sum(count for _values, count in members)
            if size >= k:
                released[combination] += size
            else:
                pending.update(members)
    suppressed = sum(pending.values())

    withheld, not_recorded = gettext("Withheld"), gettext("Not recorded")
    rows = []
    for (geography, nationality, *values), count in released.items():
        if nationality == NOT_RECORDED:
            origin = not_recorded
        elif geography == "country":
            origin = DIMENSIONS["nationality"].value_label(nationality)
        else:
            origin = labels.region_name(nationality)  # an M49 sub-region or region
        row = {"nationality": origin}
        for dimension, value in zip(dimensions[1:], values, strict=True):
            row[dimension.name] = withheld if value == WITHHELD else dimension.value_label(value)
        rows.extend(dict(row) for _ in range(count))
    rows.sort(key=lambda row: tuple(row[name] for name in MICRODATA_FIELDS))
    return rows, suppressed
