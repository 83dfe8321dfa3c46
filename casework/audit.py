"""The append-only audit log and its hash chain.

Every event stores the hash of the one before it: hash = sha256(prev_hash + payload),
where the payload is a canonical serialisation of the event's own columns. Writers
are serialised by a one-row chain head: on PostgreSQL a single statement updates the
head (its row lock orders concurrent writers, each seeing the latest committed head)
and inserts the event, so an audited request pays one extra query. A trigger refuses
UPDATE and DELETE on the event table; `manage.py verify_audit` walks the chain.
"""

import datetime
import hashlib
import json
from contextvars import ContextVar

from django.db import DatabaseError, connection, models, transaction
from django.db.backends.signals import connection_created
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext_lazy as _

from casework import labels

GENESIS = "0" * 64


class Action(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    CONSENT = "consent", _("Consent changed")
    DISCLOSURE = "disclosure", _("Disclosure changed")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    DENIED = "denied", _("Denied")
    ACCOUNT = "account", _("Account changed")


class AuditHead(models.Model):
    """The single row holding the chain's newest sequence number and hash."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    prev_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="single_audit_head")]

    def __str__(self):
        return f"audit head #{self.seq}"


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(_("when"))
    # Plain ids, no foreign keys: the log outlives users and cases, and no cascade or
    # SET NULL may ever rewrite a row of it.
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    case_reference = models.CharField(_("case"), max_length=12, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["organisation_id", "-seq"]),
            models.Index(fields=["actor_id", "-seq"]),
            models.Index(fields=["action", "-seq"]),
            models.Index(fields=["created_at"]),
            # The daily count of an organisation's denials on the audit page.
            models.Index(
                fields=["organisation_id", "action", "created_at"], name="audit_org_action_day"
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.actor_label}"

    @property
    def object_label(self) -> str:
        """The object type in the reader's language ("case list", not "case-list")."""
        return labels.audit_object_label(self.object_type)

    def payload(self):
        return canonical_payload(
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            organisation_id=self.organisation_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            case_reference=self.case_reference,
            fields=self.fields,
            detail=self.detail,
            ip_address=self.ip_address,
        )

    def expected_hash(self):
        return chain_hash(self.prev_hash, self.payload())


def denials_by_day(organisation_id: int, days: int = 14) -> list[tuple[datetime.date, int]]:
    """Denials in the organisation's log on each of the last `days` days (UTC), newest
    first, days without any included."""
    today = timezone.now().astimezone(datetime.UTC).date()
    first = today - datetime.timedelta(days=days - 1)
    counts = dict(
        AuditEvent.objects.filter(
            organisation_id=organisation_id,
            action=Action.DENIED,
            created_at__gte=datetime.datetime.combine(first, datetime.time(), tzinfo=datetime.UTC),
        )
        .annotate(day=TruncDate("created_at", tzinfo=datetime.UTC))
        .values("day")
        .annotate(count=Count("id"))
        .values_list("day", "count")
    )
    return [
        (day, counts.get(day, 0)) for day in (today - datetime.timedelta(n) for n in range(days))
    ]


def canonical_payload(**values):
    values["created_at"] = values["created_at"].astimezone(timezone.UTC).isoformat()
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev_hash, payload):
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


@receiver(connection_created)
def _sqlite_sha256(sender, connection, **kwargs):
    # SQLite has no sha256(); give it one so both databases share the chain formula.
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "homeward_sha256",
            1,
            lambda text: hashlib.sha256(text.encode()).hexdigest(),
            deterministic=True,
        )


# Ends a value cut to fit its column, so a reader knows there was more.
TRUNCATED = "\u2026"
FIELD_NAME_LENGTH = 100


def fit(value: object, limit: int) -> str:
    """`value` as text the column takes: NUL bytes and lone surrogates replaced (the
    database refuses both) and, if too long, cut with a marker. A denial carrying a
    hostile value must still be recorded, never fail the write."""
    text = str(value).replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + TRUNCATED


