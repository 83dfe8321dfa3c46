"""Forms of the case pages. Invalid input is re-rendered with what was typed, field by field."""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Role, User
from casework.models import (
    Case,
    Consent,
    Contact,
    EmbassyRequest,
    Note,
    Person,
    Recruitment,
    Task,
)
from casework.vocabularies import (
    AttachmentKind,
    CaseStatus,
    ClosureReason,
    DocumentStatus,
    DocumentType,
    EmbassyRequestStatus,
    MeansOfControl,
    Vulnerability,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
COUNTRY_CHOICES = list(countries)


class PersonForm(forms.ModelForm):
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        help_text=_("ISO codes separated by commas, e.g. sw, en"),
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "native_name",
            "sex",
            "date_of_birth",
            "birth_year",
            "birth_year_estimated",
            "languages",
            "interpreter_needed",
            "place_of_origin",
            "region_of_origin",
            "vulnerabilities",
        ]
        widgets = {"date_of_birth": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self):
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",")]
        codes = [c for c in codes if c]
        bad = [c for c in codes if not (c.isalpha() and 2 <= len(c) <= 3)]
        if bad:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes

    def clean(self):
        data = super().clean()
        born, year = data.get("date_of_birth"), data.get("birth_year")
        if born and born > timezone.localdate():
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        if year and not 1900 <= year <= timezone.localdate().year:
            self.add_error("birth_year", _("Enter a plausible year."))
        return data


class IdentityForm(forms.Form):
    """Nationalities, other spellings and one identity document, at registration."""

    nationalities = forms.MultipleChoiceField(
        label=_("Nationalities"),
        choices=COUNTRY_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    aliases = forms.CharField(
        label=_("Other spellings and aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as written in documents or by the family."),
    )
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    document_country = forms.ChoiceField(
        label=_("Issuing country"), choices=[("", "—"), *COUNTRY_CHOICES], required=False
    )
    document_status = forms.ChoiceField(
        label=_("Document status"), choices=DocumentStatus.choices, initial="unknown"
    )

    def clean_aliases(self):
        lines = [line.strip() for line in self.cleaned_data["aliases"].splitlines()]
        return list(dict.fromkeys(line for line in lines if line))

    def clean(self):
        data = super().clean()
        if data.get("document_number") and not data.get("document_type"):
            self.add_error("document_type", _("Say what kind of document this number is from."))
        return data


class SituationForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "situation",
            "situation_country",
            "situation_region",
            "situation_place",
            "situation_date",
            "risk",
            "next_review_on",
            "do_not_contact_family",
            "do_not_share_with_embassy",
            "media_attention",
            "legal_proceedings",
        ]
        widgets = {"situation_date": DATE, "next_review_on": DATE}


