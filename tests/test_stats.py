"""Anonymised statistics (SPEC section 6): counting, generalisation and disclosure control.

The property tests draw small random populations of cases, insert them with bulk_create
inside a savepoint that is rolled back after each example, and check what a release and
the microdata export may never show.
"""

import dataclasses
import datetime
import json
import math
import os
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import stats
from casework.models import (
    Case,
    Consent,
    ControlMeans,
    IdentityDocument,
    Nationality,
    Note,
    Person,
    Recruitment,
)
from casework.stats import facts as statsfacts
from casework.stats import queries as stats_queries
from casework.stats import suppression
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
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A few countries of a few M49 sub-regions, so that some nationalities roll up.
COUNTRIES = ["KE", "UG", "TZ", "NP", "IN", "LK", "CU", "ZA", "SY"]
OPENED = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)


@dataclasses.dataclass
class Spec:
    """The attributes of one synthetic case."""

    nationalities: list = dataclasses.field(default_factory=lambda: ["KE"])
    sex: str = Sex.MALE
    birth: object = 1995  # None, a year or a date of birth
    recruitment: bool = True
    recruited_in: datetime.date | None = datetime.date(2024, 3, 1)
    method: str = RecruitmentMethod.ONLINE_ADVERTISEMENT
    platform: str = Platform.TELEGRAM
    promised_job: str = PromisedJob.SECURITY
    means: list = dataclasses.field(default_factory=list)
    situation: str = Situation.POW_IN_UKRAINE
    status: str = CaseStatus.ACTIVE
    captured_on: datetime.date | None = None
    consent: str = "given"  # given, withdrawn, regiven, none
    created_at: datetime.datetime = OPENED


def _secret(kind, index, salt):
    # Strings that occur nowhere else: any of them in an output is a leak.
    return f"Zq{kind}{salt}x{index}Jw"


def populate(organisation, recorder, specs, salt="a"):
    """Insert the cases in a handful of bulk queries; returns every secret string used."""
    secrets = []
    persons = []
    for index, spec in enumerate(specs):
        names = [_secret(kind, index, salt) for kind in ("Given", "Family", "Native", "Place")]
        secrets.extend(names)
        dob = spec.birth if isinstance(spec.birth, datetime.date) else None
        year = spec.birth if isinstance(spec.birth, int) else (dob.year if dob else None)
        persons.append(
            Person(
                organisation=organisation,
                given_name=names[0],
                family_name=names[1],
                native_name=names[2],
                place_of_origin=names[3],
                region_of_origin=names[3],
                sex=spec.sex,
                date_of_birth=dob,
                birth_year=year,
            )
        )
    Person.objects.bulk_create(persons)
    Nationality.objects.bulk_create(
        Nationality(person=person, country=code)
        for person, spec in zip(persons, specs, strict=True)
        for code in spec.nationalities
    )
    cases = Case.objects.bulk_create(
        Case(
            person=person,
            organisation=organisation,
            status=spec.status,
            situation=spec.situation,
            situation_place=_secret("Where", index, salt),
            created_at=spec.created_at,
        )
        for index, (person, spec) in enumerate(zip(persons, specs, strict=True))
    )
    secrets += [case.reference for case in cases]
    secrets += [_secret("Where", index, salt) for index in range(len(specs))]
    recruitments = Recruitment.objects.bulk_create(
        Recruitment(
            case=case,
            recruited_in=spec.recruited_in,
            method=spec.method,
            platform=spec.platform,
            promised_job=spec.promised_job,
            captured_on=spec.captured_on,
            capture_place=_secret("Capture", index, salt),
            recruiter_details=_secret("Recruiter", index, salt),
        )
        for index, (case, spec) in enumerate(zip(cases, specs, strict=True))
        if spec.recruitment
    )
    secrets += [
        _secret(kind, i, salt) for kind in ("Capture", "Recruiter") for i in range(len(specs))
    ]
    by_case = {recruitment.case_id: recruitment for recruitment in recruitments}
    ControlMeans.objects.bulk_create(
        ControlMeans(recruitment=by_case[case.pk], means=means)
        for case, spec in zip(cases, specs, strict=True)
        if spec.recruitment
        for means in spec.means
    )
    IdentityDocument.objects.bulk_create(
        IdentityDocument(
            person=person, doc_type="passport", number=_secret("Passport", index, salt)
        )
        for index, person in enumerate(persons)
    )
    Note.objects.bulk_create(
        Note(case=case, kind="call", text=_secret("Note", index, salt))
        for index, case in enumerate(cases)
    )
    secrets += [_secret(kind, i, salt) for kind in ("Passport", "Note") for i in range(len(specs))]
    consents = []
    given_at = OPENED - datetime.timedelta(days=30)
    withdrawn = {
        "status": ConsentStatus.WITHDRAWN,
        "withdrawn_at": given_at + datetime.timedelta(days=1),
    }
    for case, spec in zip(cases, specs, strict=True):
        common = {
            "case": case,
            "scope": ConsentScope.INCLUDE_IN_STATISTICS,
            "method": "written",
            "recorded_by": recorder,
            "given_at": given_at,
        }
        if spec.consent in ("withdrawn", "regiven"):
            consents.append(Consent(**common, **withdrawn))
        if spec.consent in ("given", "regiven"):
            consents.append(Consent(**common))
        # Consent to something else never counts as consent to statistics.
        consents.append(Consent(**{**common, "scope": ConsentScope.CONTACT_FAMILY}))
    Consent.objects.bulk_create(consents)
    statsfacts.refresh_all()  # bulk writes send no signals
    return secrets


