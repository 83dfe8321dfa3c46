"""Session rules: absolute lifetime, sign-out everywhere, liaison expiry; no-store caching."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED = "homeward_auth_at"
SESSION_EPOCH = "homeward_epoch"


def start_session(request, user):
    """Stamp a freshly signed-in session; call right after django.contrib.auth.login()."""
    request.session[SESSION_STARTED] = int(time.time())
    request.session[SESSION_EPOCH] = user.session_epoch


class SessionPolicyMiddleware:
    """Ends a session past its absolute lifetime, after sign-out everywhere or expiry.

    Idle expiry is the session cookie's own age (renewed on every request); a disabled
    account is already anonymous, because the authentication backend refuses it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and self.must_end(request, user):
            logout(request)
            # The path only: a query string may carry a searched name.
            return redirect_to_login(request.path)
        return self.get_response(request)

    @staticmethod
    def must_end(request, user):
        started = request.session.get(SESSION_STARTED)
        if started is None or time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            return True
        if request.session.get(SESSION_EPOCH) != user.session_epoch:
            return True
        return user.liaison_access_expired()


class NoStoreMiddleware:
    """No page seen by a signed-in user, nor a sign-in page, is kept by any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response
