"""Upload handlers: refuse an oversized upload while it streams in, before it fills a disk,
and keep the uploaded file's name out of the temporary file's."""

from django.conf import settings
from django.core.files import uploadhandler
from django.core.files.uploadedfile import TemporaryUploadedFile
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


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """Django's, but the temporary file's name owes nothing to the uploaded one.

    Django names the temporary file after the upload's extension, which may be hundreds
    of characters long: the file system refuses such a name and the upload answered 500.
    The upload keeps its own name, as one held in memory does.
    """

    def new_file(self, *args, **kwargs) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = TemporaryUploadedFile(
            "upload", self.content_type, 0, self.charset, self.content_type_extra
        )
        self.file.name = self.file_name
