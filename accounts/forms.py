from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, EscalationPolicy, Role, User


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()


STAFF_ROLE_CHOICES = [(r.value, r.label) for r in STAFF_ROLES]


class InviteForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)


class ResetSecondFactorForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit log)"),
        max_length=200,
        help_text=_("For example: lost phone. Do not write personal details here."),
    )


ROLE_VALUES = {r.value for r in Role}


WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class PolicyForm(forms.ModelForm):
    """The organisation's thresholds, weekend days and holidays, edited together."""

    weekend_days = forms.TypedMultipleChoiceField(
        label=_("Weekend days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: a date (YYYY-MM-DD), then optionally a name."),
    )

    class Meta:
        model = EscalationPolicy
        fields = [
            "task_reminder_hours",
            "task_overdue_supervisor_days",
            "task_overdue_admin_days",
            "embassy_reminder_days",
            "embassy_repeat_days",
            "stale_critical_days",
            "stale_high_days",
            "stale_medium_days",
            "stale_low_days",
            "unassigned_days",
            "closure_days",
            "inquiry_stale_days",
            "inquiry_unanswered_days",
            "custody_family_days",
            "custody_icrc_visit_days",
            "hearing_reminder_days",
            "follow_up_days",
            "return_list_silent_days",
        ]

    def clean_weekend_days(self):
        days = sorted(set(self.cleaned_data["weekend_days"]))
        if len(days) == 7:
            raise forms.ValidationError(_("At least one day of the week must be a working day."))
        return days

    def clean_holidays(self):
        import datetime

        holidays = {}
        for number, line in enumerate(self.cleaned_data["holidays"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            date_text, _sep, name = line.partition(" ")
            try:
                day = datetime.date.fromisoformat(date_text)
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(number)s: %(text)s is not a date (YYYY-MM-DD)."),
                    params={"number": number, "text": date_text},
                ) from None
            holidays[day] = name.strip()[:100]
        return holidays


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["daily_digest"]
