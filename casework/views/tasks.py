"""The signed-in caseworker's or supervisor's own tasks that are due, across cases."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.models import Role
from accounts.security import client_ip
from casework import access, audit
from casework.models import Task

PAGE_SIZE = 25


def tasks_due_today(user) -> QuerySet[Task]:
    """The user's open tasks due today or overdue, on open cases they may see."""
    return access.tasks_assigned_to(user).due_by_end_of(timezone.localdate())


@role_required(Role.CASEWORKER, Role.SUPERVISOR)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Every task home counts as due, page by page (home shows the first few)."""
    tasks = tasks_due_today(request.user).select_related("case").order_by("due_at", "pk")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    # Case references and task titles: a person-level page.
    audit.record(
        audit.Action.VIEW,
        actor=request.user,
        object_type="my-tasks",
        detail=f"page {page.number}",
        ip_address=client_ip(request),
    )
    return render(request, "casework/my_tasks.html", {"page": page, "now": timezone.now()})
