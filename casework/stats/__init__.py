"""Anonymised statistics and their disclosure control (SPEC section 6).

A release counts the cases of some organisations and period that carry an active
statistics consent, from the statistics facts (`casework.stats.facts`), in grouped
queries; generalises the values (age bands, months and quarters, small nationalities
rolled up into their M49 sub-region); withholds small counts and whatever would give
them away; optionally rounds what is left; and labels every figure for publishing.

    dimensions  what cases are counted by, their generalisation and labels
    queries     which cases count, and the grouped queries that count them
    suppression primary and secondary suppression: pure Python, no Django
    release     a release: its tables, cells, marks and legend (`build_release`)
    records     the k-anonymous record-level export (`microdata`)

Each module's docstring says how its part works.
"""

import importlib

# The names other modules use as ``stats.<name>``, and the module that defines each.
# They are imported on first use, not here: importing any submodule runs this file
# first, and the suppression solver must import without Django, which the others need.
_DEFINED_IN = {
    "CellState": "suppression",
    "K_DEFAULT": "suppression",
    "K_MIN": "suppression",
    "validate_k": "suppression",
    "DIMENSIONS": "dimensions",
    "MAIN_TABLES": "dimensions",
    "TOTAL": "dimensions",
    "m49": "dimensions",
    "eligible_cases": "queries",
    "SUPPRESSED": "release",
    "Cell": "release",
    "Release": "release",
    "Table": "release",
    "build_release": "release",
    "primary_mark": "release",
    "rounded": "release",
    "MICRODATA_FIELDS": "records",
    "microdata": "records",
}

__all__ = list(_DEFINED_IN)


def __getattr__(name: str):
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
