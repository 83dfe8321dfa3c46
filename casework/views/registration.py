"""Registration in steps: who, from where, recruited how, where now, then a summary.

Each step is validated on its own and kept, as typed, in a draft in the session under a
random key of its own (two tabs, two drafts). The draft is encrypted with the field key:
it holds document numbers and recruiter details. Possible duplicates are shown as soon
as the names and birth year are in; the summary registers through register_case, once
however often it is sent.
"""

import datetime
import json
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.security import client_ip
from casework import access, audit, crypto, labels, matching
from casework.forms import IdentityForm, PersonForm, RecruitmentForm, SituationForm
from casework.http import htmx
from casework.models import Case, IdentityDocument
from casework.registration import common_nationalities, register_case
from casework.submissions import FIELD, SubmittedOnceMixin, create_once, new_key, sent_before
from casework.views.cases import case_staff

SESSION_KEY = "registrations"
DRAFT_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Drafts a session keeps: a tab left open is forgotten after a few newer registrations.
MAX_DRAFTS = 5
COMMON_COUNT = 10


@dataclass(frozen=True)
class Step:
    """One page of the registration: a few fields of one or more of the registration forms."""

    name: str
    title: str | Promise
    # (prefix, form class, field names); the prefix names the form in the template context.
    parts: tuple[tuple[str, type[forms.BaseForm], tuple[str, ...]], ...]


STEPS = (
    Step(
        "who",
        gettext_lazy("Who"),
        (
            (
                "person",
                PersonForm,
                (
                    "given_name",
                    "family_name",
                    "native_name",
                    "sex",
                    "date_of_birth",
                    "birth_year",
                    "birth_year_estimated",
                ),
            ),
            ("identity", IdentityForm, ("aliases",)),
        ),
    ),
    Step(
        "origin",
        gettext_lazy("From where"),
        (
            (
                "identity",
                IdentityForm,
                (
                    "nationalities",
                    "document_type",
                    "document_number",
                    "document_country",
                    "document_status",
                ),
            ),
            (
                "person",
                PersonForm,
                ("place_of_origin", "region_of_origin", "languages", "interpreter_needed"),
            ),
        ),
    ),
    Step(
        "recruitment",
        gettext_lazy("Recruited how"),
        (("recruitment", RecruitmentForm, tuple(RecruitmentForm.base_fields)),),
    ),
    Step(
        "situation",
        gettext_lazy("Where now"),
        (
            ("case", SituationForm, tuple(SituationForm.base_fields)),
            ("person", PersonForm, ("vulnerabilities",)),
        ),
    ),
)
STEP_NAMES = [step.name for step in STEPS]
CONFIRM = "confirm"
FORM_NAMES = {
    "person": "person_form",
    "identity": "identity_form",
    "case": "situation_form",
    "recruitment": "recruitment_form",
}


class ConfirmForm(SubmittedOnceMixin, forms.Form):
    """The summary's form: only the key that makes a second sending create nothing."""


