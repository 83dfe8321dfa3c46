"""Automatic timeline entries, stored as what happened (a code and its parameters) and told
in the reader's language when shown, as notifications are.

Status changes, assignments, consent changes and embassy exchanges appear on a case's
timeline by themselves (SPEC section 2). Parameters are codes (statuses, countries,
vocabulary values) and staff names: never anything about the person.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from casework import labels
from casework.vocabularies import (
    CaseStatus,
    CustodyEventKind,
    EmbassyRequestKind,
    EmbassyRequestStatus,
    InquiryStatus,
    NoteKind,
)


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "—")


def _status_changed(p: dict) -> str:
    return gettext("Status: %(old)s → %(new)s") % {
        "old": _label(CaseStatus, p.get("old")),
        "new": _label(CaseStatus, p.get("new")),
    }


def _assigned(p: dict) -> str:
    return gettext("Assigned: %(before)s → %(after)s") % {
        "before": p.get("before") or "—",
        "after": p.get("after") or "—",
    }


def _section_updated(p: dict) -> str:
    texts = {
        "person": gettext("Person details updated."),
        "situation": gettext("Situation details updated."),
        "recruitment": gettext("Recruitment details updated."),
    }
    return texts.get(p.get("section"), gettext("Details updated."))


def _consent(p: dict) -> str:
    return labels.consent_label(p.get("scope", ""), p.get("country", ""), p.get("organisation", ""))


def _embassy_replied(p: dict) -> str:
    kind = _label(EmbassyRequestKind, p.get("kind"))
    if not p.get("from_embassy"):
        return gettext("The NGO replied to the request: %(kind)s.") % {"kind": kind}
    if p.get("status"):
        return gettext("The embassy replied to the request: %(kind)s. Status: %(status)s.") % {
            "kind": kind,
            "status": _label(EmbassyRequestStatus, p["status"]),
        }
    return gettext("The embassy replied to the request: %(kind)s.") % {"kind": kind}


def _inquiry_outcome(p: dict) -> str:
    return gettext("Status: %(old)s → %(new)s") % {
        "old": _label(InquiryStatus, p.get("old")),
        "new": _label(InquiryStatus, p.get("new")),
    }


def _contact_request_answered(p: dict) -> str:
    organisation = p.get("organisation") or "—"
    if p.get("shared") == "yes":
        return gettext(
            "%(organisation)s asked whether this person is known: this case was shared."
        ) % {"organisation": organisation}
    return gettext(
        "%(organisation)s asked whether this person is known: the request was declined."
    ) % {"organisation": organisation}


def _with(text: str, **defaults) -> Callable[[dict], str]:
    """A text of the active language with its parameters, "—" for one not recorded."""
    return lambda p: gettext(text) % {name: p.get(name) or "—" for name in defaults}


# Family inquiries (helper B's pages): entries of an inquiry's timeline, and of the case
# an inquiry is matched to or asked about. gettext_noop marks them for the catalogue.
INQUIRY_EVENTS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "inquiry_recorded": (NoteKind.STATUS_CHANGE, _with(gettext_noop("Inquiry recorded."))),
    "inquiry_updated": (
        NoteKind.DETAILS_UPDATED,
        _with(gettext_noop("Inquiry details updated.")),
    ),
    "inquiry_assigned": (NoteKind.ASSIGNMENT, _assigned),
    "inquiry_outcome": (NoteKind.STATUS_CHANGE, _inquiry_outcome),
    "inquiry_candidate_confirmed": (
        NoteKind.STATUS_CHANGE,
        _with(
            gettext_noop("Possible match confirmed: the person is known as case %(case)s."),
            case=True,
        ),
    ),
    "inquiry_candidate_rejected": (
        NoteKind.STATUS_CHANGE,
        _with(gettext_noop("A possible match was rejected: it will not be proposed again.")),
    ),
    "inquiry_linked": (
        NoteKind.STATUS_CHANGE,
        _with(
            gettext_noop("A family inquiry (%(inquiry)s) was matched to this case."), inquiry=True
        ),
    ),
    "inquiry_inquirer_answered": (
        NoteKind.MESSAGE,
        _with(gettext_noop("The inquirer was given the outcome.")),
    ),
    "inquiry_contact_requested": (
        NoteKind.MESSAGE,
        _with(
            gettext_noop("%(organisation)s was asked about a possible match it holds."),
            organisation=True,
        ),
    ),
    "inquiry_contact_shared": (
        NoteKind.MESSAGE,
        _with(
            gettext_noop("%(organisation)s shared its case %(case)s: the person is known to them."),
            organisation=True,
            case=True,
        ),
    ),
    "inquiry_contact_declined": (
        NoteKind.MESSAGE,
        _with(
            gettext_noop("%(organisation)s declined to share its possible match."),
            organisation=True,
        ),
    ),
    "contact_request_answered": (NoteKind.MESSAGE, _contact_request_answered),
}


def _custody_event(p: dict) -> str:
    kind = _label(CustodyEventKind, p.get("kind"))
    if p.get("corrected"):
        return gettext("Custody event corrected: %(kind)s.") % {"kind": kind}
    return gettext("Custody event recorded: %(kind)s.") % {"kind": kind}


def _custody_record(p: dict) -> str:
    """A custody or way-home record added or updated; `what` names which."""
    added = {
        "icrc_visit": gettext("ICRC visit recorded."),
        "proceeding": gettext("Legal proceeding recorded."),
        "list_entry": gettext("Entry on an exchange or repatriation list recorded."),
        "service": gettext("Reintegration service recorded."),
    }
    updated = {
        "obligations": gettext("Custody obligations updated."),
        "way_home": gettext("Way home updated."),
        "icrc_visit": gettext("ICRC visit corrected."),
        "proceeding": gettext("Legal proceeding updated."),
        "list_entry": gettext("Exchange or repatriation list entry updated."),
        "service": gettext("Reintegration service updated."),
        "follow_up": gettext("Follow-up check-in updated."),
    }
    texts = updated if p.get("updated") else added
    return texts.get(p.get("what", ""), gettext("Custody and return details updated."))


# code -> (kind of note, its text in the active language from its parameters)
EVENTS: dict[str, tuple[str, Callable[[dict], str]]] = {
    "case_registered": (NoteKind.STATUS_CHANGE, lambda p: gettext("Case registered.")),
    "status_changed": (NoteKind.STATUS_CHANGE, _status_changed),
    "assigned": (NoteKind.ASSIGNMENT, _assigned),
    "section_updated": (NoteKind.DETAILS_UPDATED, _section_updated),
    "document_uploaded": (NoteKind.DOCUMENT, lambda p: gettext("Document uploaded.")),
    "consent_given": (
        NoteKind.CONSENT,
        lambda p: gettext("Consent given: %(consent)s") % {"consent": _consent(p)},
    ),
    "consent_withdrawn": (
        NoteKind.CONSENT,
        lambda p: gettext("Consent withdrawn: %(consent)s") % {"consent": _consent(p)},
    ),
    "disclosure_approved": (
        NoteKind.EMBASSY,
        lambda p: (
            gettext("Disclosure to the embassy of %(country)s approved.")
            % {"country": labels.country_name(p.get("country"))}
        ),
    ),
    "disclosure_revoked": (
        NoteKind.EMBASSY,
        lambda p: (
            gettext("Disclosure to the embassy of %(country)s revoked.")
            % {"country": labels.country_name(p.get("country"))}
        ),
    ),
    "embassy_request_sent": (
        NoteKind.EMBASSY,
        lambda p: (
            gettext("Request sent to the embassy of %(country)s: %(kind)s.")
            % {
                "country": labels.country_name(p.get("country")),
                "kind": _label(EmbassyRequestKind, p.get("kind")),
            }
        ),
    ),
    "embassy_replied": (NoteKind.EMBASSY, _embassy_replied),
    # Custody and the way home (casework.views.custody).
    "custody_event": (NoteKind.CUSTODY, _custody_event),
    "custody_record": (NoteKind.CUSTODY, _custody_record),
    **INQUIRY_EVENTS,
    # Matching (casework.workflows.tracing) moves an inquiry between open and possible match.
    "inquiry_possible_match": (
        NoteKind.STATUS_CHANGE,
        lambda p: gettext("Possible match found: the inquiry awaits a review."),
    ),
    "inquiry_candidates_gone": (
        NoteKind.STATUS_CHANGE,
        lambda p: gettext("No possible match left to review: the inquiry is open again."),
    ),
}


def describe(event: dict | None) -> str:
    """What the event says in the active language; "" if it is not one we know."""
    if not isinstance(event, dict) or event.get("code") not in EVENTS:
        return ""
    _kind, text = EVENTS[event["code"]]
    return text(event.get("params") or {})


def entry(code: str, **params) -> dict:
    """The fields of a Note recording event `code`: its kind, the event, and its text in
    English for whatever reads `text` alone (the admin, older code)."""
    event = {"code": code, "params": {k: v for k, v in params.items() if v not in (None, "")}}
    with translation.override("en"):
        text = describe(event)
    return {"kind": EVENTS[code][0], "text": text, "event": event}
