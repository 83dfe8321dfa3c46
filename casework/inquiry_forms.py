"""Forms of the family inquiry pages (SPEC section 7). Invalid input is shown again as typed."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role, User
from casework import labels, matching
from casework.forms import (
    DATE,
    DATETIME,
    KeepUntouchedSecondsMixin,
    PlausibleDatesMixin,
    ReaderCountriesMixin,
    UploadForm,
    too_large_message,
)
from casework.models import Inquiry, InquiryDocument, InquiryName, InquiryNote
from casework.submissions import SubmittedOnceMixin
from casework.vocabularies import (
    INQUIRY_OUTCOMES,
    AttachmentKind,
    IdentifierKind,
    InquiryChannel,
    InquiryStatus,
)

MAX_LINES = 20  # spellings, phone numbers or handles: more is a paste gone wrong
IDENTIFIER_LENGTH = 100
TEXT_LENGTHS = {
    "inquirer_name": 200,
    "inquirer_phone": 50,
    "inquirer_email": 254,
    "inquirer_address": 500,
    "told_about_job": 5000,
}


def _lines(text: str, *, longest: int, what: str) -> list[str]:
    """The distinct non-empty lines of a text area; a form error if too many or too long."""
    lines = [line.strip() for line in text.splitlines()]
    too_long = [number for number, line in enumerate(lines, start=1) if len(line) > longest]
    if too_long:
        raise forms.ValidationError(
            _("Each line can have at most %(max)s characters: see line %(lines)s."),
            params={"max": longest, "lines": ", ".join(map(str, too_long[:5]))},
        )
    distinct = list(dict.fromkeys(line for line in lines if line))
    if len(distinct) > MAX_LINES:
        raise forms.ValidationError(
            _("At most %(max)s %(what)s."), params={"max": MAX_LINES, "what": what}
        )
    return distinct


def language_choices() -> list[tuple[str, str]]:
    """The languages an outcome message can be given in, named in the reader's language."""
    return [("", labels.BLANK_CHOICE_LABEL)] + [
        (code, labels.language_name(code)) for code, _name in settings.LANGUAGES
    ]


