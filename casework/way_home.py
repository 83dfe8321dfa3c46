"""The way home as a line of steps, from capture to return, read from the custody records
the case page has already fetched (no query of its own)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import (
    Case,
    CustodyEvent,
    CustodyObligations,
    EmbassyRequest,
    ReturnListEntry,
    WayHome,
)
from casework.vocabularies import (
    CustodyEventKind,
    EmbassyRequestStatus,
    PowerConfirmation,
    ReturnListKind,
    Situation,
)

DONE, CURRENT, NOT_YET, NOT_RECORDED = "done", "current", "not_yet", "not_recorded"
STATE_LABELS = {
    DONE: pgettext_lazy("way home step", "done"),
    CURRENT: pgettext_lazy("way home step", "next step"),
    NOT_YET: pgettext_lazy("way home step", "not yet"),
    # Passed by: a later step is done, this one was never recorded.
    NOT_RECORDED: pgettext_lazy("way home step", "not recorded"),
}


@dataclass(frozen=True)
class Step:
    """One step of the way home: whether it is done, and when, if known."""

    key: str
    label: Promise
    done: bool
    on: datetime.date | None = None
    # What is known of a step not done yet (a request sent, a card sent).
    detail: str = ""
    state: str = NOT_YET

    @property
    def state_label(self) -> Promise:
        return STATE_LABELS[self.state]


def way_home_steps(
    case: Case,
    *,
    events: Iterable[CustodyEvent],
    obligations: CustodyObligations | None,
    way_home: WayHome | None,
    return_lists: Iterable[ReturnListEntry],
) -> list[Step]:
    """Captured, ICRC registered, family informed, nationality confirmed, on a list,
    returned: each done (with its date when recorded) or not; the step after the last
    one done is the next step, unless the person died in custody."""
    events, return_lists = list(events), list(return_lists)
    obligations = obligations or CustodyObligations()
    way_home = way_home or WayHome()
    steps = [
        _captured(events),
        Step(
            "icrc_registered",
            _("ICRC registered"),
            obligations.icrc_registered,
            obligations.icrc_registered_on,
        ),
        _family_informed(obligations),
        _nationality_confirmed(obligations, way_home),
        _on_a_list(return_lists),
        _returned(case, events, way_home),
    ]
    last_done = max((i for i, step in enumerate(steps) if step.done), default=-1)
    died = case.custody_status == CustodyEventKind.DIED  # the latest custody event
    return [
        _with_state(step, i, last_done, ended=died or last_done == len(steps) - 1)
        for i, step in enumerate(steps)
    ]


def _with_state(step: Step, index: int, last_done: int, *, ended: bool) -> Step:
    if step.done:
        state = DONE
    elif index < last_done:
        state = NOT_RECORDED
    elif index == last_done + 1 and last_done >= 0 and not ended:
        state = CURRENT
    else:
        state = NOT_YET
    return Step(step.key, step.label, step.done, step.on, step.detail, state)


def _captured(events: list[CustodyEvent]) -> Step:
    # Any custody event means the person was captured; the capture's own date if recorded.
    captures = [e.occurred_on for e in events if e.kind == CustodyEventKind.CAPTURED]
    return Step("captured", _("Captured"), bool(events), min(captures, default=None))


def _family_informed(obligations: CustodyObligations) -> Step:
    received, sent = obligations.capture_card_received_on, obligations.capture_card_sent_on
    detail = ""
    if sent and not received:
        detail = _("capture card sent on %(date)s") % {"date": _day(sent)}
    return Step("family_informed", _("Family informed"), bool(received), received, detail)


def _nationality_confirmed(obligations: CustodyObligations, way_home: WayHome) -> Step:
    request: EmbassyRequest | None = (
        way_home.nationality_request if way_home.nationality_request_id else None
    )
    confirmed = obligations.dependent_power_confirmation == PowerConfirmation.EMBASSY_CONFIRMED
    detail = ""
    if request is not None:
        confirmed = confirmed or request.status == EmbassyRequestStatus.FULFILLED
        if not confirmed:
            detail = _("requested on %(date)s: %(status)s") % {
                "date": _day(request.created_at.date()),
                "status": request.get_status_display(),
            }
    # No date: neither record says when the embassy confirmed.
    return Step("nationality_confirmed", _("Nationality confirmed"), confirmed, None, detail)


def _on_a_list(entries: list[ReturnListEntry]) -> Step:
    kinds = [
        str(ReturnListKind(k).label)
        for k in ReturnListKind.values
        if any(e.list_kind == k for e in entries)
    ]
    first = min((e.listed_on for e in entries), default=None)
    return Step(
        "on_a_list", _("On an exchange or return list"), bool(entries), first, ", ".join(kinds)
    )


def _returned(case: Case, events: list[CustodyEvent], way_home: WayHome) -> Step:
    repatriated = [e.occurred_on for e in events if e.kind == CustodyEventKind.REPATRIATED]
    on = way_home.arrived_on or max(repatriated, default=None)
    if on is None and case.situation == Situation.RETURNED_HOME:
        on = case.situation_date
    done = bool(way_home.arrived_on or repatriated) or case.situation == Situation.RETURNED_HOME
    return Step("returned", _("Returned home"), done, on)


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")
