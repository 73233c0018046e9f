"""Uploads stop at the size limit while they arrive (ACT-4): a file over
CORDEE_MAX_UPLOAD_BYTES is not written to disk past the limit nor kept whole; the view then
receives a stand-in of the announced size, which `check_upload` refuses with its French
message ("Le fichier dépasse la taille maximale…") beside the field."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from cordee.documents.checks import max_size


class OversizedUpload(UploadedFile):
    """What is left of a file refused for its size: its name and how much arrived, no content."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def read(self, *args: Any) -> bytes:
        return b""

    def seek(self, *args: Any) -> int:
        return 0

    def chunks(self, chunk_size: int | None = None) -> Any:
        return iter(())


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes each chunk on to the others (memory, then a
    temporary file on disk) until the limit, then swallows the rest."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = max_size()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        return raw_data if self.received <= self.limit else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.limit:
            return None  # the next handler completes the file
        return OversizedUpload(self.file_name or "fichier", self.received, self.content_type)
