"""Automatic timeline entries, stored as what happened (a code and its parameters) and told
in the reader's language when shown, as notifications are.

Status changes, assignments, consent changes and embassy exchanges appear on a case's
timeline by themselves (SPEC section 2). Parameters are codes (statuses, countries,
vocabulary values) and staff names: never anything about the person.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext

from casework import labels
from casework.vocabularies import CaseStatus, EmbassyRequestKind, EmbassyRequestStatus, NoteKind


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
