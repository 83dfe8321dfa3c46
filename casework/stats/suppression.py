"""Disclosure control: which figures of a release to withhold (SPEC section 6).

Pure Python, no Django: it receives the count of every figure of a release, k and the
shape of each dimension, and returns the figures' states, so it can be read, tested
and reused apart from the database. `casework.stats.release` gives it the figures.

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
"""

from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from enum import StrEnum
from fractions import Fraction
from typing import Any, Protocol

K_MIN = 5
K_DEFAULT = 11


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


class CellState(StrEnum):
    """Whether a figure is published, and if not, why."""

    SHOWN = "shown"
    PRIMARY = "primary"  # a count from 1 to k-1, published as "<k"
    SECONDARY = "secondary"  # withheld only to protect a primary one; any count


Key = frozenset  # of (dimension, value) pairs: what a figure counts
Line = tuple[list[Key], Key]  # parts that add up to a whole
# Exact arithmetic: ints until a division needs more (faster than Fractions throughout).
Exact = int | Fraction


class Shape(Protocol):
    """What the solver needs of a dimension (`casework.stats.dimensions.Dimension` has it)
    to find the figures that add up to others."""

    @property
    def multi_valued(self) -> bool: ...

    # (finer dimension, finer value -> this dimension's value): a quarter is its months.
    @property
    def coarsens(self) -> tuple[str, Callable[[str], str]] | None: ...


def _dims(key: Key) -> frozenset:
    return frozenset(name for name, _value in key)


def _value(key: Key, name: str) -> str:
    return next(value for dimension, value in key if dimension == name)


def _canonical(key: Key):
    return tuple(sorted(key))


def _lines(counts: dict[Key, int], dimensions: Mapping[str, Shape]) -> list[Line]:
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
            if dimensions[name].multi_valued or (dims - {name}) not in by_dims:
                continue
            groups = defaultdict(list)
            for key in by_dims[dims]:
                groups[key - {(name, _value(key, name))}].append(key)
            add(groups)
        # A coarse value and the finer ones it is made of: region and nationalities,
        # quarter and months.
        for name in sorted(dims):
            coarse = dimensions.get(name)
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


def _reduced(lines, suppressed, order: Callable[[Key], Any]) -> dict[Key, dict[Key, Exact]]:
    """The lines over the suppressed figures (shown ones are constants) in fully reduced
    echelon form: pivot figure -> its row (coefficients, the pivot's 1 included). Each
    row's pivot is its first figure in `order` once the rows before it are applied: with
    an order that puts some figures first, a row whose pivot is not one of them holds
    none of them (its row had none left; rows mixed into it later had none either)."""
    pivots: dict[Key, dict[Key, Exact]] = {}  # pivot figure -> its reduced row
    holding: dict[Key, set[Key]] = defaultdict(set)  # figure -> pivots whose row holds it
    for parts, whole in lines:
        row: dict[Key, Exact] = defaultdict(int)  # ints until a division needs more
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
) -> tuple[dict[Key, int], dict[Key, dict[Key, Exact]]]:
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
    reduced: tuple[dict[Key, int], dict[Key, dict[Key, Exact]]] | None = None,
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
    cone, rows_of = _cone(held, pivots)
    ways, goals = _goals(counts, primary, k, held, pivots, rows_of)
    goals_of = defaultdict(list)  # held figure -> the goals that hold it
    for key, goal in goals.items():
        for other in goal:
            goals_of[other].append(key)
    moved = _moved_together(cone, rows_of, held, goals, goals_of)
    exposed = {}
    for key in sorted(goals, key=_canonical):
        if key in moved:
            continue
        y = None if key in held else _best_change(cone, rows_of, goals[key], [goals[key]], True)
        if y is None:
            exposed[key] = ways[key]
        else:
            _witness(y, goals, goals_of, moved)
    return exposed


def _cone(
    held: dict[Key, int], pivots: dict[Key, dict[Key, Exact]]
) -> tuple[list[dict[Key, Exact]], dict[Key, list[int]]]:
    """The rows left with held figures only, each figure's change taken times its way,
    and for each held figure the indexes of the rows that hold it."""
    cone = [
        {key: value * held[key] for key, value in row.items()}
        for pivot, row in pivots.items()
        if pivot in held
    ]
    rows_of = defaultdict(list)  # held figure -> the rows of `cone` that hold it
    for index, row in enumerate(cone):
        for key in row:
            rows_of[key].append(index)
    return cone, rows_of