# Strategies -----------------------------------------------------------------------------

months = st.builds(datetime.date, st.integers(2023, 2025), st.integers(1, 12), st.just(1))
specs = st.builds(
    Spec,
    nationalities=st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True),
    sex=st.sampled_from([Sex.MALE, Sex.MALE, Sex.FEMALE, Sex.UNKNOWN]),
    birth=st.one_of(
        st.none(),
        st.integers(1960, 2008),
        st.dates(datetime.date(1960, 1, 1), datetime.date(2008, 12, 31)),
    ),
    recruitment=st.booleans() | st.just(True),
    recruited_in=st.none() | months,
    method=st.sampled_from(RecruitmentMethod.values[:4]),
    platform=st.sampled_from(["", *Platform.values[:3]]),
    promised_job=st.sampled_from(["", *PromisedJob.values[:3]]),
    means=st.lists(st.sampled_from(MeansOfControl.values[:5]), max_size=3, unique=True),
    situation=st.sampled_from(Situation.values[:4]),
    status=st.sampled_from([CaseStatus.NEW, CaseStatus.ACTIVE, CaseStatus.AWAITING_EMBASSY]),
    captured_on=st.none() | st.dates(datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)),
    consent=st.sampled_from(["given", "given", "given", "regiven", "withdrawn", "none"]),
)
populations = st.lists(specs, max_size=60)
CROSS_TABS = [
    ("nationality", "sex"),
    ("region", "age_band"),
    ("means_of_control", "situation"),
    ("situation", "means_of_control"),
    ("recruitment_quarter", "recruitment_method"),
    ("recruitment_month", "sex"),
    ("nationality", "recruitment_quarter"),
    ("region", "recruitment_month"),
    ("capture_quarter", "platform"),
    ("promised_job", "status"),
]
table_sets = st.lists(st.sampled_from(CROSS_TABS), min_size=1, max_size=4, unique=True).map(
    lambda cross: [*stats.MAIN_TABLES, ("recruitment_month",), *cross]
)
PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Checks ---------------------------------------------------------------------------------


def _lines_with_published_total(table):
    """Each row or column of a table that has a published total: (cells, total)."""
    cells = {tuple(cell.values[d] for d in table.dimensions): cell for cell in table.cells}
    total = stats.TOTAL
    if len(table.dimensions) == 1:
        if (total,) in cells:
            yield [c for key, c in cells.items() if key != (total,)], cells[total,]
        return
    for axis in (0, 1):
        other = 1 - axis
        for fixed in {key[axis] for key in cells}:
            whole = [0, 0]
            whole[axis], whole[other] = fixed, total
            whole = tuple(whole)
            if whole not in cells:
                continue
            parts = [c for key, c in cells.items() if key[axis] == fixed and key[other] != total]
            yield parts, cells[whole]


def _published_figures(release):
    """Figure (set of (dimension, value)) -> suppressed, across the release's tables."""
    figures = {}
    for table in release.tables:
        for cell in table.cells:
            key = frozenset((d, v) for d, v in cell.values.items() if v != stats.TOTAL)
            assert figures.setdefault(key, cell.suppressed) == cell.suppressed, key
    return figures


def _determined(release, counts):
    """Suppressed figures that the release's lines determine, found independently."""
    figures = _published_figures(release)
    return _determined_among({key for key, hidden in figures.items() if hidden}, counts)


def _determined_among(hidden, counts):
    """Which of the hidden figures the lines between all figures determine (Gauss-Jordan)."""
    suppressed = sorted(hidden, key=sorted)
    column = {key: index for index, key in enumerate(suppressed)}
    rows = []
    for parts, whole in suppression._lines(counts, stats.DIMENSIONS):
        row = [Fraction(0)] * len(suppressed)
        for key in parts:
            if key in column:
                row[column[key]] += 1
        if whole in column:
            row[column[whole]] -= 1
        if any(row):
            rows.append(row)
    # Gauss-Jordan over the rationals.
    pivot_rows = []
    for col in range(len(suppressed)):
        pivot = next((r for r in rows if r[col] and r not in pivot_rows), None)
        if pivot is None:
            continue
        scale = pivot[col]
        pivot[:] = [value / scale for value in pivot]
        for other in rows:
            if other is not pivot and other[col]:
                factor = other[col]
                other[:] = [a - factor * b for a, b in zip(other, pivot, strict=True)]
        pivot_rows.append(pivot)
    return {
        suppressed[next(i for i, v in enumerate(row) if v)]
        for row in pivot_rows
        if sum(1 for v in row if v) == 1
    }


def _ranges_a_reader_can_work_out(counts, states, k):
    """Each withheld figure -> (lowest, highest) count a reader can still believe.

    The reader knows every shown figure, every line between figures and what the marks
    say: "<k" is 1 to k-1, "suppressed" (secondary suppression picks no small and no
    zero figure) is k or more. Each line, sum of parts = whole, bounds each of its
    withheld figures by the others' bounds; the bounds are tightened line by line across
    the whole release until nothing changes. (Interval propagation: never narrower than
    what solving all the lines together as a linear programme would give.) Shown counts
    are taken exact, as if not rounded: the reader is given more than they have."""
    low, high = {}, {}
    for key, state in states.items():
        if state == stats.CellState.SHOWN:
            low[key] = high[key] = counts[key]
        elif state == stats.CellState.PRIMARY:
            low[key], high[key] = 1, k - 1
        else:
            low[key], high[key] = k, math.inf
    lines = [
        [(key, 1) for key in parts] + [(whole, -1)]
        for parts, whole in suppression._lines(counts, stats.DIMENSIONS)
    ]
    for _round in range(10_000):
        changed = False
        for terms in lines:
            for key, sign in terms:
                if states[key] == stats.CellState.SHOWN:
                    continue
                # sign * key = -(sum of the others' signed counts)
                least = most = 0
                for other, other_sign in terms:
                    if other != key:
                        factor = -other_sign * sign
                        least += factor * (low[other] if factor > 0 else high[other])
                        most += factor * (high[other] if factor > 0 else low[other])
                if least > low[key]:
                    low[key], changed = least, True
                if most < high[key]:
                    high[key], changed = most, True
        if not changed:
            break
    else:
        raise AssertionError("the bounds did not settle")
    for key in low:
        assert low[key] <= counts[key] <= high[key], key  # the check's own soundness
    return {
        key: (low[key], high[key])
        for key, state in states.items()
        if state != stats.CellState.SHOWN
    }


