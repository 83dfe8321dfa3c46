"""A create form sent twice creates one record.

Each create form carries a hidden random key. The first sending stores the key with what
it created, in the same transaction; a second sending with that key (a retry after an
error page, a double click, a reload) creates nothing and is answered with the first
result. Keys are forgotten after KEEP by the periodic sweep.
"""

import datetime
import re
import secrets
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

FIELD = "submission_key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Long enough for a retry, a reload or a form left open overnight.
KEEP = datetime.timedelta(days=2)


def new_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKey(models.Model):
    """One sending of a create form, and what it created."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, related_name="+"
    )
    object_id = models.BigIntegerField(null=True)

    def __str__(self):
        return f"submission {self.pk}"

    def result(self) -> models.Model | None:
        """The record this sending created, if it still exists."""
        if self.content_type_id is None:
            return None
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None


class SubmissionKeyField(forms.CharField):
    """Hidden and forgiving: a missing or malformed key only turns the duplicate check off."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=new_key, **kwargs)

    def bound_data(self, data, initial):
        # A form sent without a usable key is shown again with a new one.
        return data if isinstance(data, str) and KEY_PATTERN.fullmatch(data) else initial

    def clean(self, value):
        return value if isinstance(value, str) and KEY_PATTERN.fullmatch(value) else ""


class SubmittedOnceMixin:
    """For create forms: adds the hidden key, first, so that it arrives even when the
    upload handler drops the rest of an oversized request body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {FIELD: SubmissionKeyField(), **self.fields}


def sent_before(request: HttpRequest, form: forms.BaseForm) -> models.Model | None:
    """What an earlier sending of this (valid) form by this user created, if anything."""
    key = form.cleaned_data.get(FIELD, "")
    if not key:
        return None
    claim = (
        SubmissionKey.objects.filter(key=key, user=request.user)
        .select_related("content_type")
        .first()
    )
    return claim.result() if claim else None


def create_once[T: models.Model](
    request: HttpRequest, form: forms.BaseForm, create: Callable[[], T]
) -> T:
    """Run `create` with the form's key stored alongside, in one transaction; if this
    user already sent this form, create nothing and return the first result."""
    key = form.cleaned_data.get(FIELD, "")
    if not key:
        return create()
    earlier = sent_before(request, form)
    if earlier is not None:
        return earlier
    with transaction.atomic():
        try:
            with transaction.atomic():
                # A twin sent at the same moment waits here for the first to commit.
                claim = SubmissionKey.objects.create(key=key, user=request.user)
        except IntegrityError:
            # The twin won, or the key is someone else's: theirs is never returned.
            return sent_before(request, form) or create()
        created = create()
        claim.content_type = ContentType.objects.get_for_model(created)
        claim.object_id = created.pk
        claim.save(update_fields=["content_type", "object_id"])
    return created


def forget_old_keys(now: datetime.datetime) -> int:
    """Delete the keys older than KEEP; return how many (run by the periodic sweep)."""
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted
