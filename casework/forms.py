"""Forms of the case pages. Invalid input is re-rendered with what was typed, field by field."""

import datetime
import unicodedata

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_countries.fields import LazyTypedChoiceField
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Role, User
from casework import audit, labels
from casework.models import (
    Alias,
    Case,
    Consent,
    Contact,
    CustodyEvent,
    CustodyObligations,
    EmbassyRequest,
    FollowUp,
    IcrcVisit,
    LegalProceeding,
    Note,
    Person,
    Recruitment,
    ReintegrationService,
    ReturnListEntry,
    Task,
    WayHome,
)
from casework.submissions import SubmittedOnceMixin
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

# Date inputs take ISO 8601 values only, whatever the page's language: a localised value
# ("23/06/1990") is shown empty and submitted as "", so saving erased the date.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

# Dates outside these are typing errors or probes; they also overflow date arithmetic
# and the database's plausibility constraints.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
MAX_ALIASES = 50


def validate_plausible_date(value: datetime.date | datetime.datetime) -> None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise forms.ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="implausible_date",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def is_typed_text(value: str) -> bool:
    """False for text no one types: NUL and other control characters, lone surrogates.

    PostgreSQL refuses NUL bytes, so such a value must never reach a query. Tabs and
    line breaks are typed (text areas); they are refused only in one-line values.
    """
    return not any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\r\n" for char in value
    )


class PlausibleDatesMixin:
    """Every date and date-time field of the form accepts EARLIEST_DATE..LATEST_DATE only."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_plausible_date)


class ReaderCountriesMixin:
    """The form's single country selects list every country named and sorted in the
    reader's language (django-countries misorders Ukrainian), under the empty choice every
    other select shows rather than "---------"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, LazyTypedChoiceField):
                field.choices = [("", labels.BLANK_CHOICE_LABEL), *labels.country_choices()]


class KeepUntouchedSecondsMixin:
    """A datetime-local input shows minutes (or seconds): a stored time the user did not
    change keeps its seconds and microseconds instead of being cut on save."""

    def clean(self) -> dict:
        data = super().clean()
        for name, field in self.fields.items():
            if not isinstance(field, forms.DateTimeField) or not data.get(name):
                continue
            # Not get_initial_for_field(): it drops the microseconds this keeps.
            initial = self.initial.get(name)
            if isinstance(initial, datetime.datetime) and data[name] in (
                initial.replace(second=0, microsecond=0),
                initial.replace(microsecond=0),
            ):
                data[name] = initial
        return data


class PersonForm(PlausibleDatesMixin, forms.ModelForm):
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
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
                _("Not a language code: %(codes)s"),
                # Echo a few short: a pasted paragraph would only widen the page.
                params={"codes": ", ".join(Truncator(c).chars(12) for c in bad[:5])},
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


class IdentityForm(SubmittedOnceMixin, forms.Form):
    """Nationalities, other spellings and one identity document, at registration."""

    nationalities = forms.MultipleChoiceField(
        label=_("Nationalities"),
        choices=labels.country_choices,  # named and sorted per reader, not at import
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
        label=_("Issuing country"),
        choices=lambda: [("", "—"), *labels.country_choices()],
        required=False,
    )
    document_status = forms.ChoiceField(
        label=_("Document status"), choices=DocumentStatus.choices, initial="unknown"
    )

    def clean_aliases(self):
        lines = [line.strip() for line in self.cleaned_data["aliases"].splitlines()]
        aliases = list(dict.fromkeys(line for line in lines if line))
        longest = Alias._meta.get_field("name").max_length
        too_long = [number for number, line in enumerate(lines, start=1) if len(line) > longest]
        if too_long:
            raise forms.ValidationError(
                _("Each spelling can have at most %(max)s characters: see line %(lines)s."),
                params={"max": longest, "lines": ", ".join(map(str, too_long[:5]))},
            )
        if len(aliases) > MAX_ALIASES:
            raise forms.ValidationError(
                _("At most %(max)s spellings: keep the ones found in documents."),
                params={"max": MAX_ALIASES},
            )
        return aliases

    def clean(self):
        data = super().clean()
        if data.get("document_number") and not data.get("document_type"):
            self.add_error("document_type", _("Say what kind of document this number is from."))
        return data


class SituationForm(ReaderCountriesMixin, PlausibleDatesMixin, forms.ModelForm):
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
        ]
        widgets = {"situation_date": DATE, "next_review_on": DATE}