def _pinned(counts, states, k):
    """The figures marked "<k" that a reader can narrow too far: to their count or less
    (for a count below k-1), or to k-1 alone."""
    ranges = _ranges_a_reader_can_work_out(counts, states, k)
    return {
        key: (counts[key], ranges[key])
        for key, state in states.items()
        if state == stats.CellState.PRIMARY
        and (
            ranges[key][1] <= counts[key] if counts[key] < k - 1 else ranges[key][0] >= counts[key]
        )
    }


def _pinned_by_the_marks_alone(counts, k):
    """The figures marked "<k" that stay pinned with every other figure withheld too
    (four cells of 1 under a total of 4, k = 5, are 1 each), as the module judges it:
    no suppression can protect those."""
    everything = {key for key, count in counts.items() if count > 0}
    primary = suppression.primary_suppressions(counts, k)
    return set(
        suppression._exposed(
            counts, suppression._lines(counts, stats.DIMENSIONS), everything, primary, k
        )
    )


def _states(release):
    """Figure -> its CellState, across the release's tables."""
    return {
        frozenset((d, v) for d, v in cell.values.items() if v != stats.TOTAL): cell.state
        for table in release.tables
        for cell in table.cells
    }


def _release_counts(organisation_ids, tables, k, rounding=False):
    """The exact counts behind a release (to feed the independent checks)."""
    release = stats.build_release(organisation_ids, tables, k=k, rounding=rounding)
    exact = {}
    original = suppression.suppress_small_cells

    def capture(counts, k, dimensions):
        exact.update(counts)
        return original(counts, k, dimensions)

    suppression.suppress_small_cells = capture
    try:
        stats.build_release(organisation_ids, tables, k=k)
    finally:
        suppression.suppress_small_cells = original
    return release, exact


# Property tests -------------------------------------------------------------------------


@PROPERTIES
@given(population=populations, tables=table_sets, rounding=st.booleans())
def test_no_published_figure_is_small_or_recoverable(org, recorder, population, tables, rounding):
    with transaction.atomic():
        populate(org, recorder, population)
        release, exact = _release_counts([org.pk], tables, k=5, rounding=rounding)
        transaction.set_rollback(True)

    for table in release.tables:
        for cell in table.cells:
            if cell.suppressed:
                assert cell.count is None
            else:
                # (a) nothing between 1 and k-1 is published
                assert not 1 <= cell.count <= 4, (table.name, cell)
                assert not rounding or cell.count % 5 == 0
        # (b) no row or column with a published total has exactly one suppressed cell
        for parts, total in _lines_with_published_total(table):
            if not total.suppressed:
                assert sum(cell.suppressed for cell in parts) != 1, (table.name, total)
    # The same figure in two tables is suppressed in both or neither (raises otherwise),
    # and the lines of the whole release, solved together, give none away.
    _published_figures(release)
    assert not _determined(release, exact)


@PROPERTIES
@given(population=populations, tables=table_sets, rounding=st.booleans(), k=st.integers(5, 8))
def test_a_figure_marked_less_than_k_holds_fewer_than_k_and_the_others_say_suppressed(
    org, recorder, population, tables, rounding, k
):
    with transaction.atomic():
        populate(org, recorder, population)
        release, exact = _release_counts([org.pk], tables, k=k, rounding=rounding)
        transaction.set_rollback(True)

    for table in release.tables:
        for cell, row in zip(table.cells, table.rows(k), strict=True):
            key = frozenset((d, v) for d, v in cell.values.items() if v != stats.TOTAL)
            if cell.suppressed and 1 <= exact[key] < k:
                assert row["count"] == f"<{k}", (table.name, row, exact[key])
            if row["count"] == f"<{k}":
                # Primary: what "<k" says is true.
                assert 1 <= exact[key] < k, (table.name, row, exact[key])
                assert cell.state == stats.CellState.PRIMARY
            elif cell.suppressed:
                # Secondary: withheld to protect another figure, whatever its count.
                assert row["count"] == "suppressed", (table.name, row)
                assert cell.state == stats.CellState.SECONDARY
                assert exact[key] >= k
            else:
                assert cell.state == stats.CellState.SHOWN and isinstance(row["count"], int)


@PROPERTIES
@given(population=populations, tables=table_sets, rounding=st.booleans(), k=st.integers(5, 8))
def test_a_reader_who_knows_what_the_marks_mean_cannot_narrow_a_small_count_down(
    org, recorder, population, tables, rounding, k
):
    """What the marks say ("<k": 1 to k-1, "suppressed": k or more) and the lines of the
    release never show a figure marked "<k" to be at most its count (or, for k-1, at
    least it), except where the marks alone would with every figure withheld."""
    with transaction.atomic():
        populate(org, recorder, population)
        release, exact = _release_counts([org.pk], tables, k=k, rounding=rounding)
        transaction.set_rollback(True)

    assert set(_pinned(exact, _states(release), k)) <= _pinned_by_the_marks_alone(exact, k)


