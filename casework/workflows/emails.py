"""Notification emails, sent one claimed at a time (casework.tasks hands them to the email
task in batches of EMAIL_BATCH, after the commit)."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from casework.models import Notification

EMAIL_BATCH = 200


class EmailFailed(Exception):
    """A transient failure to send; the task retries it."""


def stuck_email_ids(
    now: datetime.datetime, older_than=datetime.timedelta(minutes=15), limit=2000
) -> list[int]:
    """Pending emails whose task was lost (a crash between commit and enqueue)."""
    return list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING, created_at__lt=now - older_than
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_notification_email(notification_id: int, *, final_attempt: bool) -> str:
    """Send one notification's email if it is still pending. Claimed: never sent twice.

    Returns "sent", "skipped" or "failed"; raises EmailFailed to ask for a retry.
    """
    Status = Notification.EmailStatus
    claimed = Notification.objects.filter(pk=notification_id, email_status=Status.PENDING).update(
        email_status=Status.SENDING, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient", "case", "inquiry").get(
        pk=notification_id
    )
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        Notification.objects.filter(pk=notification_id).update(email_status=Status.NOT_SENT)
        return "skipped"
    try:
        _send(notification)
    except Exception as exc:  # noqa: BLE001 - any backend error is retried, then recorded
        error = f"{type(exc).__name__}: {exc}"[:300]
        status = Status.FAILED if final_attempt else Status.PENDING
        Notification.objects.filter(pk=notification_id).update(
            email_status=status, email_error=error
        )
        if final_attempt:
            return "failed"
        raise EmailFailed(error) from exc
    Notification.objects.filter(pk=notification_id).update(
        email_status=Status.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return "sent"


def _send(notification: Notification) -> None:
    recipient = notification.recipient
    reference = notification.subject_reference
    # The page of its case or inquiry; the notifications page for one about neither.
    link = settings.SITE_URL + (notification.link or reverse("notifications"))
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        # Worked out in the recipient's language, like the templates that show it.
        message = notification.display_message
    context = {"message": message, "reference": reference, "link": link, "user": recipient}
    send_templated_email("casework/email/notification", context, recipient)


def send_templated_email(template: str, context: dict, recipient) -> None:
    """Render TEMPLATE_subject.txt, TEMPLATE.txt and TEMPLATE.html in the recipient's
    language and send them as one text-and-HTML email."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    email.attach_alternative(html, "text/html")
    email.send()
