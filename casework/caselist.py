"""The case list: its saved views, the columns of a row, and pages that never count
every matching case.

A saved view narrows an access-scoped queryset (access.cases_visible_to) and combines
with the list's other filters. At a million cases an exact "N cases" scans every match:
up to EXACT_COUNT_LIMIT matches the list counts them (a count bounded by a LIMIT), above
it the list says "about N" from the planner's estimate.
"""

import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db import OperationalError, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.models import CaseQuerySet, CustodyEvent, EmbassyRequest, IcrcVisit, Note, Task
from casework.vocabularies import (
    IN_CUSTODY,
    CustodyEventKind,
    NoteKind,
    Situation,
    TaskStatus,
)
from casework.workflows.embassy_rules import AWAITING as EMBASSY_AWAITING

# Up to this many matches the list says exactly how many; above, about how many.
EXACT_COUNT_LIMIT = 10_000
# A count taking longer is given up for the planner's estimate.
COUNT_TIMEOUT_MS = 50

# Timeline entries that are a contact with the person or their family.
CONTACT_KINDS = (NoteKind.CALL, NoteKind.VISIT, NoteKind.MESSAGE, NoteKind.MEETING)


# --- Saved views ------------------------------------------------------------------------


def my_overdue(cases: CaseQuerySet, user, now: datetime.datetime) -> CaseQuerySet:
    """Cases assigned to `user` with an open task past its due time."""
    return cases.filter(assigned_to=user).with_overdue_tasks(now)


def held_without_icrc_visit(cases: CaseQuerySet, user, now: datetime.datetime) -> CaseQuerySet:
    """Persons held as prisoners of war with no ICRC visit recorded since their latest
    capture (GC III art. 126; the sweep's custody rule asks the same).

    Held: the custody record's latest event is a capture, detention, transfer or
    hospital stay; or, with no custody record yet, the situation says prisoner of war.
    """
    # A visit counts unless a capture came after it: written so, PostgreSQL plans (and
    # estimates) an anti-join, which a comparison with the latest capture's date is not.
    captured_since = CustodyEvent.objects.filter(
        case=OuterRef("case"),
        kind=CustodyEventKind.CAPTURED,
        occurred_on__gt=OuterRef("visited_on"),
    )
    visited = IcrcVisit.objects.filter(case=OuterRef("pk")).exclude(Exists(captured_since))
    held = Q(custody_status__in=IN_CUSTODY) | Q(
        custody_status="", situation=Situation.POW_IN_UKRAINE
    )
    return cases.filter(held).exclude(Exists(visited))


def awaiting_embassy(cases: CaseQuerySet, user, now: datetime.datetime) -> CaseQuerySet:
    """Cases with an embassy request still awaiting its answer (as the sweep's rule 3)."""
    waiting = EmbassyRequest.objects.filter(case=OuterRef("pk"), status__in=EMBASSY_AWAITING)
    return cases.filter(Exists(waiting))


@dataclass(frozen=True)
class SavedView:
    slug: str
    label: Promise
    narrow: Callable[[CaseQuerySet, object, datetime.datetime], CaseQuerySet]


SAVED_VIEWS = {
    view.slug: view
    for view in (
        SavedView("my-overdue", _("My overdue"), my_overdue),
        SavedView("pow-no-icrc-visit", _("POWs without ICRC visit"), held_without_icrc_visit),
        SavedView("awaiting-embassy", _("Awaiting embassy"), awaiting_embassy),
    )
}


# --- Columns ----------------------------------------------------------------------------


def with_columns(cases: CaseQuerySet, user) -> CaseQuerySet:
    """Each row's latest contact (`last_contact_at`, from notes the user may read) and
    earliest open task (`next_due_at`), as subqueries of the list's own query."""
    contacts = Note.objects.filter(
        access.readable_note(user), case=OuterRef("pk"), kind__in=CONTACT_KINDS
    )
    due = Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN)
    return cases.annotate(
        last_contact_at=Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
        next_due_at=Subquery(due.order_by("due_at").values("due_at")[:1]),
    )


