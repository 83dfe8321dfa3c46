from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from casework.views import (
    audit,
    cases,
    children,
    embassy,
    notifications,
    stats,
    supervision,
    tasks,
)

case_urls = [
    path("", cases.case_detail, name="case-detail"),
    path("edit/<slug:section>/", cases.edit_section, name="case-edit"),
    path("status/", cases.change_status, name="case-status"),
    path("assign/", supervision.assign, name="case-assign"),
    path("closure/", supervision.decide_closure, name="case-closure"),
    path(
        "escalations/<int:pk>/acknowledge/",
        supervision.acknowledge_escalation,
        name="escalation-acknowledge",
    ),
    path("notes/new/", children.add_note, name="note-add"),
    path("notes/<int:pk>/", children.note_detail, name="note-detail"),
    path("tasks/new/", children.add_task, name="task-add"),
    path("tasks/<int:pk>/done/", children.complete_task, name="task-complete"),
    path("contacts/new/", children.contact_form, name="contact-add"),
    path("contacts/<int:pk>/", children.contact_form, name="contact-edit"),
    path("consents/new/", children.add_consent, name="consent-add"),
    path("consents/<int:pk>/withdraw/", children.withdraw_consent, name="consent-withdraw"),
    path("documents/new/", children.upload_document, name="document-upload"),
    path("documents/<int:pk>/", children.document_download, name="document-download"),
    path("embassy-requests/new/", embassy.new_request, name="embassy-request-add"),
    path("embassy-requests/<int:pk>/", embassy.request_detail, name="embassy-request-detail"),
    path("disclosures/", supervision.approve_disclosure, name="disclosure-approve"),
    path("disclosures/<int:pk>/revoke/", supervision.revoke_disclosure, name="disclosure-revoke"),
]

urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/new/", cases.register, name="case-register"),
    path("cases/<str:reference>/", include(case_urls)),
    path("queue/", supervision.queue, name="queue"),
    path("tasks/", tasks.my_tasks, name="my-tasks"),
    path("stats/", stats.dashboard, name="stats-dashboard"),
    path("stats/crosstab/", stats.crosstab, name="stats-crosstab"),
    path("stats/exports/", stats.create_export, name="stats-export-create"),
    path("stats/exports/<int:pk>/", stats.export_status, name="stats-export"),
    path(
        "stats/exports/<int:pk>/download/<str:token>/",
        stats.export_download,
        name="stats-export-download",
    ),
    path("embassy/", embassy.portal, name="embassy-portal"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", notifications.mark_read, name="notification-read"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
