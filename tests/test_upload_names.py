"""Hostile upload file names: a form error or a stored document, never a 500 (issue 10).

An upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, which Django
names after the upload's extension; found by the production-like probe, where a 300-
character extension on an 11 MB upload answered 500 (the file system refused the name).
"""

import io

import pytest
from django.urls import reverse

from casework.models import Document
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

HOSTILE_NAMES = [
    "scan." + "p" * 300,
    "scan." + "п" * 200,  # Cyrillic: 400 bytes in the file system
    "a" * 2000 + ".pdf",
    "a\x00b.pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_large_upload_with_a_hostile_name_is_answered_like_a_small_one(
    caseworker, case, settings, name
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = signed_in_client(caseworker)
    url = reverse("document-upload", args=[case.reference])
    answers = []
    for body in (PDF, PDF + b"0" * 4096):  # in memory, then in a temporary file
        # Not a SimpleUploadedFile, which would shorten the name before it is sent.
        upload = io.BytesIO(body)
        upload.name = name
        answers.append(client.post(url, {"kind": "other", "file": upload}).status_code)
    # A name too long for the request parser is a 400 either way; the others are stored.
    assert answers in ([302, 302], [400, 400])
    assert Document.objects.filter(case=case).count() == (2 if answers[0] == 302 else 0)
