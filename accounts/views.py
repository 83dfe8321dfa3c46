"""Sign-in in two steps, enrolment of a second factor, recovery codes, sign-out everywhere.

The password step only remembers who passed it (for PREAUTH_SECONDS); the user is
signed in by django.contrib.auth only once a second factor is verified, so no page
behind login_required can ever be reached with a password alone.
"""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import PreferencesForm, TokenForm
from accounts.middleware import start_session
from accounts.models import User
from accounts.security import client_ip
from casework import audit

PREAUTH_USER = "homeward_preauth_user"
PREAUTH_AT = "homeward_preauth_at"
PREAUTH_NEXT = "homeward_preauth_next"
PREAUTH_DEVICE = "homeward_preauth_device"
NEW_RECOVERY_CODES = "homeward_new_recovery_codes"
RECOVERY_CODE_COUNT = 10


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after building the field, so it is never
        # checked: a 100,000-character name reached django-axes's column and failed there.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.liaison_access_expired():
            raise self.get_invalid_login_error()


# Not one transaction: django-axes's failure counts and the failed sign-in's audit event
# must stay written whatever happens later in the request.
@transaction.non_atomic_requests
@sensitive_post_parameters("password")
def login(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        request.session.cycle_key()
        request.session[PREAUTH_USER] = user.pk
        request.session[PREAUTH_AT] = time.time()
        next_url = request.POST.get("next") or request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            request.session[PREAUTH_NEXT] = next_url
        if user_has_device(user):
            return redirect("login-verify")
        # A new secret for each password step: one seen by someone else is discarded.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        request.session[PREAUTH_DEVICE] = device.pk
        return redirect("login-enrol")
    return render(request, "accounts/login.html", {"form": form})


def _preauth_user(request):
    user_id = request.session.get(PREAUTH_USER)
    started = request.session.get(PREAUTH_AT, 0)
    if not user_id or time.time() - started > settings.PREAUTH_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _complete_login(request, user, device):
    next_url = request.session.get(PREAUTH_NEXT) or settings.LOGIN_REDIRECT_URL
    for key in (PREAUTH_USER, PREAUTH_AT, PREAUTH_NEXT, PREAUTH_DEVICE):
        request.session.pop(key, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    start_session(request, user)
    return next_url


def _second_factor_failed(request, user):
    audit.record(
        audit.Action.LOGIN_FAILED,
        actor_label=user.get_username(),
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=str(user.pk),
        detail="second factor",
        ip_address=client_ip(request),
    )


@sensitive_post_parameters("token")
def verify(request):
    user = _preauth_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            return redirect(_complete_login(request, user, device))
        _second_factor_failed(request, user)
        form.add_error(
            "token",
            _(
                "This code is not valid, or was already used. "
                "Wait a few seconds before trying again."
            ),
        )
    return render(request, "accounts/verify.html", {"form": form})


@sensitive_post_parameters("token")
def enrol(request):
    user = _preauth_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    if user_has_device(user):
        return redirect("login-verify")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(PREAUTH_DEVICE), user=user, confirmed=False
    ).first()
    if device is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session[NEW_RECOVERY_CODES] = make_recovery_codes(user)
            _complete_login(request, user, device)
            audit.record(
                audit.Action.ACCOUNT, actor=user, obj=user, detail="second factor enrolled"
            )
            return redirect("recovery-codes")
        _second_factor_failed(request, user)
        form.add_error(
            "token",
            _(
                "This code is not valid. Check the time on your phone "
                "and wait a few seconds before trying again."
            ),
        )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code")),
            "secret": totp_secret_base32(device),
        },
    )


def totp_secret_base32(device):
    import base64

    return base64.b32encode(device.bin_key).decode("ascii")


def make_recovery_codes(user):
    """Replace the user's recovery codes with new single-use ones; return them once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@login_required
def recovery_codes(request):
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    if request.method == "POST":
        codes = make_recovery_codes(request.user)
        audit.record(
            audit.Action.ACCOUNT, actor=request.user, obj=request.user, detail="recovery codes"
        )
    remaining = StaticToken.objects.filter(device__user=request.user).count()
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "remaining": remaining})


@require_POST
@login_required
def preferences(request):
    form = PreferencesForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Preferences saved."))
    return redirect("recovery-codes")


@require_POST
@login_required
def sign_out_everywhere(request):
    request.user.end_all_sessions()
    audit.record(
        audit.Action.LOGOUT,
        actor=request.user,
        obj=request.user,
        detail="everywhere",
        ip_address=client_ip(request),
    )
    logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("login")


@require_POST
def set_language(request):
    """Django's language switch, also remembered on the account for emails."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