@PROPERTIES
@given(population=populations)
def test_microdata_is_k_anonymous_and_releases_no_identifier(org, recorder, population):
    with transaction.atomic():
        secrets = populate(org, recorder, population)
        rows, suppressed = stats.microdata([org.pk], k=5)
        release = stats.build_release([org.pk], [*stats.MAIN_TABLES, *CROSS_TABS], k=5)
        eligible = stats.eligible_cases([org.pk]).count()
        transaction.set_rollback(True)

    # (c) every combination of quasi-identifiers appears at least k times
    combinations = Counter(tuple(row[name] for name in stats.MICRODATA_FIELDS) for row in rows)
    assert all(count >= 5 for count in combinations.values()), combinations
    assert all(set(row) == set(stats.MICRODATA_FIELDS) for row in rows)
    assert len(rows) + suppressed == eligible
    # (d) no name, reference, document number or free text anywhere
    published = json.dumps(release.as_json_dict(), ensure_ascii=False) + json.dumps(
        rows, ensure_ascii=False
    )
    leaked = [secret for secret in secrets if secret in published]
    assert not leaked


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population=populations, extra=specs, tables=table_sets)
def test_an_opted_out_person_changes_no_published_figure(org, recorder, population, extra, tables):
    with transaction.atomic():
        populate(org, recorder, population)
        before = stats.build_release([org.pk], tables, k=5).as_json_dict()
        rows_before = stats.microdata([org.pk], k=5)
        for consent in ("withdrawn", "none"):
            populate(org, recorder, [dataclasses.replace(extra, consent=consent)], salt=consent)
        after = stats.build_release([org.pk], tables, k=5).as_json_dict()
        rows_after = stats.microdata([org.pk], k=5)
        transaction.set_rollback(True)

    before.pop("generated_at"), after.pop("generated_at")
    assert before == after
    assert rows_before == rows_after


@PROPERTIES
@given(population=populations, tables=table_sets)
def test_a_table_summed_from_another_counts_as_its_own_query_would(
    org, recorder, population, tables
):
    """One-way tables summed from a cross-tabulation, region from nationality, tables
    packed into one query: the same exact counts as when every table is queried on its
    own."""
    with transaction.atomic():
        populate(org, recorder, population)
        _release, summed = _release_counts([org.pk], tables, k=5)
        original = stats_queries._source, stats_queries._pack
        stats_queries._source = lambda dims, tables: (dims, list(dims))
        stats_queries._pack = lambda sources: [[source] for source in sources]
        try:
            _release, queried = _release_counts([org.pk], tables, k=5)
        finally:
            stats_queries._source, stats_queries._pack = original
        transaction.set_rollback(True)

    assert summed == queried


@PROPERTIES
@given(
    population=populations,
    tables=st.sampled_from(
        [
            # The means query has the fewest columns: it counts the excluded cases too.
            [("means_of_control",), ("nationality", "sex")],
            # It is packed with situation; another query counts the excluded cases.
            [("means_of_control", "situation"), ("means_of_control",), ("sex",), ("age_band",)],
        ]
    ),
)
def test_means_and_excluded_cases_are_counted_as_the_case_data_says(
    org, recorder, population, tables
):
    """Means of control, grouped by its mask and counted per value from the groups, and
    the cases left out, counted by one of the grouped queries: the same counts as the
    population's own."""
    with transaction.atomic():
        populate(org, recorder, population)
        scope = stats_queries.facts_in_scope([org.pk])
        counted, excluded = stats_queries.count_tables(scope, tables)
        transaction.set_rollback(True)

    eligible = [spec for spec in population if spec.consent in ("given", "regiven")]

    def means_of(spec):
        return set(spec.means) if spec.recruitment and spec.means else {None}  # not recorded

    def rows(dims):
        return {tuple(row[name] for name in dims): row["n"] for row in counted[dims]}

    assert excluded == len(population) - len(eligible)
    assert rows(("means_of_control",)) == Counter(
        (value,) for spec in eligible for value in means_of(spec)
    )
    if ("means_of_control", "situation") in tables:
        assert rows(("means_of_control", "situation")) == Counter(
            (value, spec.situation) for spec in eligible for value in means_of(spec)
        )
        assert rows(("sex",)) == Counter((spec.sex,) for spec in eligible)
    else:
        assert sum(rows(("nationality", "sex")).values()) == len(eligible)


@settings(max_examples=60, deadline=None)
@given(
    grid=st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=5), min_size=1, max_size=5),
    k=st.integers(5, 8),
)
def test_suppression_leaves_no_figure_determined_in_any_table(grid, k):
    cells = {(f"r{i}", f"c{j}"): n for i, row in enumerate(grid) for j, n in enumerate(row) if n}
    counts = {frozenset({("situation", r), ("status", c)}): n for (r, c), n in cells.items()}
    for (r, c), n in cells.items():
        for key in (frozenset({("situation", r)}), frozenset({("status", c)}), frozenset()):
            counts[key] = counts.get(key, 0) + n
    primary = {key for key, n in counts.items() if 0 < n < k}
    # The module's elimination agrees with the independent one...
    assert suppression._recoverable(
        suppression._lines(counts, stats.DIMENSIONS), primary
    ) == _determined_among(primary, counts)
    # ...and nothing is left determined once suppression is done.
    suppressed = suppression.suppress_small_cells(counts, k, stats.DIMENSIONS)
    assert primary <= suppressed
    assert not _determined_among(suppressed, counts)