@dataclass
class Draft:
    """What was typed so far, as posted (JSON-serialisable), and what was decided."""

    key: str
    data: dict[str, list[str]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    # Persons the caseworker said are someone else (the duplicate warning's "continue").
    acknowledged: list[int] = field(default_factory=list)
    submission_key: str = field(default_factory=new_key)
    saved_at: float = field(default_factory=time.time)

    @classmethod
    def load(cls, request: HttpRequest, key: str) -> "Draft | None":
        kept = request.session.get(SESSION_KEY, {}).get(key)
        if kept is None:
            return None
        try:
            return cls(**json.loads(crypto.decrypt(kept[1])))
        except (crypto.DecryptionError, TypeError, ValueError, IndexError):
            return None  # written under a retired key, or by an older version

    def save(self, request: HttpRequest) -> None:
        """Keep the draft (encrypted, with when), forgetting the oldest beyond MAX_DRAFTS."""
        self.saved_at = time.time()
        drafts = dict(request.session.get(SESSION_KEY, {}))
        drafts[self.key] = [self.saved_at, crypto.encrypt(json.dumps(self.__dict__))]
        newest = sorted(drafts.items(), key=lambda item: item[1][0])[-MAX_DRAFTS:]
        request.session[SESSION_KEY] = dict(newest)

    def forget(self, request: HttpRequest) -> None:
        drafts = dict(request.session.get(SESSION_KEY, {}))
        drafts.pop(self.key, None)
        request.session[SESSION_KEY] = drafts

    def next_step(self) -> str:
        """The first step not yet completed, or the summary."""
        return next((name for name in STEP_NAMES if name not in self.done), CONFIRM)


def _bind(step: Step, data, request: HttpRequest) -> dict[str, forms.BaseForm]:
    """The step's forms (by prefix), bound to `data`, showing the step's fields only."""
    bound = {}
    for prefix, form_class, names in step.parts:
        form = form_class(data, prefix=prefix)
        form.fields = {name: form.fields[name] for name in names}
        bound[prefix] = form
    identity = bound.get("identity")
    if identity is not None and "nationalities" in identity.fields:
        _common_first(identity, request.user)
    return bound


def _common_first(form: forms.BaseForm, user: User) -> None:
    """The organisation's most common nationalities head the country lists of the form."""
    common = common_nationalities(user.organisation_id, COMMON_COUNT)
    if not common:
        return
    names = dict(labels.country_choices())
    first = [(code, names[code]) for code in common if code in names]
    rest = [(code, name) for code, name in names.items() if code not in common]
    grouped = [(_("Most common"), first), (_("All countries"), rest)]
    form.fields["nationalities"].choices = grouped
    if "document_country" in form.fields:
        form.fields["document_country"].choices = [("", "—"), *grouped]


def _step_url(draft_key: str, step: str) -> str:
    """The address of a step of a registration (its key is random: nothing personal)."""
    return f"{reverse('case-register')}?{urlencode({'r': draft_key, 'step': step})}"


@case_staff
def register(request: HttpRequest) -> HttpResponse:
    """A registration step: GET shows it with what was kept; POST keeps what was typed and
    moves on or back; the summary's POST registers the case."""
    source = request.POST if request.method == "POST" else request.GET
    key = source.get("r", "")
    if not DRAFT_KEY.fullmatch(key):
        key = secrets.token_urlsafe(18)
    draft = Draft.load(request, key)
    step_name = source.get("step", STEP_NAMES[0])
    if step_name == CONFIRM:
        return _confirm(request, draft, key)
    step = next((s for s in STEPS if s.name == step_name), STEPS[0])
    if draft is None:
        draft = Draft(key=key)  # kept once something is posted
    if request.method == "POST" and htmx(request):
        return _live_duplicates(request, draft, step)
    if request.method == "POST":
        return _post_step(request, draft, step)
    next_step = draft.next_step()
    # No skipping ahead: the first step not yet completed comes first. Once every step is
    # done (the summary is next), any step may be opened again: the summary's "Back".
    if next_step != CONFIRM and STEP_NAMES.index(step.name) > STEP_NAMES.index(next_step):
        return redirect(_step_url(key, next_step))
    return _render_step(request, draft, step, _bind_kept(step, draft, request))


def _bind_kept(step: Step, draft: Draft, request: HttpRequest) -> dict[str, forms.BaseForm]:
    """The step's forms with what was kept of it, or blank if it was never sent."""
    sent = all(name in draft.data for name in _field_names(step))
    return _bind(step, MultiValueDict(draft.data) if sent else None, request)


def _field_names(step: Step) -> list[str]:
    """The step's fields as they are named in the posted data ("person-given_name")."""
    return [f"{prefix}-{name}" for prefix, _form, names in step.parts for name in names]


def _post_step(request: HttpRequest, draft: Draft, step: Step) -> HttpResponse:
    """Keep what was typed; go back, or check the step and go on (or warn of duplicates)."""
    draft.data.update({name: request.POST.getlist(name) for name in _field_names(step)})
    index = STEP_NAMES.index(step.name)
    if step.name in draft.done:
        draft.done.remove(step.name)
    if request.POST.get("go") == "back":
        # Going back keeps what was typed, valid or not, and checks it later.
        draft.save(request)
        return redirect(_step_url(draft.key, STEP_NAMES[max(index - 1, 0)]))
    bound = _bind(step, MultiValueDict(draft.data), request)
    if not all(form.is_valid() for form in bound.values()):
        draft.save(request)
        return _render_step(request, draft, step, bound)
    draft.done.append(step.name)
    duplicates = _duplicates_still_in_doubt(request, draft)
    draft.save(request)
    if duplicates:
        return _render_step(request, draft, step, bound, duplicates)
    return redirect(_step_url(draft.key, draft.next_step()))


def _live_duplicates(request: HttpRequest, draft: Draft, step: Step) -> HttpResponse:
    """The duplicate warning for the first step as it is being typed (htmx); keeps nothing."""
    duplicates: list[matching.Candidate] = []
    if step.name == STEP_NAMES[0]:
        typed = Draft(key=draft.key, data={**draft.data}, acknowledged=draft.acknowledged)
        typed.data.update({name: request.POST.getlist(name) for name in _field_names(step)})
        typed.done = [step.name]
        duplicates = _unacknowledged_duplicates(request, typed)
    described = _describe_duplicates(request.user, duplicates)
    if described:
        _audit_shown(request, described)
    return render(request, "casework/partials/duplicate_warning.html", {"duplicates": described})


def _duplicates_still_in_doubt(request: HttpRequest, draft: Draft) -> list[matching.Candidate]:
    """The possible duplicates to warn of; none if the caseworker just said "a different
    person" (then those are not shown again for this registration)."""
    duplicates = _unacknowledged_duplicates(request, draft)
    if duplicates and request.POST.get("not_a_duplicate") == "1":
        draft.acknowledged += [candidate.person_id for candidate in duplicates]
        return []
    return duplicates


def _unacknowledged_duplicates(request: HttpRequest, draft: Draft) -> list[matching.Candidate]:
    """Possible duplicates of the person as typed so far (names and birth year, then also
    nationalities and document), but those the caseworker said are someone else."""
    data = MultiValueDict(draft.data)
    who = _bind(STEPS[0], data, request)
    if "who" not in draft.done or not all(form.is_valid() for form in who.values()):
        return []
    person = who["person"].cleaned_data
    nationalities, numbers = [], []
    if "origin" in draft.done:
        origin = _bind(STEPS[1], data, request)["identity"]
        if origin.is_valid():
            nationalities = origin.cleaned_data["nationalities"]
            numbers = [origin.cleaned_data["document_number"]]
    born = person.get("date_of_birth")
    found = matching.find_duplicates(
        access.duplicate_candidates_scope(request.user),
        given_name=person["given_name"],
        family_name=person["family_name"],
        native_name=person["native_name"],
        aliases=who["identity"].cleaned_data["aliases"],
        birth_year=person.get("birth_year") or (born.year if born else None),
        nationalities=nationalities,
        document_numbers=[number for number in numbers if number],
    )
    return [c for c in found if c.person_id not in draft.acknowledged]


def _render_step(
    request: HttpRequest,
    draft: Draft,
    step: Step,
    bound: dict[str, forms.BaseForm],
    duplicates: Sequence[matching.Candidate] = (),
) -> HttpResponse:
    described = _describe_duplicates(request.user, list(duplicates))
    return render(
        request,
        "casework/register.html",
        {
            **_page_context(draft, STEP_NAMES.index(step.name), described, request),
            "step": step,
            "forms": list(bound.values()),
            "has_errors": any(form.is_bound and form.errors for form in bound.values()),
            # For the searchable languages field (static/js/registration.js), on its step.
            "language_choices": [
                {"value": code, "text": name} for code, name in labels.language_choices()
            ]
            if any("languages" in form.fields for form in bound.values())
            else None,
            # Named as the registration's forms are elsewhere ("case" is the situation).
            **{FORM_NAMES[prefix]: form for prefix, form in bound.items()},
        },
    )


def _page_context(draft: Draft, current: int, described: list[dict], request: HttpRequest) -> dict:
    """What every step's page shows: the steps, where this one is, possible duplicates."""
    if described:
        _audit_shown(request, described)
    titles = [(step.name, step.title) for step in STEPS] + [(CONFIRM, _("Confirm"))]
    reachable = [*STEP_NAMES, CONFIRM].index(draft.next_step())
    steps = [
        {
            "name": name,
            "title": title,
            "current": number == current,
            "url": _step_url(draft.key, name) if number <= reachable else "",
        }
        for number, (name, title) in enumerate(titles)
    ]
    return {
        "draft": draft,
        "steps": steps,
        "step_number": current + 1,
        "step_count": len(titles),
        "duplicates": described,
    }


def _audit_shown(request: HttpRequest, described: list[dict]) -> None:
    """Names of other persons were shown: a person-level view, audited."""
    audit.record(
        audit.Action.VIEW,
        actor=request.user,
        object_type="duplicate-check",
        detail=f"{len(described)} possible duplicates shown",
        ip_address=client_ip(request),
    )


def _describe_duplicates(user: User, candidates: Sequence[matching.Candidate]) -> list[dict]:
    """What a caseworker may know of a possible duplicate: reference, name, nationality."""
    if not candidates:
        return []
    persons = {
        p.pk: p
        for p in access.duplicate_candidates(
            user, [c.person_id for c in candidates]
        ).prefetch_related("nationalities")
    }
    visible = set(
        access.cases_visible_to(user)
        .filter(person_id__in=persons)
        .values_list("reference", flat=True)
    )
    rows = []
    for candidate in candidates:
        person = persons.get(candidate.person_id)
        if person is None:
            continue
        rows.append(
            {
                "reference": candidate.case_reference,
                "can_open": candidate.case_reference in visible,
                "name": person.full_name,
                "nationalities": ", ".join(n.country.name for n in person.nationalities.all()),
                "reason": candidate.reason,
            }
        )
    return rows


def _confirm(request: HttpRequest, draft: Draft | None, key: str) -> HttpResponse:
    """The summary; its POST registers the case, once however often it is sent."""
    data = request.POST if request.method == "POST" else None
    initial = {FIELD: draft.submission_key} if draft else None
    confirm = ConfirmForm(data, prefix="confirm", initial=initial)
    if data is not None and confirm.is_valid():
        earlier = sent_before(request, confirm)
        if earlier is not None:  # sent again: the first sending registered it
            if draft is not None:
                draft.forget(request)
            return redirect(earlier.get_absolute_url())
    if draft is None:
        messages.info(request, _("That registration was not kept: please start again."))
        return redirect("case-register")
    if draft.next_step() != CONFIRM:
        return redirect(_step_url(key, draft.next_step()))
    full = _full_forms(draft)
    invalid = next((s for s in STEPS if not _step_valid(s, draft, request)), None)
    if invalid is not None or not all(form.is_valid() for form in full.values()):
        # Changed since it was checked (a date now in the future): back to that step.
        step = invalid or STEPS[0]
        draft.done.remove(step.name)
        draft.save(request)
        return redirect(_step_url(key, step.name))
    duplicates = []
    if data is not None:
        duplicates = _duplicates_still_in_doubt(request, draft)
        if not duplicates and confirm.is_valid():
            case = create_once(request, confirm, lambda: _register(request.user, full))
            draft.forget(request)
            messages.success(request, _("Case %(ref)s registered.") % {"ref": case.reference})
            return redirect("case-detail", reference=case.reference)
        draft.save(request)
    context = _page_context(
        draft, len(STEPS), _describe_duplicates(request.user, duplicates), request
    )
    context.update(
        {
            "confirm_form": confirm,
            "summary": _summary(draft, request),
            "previous_url": _step_url(key, STEP_NAMES[-1]),
        }
    )
    return render(request, "casework/register.html", context)


def _step_valid(step: Step, draft: Draft, request: HttpRequest) -> bool:
    """The step's values as kept are (still) valid."""
    return all(
        form.is_valid() for form in _bind(step, MultiValueDict(draft.data), request).values()
    )


def _full_forms(draft: Draft) -> dict[str, forms.BaseForm]:
    """The registration's forms with every step's values: what register_case is given."""
    data = MultiValueDict(draft.data)
    return {
        "person": PersonForm(data, prefix="person"),
        "identity": IdentityForm(data, prefix="identity"),
        "case": SituationForm(data, prefix="case"),
        "recruitment": RecruitmentForm(data, prefix="recruitment"),
    }


def _register(user: User, full: dict[str, forms.BaseForm]) -> Case:
    """Register the case from the registration's forms, all valid."""
    identity = full["identity"].cleaned_data
    document = None
    if identity.get("document_type"):
        document = IdentityDocument(
            doc_type=identity["document_type"],
            number=identity["document_number"],
            issuing_country=identity["document_country"],
            status=identity["document_status"],
        )
    return register_case(
        user,
        full["person"].save(commit=False),
        full["case"].save(commit=False),
        full["recruitment"].save(commit=False),
        nationalities=identity["nationalities"],
        aliases=identity["aliases"],
        identity_document=document,
        means_of_control=full["recruitment"].cleaned_data.get("means_of_control", []),
    )


def _summary(draft: Draft, request: HttpRequest) -> list[dict]:
    """Each step's values in words, for the summary page."""
    data = MultiValueDict(draft.data)
    sections = []
    for step in STEPS:
        rows = []
        for form in _bind(step, data, request).values():
            form.is_valid()
            for name, field_ in form.fields.items():
                shown = _shown(field_, name, form.cleaned_data.get(name))
                if shown:
                    rows.append((field_.label, shown))
        sections.append({"title": step.title, "url": _step_url(draft.key, step.name), "rows": rows})
    return sections


def _shown(field_: forms.Field, name: str, value) -> str:
    """A cleaned value in the reader's words: labels for codes, localised dates and numbers."""
    if value in (None, "", [], False):
        return ""
    if value is True:
        return _("Yes")
    if name == "languages":
        return ", ".join(labels.language_names(value))
    if name == "contract_language":
        return labels.language_name(value)
    choices = getattr(field_, "choices", None)
    if choices is not None:
        flat: dict[str, object] = {}
        for code, label in choices:
            flat.update(label if isinstance(label, list | tuple) else [(code, label)])
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(str(flat.get(str(v), v)) for v in values)
    if name == "recruited_in":
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(formats.localize(value))
