"""A release: the tables, generalised, disclosure-controlled and labelled for publishing.

Disclosure control (the suppression itself: `casework.stats.suppression`)
    3. Optional rounding: every published count, totals included, to a multiple of 5
       (half up; a positive count never becomes 0). Rounded totals need not equal the
       sum of their rounded cells. Suppression is decided on exact counts, as if
       a reader knew them: rounding only blurs what they know.
    Only vocabulary labels, country and M49 region names, bands, months and quarters
    are released: values outside a vocabulary are shown as "Not recorded".
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext

from casework.stats.dimensions import DIMENSIONS, TOTAL, Context, Dimension, generalised_counts
from casework.stats.queries import count_tables, facts_in_scope, snapshot
from casework.stats.suppression import K_DEFAULT, CellState, Key, cell_states, validate_k


def rounded(count: int) -> int:
    """A published count to a multiple of 5, half up; a positive count never becomes 0."""
    if count <= 0:
        return count
    return max(5, (count + 2) // 5 * 5)


SUPPRESSED = "suppressed"  # the published mark of a secondary suppression (any count)


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
        assert self.count is not None  # a shown figure always carries its count
        return self.count


@dataclass
class Table:
    name: str
    dimensions: tuple[str, ...]
    cells: list[Cell]
    # Where its dimensions are defined: the cases' unless told (inquiries have their own).
    catalogue: Mapping[str, Dimension] = field(default_factory=lambda: DIMENSIONS, repr=False)

    @property
    def title(self) -> str:
        return " × ".join(str(self.catalogue[name].label) for name in self.dimensions)

    def rows(self, k) -> list[dict]:
        """[{"<dimension>": "<value label>", ..., "count": int, "<k" or "suppressed"}],
        totals included."""
        return [
            {
                **{
                    name: self.catalogue[name].value_label(cell.values[name])
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


def validated_tables(
    tables, catalogue: Mapping[str, Dimension] = DIMENSIONS
) -> list[tuple[str, ...]]:
    """The tables as tuples; ValueError unless each has one or two distinct known dimensions."""
    result = []
    for table in tables:
        table = tuple(table)
        if not 1 <= len(table) <= 2 or len(set(table)) != len(table):
            raise ValueError(f"a table has one or two distinct dimensions, not {table!r}")
        for name in table:
            if name not in catalogue:
                raise ValueError(f"unknown dimension {name!r}")
        result.append(table)
    return result


def table_keys(
    dims: tuple[str, ...],
    cells: dict[tuple[str, ...], int],
    catalogue: Mapping[str, Dimension] = DIMENSIONS,
):
    """The figures a table publishes, in display order, with their counts."""
    dimensions = [catalogue[name] for name in dims]
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
    row_totals: dict[str, int] = defaultdict(int)
    column_totals: dict[str, int] = defaultdict(int)
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
    tables = validated_tables(tables)
    scope = facts_in_scope(organisation_ids, period_start, period_end)
    nationality = DIMENSIONS["nationality"]

    rolls_up = any("nationality" in dims for dims in tables)
    with snapshot():
        # The one-way nationality table too, for the roll-up.
        raw, excluded = count_tables(scope, tables, also=[("nationality",)] if rolls_up else [])
        if rolls_up:
            totals = generalised_counts(raw[("nationality",)], [nationality], Context())
            ctx = Context(rolled_up=frozenset(code for (code,), n in totals.items() if 0 < n < k))
        else:
            ctx = Context()

    return controlled_release(
        [
            (dims, generalised_counts(raw[dims], [DIMENSIONS[name] for name in dims], ctx))
            for dims in tables
        ],
        k=k,
        rounding=rounding,
        now=now,
        excluded_opt_outs=excluded,
    )


def controlled_release(
    tables: list[tuple[tuple[str, ...], dict[tuple[str, ...], int]]],
    catalogue: Mapping[str, Dimension] = DIMENSIONS,
    *,
    k: int,
    rounding,
    now=None,
    excluded_opt_outs: int = 0,
    prefix: str = "",
) -> Release:
    """A Release of these (dimensions, generalised counts) tables, totals added, suppressed
    together (one figure in several tables counts once) and optionally rounded."""
    published = {}  # dims -> {Key: (values, count)}
    counts: dict[Key, int] = {}
    for dims, cells in tables:
        published[dims] = table_keys(dims, cells, catalogue)
        for key, (_values, count) in published[dims].items():
            counts.setdefault(key, count)  # the same figure in several tables: one count
    states = cell_states(counts, k, catalogue)

    result = []
    for dims, _cells in tables:
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
                name=prefix + "__".join(dims),
                dimensions=dims,
                cells=table_cells,
                catalogue=catalogue,
            )
        )
    return Release(
        k=k,
        rounding=bool(rounding),
        generated_at=now or timezone.now(),
        tables=result,
        excluded_opt_outs=excluded_opt_outs,
    )