@settings(max_examples=150, deadline=None)
@given(
    grid=st.lists(st.lists(st.integers(0, 14), min_size=1, max_size=5), min_size=1, max_size=5),
    k=st.integers(5, 8),
)
def test_suppression_leaves_every_small_cell_a_range_in_any_table(grid, k):
    cells = {(f"r{i}", f"c{j}"): n for i, row in enumerate(grid) for j, n in enumerate(row) if n}
    counts = {frozenset({("situation", r), ("status", c)}): n for (r, c), n in cells.items()}
    for (r, c), n in cells.items():
        for key in (frozenset({("situation", r)}), frozenset({("status", c)}), frozenset()):
            counts[key] = counts.get(key, 0) + n
    counts.setdefault(frozenset(), 0)

    pinned = _pinned(counts, suppression.cell_states(counts, k, stats.DIMENSIONS), k)
    assert set(pinned) <= _pinned_by_the_marks_alone(counts, k)


# Examples -------------------------------------------------------------------------------


def test_suppression_protects_a_cell_that_only_lines_together_give_away():
    # Two 2x2 blocks of small cells joined by one small cell: every row and column has
    # two or more, yet the rows and columns together determine the joining cell.
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    cells = {
        (r, c): (3 if (i, j) in small else 20)
        for i, r in enumerate(rows)
        for j, c in enumerate(columns)
    }
    counts = {frozenset({("situation", r), ("status", c)}): n for (r, c), n in cells.items()}
    for r in rows:
        counts[frozenset({("situation", r)})] = sum(cells[r, c] for c in columns)
    for c in columns:
        counts[frozenset({("status", c)})] = sum(cells[r, c] for r in rows)
    counts[frozenset()] = sum(cells.values())
    primary = {key for key, n in counts.items() if n < 5}
    bridge = frozenset({("situation", "r2"), ("status", "c3")})

    assert _determined_among(primary, counts) == {bridge}
    assert suppression._recoverable(suppression._lines(counts, stats.DIMENSIONS), primary) == {
        bridge
    }
    suppressed = suppression.suppress_small_cells(counts, 5, stats.DIMENSIONS)
    assert primary < suppressed
    assert not _determined_among(suppressed, counts)


def test_a_count_marked_less_than_k_cannot_be_worked_out_from_a_total_and_the_marks(org, recorder):
    # 11 men and 1 woman, k = 11: "Male suppressed, Female <11, Total 12" would say
    # men >= 11, women >= 1, so exactly 1 woman. The total is withheld too.
    populate(org, recorder, [Spec(sex=Sex.MALE)] * 11 + [Spec(sex=Sex.FEMALE)])
    release, exact = _release_counts([org.pk], [("sex",)], k=11)

    assert release.table("sex").rows(11) == [
        {"sex": "Male", "count": "suppressed"},
        {"sex": "Female", "count": "<11"},
        {"sex": "Total", "count": "suppressed"},
    ]
    women = frozenset({("sex", Sex.FEMALE)})
    assert _ranges_a_reader_can_work_out(exact, _states(release), 11)[women] == (1, 10)


def test_a_small_count_is_protected_by_a_figure_that_can_move_not_one_at_its_bound(org, recorder):
    # 11 men, 1 woman, 30 unknown, k = 11: the men (exactly 11, "k or more") cannot give
    # up a case to the woman, so the unknown (30) are withheld too, not the total, which
    # every other table shares.
    population = [Spec(sex=Sex.MALE)] * 11 + [Spec(sex=Sex.FEMALE)] + [Spec(sex=Sex.UNKNOWN)] * 30
    populate(org, recorder, population)
    release, exact = _release_counts([org.pk], stats.MAIN_TABLES, k=11)

    assert release.table("sex").rows(11) == [
        {"sex": "Male", "count": "suppressed"},
        {"sex": "Female", "count": "<11"},
        {"sex": "Unknown", "count": "suppressed"},
        {"sex": "Total", "count": 42},
    ]
    assert not _pinned(exact, _states(release), 11)


def test_what_the_marks_alone_give_away_is_not_chased_through_the_whole_table():
    # A row of four cells of 1 and its total of 4 (k = 5): listed, so not 0, and all
    # "<5": each cell is 1 whatever else is withheld. Their columns are protected as
    # usual, and nothing more is withheld for what no suppression can protect.
    cells = {("r0", f"c{j}"): 1 for j in range(4)} | {("r1", f"c{j}"): 20 for j in range(4)}
    counts = {frozenset({("situation", r), ("status", c)}): n for (r, c), n in cells.items()}
    for (r, c), n in cells.items():
        for key in (frozenset({("situation", r)}), frozenset({("status", c)}), frozenset()):
            counts[key] = counts.get(key, 0) + n
    states = suppression.cell_states(counts, 5, stats.DIMENSIONS)

    row = {key for key, n in counts.items() if n < 5}  # the four cells and their total
    assert set(_pinned(counts, states, 5)) == _pinned_by_the_marks_alone(counts, 5) == row
    shown = {key for key, state in states.items() if state == stats.CellState.SHOWN}
    assert shown == {frozenset({("status", f"c{j}")}) for j in range(4)} | {frozenset()}


