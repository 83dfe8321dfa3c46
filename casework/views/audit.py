"""The organisation's audit log, for administrators."""

import datetime

from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from casework import audit

AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMINISTRATOR)
def audit_log(request):
    """The organisation's audit events, newest first, filtered; keyset-paginated by seq."""
    events = audit.AuditEvent.objects.filter(organisation_id=request.user.organisation_id)
    filters = {
        "user": request.GET.get("user", "").strip(),
        "action": request.GET.get("action", ""),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
    }
    if filters["user"]:
        events = events.filter(actor_label=filters["user"])
    if filters["action"] in audit.Action.values:
        events = events.filter(action=filters["action"])
    for key, lookup, days in (("since", "created_at__gte", 0), ("until", "created_at__lt", 1)):
        try:
            day = datetime.date.fromisoformat(filters[key])
        except ValueError:
            continue
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        events = events.filter(**{lookup: start + datetime.timedelta(days=days)})
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(seq__lt=int(before))
    page = list(events.order_by("-seq")[: AUDIT_PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "casework/audit_log.html",
        {
            "events": page[:AUDIT_PAGE_SIZE],
            "older": page[AUDIT_PAGE_SIZE - 1].seq if len(page) > AUDIT_PAGE_SIZE else None,
            "filters": filters,
            "actions": audit.Action.choices,
            "query": query.urlencode(),
        },
    )
