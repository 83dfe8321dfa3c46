"""Organisations and the people who sign in to Homeward."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


class Organisation(models.Model):
    """An NGO. Every case and every staff account belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("short code"), max_length=20, unique=True)
    country = CountryField(_("country of operation"))
    # ISO weekday numbers (Monday=1 ... Sunday=7) that are not working days.
    weekend_days = models.JSONField(_("weekend days"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.weekend_days and self._state.adding:
            self.weekend_days = [6, 7]
        super().save(*args, **kwargs)


class EscalationPolicy(models.Model):
    """An organisation's reminder and escalation thresholds (SPEC section 3 defaults)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="escalation_policy"
    )
    task_reminder_hours = models.PositiveIntegerField(
        _("task reminder, hours before due"), default=24
    )
    task_overdue_supervisor_days = models.PositiveIntegerField(
        _("overdue task to supervisors, working days after due"), default=1
    )
    task_overdue_admin_days = models.PositiveIntegerField(
        _("overdue task to administrators, working days after due"), default=3
    )
    embassy_reminder_days = models.PositiveIntegerField(
        _("embassy request reminder to liaisons, working days before due"), default=2
    )
    embassy_repeat_days = models.PositiveIntegerField(
        _("unanswered embassy request, second escalation, working days after due"), default=5
    )
    stale_critical_days = models.PositiveIntegerField(
        _("stale case, critical risk, days"), default=3
    )
    stale_high_days = models.PositiveIntegerField(_("stale case, high risk, days"), default=7)
    stale_medium_days = models.PositiveIntegerField(_("stale case, medium risk, days"), default=14)
    stale_low_days = models.PositiveIntegerField(_("stale case, low risk, days"), default=30)
    unassigned_days = models.PositiveIntegerField(
        _("unassigned new case to supervisors, working days"), default=1
    )
    closure_days = models.PositiveIntegerField(
        _("undecided closure request to supervisors again, working days"), default=5
    )
    inquiry_stale_days = models.PositiveIntegerField(
        _("family inquiry without activity to its caseworker, days (twice: supervisors)"),
        default=14,
    )
    inquiry_unanswered_days = models.PositiveIntegerField(
        _("inquirer not told of a match, working days (twice: supervisors)"), default=3
    )
    # Custody (GC III arts. 70 and 126): counted from the latest recorded capture.
    custody_family_days = models.PositiveIntegerField(
        _("family not informed after a capture, days (twice: supervisors)"), default=7
    )
    custody_icrc_visit_days = models.PositiveIntegerField(
        _("no ICRC visit after a capture, days (twice: supervisors)"), default=60
    )
    hearing_reminder_days = models.PositiveIntegerField(
        _("hearing reminder to the caseworker, working days before"), default=3
    )
    follow_up_days = models.PositiveIntegerField(
        _("follow-up check-in not done, days after due"), default=0
    )
    return_list_silent_days = models.PositiveIntegerField(
        _("exchange or repatriation list without news, days (twice: supervisors)"), default=30
    )

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self):
        return f"{self.organisation} escalation policy"

    @classmethod
    def for_organisation(cls, organisation):
        """The organisation's policy, or the defaults if it never saved one."""
        return cls.objects.filter(organisation=organisation).first() or cls(
            organisation=organisation
        )

    def stale_days(self, risk):
        return getattr(self, f"stale_{risk}_days")


class Holiday(models.Model):
    """A day the organisation does not work; escalation deadlines skip it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="one_holiday_per_day")
        ]

    def __str__(self):
        return f"{self.date} {self.name}"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Embassy liaison")
    DATA_OFFICER = "data_officer", _("Data officer")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = [Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_OFFICER, Role.ADMINISTRATOR]


class User(AbstractUser):
    """A person who signs in. Staff belong to an organisation; liaisons to none."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    # A liaison speaks for one or more countries' embassies or consulates.
    liaison_countries = CountryField(_("countries represented"), multiple=True, blank=True)
    access_expires_on = models.DateField(_("access expires on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    daily_digest = models.BooleanField(_("daily digest email"), default=True)
    # Stored in each session at sign-in; bumping it ends every session of the user.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class InvitationStatus(models.TextChoices):
        NONE = "", _("not invited")
        PENDING = "pending", _("to be sent")
        SENDING = "sending", _("sending")
        SENT = "sent", pgettext_lazy("invitation status", "sent")

    # The invitation email as an outbox: pending until a worker claims and sends it. The
    # sweep enqueues again one left pending (the broker was down, the retries ran out).
    invitation_status = models.CharField(
        _("invitation email"),
        max_length=10,
        choices=InvitationStatus.choices,
        blank=True,
        default="",
        editable=False,
    )
    invitation_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="liaison", organisation__isnull=True, access_expires_on__isnull=False)
                    | (~Q(role="liaison") & Q(organisation__isnull=False))
                    | Q(is_superuser=True, role="")
                ),
                name="role_matches_organisation",
                violation_error_message=_(
                    "Liaisons belong to no organisation and need an expiry date; "
                    "every other role belongs to an organisation."
                ),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def end_all_sessions(self):
        """Sign the user out everywhere: every session's stored epoch stops matching."""
        User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    def disable(self):
        self.is_active = False
        self.save(update_fields=["is_active"])
        self.end_all_sessions()

    @property
    def has_liaison_role(self) -> bool:
        """The account's role is liaison: a fact about the account. Whether the person may
        act as a liaison now (active, access not expired) is casework.access.is_liaison."""
        return self.role == Role.LIAISON

    def liaison_access_expired(self, today=None) -> bool:
        if not self.has_liaison_role:
            return False
        today = today or timezone.localdate()
        return self.access_expires_on is None or self.access_expires_on < today
