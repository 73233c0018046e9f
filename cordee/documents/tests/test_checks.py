"""PAR-4 upload checks: the type is read from the file's first bytes AND its extension; empty,
too big or disguised files are refused with a French message."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cordee.documents.checks import Checked, check_upload, upload_name

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("compte-rendu.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("courrier.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.txt", "Compte rendu : état général conservé, à revoir.\n".encode(), "text/plain"),
    ],
)
def test_accepted_files(name: str, content: bytes, content_type: str) -> None:
    checked, error = check_upload(upload(name, content))
    assert error == ""
    assert checked is not None and (checked.name, checked.content_type, checked.size) == (
        name,
        content_type,
        len(content),
    )


def test_the_file_can_be_read_again_after_the_check() -> None:
    file = upload("cr.pdf", PDF)
    check_upload(file)
    assert file.read() == PDF


def test_an_empty_file_is_refused() -> None:
    assert check_upload(upload("vide.pdf", b"")) == (None, "Le fichier est vide.")


def test_a_too_big_file_is_refused(settings) -> None:
    settings.CORDEE_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    checked, error = check_upload(upload("gros.pdf", PDF + b"0" * (2 * 1024 * 1024)))
    assert checked is None and error == "Le fichier dépasse la taille maximale de 2 Mo."
    exact = PDF + b"0" * (2 * 1024 * 1024 - len(PDF))
    assert check_upload(upload("juste.pdf", exact))[0] is not None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("programme.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # a Windows executable renamed
        ("programme.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),  # text under a PDF name
        ("photo.png", JPEG),  # magic and extension disagree
        ("rapport.pdf", PNG),
        ("archive.zip", _docx()),  # a bare zip is not an office document
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("notes.txt", b"texte\x00binaire"),
        ("sans-extension", PDF),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_disguised_or_unknown_files_are_refused(name: str, content: bytes) -> None:
    checked, error = check_upload(upload(name, content))
    assert checked is None
    assert error.startswith(
        (
            "Type de fichier non accepté (formats acceptés : PDF, PNG",
            "Le contenu du fichier ne correspond pas",
        )
    )


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        b"<!DOCTYPE html>\n<html><script>fetch('/patients/')</script>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"  <svg onload='alert(1)'/>",
    ],
)
@pytest.mark.parametrize("name", ["compte-rendu.pdf", "notes.txt", "photo.png"])
def test_markup_that_runs_script_is_refused_whatever_its_name(name: str, content: bytes) -> None:
    checked, error = check_upload(upload(name, content))
    assert checked is None and error


def test_a_declared_type_that_disagrees_with_the_content_is_named_in_the_message() -> None:
    checked, error = check_upload(upload("ordonnance.pdf", PNG))
    assert checked is None
    assert error.startswith("Le contenu du fichier ne correspond pas à son extension « .pdf »")


def test_webp_and_opendocument_are_recognised_from_their_content() -> None:
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 30
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<document/>")
    odt = buffer.getvalue()
    assert check_upload(upload("photo.webp", webp))[0] == Checked("photo.webp", "image/webp", len(webp))
    checked, _ = check_upload(upload("courrier.odt", odt))
    assert checked is not None and checked.content_type == "application/vnd.oasis.opendocument.text"
    assert check_upload(upload("courrier.docx", odt))[0] is None  # an OpenDocument is not a Word file


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\Martin\\compte rendu.pdf", "compte rendu.pdf"),
        ("../../etc/cr.pdf", "cr.pdf"),
        ("rcp\u202efdp.exe.pdf", "rcpfdp.exe.pdf"),  # the right-to-left override is dropped
        ("bilan\x00.pdf", "bilan.pdf"),
        ("e\u0301chographie.pdf", "échographie.pdf"),
    ],
)
def test_names_are_sanitised(given: str, kept: str) -> None:
    class Named(io.BytesIO):
        name = given
        size = len(PDF)

    assert upload_name(Named(PDF)) == kept


def test_a_french_text_file_is_accepted_whatever_falls_on_the_sniffing_boundary() -> None:
    """The first 2,048 bytes are sniffed: an accented letter cut in two there is still text."""
    for padding in range(2040, 2050):
        content = b"a" * padding + "état général, éléments à revoir\n".encode() * 5
        checked, error = check_upload(upload("notes.txt", content))
        assert error == "" and checked is not None and checked.content_type == "text/plain", padding


def test_a_long_name_keeps_its_extension() -> None:
    checked, _ = check_upload(upload("x" * 300 + ".pdf", PDF))
    assert checked is not None and len(checked.name) == 200 and checked.name.endswith(".pdf")
