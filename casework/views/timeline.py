"""The case timeline: one page of notes at a time, latest first, filterable by kind."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from accounts.decorators import role_required
from accounts.models import Role
from casework import access
from casework.forms import NoteForm
from casework.http import htmx, page_number
from casework.models import Case
from casework.vocabularies import NoteKind

case_staff = role_required(Role.CASEWORKER, Role.SUPERVISOR)

PAGE_SIZE = 25
ENTRIES = "timeline-entries"  # the id of what the filter and the pager swap


@dataclass(frozen=True)
class TimelinePage:
    """Where the reader is in the timeline: page number, chosen kind, neighbours."""

    number: int
    kind: str
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def kind_label(self) -> str:
        return str(NoteKind(self.kind).label) if self.kind else ""

    def query(self, number: int) -> str:
        params = {"kind": self.kind, "page": number} if self.kind else {"page": number}
        return urlencode(params)

    @property
    def newer_query(self) -> str:
        return self.query(self.number - 1)

    @property
    def older_query(self) -> str:
        return self.query(self.number + 1)


def chosen_kind(value) -> str:
    """A note kind from the query string; anything else means every kind."""
    return value if value in NoteKind.values else ""


def timeline_context(user, case: Case, *, kind="", page=1, note_form=None) -> dict:
    """One page of the notes `user` may read on `case`, latest first, for the timeline
    partial. No COUNT: the ids of one row more than a page say whether another follows,
    and only the page's notes are read (and decrypted)."""
    kind, number = chosen_kind(kind), page_number(page)
    notes = access.notes_for(user, case)
    if kind:
        notes = notes.filter(kind=kind)
    notes = notes.order_by("-occurred_at", "-pk")
    offset = (number - 1) * PAGE_SIZE
    ids = list(notes.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
    shown = ids[:PAGE_SIZE]
    return {
        "notes": list(notes.filter(pk__in=shown).select_related("author")) if shown else [],
        "timeline_page": TimelinePage(number=number, kind=kind, has_next=len(ids) > PAGE_SIZE),
        "note_kinds": NoteKind.choices,
        "note_form": note_form or NoteForm(),
    }


@case_staff
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """The timeline block for htmx (its entries alone for its own filter and pager);
    without htmx, the case page at the same place."""
    # Without htmx nothing is shown here: the case page records the view.
    case = access.get_case(request, reference, viewing=htmx(request))
    kind, number = chosen_kind(request.GET.get("kind")), page_number(request.GET.get("page"))
    if not htmx(request):
        query = TimelinePage(number=number, kind=kind, has_next=False).query(number)
        page_url = reverse("case-detail", args=[case.reference])
        return redirect(f"{page_url}?tab=timeline&{query}#timeline")
    context = {
        "case": case,
        "timeline_swapped": True,
        **timeline_context(request.user, case, kind=kind, page=number),
    }
    # The block's own filter and pager swap its entries: the note form is not rendered.
    entries_only = request.headers.get("HX-Target") == ENTRIES
    template = "timeline_entries.html" if entries_only else "timeline.html"
    response = render(request, f"casework/partials/{template}", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
