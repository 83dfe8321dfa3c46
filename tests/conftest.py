import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the default language: a request of an earlier test may
    have left another one active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
