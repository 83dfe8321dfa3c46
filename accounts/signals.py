"""Sign-ins, failed sign-ins and sign-outs go to the audit log."""

from axes.models import AccessAttempt
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import User
from accounts.security import client_ip
from casework import audit


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(audit.Action.LOGIN, actor=user, obj=user, ip_address=_ip(request))
    # A full sign-in (second factor included) clears this username's failures only.
    AccessAttempt.objects.filter(username=user.get_username()).delete()


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username only; Django already masks the password in `credentials`.
    username = str(credentials.get("username", ""))[:150]
    # Attempts on an existing account show in its organisation's log.
    organisation_id = (
        User.objects.filter(username=username).values_list("organisation_id", flat=True).first()
    )
    audit.record(
        audit.Action.LOGIN_FAILED,
        actor_label=username,
        organisation_id=organisation_id,
        detail="password",
        ip_address=_ip(request),
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.Action.LOGOUT, actor=user, obj=user, ip_address=_ip(request))