class InquiryForm(
    SubmittedOnceMixin,
    ReaderCountriesMixin,
    KeepUntouchedSecondsMixin,
    PlausibleDatesMixin,
    forms.ModelForm,
):
    """A new inquiry or an edit of one: the inquirer, and the person sought as described.

    For a liaison the channel is the embassy, the nationality one of their countries, and
    they say which organisation is to trace the person (a liaison belongs to none).
    """

    names = forms.CharField(
        label=_("Names of the person sought"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in every spelling and script the family gave."),
    )
    phones = forms.CharField(
        label=_("Phone numbers they used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    handles = forms.CharField(
        label=_("Social-media handles they used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. @name on Telegram."),
    )
    inquirer_language = forms.ChoiceField(
        label=_("Inquirer's language"),
        choices=language_choices,
        required=False,
        help_text=_("The outcome message is written in it."),
    )
    document_kind = forms.ChoiceField(
        label=_("Type of photo or document"),
        choices=AttachmentKind.choices,
        initial=AttachmentKind.PHOTO,
        required=False,
    )
    document = forms.FileField(label=_("Photo or document (PDF, JPEG or PNG)"), required=False)
    document_number = forms.CharField(
        label=_("Identity-document number"),
        max_length=50,
        required=False,
        help_text=_("If the family gave one: it is matched, never shown in lists."),
    )

    class Meta:
        model = Inquiry
        fields = [
            "received_at",
            "channel",
            "inquirer_name",
            "inquirer_relationship",
            "inquirer_phone",
            "inquirer_email",
            "inquirer_address",
            "inquirer_language",
            "consent_to_store",
            "consent_to_contact",
            "sex",
            "date_of_birth",
            "birth_year",
            "nationality",
            "place_of_origin",
            "last_contact_on",
            "last_contact_place",
            "told_about_job",
        ]
        widgets = {
            "received_at": DATETIME,
            "date_of_birth": DATE,
            "last_contact_on": DATE,
            "inquirer_name": forms.TextInput(attrs={"maxlength": 200}),
            "inquirer_phone": forms.TextInput(attrs={"maxlength": 50}),
            "inquirer_email": forms.EmailInput(attrs={"maxlength": 254}),
            "inquirer_address": forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
            "told_about_job": forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        }

    def __init__(self, *args, liaison: User | None = None, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.liaison, self.too_large = liaison, too_large
        self.fields["received_at"].initial = timezone.now
        # Encrypted text has no length in the database: the form sets one.
        for name, longest in TEXT_LENGTHS.items():
            self.fields[name].validators.append(MaxLengthValidator(longest))
        if self.instance.pk:
            self.initial["names"] = "\n".join(self.instance.names.values_list("name", flat=True))
            for field, kind in (
                ("phones", IdentifierKind.PHONE),
                ("handles", IdentifierKind.HANDLE),
            ):
                values = [i.value for i in self.instance.identifiers.all() if i.kind == kind]
                self.initial[field] = "\n".join(values)
        if liaison is not None:
            self._for_liaison(liaison)

    def _for_liaison(self, liaison: User) -> None:
        del self.fields["channel"]
        self.instance.channel = InquiryChannel.EMBASSY
        codes = [country.code for country in liaison.liaison_countries]
        self.fields["nationality"].choices = [
            (code, name) for code, name in labels.country_choices() if code in codes
        ]
        self.fields["nationality"].required = True
        if not self.instance.pk:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organisation to trace the person"),
                queryset=Organisation.objects.order_by("name"),
                empty_label=labels.BLANK_CHOICE_LABEL,
            )

    def clean_consent_to_store(self) -> bool:
        if not self.cleaned_data.get("consent_to_store"):
            raise forms.ValidationError(
                _("We keep an inquirer's details only with their agreement: ask them first.")
            )
        return True

    def clean_names(self) -> list[str]:
        longest = InquiryName._meta.get_field("name").max_length or 300
        names = _lines(self.cleaned_data["names"], longest=longest, what=_("spellings"))
        if not names:
            raise forms.ValidationError(_("Give at least one name."))
        return names

    def clean_phones(self) -> list[str]:
        return _lines(self.cleaned_data["phones"], longest=IDENTIFIER_LENGTH, what=_("numbers"))

    def clean_handles(self) -> list[str]:
        return _lines(self.cleaned_data["handles"], longest=IDENTIFIER_LENGTH, what=_("handles"))

    def clean_inquirer_email(self) -> str:
        email = self.cleaned_data["inquirer_email"].strip()
        if email:
            forms.EmailField().clean(email)
        return email

    def clean_document(self):
        if self.too_large:
            raise forms.ValidationError(too_large_message())
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        form = UploadForm(data={"kind": AttachmentKind.PHOTO}, files={"file": upload})
        if not form.is_valid():
            raise forms.ValidationError(form.errors["file"])
        return form.cleaned_data["file"]

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        born, year = data.get("date_of_birth"), data.get("birth_year")
        if born and born > today:
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        if year and not 1900 <= year <= today.year:
            self.add_error("birth_year", _("Enter a plausible year."))
        if data.get("last_contact_on") and data["last_contact_on"] > today:
            self.add_error("last_contact_on", _("This date is in the future."))
        if data.get("received_at") and data["received_at"] > timezone.now():
            self.add_error("received_at", _("This date is in the future."))
        if "document" in self.errors:
            self.add_error(None, _("Choose the file again: a browser cannot keep it."))
        return data

    def save_inquiry(self, by: User, organisation_id: int | None = None) -> Inquiry:
        """Save the inquiry with its names, numbers, handles and document; on its timeline."""
        inquiry = self.save(commit=False)
        created = inquiry.pk is None
        if created:
            inquiry.organisation_id = organisation_id or self.cleaned_data["organisation"].pk
            inquiry.submitted_by = by
            if by.role == Role.CASEWORKER:
                # Whoever takes the call works on it until a supervisor assigns someone else.
                inquiry.assigned_to = by
        inquiry.save()
        data = self.cleaned_data
        inquiry.set_names(data["names"])
        rows = [(IdentifierKind.PHONE, value) for value in data["phones"]]
        rows += [(IdentifierKind.HANDLE, value) for value in data["handles"]]
        inquiry.set_identifiers(
            [(kind, value, matching.identifier_digest(kind, value)) for kind, value in rows]
        )
        number = data.get("document_number", "").strip()
        if data.get("document") or number:
            InquiryDocument.store(
                inquiry,
                data.get("document"),
                data.get("document_kind") or AttachmentKind.PHOTO,
                by,
                number=number,
                number_digest=matching.document_digest(number) if number else "",
            )
        inquiry.touch()
        inquiry.record_event("inquiry_recorded" if created else "inquiry_updated", by)
        return inquiry


class InquiryNoteForm(SubmittedOnceMixin, forms.ModelForm):
    class Meta:
        model = InquiryNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 10000})}
        labels = {"text": _("Note")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "inquiry-note-%s")
        super().__init__(*args, **kwargs)
        self.fields["text"].validators.append(MaxLengthValidator(10000))


# Outcomes a caseworker records by hand: a match is recorded by confirming a candidate.
MANUAL_OUTCOMES = [status for status in INQUIRY_OUTCOMES if status != InquiryStatus.MATCHED]


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in MANUAL_OUTCOMES],
    )


class InquiryAssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Caseworker"), queryset=User.objects.none())

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(
            organisation=organisation, is_active=True, role=Role.CASEWORKER
        ).order_by("username")


class InquiryFilterForm(PlausibleDatesMixin, forms.Form):
    """The inquiry list's filters, from the query string; a bad one is left out."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *InquiryStatus.choices]
    )
    channel = forms.ChoiceField(
        label=_("Received by"), required=False, choices=[("", _("Any")), *InquiryChannel.choices]
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[("", _("Any")), ("me", _("Me")), ("none", _("Nobody"))],
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Any")), *labels.country_choices()]

    def filter(self, inquiries, user):
        """`inquiries` narrowed by every filter that is valid."""
        self.is_valid()
        data = self.cleaned_data
        for name in ("status", "channel", "nationality"):
            if data.get(name):
                inquiries = inquiries.filter(**{name: data[name]})
        if data.get("assignee") == "me":
            inquiries = inquiries.filter(assigned_to=user)
        elif data.get("assignee") == "none":
            inquiries = inquiries.filter(assigned_to__isnull=True)
        if data.get("received_from"):
            inquiries = inquiries.filter(received_at__date__gte=data["received_from"])
        if data.get("received_to"):
            inquiries = inquiries.filter(received_at__date__lte=data["received_to"])
        return inquiries
