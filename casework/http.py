"""What a request asks for, shared by the views of every package."""

from django.http import HttpRequest

# The highest page number a list reads: a bigger one is read as this (then past the end).
# It also keeps OFFSET well within a bigint.
MAX_PAGE = 100_000


def is_id(value: str) -> bool:
    """An ASCII decimal id that fits a database integer ("²" and "٣" are digits too)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def page_number(value) -> int:
    """A page number from the query string, at most MAX_PAGE; anything unreadable (text,
    0, a negative, a number longer than any database integer) means the first page."""
    value = str(value or "")
    return min(int(value), MAX_PAGE) if is_id(value) and int(value) >= 1 else 1


def htmx(request: HttpRequest) -> bool:
    """An htmx request: the page wants a fragment of itself, not a whole page."""
    return request.headers.get("HX-Request") == "true"