class RecruitmentForm(ReaderCountriesMixin, PlausibleDatesMixin, forms.ModelForm):
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
        widget=MONTH,
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
        help_texts = {
            "platform": _("Where the person was approached online, whatever the method."),
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
        order = [("arrived_in_russia_on", "deployed_on"), ("deployed_on", "captured_on")]
        for before, after in order:
            if data.get(before) and data.get(after) and data[after] < data[before]:
                self.add_error(after, _("This date is before the previous step."))
        return data


class ContactForm(
    SubmittedOnceMixin,
    ReaderCountriesMixin,
    KeepUntouchedSecondsMixin,
    PlausibleDatesMixin,
    forms.ModelForm,
):
    phone = PhoneNumberField(
        label=_("Phone (international format)"),
        required=False,
        help_text=_("With the country code, e.g. +254 712 345678"),
    )
    # Shown (as a box to tick) only once a likely duplicate was pointed out.
    confirm_duplicate = forms.BooleanField(
        label=_("Save it anyway: it is not the same contact"),
        required=False,
        widget=forms.HiddenInput,
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

    def warn_of_duplicates(self, case: Case) -> bool:
        """Point out contacts of `case` that look like this one, unless the user confirmed
        it is another; True if it did (the form is then shown again, as typed)."""
        data = self.cleaned_data
        identifying = {"name", "phone", "email"}
        if data.get("confirm_duplicate"):
            return False
        if self.instance.pk and not identifying.intersection(self.changed_data):
            return False  # an edit that leaves who it is alone was checked when made
        candidate = Contact(
            pk=self.instance.pk,
            case=case,
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
        )
        duplicates = candidate.likely_duplicates()
        if not duplicates:
            return False
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
        self.add_error(
            None,
            _(
                "This case already has a contact with the same name, phone number or email: "
                "%(contacts)s. If this is another contact, tick “Save it anyway” below."
            )
            % {"contacts": "; ".join(str(contact) for contact in duplicates)},
        )
        return True


class ConsentForm(SubmittedOnceMixin, ReaderCountriesMixin, PlausibleDatesMixin, forms.ModelForm):
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


class NoteForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
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


class TaskForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
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


class EmbassyRequestForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
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


class UploadForm(SubmittedOnceMixin, forms.Form):
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


class ReplyForm(SubmittedOnceMixin, forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("unchanged")), *EmbassyRequestStatus.choices],
        required=False,
    )
    file = forms.FileField(label=_("Attach a document (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by casework.uploads when it stopped storing the file: none of it arrived.
        self.too_large = too_large

    def clean_file(self):
        if self.too_large:
            raise forms.ValidationError(too_large_message())
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        form = UploadForm(data={"kind": "embassy_response"}, files={"file": upload})
        if not form.is_valid():
            raise forms.ValidationError(form.errors["file"])
        return form.cleaned_data["file"]

    def clean(self):
        data = super().clean()
        if "file" in self.errors:
            self.add_error(
                None,
                _(
                    "The reply was not sent. Your message is kept: choose another file, "
                    "or send it without one."
                ),
            )
        return data


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


class AuditFilterForm(PlausibleDatesMixin, forms.Form):
    """The audit log's filters, read from the query string; a bad one is shown as an error
    and left out, and the others still apply."""

    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *audit.Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)
    # The keyset cursor of the "Older" link, never typed.
    before = forms.IntegerField(
        label=_("Older events"), required=False, min_value=1, max_value=2**63 - 1
    )

    def filter(self, events):
        """`events` narrowed by every filter that is valid."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(actor_label=data["user"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(created_at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(created_at__lt=_start_of(data["until"], days=1))
        if data.get("before"):
            events = events.filter(seq__lt=data["before"])
        return events


def _start_of(day: datetime.date, days: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) + (
        datetime.timedelta(days=days)
    )


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


class CaseReferencesField(forms.MultipleChoiceField):
    """The references ticked on the case list: any that could be one; access decides."""

    def valid_value(self, value):
        return len(value) <= Case._meta.get_field("reference").max_length and is_typed_text(value)


class BulkAssignForm(forms.Form):
    """The case list's bulk assignment: a caseworker of the organisation, at most a page
    or so of the cases the supervisor sees."""

    MAX_CASES = 100

    assigned_to = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        error_messages={"required": _("Choose the caseworker to assign the cases to.")},
    )
    cases = CaseReferencesField(
        label=_("Cases"), error_messages={"required": _("Tick at least one case to assign.")}
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(
            organisation=organisation, is_active=True, role=Role.CASEWORKER
        ).order_by("username")

    def clean_cases(self):
        cases = self.cleaned_data["cases"]
        if len(cases) > self.MAX_CASES:
            raise forms.ValidationError(
                _("At most %(max)d cases can be assigned at once."), params={"max": self.MAX_CASES}
            )
        return cases


# --- Custody and the way home (casework.views.custody) -----------------------------------


def _not_before(form: forms.BaseForm, data: dict, pairs) -> None:
    """An error on the later date of each (earlier, later) pair that comes first."""
    for earlier, later in pairs:
        if data.get(earlier) and data.get(later) and data[later] < data[earlier]:
            form.add_error(later, _("This date is before the previous step."))


def _not_in_future(form: forms.BaseForm, data: dict, names) -> None:
    for name in names:
        if data.get(name) and data[name] > timezone.localdate():
            form.add_error(name, _("This date is in the future."))


ONE_LINE = forms.TextInput()
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class CustodyEventForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = CustodyEvent
        fields = [
            "kind",
            "occurred_on",
            "place",
            "authority",
            "facility",
            "source",
            "source_reliability",
            "document",
            "notes",
        ]
        widgets = {
            "occurred_on": DATE,
            "facility": ONE_LINE,
            "source": ONE_LINE,
            "notes": SHORT_TEXT,
        }
        help_texts = {
            "facility": _("Seen only by the assigned caseworker and supervisors."),
        }

    def __init__(self, *args, documents=None, show_facility=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents.order_by("-uploaded_at")
        if not show_facility:
            del self.fields["facility"]

    def clean(self):
        data = super().clean()
        _not_in_future(self, data, ["occurred_on"])
        return data


class CustodyObligationsForm(ReaderCountriesMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = CustodyObligations
        fields = [
            "capture_card_sent_on",
            "capture_card_received_on",
            "icrc_registered_on",
            "icrc_reference",
            "power_notified_on",
            "consular_access_requested_on",
            "consular_access_granted_on",
            "dependent_power",
            "dependent_power_confirmation",
        ]
        widgets = {
            **{name: DATE for name in CustodyObligations.STEPS},
            "icrc_reference": ONE_LINE,
        }
        help_texts = {
            "dependent_power": _(
                "The country he serves or depends on, which may not be his nationality."
            ),
        }

    def clean(self):
        data = super().clean()
        _not_in_future(self, data, CustodyObligations.STEPS)
        _not_before(
            self,
            data,
            [
                ("capture_card_sent_on", "capture_card_received_on"),
                ("consular_access_requested_on", "consular_access_granted_on"),
            ],
        )
        if data.get("dependent_power") and not data.get("dependent_power_confirmation"):
            self.add_error("dependent_power_confirmation", _("Say how the power is known."))
        return data


class IcrcVisitForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = IcrcVisit
        fields = ["visited_on", "notes"]
        widgets = {"visited_on": DATE, "notes": SHORT_TEXT}

    def clean(self):
        data = super().clean()
        _not_in_future(self, data, ["visited_on"])
        return data


class LegalProceedingForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = LegalProceeding
        fields = ["charge", "court", "next_hearing_on", "lawyer", "outcome", "notes"]
        widgets = {"next_hearing_on": DATE, "notes": SHORT_TEXT}


class ReturnListEntryForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = ReturnListEntry
        fields = ["list_kind", "list_name", "listed_on", "listed_by", "last_news_on"]
        widgets = {"listed_on": DATE, "last_news_on": DATE}

    def clean(self):
        data = super().clean()
        _not_in_future(self, data, ["listed_on", "last_news_on"])
        _not_before(self, data, [("listed_on", "last_news_on")])
        return data


class ReintegrationServiceForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = ReintegrationService
        fields = ["kind", "provider", "started_on", "ended_on", "outcome", "notes"]
        widgets = {"started_on": DATE, "ended_on": DATE, "notes": SHORT_TEXT}

    def clean(self):
        data = super().clean()
        _not_before(self, data, [("started_on", "ended_on")])
        return data


class FollowUpForm(SubmittedOnceMixin, PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["done_on", "note"]
        widgets = {"done_on": DATE, "note": SHORT_TEXT}

    def clean(self):
        data = super().clean()
        _not_in_future(self, data, ["done_on"])
        return data


class NationalityRequestField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # django-stubs types a CountryField as the CharField it subclasses: it is a Country.
        country = obj.country.name  # type: ignore[attr-defined]
        return f"{obj.get_kind_display()} · {country} · {formats.date_format(obj.created_at)}"


class WayHomeForm(PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = WayHome
        fields = [
            "nationality_request",
            "travel_documents",
            "travel_documents_issued_on",
            "travel_on",
            "arrived_on",
            "handed_over_on",
            "handed_over_to",
        ]
        field_classes = {"nationality_request": NationalityRequestField}
        widgets = {name: DATE for name in WayHome.STEPS}
        help_texts = {
            "nationality_request": _("The embassy request asking to confirm nationality."),
            "arrived_on": _("Follow-up check-ins are planned 3, 6 and 12 months after it."),
        }

    def __init__(self, *args, embassy_requests=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality_request"].queryset = embassy_requests.order_by("-created_at")

    def clean(self):
        data = super().clean()
        _not_before(
            self,
            data,
            [("travel_on", "arrived_on"), ("arrived_on", "handed_over_on")],
        )
        _not_in_future(self, data, ["arrived_on", "handed_over_on"])
        return data
