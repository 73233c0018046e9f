"""An upload stops at the size limit while it arrives: the next handlers (memory, temporary
file on disk) never receive more than the limit, and the view gets a stand-in of the size that
arrived, refused with the French message."""

from __future__ import annotations

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from cordee.documents.checks import check_upload
from cordee.documents.uploads import OversizedUpload, SizeLimitUploadHandler


def _feed(limit: int, settings, sizes: list[int]) -> tuple[object, int]:
    settings.CORDEE_MAX_UPLOAD_BYTES = limit
    guard, disk = SizeLimitUploadHandler(), TemporaryFileUploadHandler()
    for handler in (guard, disk):
        handler.new_file("file", "scanner.pdf", "application/pdf", sum(sizes))
    start, passed = 0, 0
    for size in sizes:
        chunk = guard.receive_data_chunk(b"%" * size, start)
        if chunk is not None:
            disk.receive_data_chunk(chunk, start)
            passed += len(chunk)
        start += size
    completed = guard.file_complete(start) or disk.file_complete(start)
    return completed, passed


def test_a_file_within_the_limit_goes_on_to_the_disk_handler(settings) -> None:
    completed, passed = _feed(1024, settings, [512, 512])
    assert passed == 1024 and not isinstance(completed, OversizedUpload)


def test_an_oversized_file_stops_at_the_limit_and_is_refused_by_its_size(settings) -> None:
    completed, passed = _feed(1024 * 1024, settings, [64 * 1024] * 40)
    assert passed == 1024 * 1024  # never more than the limit reached the disk
    assert isinstance(completed, OversizedUpload) and completed.size == 40 * 64 * 1024
    checked, error = check_upload(completed)
    assert checked is None and error == "Le fichier dépasse la taille maximale de 1 Mo."


@pytest.mark.django_db
def test_through_a_request_the_field_names_the_oversized_file(
    coordinator, structure, client_for, dossier, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from cordee.documents.models import Document, DocumentCategory

    settings.CORDEE_MAX_UPLOAD_BYTES = 4096
    response = client_for(coordinator, acting_as=structure).post(
        reverse("documents:add", kwargs={"public_id": dossier.public_id}),
        {
            "uploads": SimpleUploadedFile("scanner.pdf", b"%PDF-1.4\n" + b"0" * 200_000),
            "category": DocumentCategory.objects.get(code="COORDINATION").pk,
            "title": "Scanner",
            "document_date": "2026-01-02",
            "visibility": "PUBLIC",
        },
    )
    assert response.context["form"].errors["uploads"] == [
        "scanner.pdf : Le fichier dépasse la taille maximale de 4 Ko."
    ]
    assert not Document.objects.exists()
