import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from casework import crypto
from casework.models import Contact, Note, Recruitment
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

PHONE = "+254712345678"


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def make_contact():
    return Contact.objects.create(
        case=CaseFactory(), kind="family", name="Mother", phone=PHONE, email="mama@example.net"
    )


def test_encrypted_field_is_ciphertext_in_the_database():
    contact = make_contact()
    stored = raw("casework_contact", "phone", contact.pk)
    assert PHONE not in stored
    assert "254712345678" not in stored
    assert crypto.decrypt(stored) == PHONE
    assert Contact.objects.get().phone == PHONE


def test_same_value_encrypts_differently_each_time():
    first, second = make_contact(), make_contact()
    assert raw("casework_contact", "phone", first.pk) != raw("casework_contact", "phone", second.pk)


def test_rotated_key_set_still_reads_and_rotation_moves_to_the_new_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    contact = make_contact()
    recruitment = Recruitment.objects.create(case=contact.case, recruiter_details="Agent @jobs_123")

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Contact.objects.get().phone == PHONE

    call_command("rotate_field_keys", stdout=io.StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Contact.objects.get().phone == PHONE
    assert Recruitment.objects.get(pk=recruitment.pk).recruiter_details == "Agent @jobs_123"
    token = raw("casework_contact", "phone", contact.pk)
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == PHONE


def test_wrong_key_raises_and_never_returns_ciphertext(settings):
    make_contact()
    Note.objects.create(case=Contact.objects.get().case, kind="call", text="restricted detail")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        Contact.objects.get()
    with pytest.raises(crypto.DecryptionError):
        list(Note.objects.values_list("text", flat=True))


def test_malformed_key_fails_closed(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured):
        make_contact()


def test_missing_keys_fail_closed(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        make_contact()


def test_encrypted_fields_refuse_lookups_that_would_compare_ciphertext():
    make_contact()
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Contact.objects.filter(phone__contains="2547"))
    assert Contact.objects.filter(phone__isnull=False).count() == 1
