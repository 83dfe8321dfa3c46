from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from django.conf import settings
        from django.db.models import fields
        from django.db.models.signals import post_migrate

        from casework import labels

        # Django's empty choice, from our catalogue: Django's has no Ukrainian for it.
        fields.BLANK_CHOICE_LABEL = labels.BLANK_CHOICE_LABEL

        # signals connects the audit's receivers.
        from casework import crypto, schedule, signals  # noqa: F401

        post_migrate.connect(schedule.schedule_follows_settings, sender=self)

        # Person changes enqueue matching against family inquiries.
        from casework.workflows import tracing

        tracing.connect_person_signals()

        # A deleted dossier takes its file with it.
        from casework import dossiers

        dossiers.connect_dossier_signals()

        # Fail closed at start-up on a malformed key rather than on the first read.
        if settings.FIELD_ENCRYPTION_KEYS:
            crypto.fernet()