def _goals(
    counts: dict[Key, int],
    primary: set[Key],
    k: int,
    held: dict[Key, int],
    pivots: dict[Key, dict[Key, Exact]],
    rows_of: dict[Key, list[int]],
) -> tuple[dict[Key, int], dict[Key, dict[Key, Exact]]]:
    """(each primary figure -> its way, each primary figure that may be unable to move
    -> its change as a function of the held figures' changes y)."""
    ways: dict[Key, int] = {}  # figure -> its way
    goals: dict[Key, dict[Key, Exact]] = {}  # figure -> its change as a function of y
    for key in primary:
        ways[key] = way = 1 if counts[key] < k - 1 else -1
        if key in held:
            goal: dict[Key, Exact] = {key: 1}  # held[key] is its way
        elif key in pivots and all(other in held for other in pivots[key] if other != key):
            # Its change is minus its row's other terms: -sum(row[o] * held[o] * y[o]).
            goal = {o: -way * v * held[o] for o, v in pivots[key].items() if o != key}
        else:
            continue
        if not any(value > 0 and not rows_of[other] for other, value in goal.items()):
            goals[key] = goal  # else a held figure no row holds moves it alone
    return ways, goals


def _witness(
    y: Mapping[Key, Exact],
    goals: dict[Key, dict[Key, Exact]],
    goals_of: dict[Key, list[Key]],
    moved: set[Key],
) -> None:
    """Adds to `moved` every figure the change y moves its way."""
    # One change often moves several figures their way: those need no other.
    for figure in {figure for other in y for figure in goals_of[other]} - moved:
        if sum(value * y.get(other, 0) for other, value in goals[figure].items()) > 0:
            moved.add(figure)


def _moved_together(
    cone: list[dict[Key, Exact]],
    rows_of: dict[Key, list[int]],
    held: dict[Key, int],
    goals: dict[Key, dict[Key, Exact]],
    goals_of: dict[Key, list[Key]],
) -> set[Key]:
    """The figures with a goal that the changes found for the held primary figures move."""
    moved: set[Key] = set()
    # The held primary figures together: the most of them one change can move, each
    # capped at 1, until no change moves any of those left (then none can: a change
    # that moved one, scaled down, would have counted).
    left = {key for key in goals if key in held}
    while left:
        y = _best_change(cone, rows_of, dict.fromkeys(left, 1), [{key: 1} for key in left])
        if y is None:
            break
        _witness(y, goals, goals_of, moved)
        left -= moved
    return moved


def _divided(value: Exact, by: Exact) -> Exact:
    """value / by, exactly: ints stay ints where they can (faster than Fractions)."""
    if by == 1:
        return value
    if by == -1:
        return -value
    return Fraction(value) / by


def _best_change(
    rows: list[dict[Key, Exact]],
    rows_of: dict[Key, list[int]],
    objective: Mapping[Key, Exact],
    caps: list[Mapping[Key, Exact]],
    first: bool = False,
) -> dict[Key, Exact] | None:
    """The y >= 0 with row . y = 0 for every row and cap . y <= 1 for every cap that
    maximises objective . y (with `first`, the first one found with objective . y > 0),
    or None if that maximum is 0. The simplex method, exact, Bland's rule (no cycling),
    from y = 0; each row = 0 as row . y <= 0 and -(sum of the rows) . y <= 0. Only the
    rows linked to the objective's figures take part: the others can stay at 0."""
    variables, used = _linked(rows, rows_of, objective)
    column = {key: index for index, key in enumerate(variables)}
    tableau, bounds, basis = _tableau(rows, used, caps, column)
    cost = {column[key]: value for key, value in objective.items() if value}  # reduced
    gained: Exact = 0
    while True:
        entering = min((j for j, value in cost.items() if value > 0), default=None)
        if entering is None or (first and gained > 0):
            break
        r = _leaving_row(tableau, bounds, basis, entering)
        if r is None:
            return None  # unbounded, impossible under the caps: withhold more
        gained += _pivot(tableau, bounds, basis, cost, r, entering)
    if gained <= 0:
        return None
    return {
        variables[j]: bounds[i] for i, j in enumerate(basis) if j < len(variables) and bounds[i]
    }


def _linked(
    rows: list[dict[Key, Exact]], rows_of: dict[Key, list[int]], objective: Mapping[Key, Exact]
) -> tuple[list[Key], list[int]]:
    """(the objective's figures and every figure linked to them through rows, in order;
    the indexes of those rows, in order)."""
    figures, used, pending = set(), set(), [key for key, value in objective.items() if value]
    while pending:
        key = pending.pop()
        if key not in figures:
            figures.add(key)
            for index in rows_of[key]:
                if index not in used:
                    used.add(index)
                    pending.extend(rows[index])
    return sorted(figures, key=_canonical), sorted(used)


