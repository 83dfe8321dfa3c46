"""The statistics fact table: every case's raw statistics values in one narrow row.

`casework.stats` counts cases by their first nationality, sex, age at recruitment,
recruitment method, means of control and so on. Computed from the case data itself
each figure joins five tables and evaluates two correlated subqueries per case, about
2 s a table at a million cases. `StatisticsFact` holds those values ready, one row per
case, so a release groups one narrow table (about 0.1 s a table at a million cases).
What a figure means does not change: the columns are computed by the expressions below,
in the database, and generalised and disclosure-controlled by `casework.stats` as
before. Nothing but `casework.stats` reads the table; nobody is shown a row of it.

How the facts stay true
    * Every ORM write that changes a counted value refreshes the facts of the cases it
      touches, right after the write and in its transaction when it has one (every
      consent write has): the save or delete of a Case, Person, Nationality,
      Recruitment, ControlMeans or Consent (the receivers at the end; a row moved to
      another parent refreshes the old parent's case too), and `Consent.withdraw`,
      which updates in bulk. Writes that send no signals (bulk_create, a queryset's
      update, raw SQL, data migrations) must be followed by a refresh; `seed_demo`
      does it. Deleting a case deletes its row, after its children's deletions have
      refreshed it (so the table has no foreign-key constraints, and `refresh` and
      `refresh_all` also delete rows of cases that are gone).
    * Every refresh locks the cases' rows before it reads them, and reads them in a new
      statement, so with READ COMMITTED it sees whatever was committed before it got
      the locks, and whatever is committed later is refreshed after it:
      - `refresh` takes FOR NO KEY UPDATE, the lock an UPDATE of a case takes. Two
        transactions changing one case refresh its row one after the other, the second
        seeing what the first committed: a consent withdrawn while another edit of the
        case is in flight cannot leave the case counted.
      - `refresh_all`, in batches of case ids, each its own transaction, takes FOR
        SHARE: a withdrawal or a deletion of one of the batch's cases, being made,
        is waited for and then read; one that starts later waits for the batch and
        refreshes after it. An older computation never overwrites a newer one, and a
        deleted case is never written back. Unchanged rows are not written.
      Celery beat runs `refresh_all` nightly on the slow queue
      (`casework.tasks.refresh_statistics`); `manage.py refresh_statistics` runs it by
      hand; after `migrate` it runs by itself when some case has no row (a first
      installation, an upgrade).

Means of control, the one multi-valued dimension, is a bit mask: bit 0 for "not
recorded" (no means, or one outside the vocabulary), then one bit per MeansOfControl
value in declaration order. New values go at the end of the vocabulary; moving one
needs `manage.py refresh_statistics`.
"""

