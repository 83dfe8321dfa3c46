"""Client addresses behind proxies, and session rules shared by views and middleware."""

from django.conf import settings


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the one the outermost trusted proxy saw.

    With TRUSTED_PROXY_COUNT = N, the N-th address from the right of X-Forwarded-For
    was appended by our own outermost proxy; anything left of it is client-supplied
    and can be forged, so it is ignored.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if not proxies:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
