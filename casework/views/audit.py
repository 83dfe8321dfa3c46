"""The organisation's audit log, for administrators."""

from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from casework import audit
from casework.forms import AuditFilterForm

AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMINISTRATOR)
def audit_log(request):
    """The organisation's audit events, newest first, filtered; keyset-paginated by seq."""
    events = audit.AuditEvent.objects.filter(organisation_id=request.user.organisation_id)
    form = AuditFilterForm(request.GET)
    events = form.filter(events)
    # What was typed, shown back as typed (an invalid date too, beside its error).
    filters = {name: form[name].value() or "" for name in ("user", "action", "since", "until")}
    page = list(events.order_by("-seq")[: AUDIT_PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "casework/audit_log.html",
        {
            "events": page[:AUDIT_PAGE_SIZE],
            "older": page[AUDIT_PAGE_SIZE - 1].seq if len(page) > AUDIT_PAGE_SIZE else None,
            "form": form,
            "filters": filters,
            "actions": audit.Action.choices,
            "query": query.urlencode(),
            "denials_by_day": audit.denials_by_day(request.user.organisation_id),
        },
    )
