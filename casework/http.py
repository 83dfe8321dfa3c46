"""What a request asks for, shared by the views of every package."""

from django.http import HttpRequest


def htmx(request: HttpRequest) -> bool:
    """An htmx request: the page wants a fragment of itself, not a whole page."""
    return request.headers.get("HX-Request") == "true"
