from django.contrib import admin
from django.urls import include, path

from casework import views

case_urls = [
    path("", views.case_detail, name="case-detail"),
    path("notes/<int:pk>/", views.note_detail, name="note-detail"),
    path(
        "embassy-requests/<int:pk>/",
        views.embassy_request_detail,
        name="embassy-request-detail",
    ),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("disclosures/", views.approve_disclosure, name="disclosure-approve"),
    path("disclosures/<int:pk>/revoke/", views.revoke_disclosure, name="disclosure-revoke"),
    path("consents/<int:pk>/withdraw/", views.withdraw_consent, name="consent-withdraw"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/", include(case_urls)),
    path("audit/", views.audit_log, name="audit-log"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