def mark_overdue(rows, now: datetime.datetime) -> None:
    """A row's earliest open task past due: the overdue badge, without another query."""
    for case in rows:
        case.has_overdue = case.next_due_at is not None and case.next_due_at < now


# --- Pages without counting everything ---------------------------------------------------


@dataclass
class ListPage:
    """One page of a list, with how many match: exact, or `approximate` (about)."""

    rows: list
    number: int
    per_page: int
    has_next: bool
    total: int = 0
    approximate: bool = False

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def shown_total(self) -> int:
        """The total as the page says it: an estimate to two significant digits."""
        return rounded(self.total) if self.approximate else self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        """How many pages, when the total is exact."""
        if self.approximate:
            return None
        return max(1, math.ceil(self.total / self.per_page))


def page_of(cases: QuerySet, count_of: QuerySet, number: int, per_page: int) -> ListPage:
    """Page `number` of `cases` (ordered), fetching one row more to know if another
    follows, and the total of `count_of` (the same cases, unordered). Past the end: the
    last page (an exact total) or the first."""
    start = (number - 1) * per_page
    rows = list(cases[start : start + per_page + 1])
    page = ListPage(rows[:per_page], number, per_page, len(rows) > per_page)
    known = None  # a page that is the last tells the total
    if rows and not page.has_next:
        known = start + len(rows)
    elif number == 1 and not rows:
        known = 0
    page.total, page.approximate = count_or_estimate(count_of, known=known)
    if not rows and number > 1:  # past the end
        last = 1 if page.approximate else page.num_pages or 1
        return page_of(cases, count_of, min(last, number - 1), per_page)
    return page


def count_or_estimate(
    cases: QuerySet, limit: int | None = None, known: int | None = None
) -> tuple[int, bool]:
    """(number of cases, approximate?): exact up to `limit`, else the planner's estimate;
    `known` if the caller knows it.

    Elsewhere than PostgreSQL (the embedded SQLite) always exact. On PostgreSQL the
    planner's estimate (EXPLAIN, no rows read), then a count that stops at limit + 1
    rows; its LIMIT is 0, and nothing read, when the estimate is over `limit` or the
    total known. Always these two statements: a page's query count does not depend on
    the data.
    """
    limit = EXACT_COUNT_LIMIT if limit is None else limit
    cases = cases.order_by()
    connection = connections[cases.db]
    if cases.query.is_empty():  # a search that found no one: no SQL to run
        return 0, False
    if connection.vendor != "postgresql":
        return (cases.count() if known is None else known), False
    estimate = planner_estimate(cases)
    wanted = known is None and estimate <= limit
    sql, params = cases.values("pk").query.sql_with_params()
    count = _bounded_count(
        cases.db,
        f"SELECT count(*) FROM ({sql} LIMIT %s) AS bounded",  # noqa: S608 - ORM's SQL
        [*params, limit + 1 if wanted else 0],
    )
    if known is not None:
        return known, False
    if not wanted:
        return estimate, True
    if count is None:  # too slow to count (matches few and far between)
        return estimate, True
    if count > limit:  # the planner thought fewer
        return max(estimate, limit), True
    return count, False


def _bounded_count(alias: str, sql: str, params: list) -> int | None:
    """The count `sql` gives, or None if it takes longer than COUNT_TIMEOUT_MS (a count
    of few matches among many rows can read them all)."""
    try:
        # A savepoint (or a transaction): a cancelled count is rolled back alone.
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'),"
                " set_config('statement_timeout', %s, true)",
                [f"{COUNT_TIMEOUT_MS}ms"],
            )
            (previous, _new) = cursor.fetchone()
            cursor.execute(sql, params)
            (count,) = cursor.fetchone()
            # Set for the transaction: back as it was for the rest of the request's.
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError:  # the count was cancelled
        return None
    return count


def planner_estimate(cases: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects the query to give (EXPLAIN, no run)."""
    plan = json.loads(cases.values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def rounded(number: int) -> int:
    """An estimate to two significant digits: "about 390,000", not "about 391,467"."""
    if number < 100:
        return number
    scale = 10 ** (len(str(number)) - 2)
    return round(number / scale) * scale
