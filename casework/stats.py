"""Anonymised statistics and their disclosure control (SPEC section 6).

What counts
    `eligible_cases` is the only source of every figure: the cases of the given
    organisations opened (``Case.created_at``) in the period that carry an ACTIVE
    "include in statistics" consent. This is the conservative reading of "cases whose
    person opted out are left out": a withdrawn consent leaves the case out, and so does
    a case on which no statistics consent was ever recorded. Consent is recorded per
    case, so a person's new case needs its own. A withdrawn consent followed by a new
    given one counts as given. Period bounds that are dates are inclusive calendar days
    (in the current time zone); datetimes give the half-open interval [start, end).

How it is counted
    Every table's counts come from one grouped query in the database
    (``values(...).annotate(Count("id"))``); Python only relabels and adds up the
    groups, never loops over cases. A table whose counts another table of the release
    holds is not queried but summed from that one's groups, to the same counts: a
    one-way table from a cross-tabulation with it, region from nationality (one
    expression); see `_columns_in`. Counting rows counts cases: every single-valued
    dimension follows foreign keys and one-to-one relations or is a scalar subquery, so
    a case is one row; only a table with a multi-valued dimension counts
    ``distinct=True`` (which makes PostgreSQL sort every row instead of hashing the
    groups). The snapshot's transaction turns PostgreSQL's JIT compilation off: on these
    queries it cost more than it saved, up to seconds a query over a million cases.

    Generalisation happens first: age in 10-year bands with an open top band (age at
    recruitment if its month is known, else at the opening of the case; from the date of
    birth, else the birth year), dates to month or quarter, places to countries. A
    person's nationality and region are those of their first nationality in ISO code
    order, so every case counts once in each. A nationality with fewer than k cases in
    the release is rolled up into its UN M49 sub-region ("Eastern Africa (other
    countries)") in the nationality table and in every cross-tabulation with it.

    "Means of control" is the one multi-valued dimension: a case counts once under each
    means reported for it (cases with none under "Not recorded"), so its counts add up
    to more than the number of cases. No total is published across means: its one-way
    table has no Total row, and a cross-tabulation with it has no grand total and no
    totals summed over the means.

Disclosure control, applied inside `build_release` to every figure
    1. Primary suppression: a count from 1 to k-1 is published as "<k". Zero may show
       (tables list observed combinations only, so it is rare). Secondary suppressions
       below are shown as "<k" too, so that the two cannot be told apart: a figure
       shown as "<k" may in fact be k or more.
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
       (Intervals are not protected: a suppressed figure is known to lie between 1 and
       k-1, or within what its lines leave.)
    3. Optional rounding: every published count, totals included, to a multiple of 5
       (half up; a positive count never becomes 0). Rounded totals need not equal the
       sum of their rounded cells.
    Only vocabulary labels, country and M49 region names, bands, months and quarters
    are released: values outside a vocabulary are shown as "Not recorded".

`microdata` is the CTDC-style record-level export: one row per eligible case with only
generalised quasi-identifiers, k-anonymous over them (see its docstring).
"""

import contextlib
import csv
import datetime
import functools
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as SqlCase  # the SQL CASE, not a casework Case
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
    TruncMonth,
    TruncQuarter,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework.models import Case, Consent, Nationality
