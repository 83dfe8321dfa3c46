"""The statistics app's models: the exports people ask for, and one row of facts per case."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from casework.models import BuiltInBackground, Case, private_export_name, secrets_token


class StatsExport(BuiltInBackground, models.Model):
    """An anonymised statistics export, built in the background and downloadable briefly."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"
        MICRODATA = "microdata", _("Record-level CSV (k-anonymous)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    # Tables, k, rounding, period and scope: no personal data can be in here.
    parameters = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=private_export_name, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # The download link carries this random token and stops working at expires_at.
    token = models.CharField(max_length=64, default=secrets_token, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When it was last handed to the broker (or should have been): the sweep enqueues
    # again an export left queued for a few minutes (the broker was down).
    queued_at = models.DateTimeField(default=timezone.now)
    # Each build claims the export with attempts + 1; only that attempt may finish it.
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    # A build that died this many times is not tried again.
    MAX_ATTEMPTS = 3
    # The error recorded when it was given up (shown translated on the export page).
    INTERRUPTED = "interrupted"
    # A build shows 5% as soon as it claims the export.
    CLAIM_FIELDS = {"progress": 5}

    class Meta:
        db_table = "casework_statsexport"  # the table it had in the casework app
        verbose_name = _("statistics export")
        verbose_name_plural = _("statistics exports")
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.format} export #{self.pk}"

    def deadline(self):
        """When a running build is taken for dead (its worker was killed)."""
        if self.started_at is None:
            return None
        return self.started_at + datetime.timedelta(minutes=settings.EXPORT_MAX_MINUTES)

    @property
    def interrupted(self) -> bool:
        """Queued again after a build that never finished."""
        return self.state == self.State.QUEUED and self.attempts > 0

    @property
    def overdue(self) -> bool:
        """Running past its deadline: about to be retried by the sweep."""
        deadline = self.deadline()
        return (
            self.state == self.State.RUNNING and deadline is not None and deadline < timezone.now()
        )


class StatisticsFact(models.Model):
    """A case as statistics count it: the raw value of every statistics dimension, one row
    per case, kept true by casework.stats.facts and read by casework.stats alone."""

    # No constraints: rows are written while a case is being deleted (its children's
    # deletions refresh it); the Case post_delete receiver then deletes the row.
    case = models.OneToOneField(
        Case, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # statsfact_scope starts with it
        related_name="+",
    )
    created_at = models.DateTimeField()  # the case's
    # An active "include in statistics" consent: only these cases are counted.
    eligible = models.BooleanField()
    nationality = models.CharField(max_length=2, null=True)  # the first in ISO code order
    sex = models.CharField(max_length=10, null=True)
    age_band = models.CharField(max_length=8, null=True)
    situation = models.CharField(max_length=30, null=True)
    status = models.CharField(max_length=30, null=True)
    recruitment_method = models.CharField(max_length=30, null=True)
    platform = models.CharField(max_length=20, null=True)
    promised_job = models.CharField(max_length=20, null=True)
    means_of_control = models.IntegerField()  # a bit mask: casework.stats.facts.MEANS_BITS
    recruitment_month = models.DateField(null=True)
    capture_month = models.DateField(null=True)
    # Custody (issue 13): the latest custody event's kind, the latest proceeding's outcome,
    # and the time from capture to each step as a band (casework.stats.custody).
    custody_status = models.CharField(max_length=20, null=True)
    proceeding_outcome = models.CharField(max_length=12, null=True)
    capture_to_icrc = models.CharField(max_length=8, null=True)
    capture_to_family = models.CharField(max_length=8, null=True)
    capture_to_return = models.CharField(max_length=8, null=True)

    class Meta:
        db_table = "casework_statisticsfact"  # the table it had in the casework app
        indexes = [models.Index(fields=["organisation", "created_at"], name="statsfact_scope")]

    def __str__(self):
        return f"statistics facts of case {self.case_id}"