# Imported in a fresh interpreter with no Django settings: the project package's Celery
# app loads parts of django.utils (kombu) itself, so what counts is what the solver adds.
SOLVER_WITHOUT_DJANGO = """
import sys

import casework

before = set(sys.modules)
from casework.stats import suppression

added = set(sys.modules) - before
assert not {name for name in added if name.split(".")[0] == "django"}, sorted(added)
assert {name for name in added if name.startswith("casework")} == {
    "casework.stats",
    "casework.stats.suppression",
}, sorted(added)


class Shape:
    multi_valued, coarsens = False, None


counts = {frozenset({("sex", "male")}): 11, frozenset({("sex", "female")}): 1, frozenset(): 12}
states = suppression.cell_states(counts, 11, {"sex": Shape()})
print(sorted(str(states[key]) for key in counts))
"""


def test_the_suppression_solver_does_not_need_django():
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", SOLVER_WITHOUT_DJANGO],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['primary', 'secondary', 'secondary']"


def test_opted_out_case_is_left_out_of_an_otherwise_identical_release(org, recorder):
    population = [Spec(nationalities=[code]) for code in ["KE"] * 14 + ["UG"] * 6 + ["NP"] * 3]
    populate(org, recorder, population)
    first = stats.build_release([org.pk], stats.MAIN_TABLES).as_json_dict()

    populate(org, recorder, [Spec(nationalities=["UG"], consent="withdrawn")], salt="late")
    second = stats.build_release([org.pk], stats.MAIN_TABLES)

    assert second.excluded_opt_outs == 1
    second = second.as_json_dict()
    assert first.pop("generated_at") and second.pop("generated_at")
    assert first == second


def test_only_cases_with_an_active_statistics_consent_are_eligible(org, recorder):
    populate(
        org,
        recorder,
        [
            Spec(consent="given"),
            Spec(consent="regiven"),
            Spec(consent="withdrawn"),
            Spec(consent="none"),
            Spec(consent="given", created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)),
        ],
    )
    other = OrganisationFactory()
    populate(other, UserFactory(organisation=other), [Spec()], salt="other")

    assert stats.eligible_cases([org.pk]).count() == 3
    assert stats.eligible_cases([org.pk, other.pk]).count() == 4
    assert stats.eligible_cases([org.pk], period_start=datetime.date(2025, 1, 1)).count() == 2
    assert stats.eligible_cases([org.pk], period_end=datetime.date(2024, 1, 1)).count() == 1
    assert stats.eligible_cases([org.pk], period_end=datetime.date(2023, 12, 31)).count() == 0
    release = stats.build_release([org.pk], [("sex",)], k=5)
    assert release.excluded_opt_outs == 2


def test_small_nationalities_roll_up_into_their_m49_region(org, recorder):
    codes = ["KE"] * 12 + ["UG"] * 4 + ["TZ"] * 3 + ["NP"] * 20 + ["LK"] * 2
    sexes = [Sex.MALE] * 6 + [Sex.FEMALE] * 6 + [Sex.MALE] * 29
    populate(
        org,
        recorder,
        [Spec(nationalities=[c], sex=s) for c, s in zip(codes, sexes, strict=True)],
    )
    release = stats.build_release([org.pk], [("nationality",), ("nationality", "sex")], k=5)

    # Uganda (4), Tanzania (3) and Sri Lanka (2) are below k: only their regions show.
    # Southern Asia's remainder (2) is suppressed, so Eastern Africa's (7) goes too,
    # or the Total would give it away: it is marked "suppressed", not "<5".
    assert release.table("nationality").rows(5) == [
        {"nationality": "Kenya", "count": 12},
        {"nationality": "Nepal", "count": 20},
        {"nationality": "Eastern Africa (other countries)", "count": "suppressed"},
        {"nationality": "Southern Asia (other countries)", "count": "<5"},
        {"nationality": "Total", "count": 41},
    ]
    cross = release.table("nationality", "sex").rows(5)
    assert {row["nationality"] for row in cross} == {
        "Kenya",
        "Nepal",
        "Eastern Africa (other countries)",
        "Southern Asia (other countries)",
        "Total",
    }
    assert {"nationality": "Kenya", "sex": "Female", "count": 6} in cross
    assert {"nationality": "Kenya", "sex": "Total", "count": 12} in cross
    assert {"nationality": "Total", "sex": "Total", "count": 41} in cross
    for row in cross:
        if row["nationality"] == "Southern Asia (other countries)":
            assert row["count"] == "<5"
        elif row["nationality"] == "Eastern Africa (other countries)":
            assert row["count"] == "suppressed"


def test_a_region_table_does_not_give_away_a_rolled_up_remainder(org, recorder):
    codes = ["KE"] * 12 + ["UG"] * 4 + ["TZ"] * 3 + ["NP"] * 20 + ["LK"] * 2
    populate(org, recorder, [Spec(nationalities=[c]) for c in codes])
    release, exact = _release_counts([org.pk], [("nationality",), ("region",)], k=5)

    regions = {row["region"]: row["count"] for row in release.table("region").rows(5)}
    assert regions == {"Eastern Africa": 19, "Southern Asia": 22, "Total": 41}
    nationalities = {
        row["nationality"]: row["count"] for row in release.table("nationality").rows(5)
    }
    assert nationalities["Southern Asia (other countries)"] == "<5"
    # Southern Asia minus Nepal would give Southern Asia's remainder away: Nepal goes too
    # (rather than Kenya or Eastern Africa's remainder, which would need a third).
    assert nationalities == {
        "Kenya": 12,
        "Nepal": "suppressed",
        "Eastern Africa (other countries)": 7,
        "Southern Asia (other countries)": "<5",
        "Total": 41,
    }
    assert not _determined(release, exact)


