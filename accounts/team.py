"""Administrators manage their organisation's accounts."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.decorators import role_required
from accounts.forms import InviteForm, PolicyForm, ResetSecondFactorForm, RoleForm
from accounts.models import EscalationPolicy, Holiday, Role, User
from accounts.security import client_ip
from casework import audit
from casework.celery import enqueue
from casework.models import Notification
from casework.tasks import send_invitation

admin_only = role_required(Role.ADMINISTRATOR)


def _member(request, pk):
    """A user of the administrator's own organisation, else 404 (audited)."""
    member = User.objects.filter(pk=pk, organisation_id=request.user.organisation_id).first()
    if member is None:
        audit.record(
            audit.Action.DENIED,
            actor=request.user,
            object_type="user",
            object_id=str(pk),
            ip_address=client_ip(request),
        )
        raise Http404
    return member


def _record(request, member, detail, fields=()):
    audit.record(
        audit.Action.ACCOUNT,
        actor=request.user,
        obj=member,
        fields=fields,
        detail=detail,
        ip_address=client_ip(request),
    )


@admin_only
def team(request):
    members = User.objects.filter(organisation_id=request.user.organisation_id).order_by(
        "-is_active", "username"
    )
    return render(request, "accounts/team.html", {"members": members})


@admin_only
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            member = form.save(commit=False)
            member.organisation = request.user.organisation
            member.set_unusable_password()
            # The email is an outbox entry: kept even if it cannot be enqueued now.
            member.invitation_status = User.InvitationStatus.PENDING
            member.invitation_queued_at = timezone.now()
            member.save()
            _record(request, member, "invited", fields=["role"])
            transaction.on_commit(lambda: _enqueue_invitation(request, member))
        return redirect("team-member", pk=member.pk)
    return render(request, "accounts/invite.html", {"form": form})


def _enqueue_invitation(request, member: User) -> None:
    if enqueue(send_invitation, member.pk):
        messages.success(request, _("Invitation sent."))
    else:
        messages.info(request, _("Account created. The invitation email will be sent shortly."))


@admin_only
def member(request, pk):
    member = _member(request, pk)
    return render(
        request,
        "accounts/member.html",
        {
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
            "reset_form": ResetSecondFactorForm(),
            "has_second_factor": TOTPDevice.objects.filter(user=member, confirmed=True).exists(),
        },
    )


@admin_only
@require_POST
def change_role(request, pk):
    member = _member(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid() and member != request.user:
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        member.end_all_sessions()  # new role, new sign-in
        _record(request, member, "role changed", fields=["role"])
        messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("The role was not changed."))
    return redirect("team-member", pk=member.pk)


@admin_only
@require_POST
def set_active(request, pk):
    member = _member(request, pk)
    if member == request.user:
        messages.error(request, _("You cannot disable your own account."))
    elif request.POST.get("active") == "1":
        member.is_active = True
        member.save(update_fields=["is_active"])
        _record(request, member, "enabled", fields=["is_active"])
        messages.success(request, _("Account enabled."))
    else:
        member.disable()
        _record(request, member, "disabled", fields=["is_active"])
        messages.success(request, _("Account disabled; its sessions have ended."))
    return redirect("team-member", pk=member.pk)


@admin_only
@require_POST
def reset_second_factor(request, pk):
    member = _member(request, pk)
    form = ResetSecondFactorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to reset the second factor."))
        return redirect("team-member", pk=member.pk)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=member).delete()
        StaticDevice.objects.filter(user=member).delete()
        member.end_all_sessions()
        _record(request, member, f"second factor reset: {form.cleaned_data['reason']}")
    messages.success(
        request, _("Second factor reset. The user enrols a new one at the next sign-in.")
    )
    return redirect("team-member", pk=member.pk)


@admin_only
@require_POST
def end_sessions(request, pk):
    member = _member(request, pk)
    member.end_all_sessions()
    _record(request, member, "signed out everywhere")
    messages.success(request, _("Every session of this account has ended."))
    return redirect("team-member", pk=member.pk)


@admin_only
def policy(request):
    """Reminder and escalation thresholds, weekend days and holidays of the organisation."""
    organisation = request.user.organisation
    current, _created = EscalationPolicy.objects.get_or_create(organisation=organisation)
    holidays_text = "\n".join(
        f"{h.date.isoformat()} {h.name}".strip() for h in organisation.holidays.all()
    )
    form = PolicyForm(
        request.POST or None,
        instance=current,
        initial={"weekend_days": organisation.weekend_days, "holidays": holidays_text},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            organisation.weekend_days = form.cleaned_data["weekend_days"]
            organisation.save(update_fields=["weekend_days"])
            organisation.holidays.all().delete()
            Holiday.objects.bulk_create(
                [
                    Holiday(organisation=organisation, date=day, name=name)
                    for day, name in form.cleaned_data["holidays"].items()
                ]
            )
            audit.record(
                audit.Action.UPDATE,
                actor=request.user,
                obj=current,
                fields=sorted(form.changed_data),
                ip_address=client_ip(request),
            )
        messages.success(request, _("Escalation settings saved."))
        return redirect("escalation-policy")
    return render(request, "accounts/policy.html", {"form": form})


@admin_only
def email_failures(request):
    """Emails to the organisation's people that could not be delivered."""
    failures = (
        Notification.objects.filter(
            recipient__organisation_id=request.user.organisation_id,
            email_status__in=[Notification.EmailStatus.FAILED, Notification.EmailStatus.SENDING],
        )
        .select_related("recipient", "case", "inquiry")
        .order_by("-created_at")[:200]
    )
    return render(request, "accounts/email_failures.html", {"failures": failures})