import datetime
import functools
import logging

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, transaction
from django.db.models import Case as SqlCase  # the SQL CASE, not a casework Case
from django.db.models import (
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
    TruncMonth,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from casework.models import (
    Case,
    Consent,
    ControlMeans,
    CustodyEvent,
    CustodyObligations,
    LegalProceeding,
    Nationality,
    Person,
    Recruitment,
    WayHome,
    cases_changed_in_bulk,
)
from casework.signals import SNAPSHOT
from casework.sql import id_filter
from casework.stats.models import StatisticsFact
from casework.vocabularies import ConsentScope, ConsentStatus, CustodyEventKind, MeansOfControl

logger = logging.getLogger(__name__)

NOT_RECORDED = ""
AGE_BANDS = [(None, 20, "<20"), (20, 30, "20-29"), (30, 40, "30-39"), (40, 50, "40-49")]
AGE_TOP_BAND = (50, "50+")
MEANS_NOT_RECORDED_BIT = 1
MEANS_BITS = {value: 1 << (index + 1) for index, value in enumerate(MeansOfControl.values)}
# (upper bound in days, band): the time from capture to a custody step, and from an
# inquiry to its outcome (`casework.stats.inquiries`).
DAY_BANDS = [(7, "0-7"), (30, "8-30"), (90, "31-90"), (365, "91-365")]
DAY_TOP_BAND = "366+"
BATCH_SIZE = 100_000
ATTEMPTS = 5
# Which fields of a model, saved with update_fields, change a counted value.
_COUNTED_CASE_FIELDS = {
    *("organisation", "organisation_id", "person", "person_id"),
    *("created_at", "situation", "status"),
}
_COUNTED_PERSON_FIELDS = {"sex", "date_of_birth", "birth_year"}


# The columns --------------------------------------------------------------------------


def active_statistics_consent():
    """The case's active "include in statistics" consent (a subquery on OuterRef pk)."""
    return Consent.objects.filter(
        case=OuterRef("pk"),
        scope=ConsentScope.INCLUDE_IN_STATISTICS,
        status=ConsentStatus.GIVEN,
    )


def _first_nationality():
    return Subquery(
        Nationality.objects.filter(person_id=OuterRef("person_id"))
        .order_by("country")
        .values("country")[:1]
    )


def _age_band():
    """Age at recruitment (or at the opening of the case) banded in the database: from the
    date of birth, else the birth year."""
    # The day a case was opened where the organisation works (TIME_ZONE), whoever asks.
    opened = TruncDate("created_at", tzinfo=timezone.get_default_timezone())
    reference = Coalesce("recruitment__recruited_in", opened, output_field=DateField())
    birth = "person__date_of_birth"
    born = Coalesce(ExtractYear(birth), F("person__birth_year"), output_field=IntegerField())
    before_birthday = LessThan(
        ExtractMonth(reference) * 100 + ExtractDay(reference),
        ExtractMonth(birth) * 100 + ExtractDay(birth),
    )
    age = (
        ExtractYear(reference)
        - born
        - SqlCase(
            When(before_birthday, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    )
    bands = [When(LessThan(age, upper), then=Value(band)) for _lower, upper, band in AGE_BANDS]
    bands.append(When(GreaterThanOrEqual(age, AGE_TOP_BAND[0]), then=Value(AGE_TOP_BAND[1])))
    return SqlCase(*bands, default=Value(NOT_RECORDED))


def _means_mask():
    bit = SqlCase(
        *(When(means=value, then=Value(mask)) for value, mask in MEANS_BITS.items()),
        default=Value(MEANS_NOT_RECORDED_BIT),
        output_field=IntegerField(),
    )
    per_recruitment = (
        ControlMeans.objects.filter(recruitment_id=OuterRef("recruitment__id"))
        .values("recruitment_id")
        .annotate(mask=Sum(bit, distinct=True))  # one row per (recruitment, means)
        .values("mask")
    )
    return Coalesce(
        Subquery(per_recruitment, output_field=IntegerField()),
        Value(MEANS_NOT_RECORDED_BIT),
    )


def _latest(model, value, order):
    """A case's latest child `value` (a subquery on OuterRef pk)."""
    return Subquery(model.objects.filter(case=OuterRef("pk")).order_by(*order).values(value)[:1])


def _capture_date():
    """The first recorded capture, else the recruitment's capture date."""
    first_capture = CustodyEvent.objects.filter(
        case=OuterRef("pk"), kind=CustodyEventKind.CAPTURED
    ).order_by("occurred_on")
    return Coalesce(
        Subquery(first_capture.values("occurred_on")[:1]),
        "recruitment__captured_on",
        output_field=DateField(),
    )


def _time_from_capture(step_date: str):
    """The band of the days from capture to `step_date`, in SQL; "" when either is
    missing or the step is dated before the capture (a recording error)."""
    elapsed = ExpressionWrapper(F(step_date) - _capture_date(), output_field=DurationField())

    def days(n):
        return Value(datetime.timedelta(days=n), output_field=DurationField())

    return SqlCase(
        When(LessThan(elapsed, days(0)), then=Value(NOT_RECORDED)),
        *(
            When(LessThanOrEqual(elapsed, days(upper)), then=Value(band))
            for upper, band in DAY_BANDS
        ),
        When(GreaterThanOrEqual(elapsed, days(0)), then=Value(DAY_TOP_BAND)),
        default=Value(NOT_RECORDED),
    )


def _columns():
    """Fact column -> its expression over Case."""
    return {
        "organisation_id": F("organisation_id"),
        "created_at": F("created_at"),
        "eligible": Exists(active_statistics_consent()),
        "nationality": _first_nationality(),
        "sex": F("person__sex"),
        "age_band": _age_band(),
        "situation": F("situation"),
        "status": F("status"),
        "recruitment_method": F("recruitment__method"),
        "platform": F("recruitment__platform"),
        "promised_job": F("recruitment__promised_job"),
        "means_of_control": _means_mask(),
        "recruitment_month": TruncMonth("recruitment__recruited_in"),
        "capture_month": TruncMonth("recruitment__captured_on"),
        "custody_status": _latest(
            CustodyEvent, "kind", ["-occurred_on", "-recorded_at", "-pk"]
        ),  # as CustodyEvent.refresh_case_status, which runs after the save's signal
        "proceeding_outcome": _latest(LegalProceeding, "outcome", ["-recorded_at", "-pk"]),
        "capture_to_icrc": _time_from_capture("custody_obligations__icrc_registered_on"),
        "capture_to_family": _time_from_capture("custody_obligations__capture_card_received_on"),
        "capture_to_return": _time_from_capture("way_home__arrived_on"),
    }


# Refreshing ---------------------------------------------------------------------------


@functools.cache
def _upsert_sql(vendor):
    """(head, tail, params) of the upsert of the facts of the cases a WHERE clause over
    `f.id` selects: head + where + tail. Compiled once per process: compiling the column
    expressions takes longer than running the statement for one case."""
    columns = _columns()
    select_sql, params = (
        Case.objects.order_by()
        .annotate(**{f"fact_{name}": expression for name, expression in columns.items()})
        .values("id", *(f"fact_{name}" for name in columns))
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    table = quote(StatisticsFact._meta.db_table)
    names = [quote(name) for name in columns]
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    head = f"""
        INSERT INTO {table} ({quote("case_id")}, {", ".join(names)})
        SELECT f.{quote("id")}, {", ".join(f"f.{quote('fact_' + name)}" for name in columns)}
          FROM ({select_sql}) AS f
         WHERE """  # noqa: S608 - quoted model identifiers and ORM-compiled SQL only
    tail = f"""
        ON CONFLICT ({quote("case_id")}) DO UPDATE
           SET {", ".join(f"{name} = excluded.{name}" for name in names)}
         WHERE {" OR ".join(f"{table}.{name} {differs} excluded.{name}" for name in names)}
    """  # noqa: S608 - quoted model identifiers only
    return head, tail, params


def _upsert(where, params) -> int:
    """Insert or update the facts of the cases `where` selects (SQL over `f.id`, the
    case's id) in one statement; rows whose values did not change are left alone.
    Returns the rows written."""
    head, tail, select_params = _upsert_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(head + where + tail, [*select_params, *params])
        return cursor.rowcount


def refresh(case_ids) -> None:
    """Recompute the facts of these cases, in the caller's transaction if there is one."""
    ids = sorted({case_id for case_id in case_ids if case_id is not None})
    if not ids:
        return
    # The lock serialises the refreshes of one case (module docstring); SQLite, which
    # has one writer at a time, ignores it.
    locked = Case.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True)
    with transaction.atomic():
        present = set(locked.values_list("pk", flat=True))
        if present:
            _upsert(*id_filter("f.id", present))
        if len(present) < len(ids):
            StatisticsFact.objects.filter(case_id__in=set(ids) - present).delete()


def _is_deadlock(error) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "40P01"


def _refresh_batch(start, end) -> int:
    """Recompute the facts of the cases with ids in [start, end), under their locks."""
    for attempt in range(1, ATTEMPTS + 1):
        own_transaction = not connection.in_atomic_block
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        # Locks every case of the batch (module docstring), in id order;
                        # no JIT: compiling this statement took longer than running it.
                        cursor.execute(
                            "SET LOCAL jit = off; "  # noqa: S608 - the table name from model metadata
                            f"SELECT count(*) FROM (SELECT 1 FROM {Case._meta.db_table} "
                            "WHERE id >= %s AND id < %s ORDER BY id FOR SHARE) AS locked",
                            [start, end],
                        )
                return _upsert("f.id >= %s AND f.id < %s", [start, end])
        except OperationalError as error:
            if not own_transaction or not _is_deadlock(error) or attempt == ATTEMPTS:
                raise
            logger.info("Statistics facts: batch %d-%d deadlocked, retrying", start, end)
    raise AssertionError("unreachable")


def refresh_all(batch_size=BATCH_SIZE, progress=None) -> int:
    """Recompute every case's facts, batch by batch; returns the rows written."""
    bounds = Case.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        StatisticsFact.objects.all().delete()
        return 0
    written = 0
    for start in range(bounds["low"], bounds["high"] + 1, batch_size):
        written += _refresh_batch(start, start + batch_size)
        if progress is not None:
            progress(min(start + batch_size, bounds["high"] + 1) - bounds["low"], written)
    StatisticsFact.objects.exclude(Exists(Case.objects.filter(pk=OuterRef("case_id")))).delete()
    return written


def cases_without_facts():
    return Case.objects.exclude(Exists(StatisticsFact.objects.filter(case_id=OuterRef("pk"))))


def refresh_if_incomplete(using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After `migrate`: recompute everything when some case has no facts."""
    if using != DEFAULT_DB_ALIAS:
        return
    if StatisticsFact._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before the table existed
    # Facts written before the custody columns existed hold NULL bands (a refresh
    # writes "" at least): an upgrade recomputes them.
    stale = StatisticsFact.objects.filter(capture_to_icrc__isnull=True)
    if cases_without_facts().exists() or stale.exists():
        written = refresh_all()
        logger.info("Statistics facts computed for %d cases", written)


# Receivers ------------------------------------------------------------------------------


def _cases_of_persons(person_ids):
    return Case.objects.filter(person_id__in=person_ids).values_list("pk", flat=True)


def _counted(update_fields, fields) -> bool:
    return update_fields is None or bool(set(update_fields) & fields)


@receiver(post_save, sender=Case, dispatch_uid="statsfacts_case")
def _case_saved(sender, instance, update_fields=None, **kwargs):
    if _counted(update_fields, _COUNTED_CASE_FIELDS):
        refresh([instance.pk])


@receiver(cases_changed_in_bulk, dispatch_uid="statsfacts_bulk")
def _cases_changed_in_bulk(sender, case_ids, **kwargs):
    refresh(case_ids)


@receiver(post_delete, sender=Case, dispatch_uid="statsfacts_case_deleted")
def _case_deleted(sender, instance, **kwargs):
    StatisticsFact.objects.filter(case_id=instance.pk).delete()


@receiver(post_save, sender=Person, dispatch_uid="statsfacts_person")
def _person_saved(sender, instance, update_fields=None, **kwargs):
    if _counted(update_fields, _COUNTED_PERSON_FIELDS):
        refresh(_cases_of_persons([instance.pk]))


# The parent of each child row whose values the facts hold.
_PARENT = {
    Nationality: "person_id",
    Recruitment: "case_id",
    ControlMeans: "recruitment_id",
    Consent: "case_id",
    CustodyEvent: "case_id",
    CustodyObligations: "case_id",
    LegalProceeding: "case_id",
    WayHome: "case_id",
}


def _remember_parent(sender, instance, **kwargs):
    """Before a save: the parent the row had when it was loaded (casework.signals keeps a
    snapshot of every audited instance), for a row moved to another parent."""
    instance._statsfacts_parent = getattr(instance, SNAPSHOT, {}).get(_PARENT[sender])


for _model in _PARENT:
    pre_save.connect(_remember_parent, sender=_model, dispatch_uid=f"statsfacts_{_model.__name__}")


def _parents(instance):
    current = getattr(instance, _PARENT[type(instance)])
    return {current, getattr(instance, "_statsfacts_parent", None)} - {None}


@receiver(post_save, sender=Nationality, dispatch_uid="statsfacts_nationality_saved")
@receiver(post_delete, sender=Nationality, dispatch_uid="statsfacts_nationality_deleted")
def _nationality_changed(sender, instance, **kwargs):
    refresh(_cases_of_persons(_parents(instance)))


@receiver(post_save, sender=Recruitment, dispatch_uid="statsfacts_recruitment_saved")
@receiver(post_delete, sender=Recruitment, dispatch_uid="statsfacts_recruitment_deleted")
@receiver(post_save, sender=Consent, dispatch_uid="statsfacts_consent_saved")
@receiver(post_delete, sender=Consent, dispatch_uid="statsfacts_consent_deleted")
@receiver(post_save, sender=CustodyEvent, dispatch_uid="statsfacts_custody_event_saved")
@receiver(post_delete, sender=CustodyEvent, dispatch_uid="statsfacts_custody_event_deleted")
@receiver(post_save, sender=CustodyObligations, dispatch_uid="statsfacts_obligations_saved")
@receiver(post_delete, sender=CustodyObligations, dispatch_uid="statsfacts_obligations_deleted")
@receiver(post_save, sender=LegalProceeding, dispatch_uid="statsfacts_proceeding_saved")
@receiver(post_delete, sender=LegalProceeding, dispatch_uid="statsfacts_proceeding_deleted")
@receiver(post_save, sender=WayHome, dispatch_uid="statsfacts_way_home_saved")
@receiver(post_delete, sender=WayHome, dispatch_uid="statsfacts_way_home_deleted")
def _case_child_changed(sender, instance, **kwargs):
    refresh(_parents(instance))


@receiver(post_save, sender=ControlMeans, dispatch_uid="statsfacts_means_saved")
@receiver(post_delete, sender=ControlMeans, dispatch_uid="statsfacts_means_deleted")
def _means_changed(sender, instance, **kwargs):
    case_ids = Recruitment.objects.filter(pk__in=_parents(instance)).values_list("case_id")
    refresh(case_id for (case_id,) in case_ids)
