"""The signed-in user's notifications."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.models import Notification


@login_required
def notifications(request):
    items = (
        Notification.objects.filter(recipient=request.user)
        .select_related("case", "inquiry")
        .order_by("-created_at", "-id")
    )
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "casework/notifications.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk=None):
    mine = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if pk is not None:
        mine = mine.filter(pk=pk)
    mine.update(read_at=timezone.now())
    return redirect("home" if request.POST.get("next") == "home" else "notifications")