def test_age_bands_use_age_at_recruitment_and_an_open_top_band(org, recorder):
    recruited = datetime.date(2025, 6, 1)
    population = (
        [Spec(birth=datetime.date(1995, 6, 10), recruited_in=recruited)] * 5  # 29
        + [Spec(birth=datetime.date(1995, 5, 10), recruited_in=recruited)] * 5  # 30
        + [Spec(birth=1970, recruited_in=recruited)] * 5  # 55
        + [Spec(birth=2008, recruited_in=recruited)] * 5  # 17
        # No recruitment month: age when the case was opened (2025-06-01), 45.
        + [Spec(birth=1980, recruited_in=None)] * 5
        + [Spec(birth=None)] * 5
    )
    populate(org, recorder, population)
    rows = stats.build_release([org.pk], [("age_band",)], k=5).table("age_band").rows(5)
    assert rows == [
        {"age_band": "<20", "count": 5},
        {"age_band": "20-29", "count": 5},
        {"age_band": "30-39", "count": 5},
        {"age_band": "40-49", "count": 5},
        {"age_band": "50+", "count": 5},
        {"age_band": "Not recorded", "count": 5},
        {"age_band": "Total", "count": 30},
    ]


def test_dates_are_published_by_month_and_quarter(org, recorder):
    population = [Spec(recruited_in=datetime.date(2025, m, 1)) for m in (1, 2, 2, 3, 3, 3)] + [
        Spec(recruited_in=datetime.date(2025, 5, 1), captured_on=datetime.date(2025, 8, 17))
    ] * 6
    populate(org, recorder, population)
    release = stats.build_release(
        [org.pk],
        [("recruitment_quarter",), ("recruitment_month",), ("capture_month",)],
        k=5,
    )
    quarters = release.table("recruitment_quarter").rows(5)
    assert quarters == [
        {"recruitment_quarter": "2025-Q1", "count": 6},
        {"recruitment_quarter": "2025-Q2", "count": 6},
        {"recruitment_quarter": "Total", "count": 12},
    ]
    months = {
        row["recruitment_month"]: row["count"] for row in release.table("recruitment_month").rows(5)
    }
    # The months of Q1 are all small: none published, and Q1 is not the only one hiding.
    assert months == {"2025-01": "<5", "2025-02": "<5", "2025-03": "<5", "2025-05": 6, "Total": 12}
    captures = {
        row["capture_month"]: row["count"] for row in release.table("capture_month").rows(5)
    }
    assert captures == {"2025-08": 6, "Not recorded": 6, "Total": 12}


def test_means_of_control_counts_each_means_and_publishes_no_total(org, recorder):
    population = [Spec(means=[MeansOfControl.THREATS, MeansOfControl.FALSE_PROMISES])] * 6 + [
        Spec(means=[MeansOfControl.THREATS])
    ] * 5
    populate(org, recorder, population)
    release = stats.build_release(
        [org.pk], [("means_of_control",), ("means_of_control", "sex")], k=5
    )
    assert release.table("means_of_control").rows(5) == [
        {"means_of_control": "Threats", "count": 11},
        {"means_of_control": "False promises", "count": 6},
    ]
    cross = release.table("means_of_control", "sex").rows(5)
    assert {"means_of_control": "Threats", "sex": "Total", "count": 11} in cross
    assert not any(row["means_of_control"] == "Total" for row in cross)


def test_rounding_to_five(org, recorder):
    population = [Spec(sex=Sex.MALE)] * 13 + [Spec(sex=Sex.FEMALE)] * 6 + [Spec(sex=Sex.UNKNOWN)]
    populate(org, recorder, population)
    release = stats.build_release([org.pk], [("sex",)], k=5, rounding=True)
    rows = {row["sex"]: row["count"] for row in release.table("sex").rows(5)}
    assert rows == {"Male": 15, "Female": "suppressed", "Unknown": "<5", "Total": 20}
    assert release.as_json_dict()["rounding"] is True
    assert [stats.rounded(n) for n in (0, 5, 6, 7, 8, 12, 13, 1, 2)] == [
        0,
        5,
        5,
        5,
        10,
        10,
        15,
        5,
        5,
    ]


def test_k_is_never_below_five():
    with pytest.raises(ValueError):
        stats.validate_k(4)
    with pytest.raises(ValueError):
        stats.validate_k("three")
    assert stats.validate_k("11") == 11
    assert stats.validate_k(stats.K_MIN) == 5
    with pytest.raises(ValueError):
        stats.build_release([], [("sex",)], k=4)
    with pytest.raises(ValueError):
        stats.microdata([], k=2)


def test_default_threshold_is_eleven_and_shown_as_less_than_k(org, recorder):
    populate(org, recorder, [Spec(sex=Sex.MALE)] * 11 + [Spec(sex=Sex.FEMALE)] * 10)
    # The 11 men are withheld only so that the 10 women cannot be recovered from the
    # Total: "suppressed", not "<11", which would say fewer than 11.
    release = stats.build_release([org.pk], [("sex",)])
    data = release.as_json_dict()
    assert data["k"] == 11
    assert data["tables"] == [
        {
            "name": "sex",
            "dimensions": ["sex"],
            "rows": [
                {"sex": "Male", "count": "suppressed"},
                {"sex": "Female", "count": "<11"},
                {"sex": "Total", "count": 21},
            ],
        }
    ]


def test_men_hidden_only_to_protect_eight_women_are_marked_suppressed_not_fewer_than_k(
    org, recorder
):
    populate(org, recorder, [Spec(sex=Sex.MALE)] * 205 + [Spec(sex=Sex.FEMALE)] * 8)
    release = stats.build_release([org.pk], [("sex",)])
    assert release.table("sex").rows(11) == [
        {"sex": "Male", "count": "suppressed"},
        {"sex": "Female", "count": "<11"},
        {"sex": "Total", "count": 213},
    ]
    states = [cell.state for cell in release.table("sex").cells]
    assert states == [stats.CellState.SECONDARY, stats.CellState.PRIMARY, stats.CellState.SHOWN]
    data = release.as_json_dict()
    assert set(data["legend"]) == {"<11", "suppressed"}
    assert "fewer than 11" in data["legend"]["<11"]


