"""Notes, tasks, contacts, consent and documents of a case."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access, audit
from casework.forms import ConsentForm, ContactForm, NoteForm, TaskForm, UploadForm
from casework.http import htmx
from casework.models import Document
from casework.submissions import create_once, sent_before
from casework.views import workspace
from casework.views.cases import case_readers, case_staff
from casework.views.timeline import timeline_context
from casework.vocabularies import Confidentiality


def _back(case, anchor):
    # ?tab= opens the case page's tab holding the section (views.workspace).
    return redirect(case.section_url(anchor))


@case_staff
def note_detail(request, reference, pk):
    case = access.get_case(request, reference, viewing=False)
    note = access.get_child(request, case, access.notes_for(request.user, case), pk, "note")
    access.record_view(request, case, "note", note.pk)
    return render(request, "casework/note_detail.html", {"case": case, "note": note})


@case_staff
def add_note(request, reference):
    case = access.get_case(request, reference)
    form = NoteForm(request.POST or None)
    saved = False
    if request.method == "POST" and form.is_valid():
        create_once(request, form, lambda: _save_note(request, case, form))
        saved = True
    if htmx(request):
        # The first page, every kind: the note just added is in view whatever the filter.
        note_form = NoteForm() if saved else form
        context = timeline_context(request.user, case, note_form=note_form)
        return render(request, "casework/partials/timeline.html", {"case": case, **context})
    if saved:
        messages.success(request, _("Note added."))
        return _back(case, "timeline")
    return render(
        request, "casework/child_form.html", {"case": case, "form": form, "title": _("Add a note")}
    )


def _save_note(request, case, form):
    note = form.save(commit=False)
    if note.confidentiality == Confidentiality.RESTRICTED and not access.may_see_restricted(
        request.user, case
    ):
        # Whoever cannot read restricted notes cannot write one they could not read back.
        note.confidentiality = Confidentiality.NORMAL
    note.case, note.author = case, request.user
    note.save()
    case.touch()
    return note


def _task_form(case, user, data=None):
    return TaskForm(
        data,
        organisation=case.organisation,
        initial={"assignee": case.assigned_to_id or user.pk},
    )


@case_staff
def add_task(request, reference):
    case = access.get_case(request, reference)
    form = _task_form(case, request.user, request.POST or None)
    saved = False
    if request.method == "POST" and form.is_valid():
        create_once(request, form, lambda: _save_task(request, case, form))
        saved = True
    if htmx(request):
        return _tasks_partial(request, case, None if saved else form)
    if saved:
        messages.success(request, _("Task added."))
        return _back(case, "tasks")
    return render(
        request, "casework/child_form.html", {"case": case, "form": form, "title": _("Add a task")}
    )


def _save_task(request, case, form):
    task = form.save(commit=False)
    task.case, task.created_by = case, request.user
    task.save()
    case.touch()
    return task


def _tasks_partial(request, case, form=None):
    tasks = access.tasks_for(request.user, case).select_related("assignee")
    response = render(
        request,
        "casework/partials/tasks.html",
        {
            "case": case,
            "tasks": tasks.order_by("status", "due_at"),
            "task_form": form or _task_form(case, request.user),
        },
    )
    return workspace.with_next_panel(request, case, response)


@case_staff
@require_POST
def complete_task(request, reference, pk):
    case = access.get_case(request, reference)
    task = access.get_child(request, case, access.tasks_for(request.user, case), pk, "task")
    if task.complete(cancelled=request.POST.get("cancel") == "1"):
        access.record_case_event(
            request, case, audit.Action.UPDATE, obj=task, fields=["status", "completed_at"]
        )
    if htmx(request):
        return _tasks_partial(request, case)
    return _back(case, "tasks")


@case_staff
def contact_form(request, reference, pk=None):
    case = access.get_case(request, reference)
    contact = None
    if pk is not None:
        contact = access.get_child(
            request, case, access.contacts_for(request.user, case), pk, "contact"
        )
    form = ContactForm(request.POST or None, instance=contact)
    # A form sent again (same key) was checked the first time: create_once answers it.
    if (
        request.method == "POST"
        and form.is_valid()
        and (sent_before(request, form) or not form.warn_of_duplicates(case))
    ):
        if contact is None:
            create_once(request, form, lambda: _save_contact(case, form))
        else:
            _save_contact(case, form)
        messages.success(request, _("Contact saved."))
        return _back(case, "contacts")
    title = _("Edit contact") if pk else _("Add a contact")
    return render(request, "casework/child_form.html", {"case": case, "form": form, "title": title})


def _save_contact(case, form):
    contact = form.save(commit=False)
    contact.case = case
    contact.save()
    case.touch()
    return contact


@case_staff
def add_consent(request, reference):
    case = access.get_case(request, reference)
    form = ConsentForm(request.POST or None, initial={"given_at": timezone.now()})
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            create_once(request, form, lambda: _record_consent(request, case, form))
        except IntegrityError:
            form.add_error(None, _("This consent is already recorded and active."))
        else:
            saved = True
    if htmx(request):  # recorded in place, on the case page
        return workspace.consent_block(request, case, form, saved=saved)
    if saved:
        messages.success(request, _("Consent recorded."))
        return _back(case, "consent")
    return render(
        request,
        "casework/child_form.html",
        {"case": case, "form": form, "title": _("Record consent")},
    )


def _record_consent(request, case, form):
    consent = form.save(commit=False)
    consent.case, consent.recorded_by = case, request.user
    with transaction.atomic():  # the one-active-consent constraint may refuse it
        consent.save()
        case.record_event("consent_given", request.user, **consent.event_params())
    access.record_case_event(request, case, audit.Action.CONSENT, obj=consent, detail="given")
    return consent


@case_staff
@require_POST
def withdraw_consent(request, reference, pk):
    case = access.get_case(request, reference)
    consent = access.get_child(
        request, case, access.consents_for(request.user, case), pk, "consent"
    )
    if consent.withdraw(by=request.user):
        access.record_case_event(
            request,
            case,
            audit.Action.CONSENT,
            obj=consent,
            fields=["status", "withdrawn_at"],
            detail="withdrawn",
        )
        messages.success(request, _("Consent withdrawn. Access it granted has ended."))
    return _back(case, "consent")


@case_staff
def upload_document(request, reference):
    case = access.get_case(request, reference)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        too_large=getattr(request, "upload_too_large", False),
    )
    if request.method == "POST" and form.is_valid():
        create_once(request, form, lambda: _store_document(request, case, form))
        messages.success(request, _("Document uploaded."))
        return _back(case, "documents")
    return render(
        request,
        "casework/child_form.html",
        {"case": case, "form": form, "title": _("Upload a document"), "multipart": True},
    )


def _store_document(request, case, form):
    data = form.cleaned_data
    document = Document.store(case, data["file"], data["kind"], request.user)
    case.record_event("document_uploaded", request.user)
    return document


@case_readers
def document_download(request, reference, pk):
    case = access.get_case(request, reference, viewing=False)
    document = access.get_child(
        request, case, access.documents_for(request.user, case), pk, "document"
    )
    access.record_case_event(
        request,
        case,
        audit.Action.DOWNLOAD,
        obj=document,
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
