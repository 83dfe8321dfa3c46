"""What each kind of notification says, in the recipient's language.

Only the case reference is ever added: no names, no places. Kept apart from the
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
}


def message_for(kind: str, reference: str) -> str:
    """The message of a notification kind for a case, in the active language."""
    text = MESSAGES.get(kind)
    return str(text) % {"reference": reference} if text else ""


def english_parts(kind: str) -> tuple[str, str]:
    """The English message of a kind split around the reference, for SQL concatenation."""
    with translation.override("en"):
        text = str(MESSAGES[kind])
    before, _sep, after = text.partition("%(reference)s")
    return before, after