def _tableau(
    rows: list[dict[Key, Exact]],
    used: list[int],
    caps: list[Mapping[Key, Exact]],
    column: dict[Key, int],
) -> tuple[list[dict[int, Exact]], list[Exact], list[int]]:
    """The starting simplex tableau (rows as sparse dicts), its bounds and its basis:
    each used row as <= 0, minus their sum as <= 0, then each cap as <= 1."""
    constraints = [{column[key]: value for key, value in rows[i].items()} for i in used]
    summed: dict[int, Exact] = defaultdict(int)
    for constraint in constraints:
        for j, value in constraint.items():
            summed[j] -= value
    constraints.append({j: value for j, value in summed.items() if value})
    bounds: list[Exact] = [*[0] * len(constraints), *[1] * len(caps)]
    constraints += [{column[key]: value for key, value in cap.items() if value} for cap in caps]
    # Tableau: constraint i has the slack variable len(column) + i, basic at first.
    tableau = [{**row, len(column) + i: 1} for i, row in enumerate(constraints)]
    basis = [len(column) + i for i in range(len(constraints))]
    return tableau, bounds, basis


def _leaving_row(
    tableau: list[dict[int, Exact]], bounds: list[Exact], basis: list[int], entering: int
) -> int | None:
    """The row whose basic variable leaves (minimum ratio, Bland's rule on ties), or
    None if the entering variable can grow without bound."""
    leaving = min(
        (
            (_divided(bounds[i], row[entering]), basis[i], i)
            for i, row in enumerate(tableau)
            if row.get(entering, 0) > 0
        ),
        default=None,
    )
    return None if leaving is None else leaving[2]


def _pivot(
    tableau: list[dict[int, Exact]],
    bounds: list[Exact],
    basis: list[int],
    cost: dict[int, Exact],
    r: int,
    entering: int,
) -> Exact:
    """Pivots the tableau (in place) on row r and the entering column; returns how much
    the objective gained."""
    scale = tableau[r][entering]
    pivot_row = {j: _divided(value, scale) for j, value in tableau[r].items()}
    tableau[r], bounds[r], basis[r] = pivot_row, _divided(bounds[r], scale), entering
    for i, row in enumerate(tableau):
        factor = row.get(entering, 0) if i != r else 0
        if factor:
            _subtract_multiple(row, factor, pivot_row)
            bounds[i] -= factor * bounds[r]
    factor = cost[entering]
    _subtract_multiple(cost, factor, pivot_row)
    return factor * bounds[r]


def _subtract_multiple(row: dict[int, Exact], factor: Exact, pivot_row: dict[int, Exact]) -> None:
    """row -= factor * pivot_row, in place, keeping the row sparse (no zero entries)."""
    for j, value in pivot_row.items():
        updated = row.get(j, 0) - factor * value
        if updated:
            row[j] = updated
        else:
            row.pop(j, None)


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


def suppress_small_cells(
    counts: dict[Key, int], k: int, dimensions: Mapping[str, Shape]
) -> set[Key]:
    """The figures to withhold: primary (1..k-1), then secondary until none is exposed.
    `dimensions`: the shape of each dimension the figures count by.

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
    lines = _lines(counts, dimensions)
    lines_of = _lines_of(lines)
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
        # One figure at a time: it may protect several recoverable ones at once.
        if not recoverable:
            candidates = _easing(exposed, counts, lines, lines_of, suppressed, k)
        else:
            candidates = _protecting(recoverable, counts, lines, lines_of, suppressed)
        changed = set()
        if candidates:
            pick = _cheapest(candidates, counts, lines, lines_of, suppressed)
            suppressed.add(pick)
            changed.add(pick)
    return suppressed


def _lines_of(lines: list[Line]) -> dict[Key, list[int]]:
    """Each figure -> the indexes of the lines it is in."""
    lines_of = defaultdict(list)
    for index, (parts, whole) in enumerate(lines):
        for key in (*parts, whole):
            lines_of[key].append(index)
    return lines_of


def _protecting(
    recoverable: set[Key],
    counts: dict[Key, int],
    lines: list[Line],
    lines_of: dict[Key, list[int]],
    suppressed: set[Key],
) -> set[Key]:
    """The shown non-zero figures that, withheld, may protect recoverable ones: first
    from the lines of a recoverable figure; failing that (it is determined only through
    figures whose lines are all withheld), from any line with a suppressed figure."""
    return {
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


def cell_states(
    counts: dict[Key, int], k: int, dimensions: Mapping[str, Shape]
) -> dict[Key, CellState]:
    """Each figure's state: primary (1..k-1), secondary (withheld to protect one), shown.

    Secondary suppression only ever adds figures to the primary ones, so the two sets
    tell every withheld figure's reason."""
    primary = primary_suppressions(counts, k)
    suppressed = suppress_small_cells(counts, k, dimensions)
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
