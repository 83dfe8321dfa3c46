"""Fragments of raw SQL shared by the sweep's claims and the statistics facts.

Only constant text and placeholders are composed here; every value is a query parameter.
"""

from collections.abc import Iterable, Sequence

from django.db import connection


def placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def id_filter(column: str, ids: Iterable[int]) -> tuple[str, list]:
    """`column` among `ids`: one array parameter on PostgreSQL, a list on SQLite."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({placeholders(ids)})", ids
