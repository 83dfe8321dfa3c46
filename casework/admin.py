"""Django admin for superusers: every model, never a decrypted secret in a list."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import models as django_models

from accounts.security import client_ip
from casework import audit, models
from casework.crypto import EncryptedTextField


def _verified_superuser_only(request):
    # Signed in through Homeward's two-step sign-in, so the second factor was verified.
    user = request.user
    return user.is_active and user.is_superuser and user.is_verified()


def _login_through_homeward(request, extra_context=None):
    # The admin's own password-only login form is never offered.
    return redirect_to_login(request.get_full_path())


admin.site.has_permission = _verified_superuser_only
admin.site.login = _login_through_homeward
admin.site.site_header = "Homeward administration"


class NoSecretsAdmin(admin.ModelAdmin):
    """Encrypted fields are left out of lists, searches and forms; every view is audited."""

    def _audit_view(self, request, object_id=""):
        audit.record(
            audit.Action.VIEW,
            actor=request.user,
            object_type=f"admin:{self.model._meta.model_name}",
            object_id=str(object_id or ""),
            ip_address=client_ip(request),
        )

    def changelist_view(self, request, extra_context=None):
        self._audit_view(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._audit_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_exclude(self, request, obj=None):
        encrypted = [f.name for f in self.model._meta.fields if isinstance(f, EncryptedTextField)]
        return [*(super().get_exclude(request, obj) or []), *encrypted]


@admin.register(models.Person)
class PersonAdmin(NoSecretsAdmin):
    list_display = ["id", "organisation", "sex", "birth_year", "created_at"]
    list_filter = ["organisation", "sex"]


@admin.register(models.Case)
class CaseAdmin(NoSecretsAdmin):
    list_display = ["reference", "organisation", "status", "situation", "risk", "last_activity_at"]
    list_filter = ["organisation", "status", "situation", "risk"]
    search_fields = ["reference"]
    raw_id_fields = ["person", "assigned_to", "collaborators"]


@admin.register(models.Task)
class TaskAdmin(NoSecretsAdmin):
    list_display = ["id", "case", "kind", "status", "due_at", "assignee"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["case", "assignee", "created_by"]


@admin.register(models.EmbassyRequest)
class EmbassyRequestAdmin(NoSecretsAdmin):
    list_display = ["id", "case", "country", "kind", "status", "due_at"]
    list_filter = ["status", "kind", "country"]
    raw_id_fields = ["case", "created_by"]


@admin.register(models.Notification)
class NotificationAdmin(NoSecretsAdmin):
    list_display = ["id", "recipient", "kind", "created_at", "read_at", "email_status"]
    list_filter = ["kind", "email_status"]
    raw_id_fields = ["recipient", "case"]


for model, columns in [
    (models.Nationality, ["id", "person", "country"]),
    (models.Alias, ["id", "person"]),
    (models.IdentityDocument, ["id", "person", "doc_type", "issuing_country", "status"]),
    (models.Recruitment, ["id", "case", "method", "platform", "recruited_in"]),
    (models.ControlMeans, ["id", "recruitment", "means"]),
    (models.Contact, ["id", "case", "kind", "country", "safe_to_contact"]),
    (models.Consent, ["id", "case", "scope", "country", "status", "given_at", "withdrawn_at"]),
    (models.Note, ["id", "case", "kind", "confidentiality", "occurred_at"]),
    (models.EmbassyMessage, ["id", "request", "from_embassy", "created_at"]),
    (models.Document, ["id", "case", "kind", "content_type", "size", "uploaded_at"]),
]:
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (NoSecretsAdmin,),
            {
                "list_display": columns,
                "raw_id_fields": [
                    f.name for f in model._meta.fields if f.is_relation and f.many_to_one
                ],
                # Files come in through the case pages only, where type and size are checked.
                "readonly_fields": [
                    f.name for f in model._meta.fields if isinstance(f, django_models.FileField)
                ],
            },
        ),
    )
