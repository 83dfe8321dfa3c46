"""Two-step sign-in, lockout, session lifetime, sign-out everywhere, account management."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.views import make_recovery_codes
from casework.audit import AuditEvent
from tests.factories import LiaisonFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
START = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)


def totp_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def sign_in(client, user, device):
    response = password_step(client, user.username)
    assert response.status_code == 302 and response.url == reverse("login-verify")
    response = client.post(reverse("login-verify"), {"token": current_code(device)})
    assert response.status_code == 302, response.content
    return response


def is_signed_in(client):
    response = client.get(reverse("home"))
    # Liaisons' home is the embassy portal; everyone signed out is sent to sign in.
    return response.status_code == 200 or (
        response.status_code == 302 and not response.url.startswith(reverse("login"))
    )


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_signs_in_with_password_and_totp(client, role):
    user = LiaisonFactory() if role == Role.LIAISON else UserFactory(role=role)
    device = totp_device(user)
    password_step(client, user.username)
    # The password alone signs nobody in.
    assert not is_signed_in(client)
    response = client.post(reverse("login-verify"), {"token": current_code(device)})
    assert response.status_code == 302 and response.url == reverse("home")
    assert is_signed_in(client)
    assert AuditEvent.objects.filter(action="login", actor_id=user.pk).count() == 1


def test_password_step_alone_reaches_no_page(client):
    user = UserFactory(role=Role.SUPERVISOR)
    totp_device(user)
    password_step(client, user.username)
    for url in [reverse("home"), reverse("recovery-codes"), "/admin/"]:
        response = client.get(url, follow=True)
        assert response.redirect_chain
        assert response.request["PATH_INFO"] == reverse("login")


def test_a_used_totp_code_is_refused_the_second_time():
    user = UserFactory()
    device = totp_device(user)
    with time_machine.travel(START, tick=False):
        first = Client()
        password_step(first, user.username)
        code = current_code(device)
        assert first.post(reverse("login-verify"), {"token": code}).status_code == 302
        second = Client()
        password_step(second, user.username)
        response = second.post(reverse("login-verify"), {"token": code})
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert not is_signed_in(second)
    assert AuditEvent.objects.filter(action="login_failed", detail="second factor").exists()


def test_recovery_code_signs_in_once(client):
    user = UserFactory()
    totp_device(user)
    codes = make_recovery_codes(user)
    password_step(client, user.username)
    assert client.post(reverse("login-verify"), {"token": codes[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == len(codes) - 1
    other = Client()
    password_step(other, user.username)
    response = other.post(reverse("login-verify"), {"token": codes[0]})
    assert response.status_code == 200 and not is_signed_in(other)


def test_first_sign_in_enrols_totp_and_shows_recovery_codes(client):
    user = UserFactory()
    response = password_step(client, user.username)
    assert response.url == reverse("login-enrol")
    page = client.get(reverse("login-enrol"))
    assert page.status_code == 200
    assert b"<svg" in page.content  # QR code, inline SVG
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', page.content.decode()).group(1)
    assert secret  # the key to type in by hand
    with time_machine.travel(START, tick=False):
        wrong = client.post(reverse("login-enrol"), {"token": "000000"})
        assert wrong.status_code == 200 and not is_signed_in(client)
        # A wrong code slows the next attempt down (django-otp's throttling).
        throttled = client.post(reverse("login-enrol"), {"token": current_code(device)})
        assert throttled.status_code == 200
    with time_machine.travel(START + datetime.timedelta(seconds=5), tick=False):
        response = client.post(reverse("login-enrol"), {"token": current_code(device)})
        assert response.url == reverse("recovery-codes")
        codes_page = client.get(reverse("recovery-codes")).content.decode()
        assert len(re.findall(r"<li>([a-z0-9]{8})</li>", codes_page)) == 10
        # Shown once only.
        assert (
            len(
                re.findall(
                    r"<li>([a-z0-9]{8})</li>",
                    client.get(reverse("recovery-codes")).content.decode(),
                )
            )
            == 0
        )
        assert is_signed_in(client)


def test_lockout_after_configured_failures_per_username(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    totp_device(user)
    for _ in range(3):
        password_step(Client(REMOTE_ADDR="10.0.0.1"), user.username, "wrong-password-123")
    # Even the right password from another address is refused now.
    response = password_step(Client(), user.username, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="login_failed", actor_label=user.username).count() >= 3


def test_lockout_per_address_across_usernames(settings):
    settings.AXES_FAILURE_LIMIT = 3
    victim = UserFactory()
    totp_device(victim)
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for name in ["alice", "bob", "carol"]:
        password_step(attacker, name, "guess-guess-guess")
    assert password_step(attacker, victim.username).status_code == 429
    # The same user from elsewhere is not locked.
    assert password_step(Client(REMOTE_ADDR="10.1.1.1"), victim.username).status_code == 302


def test_lockout_uses_the_real_client_address_behind_a_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    totp_device(user)
    for spoofed in ["1.1.1.1", "2.2.2.2"]:
        # The client forges the left part; the proxy appends the real address.
        password_step(
            Client(REMOTE_ADDR="127.0.0.1"),
            f"nobody-{spoofed}",
            "x" * 12,
            HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.5",
        )
    blocked = password_step(
        Client(REMOTE_ADDR="127.0.0.1"), user.username, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert blocked.status_code == 429
    other = password_step(
        Client(REMOTE_ADDR="127.0.0.1"), user.username, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert other.status_code == 302


def test_idle_session_expires_after_30_minutes():
    user = UserFactory()
    device = totp_device(user)
    client = Client()
    with time_machine.travel(START, tick=False):
        sign_in(client, user, device)
    with time_machine.travel(START + datetime.timedelta(minutes=29), tick=False):
        assert is_signed_in(client)
    # 29 minutes after the last request: still fine; 31 after it: gone.
    with time_machine.travel(START + datetime.timedelta(minutes=58), tick=False):
        assert is_signed_in(client)
    with time_machine.travel(START + datetime.timedelta(minutes=89, seconds=30), tick=False):
        assert not is_signed_in(client)


def test_session_ends_after_12_hours_however_active():
    user = UserFactory()
    device = totp_device(user)
    client = Client()
    with time_machine.travel(START, tick=False):
        sign_in(client, user, device)
    moment = START
    for _ in range(35):  # a request every 20 minutes: never idle
        moment += datetime.timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            assert is_signed_in(client)
    assert moment == START + datetime.timedelta(hours=11, minutes=40)
    with time_machine.travel(START + datetime.timedelta(hours=12, minutes=1), tick=False):
        assert not is_signed_in(client)


def test_disabled_user_loses_open_session_on_next_request():
    user = UserFactory()
    device = totp_device(user)
    client = Client()
    sign_in(client, user, device)
    assert is_signed_in(client)
    user.disable()
    assert not is_signed_in(client)


def test_disabled_flag_alone_ends_the_session():
    # Even a change made outside the app (the admin, SQL) takes effect at once.
    user = UserFactory()
    device = totp_device(user)
    client = Client()
    sign_in(client, user, device)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not is_signed_in(client)


def test_expired_liaison_loses_session_and_cannot_sign_in():
    liaison = LiaisonFactory()
    device = totp_device(liaison)
    client = Client()
    sign_in(client, liaison, device)
    assert is_signed_in(client)
    User.objects.filter(pk=liaison.pk).update(
        access_expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert not is_signed_in(client)
    response = password_step(Client(), liaison.username)
    assert response.status_code == 200  # the form again, with an error


def test_sign_out_everywhere_ends_every_session():
    user = UserFactory()
    device = totp_device(user)
    phone, laptop = Client(), Client()
    with time_machine.travel(START, tick=False):
        sign_in(phone, user, device)
    with time_machine.travel(START + datetime.timedelta(seconds=31), tick=False):
        sign_in(laptop, user, device)
        assert is_signed_in(phone) and is_signed_in(laptop)
        laptop.post(reverse("sign-out-everywhere"))
        assert not is_signed_in(phone) and not is_signed_in(laptop)


def test_password_reset_does_not_bypass_the_second_factor(client):
    user = UserFactory(email="worker@example.org")
    device = totp_device(user)
    client.post(reverse("password_reset"), {"email": "worker@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    new = "a-brand-new-long-passphrase"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert not is_signed_in(client)
    response = password_step(client, user.username, new)
    assert response.url == reverse("login-verify")
    assert not is_signed_in(client)
    client.post(reverse("login-verify"), {"token": current_code(device)})
    assert is_signed_in(client)


def test_short_password_is_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("short-pass")
    validate_password("a-long-enough-passphrase")


def test_pages_are_not_cached(client):
    user = UserFactory()
    sign_in(client, user, totp_device(user))
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"
    assert Client().get(reverse("login"))["Cache-Control"] == "no-store"


def test_admin_site_needs_a_verified_superuser(client):
    org = OrganisationFactory()
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    root.organisation = org
    root.role = Role.ADMINISTRATOR
    root.save()
    device = totp_device(root)
    # The admin's own login form is never offered.
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    sign_in(client, root, device)
    assert client.get("/admin/").status_code == 200
    staff = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    other = Client()
    sign_in(other, staff, totp_device(staff))
    assert other.get("/admin/").status_code == 302


# Account management by administrators.


@pytest.fixture
def admin_client():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client = Client()
    sign_in(client, admin, totp_device(admin))
    client.user = admin
    return client


def test_administrator_invites_a_caseworker(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            reverse("team-invite"),
            {
                "username": "newbie",
                "first_name": "New",
                "last_name": "Worker",
                "email": "newbie@example.org",
                "role": "caseworker",
            },
        )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.organisation == admin_client.user.organisation
    assert not newbie.has_usable_password()
    assert len(callbacks) == 1  # the invitation email is enqueued after commit
    from accounts.emails import send_invitation

    send_invitation(newbie)
    assert "/accounts/password-reset/" in mail.outbox[-1].body


def test_administrator_cannot_invite_a_liaison(admin_client):
    response = admin_client.post(
        reverse("team-invite"),
        {"username": "x", "email": "x@example.org", "role": "liaison"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x").exists()


def test_administrator_disables_and_resets_second_factor_with_reason(admin_client):
    worker = UserFactory(organisation=admin_client.user.organisation)
    device = totp_device(worker)
    worker_client = Client()
    sign_in(worker_client, worker, device)

    response = admin_client.post(
        reverse("team-member-2fa", args=[worker.pk]), {"reason": "lost phone"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not is_signed_in(worker_client)
    event = AuditEvent.objects.filter(action="account", object_id=str(worker.pk)).last()
    assert "lost phone" in event.detail
    # Next sign-in asks to enrol a new factor, not to skip it.
    assert password_step(Client(), worker.username).url == reverse("login-enrol")

    admin_client.post(reverse("team-member-active", args=[worker.pk]), {"active": "0"})
    worker.refresh_from_db()
    assert not worker.is_active


def test_administrator_changes_role(admin_client):
    worker = UserFactory(organisation=admin_client.user.organisation)
    admin_client.post(reverse("team-member-role", args=[worker.pk]), {"role": "supervisor"})
    worker.refresh_from_db()
    assert worker.role == Role.SUPERVISOR


def test_administrator_cannot_touch_another_organisations_accounts(admin_client):
    stranger = UserFactory()
    for name in ["team-member", "team-member-role", "team-member-active", "team-member-2fa"]:
        method = admin_client.get if name == "team-member" else admin_client.post
        assert method(reverse(name, args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_OFFICER])
def test_only_administrators_manage_accounts(role):
    user = UserFactory(role=role)
    client = Client()
    sign_in(client, user, totp_device(user))
    assert client.get(reverse("team")).status_code == 404
    assert client.get(reverse("audit-log")).status_code == 404


def test_failed_attempts_on_a_staff_account_reach_its_organisations_log(client):
    user = UserFactory()
    password_step(client, user.username, "not-the-password")
    password_step(client, "no-such-user", "not-the-password")
    mine = AuditEvent.objects.get(action="login_failed", actor_label=user.username)
    assert mine.organisation_id == user.organisation_id
    assert AuditEvent.objects.get(actor_label="no-such-user").organisation_id is None
