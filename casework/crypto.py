"""Authenticated encryption of the highest-risk fields at rest.

Keys come from FIELD_ENCRYPTION_KEYS (Fernet keys, newest first), never from
SECRET_KEY. Values are written with the newest key and read with any key of the set,
so keys rotate by prepending a new key and running `manage.py rotate_field_keys`.
A value no key opens raises DecryptionError: ciphertext is never handed back as data.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """A stored value could not be opened with any configured key."""


@cache
def _fernet(keys):
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set. Generate a key with "
            "`python manage.py generate_field_key` and set it in the environment."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key."
        ) from exc


def fernet():
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("An encrypted value could not be decrypted.") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token under the newest key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("An encrypted value could not be decrypted.") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; only `isnull` lookups make sense on it."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def formfield(self, **kwargs):
        # As Django's CharField does: a nullable field left empty stays NULL, so a form
        # saved unchanged does not turn NULL into "".
        if self.null:
            kwargs.setdefault("empty_value", None)
        return super().formfield(**kwargs)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """Every (model, [field names]) pair holding encrypted values."""
    from django.apps import apps

    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            yield model, names
