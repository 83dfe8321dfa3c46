"""Helpers shared by the tests."""

import time

from django.test import Client
from django_otp.oath import TOTP

from accounts.middleware import SESSION_EPOCH, SESSION_STARTED


def signed_in_client(user, client=None):
    """A client signed in as `user` without the two-step sign-in, its session stamped as
    the real sign-in does (SessionPolicyMiddleware ends a session without the stamps)."""
    client = client or Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_STARTED] = int(time.time())
    session[SESSION_EPOCH] = user.session_epoch
    session.save()
    return client


def totp_code(device):
    """The current code of a django-otp TOTP device."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