class RecruitmentForm(forms.ModelForm):
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control and coercion"),
        choices=MeansOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recruited_in = forms.DateField(
        label=_("Month of recruitment"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    class Meta:
        model = Recruitment
        fields = [
            "recruited_in",
            "country",
            "method",
            "platform",
            "promised_job",
            "promised_salary",
            "promised_salary_currency",
            "promised_visa",
            "promised_citizenship",
            "promised_education",
            "promised_travel_paid",
            "arrived_in_russia_on",
            "transit_countries",
            "contract_signed",
            "contract_language",
            "unit_type",
            "deployed_on",
            "captured_on",
            "capture_kind",
            "capture_place",
            "recruiter_details",
        ]
        widgets = {
            "arrived_in_russia_on": DATE,
            "deployed_on": DATE,
            "captured_on": DATE,
            "recruiter_details": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, show_recruiter=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_recruiter:
            del self.fields["recruiter_details"]
        if self.instance.pk:
            self.initial["means_of_control"] = list(
                self.instance.means_of_control.values_list("means", flat=True)
            )

    def clean_recruited_in(self):
        month = self.cleaned_data["recruited_in"]
        return month.replace(day=1) if month else None

    def clean_promised_salary_currency(self):
        return self.cleaned_data["promised_salary_currency"].upper()

    def clean(self):
        data = super().clean()
        if data.get("platform") and data.get("method") != "online_advertisement":
            self.add_error("platform", _("A platform applies to online recruitment only."))
        order = [("arrived_in_russia_on", "deployed_on"), ("deployed_on", "captured_on")]
        for before, after in order:
            if data.get(before) and data.get(after) and data[after] < data[before]:
                self.add_error(after, _("This date is before the previous step."))
        return data


class ContactForm(forms.ModelForm):
    phone = PhoneNumberField(
        label=_("Phone (international format)"),
        required=False,
        help_text=_("With the country code, e.g. +254 712 345678"),
    )

    class Meta:
        model = Contact
        fields = [
            "kind",
            "name",
            "relationship",
            "phone",
            "email",
            "messaging_handle",
            "country",
            "person_agreed",
            "safe_to_contact",
            "last_contacted_at",
        ]
        widgets = {"last_contacted_at": DATETIME, "email": forms.EmailInput()}

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return phone.as_e164 if phone else ""

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email:
            forms.EmailField().clean(email)
        return email


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [
            "scope",
            "country",
            "organisation_name",
            "method",
            "given_at",
            "includes_document_numbers",
        ]
        widgets = {"given_at": DATETIME}

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "share_with_embassy" and not data.get("country"):
            self.add_error("country", _("Which country's embassy?"))
        if scope == "share_with_humanitarian" and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Which organisation?"))
        if scope != "share_with_embassy":
            data["includes_document_numbers"] = False
        if data.get("given_at") and data["given_at"] > timezone.now():
            self.add_error("given_at", _("Consent cannot be recorded in the future."))
        return data


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["kind", "occurred_at", "text", "confidentiality"]
        widgets = {"occurred_at": DATETIME, "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        # The case page shows this form beside TaskForm: distinct ids keep each label
        # tied to its own field (both have a "kind").
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)
        manual = {"call", "visit", "message", "meeting", "document"}
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] in manual]
        self.fields["occurred_at"].initial = timezone.now


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "kind", "due_at", "assignee"]
        widgets = {"due_at": DATETIME}

    def __init__(self, *args, organisation=None, **kwargs):
        kwargs.setdefault("auto_id", "task-%s")  # see NoteForm
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            organisation=organisation, is_active=True, role__in=[Role.CASEWORKER, Role.SUPERVISOR]
        ).order_by("username")
        self.fields["due_at"].initial = lambda: timezone.now() + datetime.timedelta(days=2)


class EmbassyRequestForm(forms.ModelForm):
    class Meta:
        model = EmbassyRequest
        fields = ["country", "kind", "message", "due_at"]
        widgets = {"due_at": DATETIME, "message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [n.country for n in case.person.nationalities.all()]
        self.fields["country"].choices = [(c.code, c.name) for c in codes]
        self.fields["due_at"].initial = lambda: timezone.now() + datetime.timedelta(days=10)


def too_large_message():
    return _("The file is too large (at most %(mb)s MB).") % {
        "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    }


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        data = super().clean()
        if self.too_large:
            self.errors.pop("file", None)
            self.add_error("file", too_large_message())
        return data

    # Checked by content, not by name or browser-declared type.
    SIGNATURES = (
        (b"%PDF-", "application/pdf", ".pdf"),
        (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
        (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message())
        head = upload.read(16)
        upload.seek(0)
        for magic, content_type, extension in self.SIGNATURES:
            if head.startswith(magic):
                upload.detected_type = content_type
                upload.detected_extension = extension
                return upload
        raise forms.ValidationError(_("Only PDF, JPEG and PNG files are accepted."))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("unchanged")), *EmbassyRequestStatus.choices],
        required=False,
    )
    file = forms.FileField(label=_("Attach a document (PDF, JPEG or PNG)"), required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        form = UploadForm(data={"kind": "embassy_response"}, files={"file": upload})
        if not form.is_valid():
            raise forms.ValidationError(form.errors["file"])
        return form.cleaned_data["file"]


class StatusForm(forms.Form):
    """Caseworkers move a case along; closing it needs a supervisor's approval."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in CaseStatus if s not in ("closed", "new")],
    )
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), choices=[("", "—"), *ClosureReason.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == "closure_requested" and not data.get("closure_reason"):
            self.add_error("closure_reason", _("Give a reason to request closure."))
        return data


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Caseworker"), queryset=User.objects.none())
    collaborators = forms.ModelMultipleChoiceField(
        label=_("Collaborators"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(
            organisation=organisation, is_active=True, role=Role.CASEWORKER
        ).order_by("username")
        self.fields["assigned_to"].queryset = staff
        self.fields["collaborators"].queryset = staff