from casework.vocabularies import (
    CaseStatus,
    ConsentScope,
    ConsentStatus,
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
AGE_BANDS = [(None, 20, "<20"), (20, 30, "20-29"), (30, 40, "30-39"), (40, 50, "40-49")]
AGE_TOP_BAND = (50, "50+")


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
    """One thing cases are counted by: its query expression, generalisation and labels."""

    name: str
    label: Any  # lazy translation
    expression: Callable[[], Any] = field(repr=False, compare=False)
    # Raw database value -> published value (a stable key, "" for not recorded).
    generalise: Callable[[Any, _Context], str] = field(repr=False, compare=False)
    # Published value -> label in the active language.
    label_value: Callable[[str], str] = field(repr=False, compare=False)
    sort_key: Callable[[str], Any] = field(repr=False, compare=False)
    multi_valued: bool = False
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


def _choice_dimension(name, label, path, choices, multi_valued=False):
    labels = dict(choices.choices)
    order = {value: index for index, value in enumerate(labels)}
    return Dimension(
        name=name,
        label=label,
        expression=lambda: F(path),
        generalise=lambda raw, ctx: raw if raw in labels else NOT_RECORDED,
        label_value=lambda value: labels[value],
        sort_key=_last_if_not_recorded(order.__getitem__),
        multi_valued=multi_valued,
    )


def _first_nationality():
    return Subquery(
        Nationality.objects.filter(person_id=OuterRef("person_id"))
        .order_by("country")
        .values("country")[:1]
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
        return gettext("%(region)s (other countries)") % {"region": value[len(ROLLED_UP) :]}
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


def _age_band_expression():
    """Age at recruitment (or at the opening of the case) banded in the database."""
    reference = Coalesce(
        "recruitment__recruited_in", TruncDate("created_at"), output_field=DateField()
    )
    birth = "person__date_of_birth"
    born = Coalesce(ExtractYear(birth), F("person__birth_year"), output_field=IntegerField())
    before_birthday = LessThan(
        ExtractMonth(reference) * 100 + ExtractDay(reference),
        ExtractMonth(birth) * 100 + ExtractDay(birth),
    )
    age = (
        ExtractYear(reference)
        - born
        - SqlCase(
            When(before_birthday, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    )
    bands = [When(LessThan(age, upper), then=Value(band)) for _lower, upper, band in AGE_BANDS]
    bands.append(When(GreaterThanOrEqual(age, AGE_TOP_BAND[0]), then=Value(AGE_TOP_BAND[1])))
    return SqlCase(*bands, default=Value(NOT_RECORDED))


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


def _period_dimensions(prefix, label_month, label_quarter, path):
    chronological = _last_if_not_recorded(str)
    month = Dimension(
        name=f"{prefix}_month",
        label=label_month,
        expression=lambda: TruncMonth(path),
        generalise=_month,
        label_value=str,
        sort_key=chronological,
    )
    quarter = Dimension(
        name=f"{prefix}_quarter",
        label=label_quarter,
        expression=lambda: TruncQuarter(path),
        generalise=_quarter,
        label_value=str,
        sort_key=chronological,
        coarsens=(month.name, _month_to_quarter),
    )
    return month, quarter


def _build_dimensions():
    recruitment_month, recruitment_quarter = _period_dimensions(
        "recruitment",
        _("Month of recruitment"),
        _("Quarter of recruitment"),
        "recruitment__recruited_in",
    )
    capture_month, capture_quarter = _period_dimensions(
        "capture", _("Month of capture"), _("Quarter of capture"), "recruitment__captured_on"
    )
    dimensions = [
        Dimension(
            name="nationality",
            label=_("Nationality"),
            expression=_first_nationality,
            generalise=_generalise_nationality,
            label_value=_nationality_label,
            sort_key=_nationality_sort_key,
        ),
        Dimension(
            name="region",
            label=_("Region of origin (UN M49)"),
            expression=_first_nationality,
            generalise=lambda raw, ctx: m49_subregion(raw),
            label_value=str,
            sort_key=_last_if_not_recorded(str),
            coarsens=("nationality", _nationality_to_region),
        ),
        _choice_dimension(
            "recruitment_method", _("Recruitment method"), "recruitment__method", RecruitmentMethod
        ),
        _choice_dimension("platform", _("Platform"), "recruitment__platform", Platform),
        _choice_dimension(
            "promised_job", _("Promised job"), "recruitment__promised_job", PromisedJob
        ),
        _choice_dimension(
            "means_of_control",
            _("Means of control"),
            "recruitment__means_of_control__means",
            MeansOfControl,
            multi_valued=True,
        ),
        _choice_dimension("situation", _("Current situation"), "situation", Situation),
        _choice_dimension("status", _("Case status"), "status", CaseStatus),
        _choice_dimension("sex", _("Sex"), "person__sex", Sex),
        Dimension(
            name="age_band",
            label=_("Age band"),
            expression=_age_band_expression,
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
    expression=lambda: ExtractYear("recruitment__recruited_in"),
    generalise=lambda raw, ctx: f"{raw:04d}" if isinstance(raw, int) else NOT_RECORDED,
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


@dataclass
class Cell:
    """One published figure. ``values`` maps each dimension to a stable value key (an ISO
    code, a vocabulary value, "m49:<sub-region>", a band, "2025-03", "2025-Q1", "" for not
    recorded, or TOTAL); ``Table.rows`` turns them into labels."""

    values: dict[str, str]
    count: int | None
    suppressed: bool

    @property
    def is_total(self) -> bool:
        return TOTAL in self.values.values()


@dataclass
class Table:
    name: str
    dimensions: tuple[str, ...]
    cells: list[Cell]

    @property
    def title(self) -> str:
        return " × ".join(str(DIMENSIONS[name].label) for name in self.dimensions)

    def rows(self, k) -> list[dict]:
        """[{"<dimension>": "<value label>", ..., "count": int or "<k"}], totals included."""
        return [
            {
                **{
                    name: DIMENSIONS[name].value_label(cell.values[name])
                    for name in self.dimensions
                },
                "count": f"<{k}" if cell.suppressed else cell.count,
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

    def as_json_dict(self) -> dict:
        return {
            "k": self.k,
            "rounding": self.rounding,
            "generated_at": self.generated_at.isoformat(),
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


def _active_statistics_consent():
    return Consent.objects.filter(
        case=OuterRef("pk"),
        scope=ConsentScope.INCLUDE_IN_STATISTICS,
        status=ConsentStatus.GIVEN,
    )


def _in_scope(organisation_ids, period_start, period_end) -> QuerySet:
    cases = Case.objects.filter(organisation_id__in=organisation_ids)
    if period_start is not None:
        if isinstance(period_start, datetime.datetime):
            cases = cases.filter(created_at__gte=period_start)
        else:
            cases = cases.filter(created_at__date__gte=period_start)
    if period_end is not None:
        if isinstance(period_end, datetime.datetime):
            cases = cases.filter(created_at__lt=period_end)
        else:
            cases = cases.filter(created_at__date__lte=period_end)
    return cases


def eligible_cases(organisation_ids, period_start=None, period_end=None) -> QuerySet:
    """The cases statistics count: those orgs', opened in the period, with active consent."""
    return _in_scope(organisation_ids, period_start, period_end).filter(
        Exists(_active_statistics_consent())
    )


def _grouped_counts(cases: QuerySet, dimensions: Iterable[Dimension]) -> list[dict]:
    """One query: distinct cases per combination of the dimensions' raw values."""
    # Aliased: "status" and "situation" are also the names of Case's fields.
    aliases = {f"stat_{dimension.name}": dimension for dimension in dimensions}
    # Only a multi-valued dimension joins several rows per case (see the module docstring).
    distinct = any(dimension.multi_valued for dimension in aliases.values())
    rows = (
        cases.annotate(**{alias: dimension.expression() for alias, dimension in aliases.items()})
        .values(*aliases)
        .annotate(stat_n=Count("id", distinct=distinct))
        .order_by()
    )
    return [
        {"n": row["stat_n"], **{d.name: row[alias] for alias, d in aliases.items()}} for row in rows
    ]


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

    They are when `other` has the same expressions (region's is nationality's) and only
    single-valued ones besides: each case is in one row of them, so it is counted once.
    """
    columns, rest = [], list(other)
    for name in dims:
        expression = DIMENSIONS[name].expression
        column = next((o for o in rest if DIMENSIONS[o].expression is expression), None)
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
    pivots: dict[Key, dict[Key, Fraction]] = {}  # pivot figure -> its reduced row
    holding: dict[Key, set[Key]] = defaultdict(set)  # figure -> pivots whose row holds it
    for parts, whole in lines:
        row: dict[Key, Fraction] = defaultdict(Fraction)
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
        pivot = min(row, key=_canonical)
        scale = row[pivot]
        row = {key: value / scale for key, value in row.items()}
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
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def suppress_small_cells(counts: dict[Key, int], k: int) -> set[Key]:
    """The figures to withhold: primary (1..k-1), then secondary until none is recoverable.

    Secondary: no line may have exactly one suppressed figure, and no suppressed figure
    may be determined by all the lines taken together.
    """
    suppressed = {key for key, count in counts.items() if 0 < count < k}
    lines = _lines(counts)
    lines_of = defaultdict(list)
    for index, (parts, whole) in enumerate(lines):
        for key in (*parts, whole):
            lines_of[key].append(index)
    changed = set(suppressed)
    while changed:
        _apply_line_rule(counts, lines, lines_of, suppressed, changed)
        recoverable = _recoverable(lines, suppressed)
        if not recoverable:
            break
        # One figure at a time: it may protect several recoverable ones at once. First
        # from the lines of a recoverable figure; failing that (it is determined only
        # through figures whose lines are all withheld), from any line with a
        # suppressed figure.
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
    cases = eligible_cases(organisation_ids, period_start, period_end)
    nationality = DIMENSIONS["nationality"]

    queried = {}  # table -> its grouped rows

    def grouped(dims):
        source, columns = _source(dims, tables)
        if source not in queried:
            queried[source] = _grouped_counts(cases, [DIMENSIONS[name] for name in source])
        if source == dims:
            return queried[source]
        sums = defaultdict(int)
        for row in queried[source]:
            sums[tuple(row[column] for column in columns)] += row["n"]
        return [{"n": n, **dict(zip(dims, values, strict=True))} for values, n in sums.items()]

    with _snapshot():
        raw = {dims: grouped(dims) for dims in tables}
        if any("nationality" in dims for dims in tables):
            one_way = grouped(("nationality",))
            totals = _generalised_counts(one_way, [nationality], _Context())
            ctx = _Context(rolled_up=frozenset(code for (code,), n in totals.items() if 0 < n < k))
        else:
            ctx = _Context()
        excluded = (
            _in_scope(organisation_ids, period_start, period_end)
            .exclude(Exists(_active_statistics_consent()))
            .count()
        )

    published = {}  # dims -> {Key: (values, count)}
    counts: dict[Key, int] = {}
    for dims in tables:
        cells = _generalised_counts(raw[dims], [DIMENSIONS[name] for name in dims], ctx)
        published[dims] = _table_keys(dims, cells)
        for key, (_values, count) in published[dims].items():
            counts.setdefault(key, count)  # the same figure in several tables: one count
    suppressed = suppress_small_cells(counts, k)

    result = []
    for dims in tables:
        table_cells = []
        for key, (values, _count) in published[dims].items():
            count = counts[key]
            hidden = key in suppressed
            table_cells.append(
                Cell(
                    values=dict(values),
                    count=None if hidden else (rounded(count) if rounding else count),
                    suppressed=hidden,
                )
            )
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
    cases = eligible_cases(organisation_ids, period_start, period_end)
    pending = _generalised_counts(_grouped_counts(cases, dimensions), dimensions, _Context())

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
            origin = nationality  # an M49 sub-region or region name
        row = {"nationality": origin}
        for dimension, value in zip(dimensions[1:], values, strict=True):
            row[dimension.name] = withheld if value == WITHHELD else dimension.value_label(value)
        rows.extend(dict(row) for _ in range(count))
    rows.sort(key=lambda row: tuple(row[name] for name in MICRODATA_FIELDS))
    return rows, suppressed
