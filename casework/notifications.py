"""What each kind of notification says, in the recipient's language.

Only the reference of a case or an inquiry is ever added: no names, no places. Kept apart from the
workflows that create notifications, so that the models can render them too.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "task_reminder": _("A task on case %(reference)s is due soon."),
    "task_overdue": _("A task on case %(reference)s is overdue."),
    "task_overdue_admin": _("A task on case %(reference)s is still overdue."),
    "embassy_reminder": _("An embassy request on case %(reference)s is due soon."),
    "embassy_unanswered": _("An embassy request on case %(reference)s is unanswered."),
    "embassy_unanswered_again": _("An embassy request on case %(reference)s is still unanswered."),
    "case_stale": _("Case %(reference)s has had no activity for a while."),
    "case_stale_escalated": _("Case %(reference)s has had no activity for too long."),
    "case_unassigned": _("Case %(reference)s is new and nobody is assigned."),
    "closure_pending": _("A closure request on case %(reference)s awaits a decision."),
    # Family inquiries: the inquiry's reference in place of a case's.
    "inquiry_candidate": _("Inquiry %(reference)s has a new possible match to review."),
    "inquiry_stale": _("Inquiry %(reference)s has had no activity for a while."),
    "inquiry_stale_escalated": _("Inquiry %(reference)s has had no activity for too long."),
    "inquiry_unanswered": _("The inquirer of %(reference)s has not yet been told of the outcome."),
    "inquiry_unanswered_escalated": _(
        "The inquirer of %(reference)s has still not been told of the outcome."
    ),
    # Custody and the way home.
    "custody_family": _("The family of %(reference)s has not yet been told of the capture."),
    "custody_family_escalated": _(
        "The family of %(reference)s has still not been told of the capture."
    ),
    "custody_icrc_visit": _("No ICRC visit is recorded on case %(reference)s since the capture."),
    "custody_icrc_visit_escalated": _(
        "Still no ICRC visit is recorded on case %(reference)s since the capture."
    ),
    "hearing_soon": _("A hearing on case %(reference)s is coming up."),
    "follow_up_due": _("A follow-up check-in on case %(reference)s is due."),
    "return_list_silent": _(
        "The exchange or repatriation list of case %(reference)s has had no news for a while."
    ),
    "return_list_silent_escalated": _(
        "The exchange or repatriation list of case %(reference)s has had no news for too long."
    ),
}


def message_for(kind: str, reference: str) -> str:
    """The message of a notification kind for a case or inquiry, in the active language."""
    text = MESSAGES.get(kind)
    return str(text) % {"reference": reference} if text else ""


def english_parts(kind: str) -> tuple[str, str]:
    """The English message of a kind split around the reference, for SQL concatenation."""
    with translation.override("en"):
        text = str(MESSAGES[kind])
    before, _sep, after = text.partition("%(reference)s")
    return before, after
