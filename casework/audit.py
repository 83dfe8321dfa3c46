"""The append-only audit log and its hash chain.

Every event stores the hash of the one before it: hash = sha256(prev_hash + payload),
where the payload is a canonical serialisation of the event's own columns. Writers
are serialised by a one-row chain head: on PostgreSQL a single statement updates the
head (its row lock orders concurrent writers, each seeing the latest committed head)
and inserts the event, so an audited request pays one extra query. A trigger refuses
UPDATE and DELETE on the event table; `manage.py verify_audit` walks the chain.
"""

import hashlib
import json
from contextvars import ContextVar

from django.db import connection, models, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext_lazy as _

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
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.actor_label}"

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
    """Append one event to the chain. Never pass personal data in `detail`."""
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
        "actor_label": actor_label[:150],
        "organisation_id": organisation_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "case_reference": case_reference,
        "fields": sorted(fields),
        "detail": detail[:200],
        "ip_address": ip_address,
    }
    # The payload without seq; seq is spliced in by the database as '"seq":N' so the
    # hash covers it. canonical_payload() yields exactly this with seq in sorted order.
    template = canonical_payload(seq=-1, **values)
    before, after = template.split('"seq":-1')
    params = [
        values["created_at"],
        actor_id,
        values["actor_label"],
        organisation_id,
        values["action"],
        object_type,
        values["object_id"],
        case_reference,
        json.dumps(values["fields"]),
        values["detail"],
        ip_address,
    ]
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
    """
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
            f"INSERT INTO casework_auditevent (seq, prev_hash, hash, {_COLUMNS}) "
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


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.security import client_ip

        token = _actor.set((request.user, client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


def current_actor():
    return _actor.get()
