from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from accounts.security import client_ip
from casework import audit


def role_required(*roles):
    """Only these roles get the view; anyone else gets the same 404 as a missing page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                audit.record(
                    audit.Action.DENIED,
                    actor=request.user,
                    object_type="page",
                    object_id=request.resolver_match.url_name or "",
                    ip_address=client_ip(request),
                )
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
