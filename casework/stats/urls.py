"""The statistics pages, included under stats/ by casework/urls.py (names unchanged)."""

from django.urls import path

from casework.stats import views

urlpatterns = [
    path("", views.dashboard, name="stats-dashboard"),
    path("crosstab/", views.crosstab, name="stats-crosstab"),
    path("exports/", views.create_export, name="stats-export-create"),
    path("exports/<int:pk>/", views.export_status, name="stats-export"),
    path(
        "exports/<int:pk>/download/<str:token>/",
        views.export_download,
        name="stats-export-download",
    ),
]
