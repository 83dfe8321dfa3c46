"""Which cases a release counts, and the grouped queries that count them.

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
    From the statistics facts (`casework.stats.facts`): one row per case holding the raw
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
    fast. Means of control is grouped by its bit mask and counted per value in Python
    (a few thousand masks), not per value in the query (a test per value and row). The
    cases left out for lack of consent are counted by one of the grouped queries,
    grouped by eligibility too (`count_tables`), not by a query of their own. Counting
    rows counts cases, as a case is one row. The snapshot's transaction turns
    PostgreSQL's JIT compilation off: on these queries it cost more than it saved.
    Measured at a million cases (tests/bench/stats.py), hashing the grouped text
    columns costs about as much as reading the rows: a query per packed group of
    tables, run in parallel, beat one GROUPING SETS query (never parallel) on an idle
    machine, and a narrower table for some columns saved little (a fifth of one query).
"""

import contextlib
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, QuerySet

from casework.models import Case
from casework.stats.dimensions import DIMENSIONS, Dimension
from casework.stats.facts import MEANS_BITS, MEANS_NOT_RECORDED_BIT, active_statistics_consent
from casework.stats.models import StatisticsFact


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


def facts_in_scope(organisation_ids, period_start=None, period_end=None) -> QuerySet:
    """The facts of every case of these organisations and period, eligible or not: the
    eligible ones are `eligible_facts`, the others those `eligible_cases` leaves out for
    lack of an active statistics consent."""
    return _in_scope(StatisticsFact.objects.all(), organisation_ids, period_start, period_end)


# Means of control as the fact table holds it: raw value -> bit (None: not recorded).
_MEANS_BITS: dict[str | None, int] = {None: MEANS_NOT_RECORDED_BIT, **dict(MEANS_BITS.items())}
# The value of a multi-valued dimension in a row that counts each case once.
EACH_CASE = "*each case*"


def _grouped_rows(facts: QuerySet, columns: list[str]) -> list[dict]:
    """One query: [{"stat_n": cases, column: raw value}] per combination of the columns."""
    if not columns:
        return [facts.aggregate(stat_n=Count("pk"))]
    return list(facts.values(*columns).annotate(stat_n=Count("pk")).order_by())


def _by_dimension(rows, dimensions: list[Dimension]) -> list[dict]:
    """Grouped rows of fact columns -> rows of dimension values ({"n": cases, name: raw}).

    The multi-valued dimension (means of control), grouped by its bit mask, gives each
    row once per value, for the cases whose mask has its bit, and once more as
    EACH_CASE (every case once), for the tables packed with it that do not have it."""
    single = [dimension for dimension in dimensions if not dimension.multi_valued]
    multi = [dimension for dimension in dimensions if dimension.multi_valued]
    if len(multi) > 1:
        raise ValueError("a query has at most one multi-valued dimension")
    result = []
    for row in rows:
        n = row["stat_n"]
        if not n:
            continue  # the one row of a query without columns, over no case
        values = {dimension.name: row[dimension.column] for dimension in single}
        if not multi:
            result.append({"n": n, **values})
            continue
        mask = row[multi[0].column]
        result.append({"n": n, multi[0].name: EACH_CASE, **values})
        result.extend(
            {"n": n, multi[0].name: raw, **values} for raw, bit in _MEANS_BITS.items() if mask & bit
        )
    return result


def grouped_counts(facts: QuerySet, dimensions: Iterable[Dimension]) -> list[dict]:
    """One query: cases per combination of the dimensions' raw values.

    A multi-valued dimension (means of control, a bit mask) is grouped by its mask, a
    few thousand combinations at most, and counted per value here (`_by_dimension`):
    cheaper than counting each value in the query, which costs every row a test per
    value."""
    dimensions = list(dimensions)
    columns = list(dict.fromkeys(dimension.column for dimension in dimensions))
    return _by_dimension(_grouped_rows(facts, columns), dimensions)


def _summed(rows, names, multi=None) -> list[dict]:
    """Rows of a query summed over every dimension but `names`; `multi` names the query's
    multi-valued dimension if it has one (see grouped_counts)."""
    sums: dict[tuple, int] = defaultdict(int)
    for row in rows:
        if multi is not None and (row[multi] == EACH_CASE) == (multi in names):
            continue  # a per-value row for a table without the dimension, or the reverse
        sums[tuple(row[name] for name in names)] += row["n"]
    return [{"n": n, **dict(zip(names, values, strict=True))} for values, n in sums.items()]