def _limit(name: str) -> int:
    return AuditEvent._meta.get_field(name).max_length


_COLUMNS = (
    "created_at, actor_id, actor_label, organisation_id, action, object_type, object_id, "
    "case_reference, fields, detail, ip_address"
)


def record(
    action,
    *,
    actor=None,
    actor_label="",
    organisation_id=None,
    obj=None,
    object_type="",
    object_id="",
    case_reference="",
    fields=(),
    detail="",
    ip_address=None,
):
    """Append one event to the chain. Never pass personal data in `detail`.

    Values too long for their column are cut with a marker (see `fit`), so the event
    is always written."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_label = actor.pk, actor.get_username()
        if organisation_id is None:
            organisation_id = actor.organisation_id
    else:
        actor_id = None
    if ip_address and ":" in ip_address:
        # The spelling PostgreSQL's inet gives back, so the hash survives the round trip.
        ip_address = clean_ipv6_address(ip_address)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
    values = {
        "created_at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": fit(actor_label, _limit("actor_label")),
        "organisation_id": organisation_id,
        "action": str(action),
        "object_type": fit(object_type, _limit("object_type")),
        "object_id": fit(object_id, _limit("object_id")),
        "case_reference": fit(case_reference, _limit("case_reference")),
        "fields": sorted(fit(name, FIELD_NAME_LENGTH) for name in fields),
        "detail": fit(detail, _limit("detail")),
        "ip_address": ip_address,
    }
    before, after, params = _insert_parts(values)
    _write_or_defer(action, before, after, params)


def _insert_parts(values: dict) -> tuple[str, str, list]:
    """(the hashed payload before seq, after seq, the insert's parameters) of an event."""
    # The payload without seq; seq is spliced in by the database as '"seq":N' so the
    # hash covers it. canonical_payload() yields exactly this with seq in sorted order.
    template = canonical_payload(seq=-1, **values)
    before, after = template.split('"seq":-1')
    params = [
        values["created_at"],
        values["actor_id"],
        values["actor_label"],
        values["organisation_id"],
        values["action"],
        values["object_type"],
        values["object_id"],
        values["case_reference"],
        json.dumps(values["fields"]),
        values["detail"],
        values["ip_address"],
    ]
    return before, after, params


def _write_or_defer(action, before: str, after: str, params: list) -> None:
    """Appends the event now, or queues it for the end of the request or transaction
    that collects events (see `_after_request` and `_changes`)."""
    pending = _after_request.get()
    if action in AFTER_REQUEST and pending is not None and connection.in_atomic_block:
        pending.append((before, after, params))
        return
    changes = _changes.get()
    if changes is not None and connection.in_atomic_block:
        changes.append((before, after, params))
        return
    _append(before, after, params)


def _append(before: str, after: str, params: list) -> None:
    write = _record_postgresql if connection.vendor == "postgresql" else _record_portable
    if not write(before, after, params):
        # The head row is missing (a fresh or flushed database): create it and retry.
        AuditHead.objects.get_or_create(pk=1)
        if not write(before, after, params):
            raise RuntimeError("The audit event could not be written.")


def _record_postgresql(before, after, params):
    sql = f"""
        WITH head AS (
            UPDATE casework_audithead
               SET seq = seq + 1,
                   prev_hash = hash,
                   hash = encode(sha256(convert_to(
                       hash || %s || '"seq":' || (seq + 1)::text || %s, 'UTF8')), 'hex')
             WHERE id = 1
         RETURNING seq, prev_hash, hash
        )
        INSERT INTO casework_auditevent (seq, prev_hash, hash, {_COLUMNS})
        SELECT head.seq, head.prev_hash, head.hash,
               %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s
          FROM head
    """  # noqa: S608 - _COLUMNS is a constant column list; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [before, after, *params])
        return cursor.rowcount == 1


def _record_portable(before, after, params):
    # SQLite serialises writers itself (IMMEDIATE transactions); two statements suffice.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE casework_audithead
               SET seq = seq + 1,
                   prev_hash = hash,
                   hash = homeward_sha256(hash || %s || '"seq":' || (seq + 1) || %s)
             WHERE id = 1
         RETURNING seq, prev_hash, hash
            """,
            [before, after],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        seq, prev_hash, hash_ = row
        cursor.execute(
            f"INSERT INTO casework_auditevent (seq, prev_hash, hash, {_COLUMNS}) "  # noqa: S608 - constant column list
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [seq, prev_hash, hash_, *params],
        )
        return True


def verify_chain(batch_size=5000):
    """Walk the chain in order; return the first broken event (or None) and the count."""
    # The head first: events written while the walk runs are left for the next check.
    head = AuditHead.objects.filter(pk=1).first()
    end = head.seq if head else 0
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(seq__gt=last_seq, seq__lte=end).order_by("seq")[:batch_size]
        )
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq or event.prev_hash != prev:
                return event, checked
            if event.hash != event.expected_hash():
                return event, checked
            prev = event.hash
            expected_seq += 1
            checked += 1
        last_seq = batch[-1].seq
    if head and (checked != end or head.hash != prev):
        # Events were removed from the end of the chain.
        return AuditEvent(seq=checked + 1, action="missing"), checked
    return None, checked


# Who is acting: set per request by AuditContextMiddleware; None in tasks and commands.
_actor = ContextVar("homeward_audit_actor", default=(None, None))

# What someone saw or was refused is written once the request's transaction has ended
# (RequestTransactionMiddleware): a rollback cannot take a denial or a failed sign-in with
# it, and a page being built never holds the chain's head row, whose lock lasts until
# commit. Changes (create, update, consent...) stay in the transaction of what they record.
AFTER_REQUEST = frozenset({Action.VIEW, Action.DOWNLOAD, Action.DENIED, Action.LOGIN_FAILED})
# The events waiting for the end of the request; None outside a request.
_after_request: ContextVar[list | None] = ContextVar("homeward_audit_after", default=None)
# The change events of a request's transaction, appended just before it commits; None
# outside a write request.
_changes: ContextVar[list | None] = ContextVar("homeward_audit_changes", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.security import client_ip

        token = _actor.set((request.user, client_ip(request)))
        waiting = _after_request.set([])
        try:
            return self.get_response(request)
        finally:
            events = _after_request.get()
            _after_request.reset(waiting)
            _actor.reset(token)
            _write_after_request(events)


class RequestTransactionMiddleware:
    """Each write request in one transaction: what it changes and the audit events of
    those changes commit together or not at all.

    Django's ATOMIC_REQUESTS would do the first half, but a view would then take the
    chain's head row at its first audited change and keep it while it goes on to lock
    other rows (the case it touches, say), while another request holding such a row waits
    for the head: a deadlock. Here the change events are appended last, after every
    other lock of the request, so the head is always the last lock taken. A view that
    raises, or an answer of 500, rolls the whole request back, as ATOMIC_REQUESTS would;
    reads (GET, HEAD, OPTIONS) run without a transaction, and a view marked
    `transaction.non_atomic_requests` is left alone.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE_METHODS or self._non_atomic(request):
            return self.get_response(request)
        waiting = _changes.set([])
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if getattr(request, "_homeward_view_failed", False) or response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    for event in _changes.get():
                        _append(*event)
        finally:
            _changes.reset(waiting)
        return response

    def process_exception(self, request, exception):
        request._homeward_view_failed = True

    @staticmethod
    def _non_atomic(request) -> bool:
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return False
        return connection.alias in getattr(view, "_non_atomic_requests", ())


def _write_after_request(events: list) -> None:
    for event in events:
        try:
            _append(*event)
        except DatabaseError:
            if connection.in_atomic_block:
                raise
            # The connection broke, likely why the request failed: once more on a new one.
            connection.close()
            _append(*event)


def current_actor():
    return _actor.get()
