from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role, User


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
