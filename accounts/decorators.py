from functools import wraps

from django.contrib.auth.decorators import login_required

from casework import access


def role_required(*roles):
    """Only these roles get the view; anyone else gets the same 404 as a missing page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                # A page under a case is a look at that case: the denial goes to the log
                # of the organisation holding it, with the reference asked.
                access.deny(
                    request,
                    kwargs.get("reference", ""),
                    "page",
                    request.resolver_match.url_name or "",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