PACKED_GROUPS = 20_000


@dataclass
class _Query:
    """Tables packed into one query (see _pack)."""

    multi: str | None  # its multi-valued dimension, if any
    cardinalities: dict[str, int]  # column -> cardinality, of its dimensions
    sources: list[tuple[str, ...]]  # the tables it serves


def _pack(sources) -> list[list[tuple[str, ...]]]:
    """The sources (tables to query) packed into queries, first fit from the largest.

    Tables can share a query: grouped by all their dimensions at once, each table is
    the query's rows summed over the others (exact, as those are single-valued: each
    case is in one row, see _columns_in; the multi-valued one, at most one a query, is
    grouped by its mask and counted once per value and once per case). One query over
    three dimensions costs much less than three over one (each reads every eligible
    case's facts), as long as the groups stay few: the product of the columns'
    cardinalities, at most PACKED_GROUPS."""
    queries: list[_Query] = []
    # source -> (its multi-valued dimension or None, {column: cardinality})
    parts: dict[tuple[str, ...], tuple[str | None, dict[str, int]]] = {}
    for source in sources:
        dimensions = [DIMENSIONS[name] for name in source]
        parts[source] = (
            next((d.name for d in dimensions if d.multi_valued), None),
            {d.column: d.cardinality for d in dimensions},
        )
    largest_first = sorted(
        sources, key=lambda s: (parts[s][0] is None, -math.prod(parts[s][1].values()))
    )
    for source in largest_first:
        multi, columns = parts[source]
        for query in queries:
            if multi is not None and query.multi not in (None, multi):
                continue
            if math.prod({**query.cardinalities, **columns}.values()) <= PACKED_GROUPS:
                query.multi = query.multi or multi
                query.cardinalities.update(columns)
                query.sources.append(source)
                break
        else:
            queries.append(_Query(multi, dict(columns), [source]))
    return [query.sources for query in queries]


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


# Each table -> its rows ({"n": cases, name: raw value}).
TableCounts = dict[tuple[str, ...], list[dict]]


def count_tables(scope: QuerySet, tables, also=()) -> tuple[TableCounts, int]:
    """Each table's eligible cases per combination of its dimensions' raw values, as rows
    ({"n": cases, name: raw value}), for `tables` and the tables `also` needed; and the
    cases left out, for lack of an active statistics consent. `scope` is the facts of
    the organisations and period (`facts_in_scope`).

    Each table is summed from the first of `tables` that holds its counts (`_source`);
    the tables left to query are packed a few to a query (`_pack`), each query run
    once. The query with the fewest columns reads every fact of the scope, grouped by
    eligibility too, so that the cases left out cost no query of their own; the others
    read the eligible facts."""
    needed = [*tables, *also]
    sources = {dims: _source(dims, tables) for dims in needed}
    queries = _pack(list(dict.fromkeys(source for source, _columns in sources.values())))
    if not queries:
        return {}, scope.filter(eligible=False).count()
    # Each query's dimensions, and the query of each source.
    query_dimensions = [
        [DIMENSIONS[name] for name in dict.fromkeys(n for source in packed for n in source)]
        for packed in queries
    ]
    query_of = {source: index for index, packed in enumerate(queries) for source in packed}
    # Grouping by one more column costs each row a little; the fewer columns a query
    # has, the less (then the fewer groups).
    counts_excluded = min(
        range(len(queries)),
        key=lambda index: (
            len({d.column for d in query_dimensions[index]}),
            math.prod(d.cardinality for d in query_dimensions[index]),
        ),
    )
    excluded = 0
    queried = {}  # query index -> its rows
    for index, dimensions in enumerate(query_dimensions):
        columns = list(dict.fromkeys(dimension.column for dimension in dimensions))
        if index == counts_excluded:
            rows = _grouped_rows(scope, [*columns, "eligible"])
            excluded = sum(row["stat_n"] for row in rows if not row["eligible"])
            rows = [row for row in rows if row["eligible"]]
        else:
            rows = _grouped_rows(scope.filter(eligible=True), columns)
        queried[index] = _by_dimension(rows, dimensions)

    counted: TableCounts = {}
    for dims in needed:
        source, columns = sources[dims]
        index = query_of[source]
        multi = next((d.name for d in query_dimensions[index] if d.multi_valued), None)
        counted[dims] = [
            {"n": row["n"], **dict(zip(dims, (row[c] for c in columns), strict=True))}
            for row in _summed(queried[index], columns, multi)
        ]
    return counted, excluded


def snapshot():
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