def test_unknown_table_dimensions_are_refused():
    with pytest.raises(ValueError):
        stats.build_release([], [("name",)])
    with pytest.raises(ValueError):
        stats.build_release([], [("sex", "sex")])
    with pytest.raises(ValueError):
        stats.build_release([], [("sex", "status", "situation")])


def test_dimensions_and_main_tables_are_the_published_interface():
    assert list(stats.DIMENSIONS) == [
        "nationality",
        "region",
        "recruitment_method",
        "platform",
        "promised_job",
        "means_of_control",
        "situation",
        "status",
        "sex",
        "age_band",
        "recruitment_month",
        "recruitment_quarter",
        "capture_month",
        "capture_quarter",
    ]
    assert all(name == d.name and str(d.label) for name, d in stats.DIMENSIONS.items())
    assert all(set(table) <= set(stats.DIMENSIONS) for table in stats.MAIN_TABLES)


def test_m49_covers_every_country():
    from django_countries import countries

    table = stats.m49()
    assert {code for code, _name in countries} <= set(table)
    assert table["KE"] == ("Eastern Africa", "Africa")
    assert table["CU"] == ("Caribbean", "Americas")
    assert table["NP"] == ("Southern Asia", "Asia")


# Query counts ---------------------------------------------------------------------------


def _queries_for(organisation_ids, tables):
    with CaptureQueriesContext(connection) as queries:
        stats.build_release(organisation_ids, tables, k=5)
    return len(queries)


@pytest.mark.parametrize("tables", [stats.MAIN_TABLES, [*stats.MAIN_TABLES, *CROSS_TABS]])
def test_query_count_depends_on_tables_not_on_cases(org, recorder, tables):
    specs_20 = [
        Spec(
            nationalities=[COUNTRIES[i % len(COUNTRIES)]],
            means=[MeansOfControl.values[i % 4]],
            recruited_in=datetime.date(2024, 1 + i % 12, 1),
        )
        for i in range(20)
    ]
    populate(org, recorder, specs_20)
    with_20 = _queries_for([org.pk], tables)
    populate(org, recorder, specs_20 * 9, salt="more")
    assert stats.eligible_cases([org.pk]).count() == 200
    with_200 = _queries_for([org.pk], tables)

    assert with_20 == with_200
    # At most one grouped query per table (fewer: tables are packed; one of them counts
    # the excluded cases too).
    assert with_200 <= len(tables)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_release_reads_one_snapshot():
    org = OrganisationFactory()
    populate(org, UserFactory(organisation=org), [Spec()] * 12)
    with CaptureQueriesContext(connection) as queries:
        release = stats.build_release([org.pk], [("sex",), ("status",)], k=5)
    statements = [query["sql"] for query in queries]
    statements = [sql for sql in statements if sql not in ("BEGIN", "COMMIT")]
    assert statements[0].startswith("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    # The snapshot, then both tables packed into one query that counts the excluded too.
    assert len(statements) == 1 + 1
    assert release.table("sex").rows(5)[-1] == {"sex": "Total", "count": 12}
    assert not connection.in_atomic_block


def test_microdata_is_one_query(org, recorder):
    populate(org, recorder, [Spec()] * 30)
    with CaptureQueriesContext(connection) as queries:
        rows, suppressed = stats.microdata([org.pk], k=5)
    assert len(queries) == 1
    assert len(rows) == 30 and suppressed == 0
    assert rows[0] == {
        "nationality": "Kenya",
        "sex": "Male",
        "age_band": "20-29",
        "recruitment_year": "2024",
        "situation": "Prisoner of war held by Ukraine",
        "recruitment_method": "Online advertisement",
    }


def test_microdata_generalises_small_groups_to_region_then_suppresses(org, recorder):
    population = (
        [Spec(nationalities=["KE"])] * 6
        + [Spec(nationalities=["UG"])] * 3
        + [Spec(nationalities=["TZ"])] * 3
        + [Spec(nationalities=["NP"])] * 2
    )
    populate(org, recorder, population)
    rows, suppressed = stats.microdata([org.pk], k=5)
    assert Counter(row["nationality"] for row in rows) == {"Kenya": 6, "Eastern Africa": 6}
    assert suppressed == 2


def test_microdata_withholds_a_field_rather_than_drop_a_record(org, recorder):
    population = [Spec(recruited_in=datetime.date(2023, 5, 1))] * 3 + [
        Spec(recruited_in=datetime.date(2024, 5, 1))
    ] * 3
    populate(org, recorder, population)
    rows, suppressed = stats.microdata([org.pk], k=5)
    assert suppressed == 0
    assert (
        rows
        == [
            {
                "nationality": "Eastern Africa",
                "sex": "Male",
                "age_band": "20-29",
                "recruitment_year": "Withheld",
                "situation": "Prisoner of war held by Ukraine",
                "recruitment_method": "Online advertisement",
            }
        ]
        * 6
    )


def test_no_cases_gives_empty_tables(org):
    release = stats.build_release([org.pk], stats.MAIN_TABLES)
    assert release.table("sex").rows(11) == [{"sex": "Total", "count": 0}]
    assert release.table("means_of_control").rows(11) == []
    assert release.generated_at <= timezone.now()
