from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        # Fail closed at start-up on a malformed key rather than on the first read.
        from django.conf import settings

        from casework import crypto, signals  # noqa: F401 (connects the audit receivers)

        if settings.FIELD_ENCRYPTION_KEYS:
            crypto.fernet()
