"""Refuse an oversized upload while it streams in, before it fills a disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing a file past MAX_UPLOAD_BYTES; the form then says it is too large.

    The rest of the body is read and discarded (not reset), so the fields before the
    file, the CSRF token among them, still arrive. A reverse proxy should also cap the
    request body size.
    """

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
