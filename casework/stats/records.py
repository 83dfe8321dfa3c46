"""The CTDC-style record-level export: one row per eligible case with only generalised
quasi-identifiers, k-anonymous over them (see `microdata`)."""

from collections import defaultdict

from django.utils.translation import gettext

from casework import labels
from casework.stats.dimensions import (
    DIMENSIONS,
    NOT_RECORDED,
    RECRUITMENT_YEAR,
    Context,
    generalised_counts,
    m49,
    nationality_to_region,
)
from casework.stats.queries import eligible_facts, grouped_counts
from casework.stats.suppression import K_DEFAULT, validate_k

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
        nationality = nationality_to_region(nationality)
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
        RECRUITMENT_YEAR,
        DIMENSIONS["situation"],
        DIMENSIONS["recruitment_method"],
    ]
    facts = eligible_facts(organisation_ids, period_start, period_end)
    pending = generalised_counts(grouped_counts(facts, dimensions), dimensions, Context())

    released: dict[tuple[str, ...], int] = defaultdict(int)  # generalised combination -> records
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
    rows: list[dict[str, str]] = []
    for (geography, nationality, *fields), count in released.items():
        if nationality == NOT_RECORDED:
            origin = not_recorded
        elif geography == "country":
            origin = DIMENSIONS["nationality"].value_label(nationality)
        else:
            origin = labels.region_name(nationality)  # an M49 sub-region or region
        row = {"nationality": origin}
        for dimension, value in zip(dimensions[1:], fields, strict=True):
            row[dimension.name] = withheld if value == WITHHELD else dimension.value_label(value)
        rows.extend(dict(row) for _ in range(count))
    rows.sort(key=lambda row: tuple(row[name] for name in MICRODATA_FIELDS))
    return rows, suppressed
