"""Upload checks: size and type, the type read from the file's first bytes, not its name."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# What a care team exchanges: PDF, images, office documents (zip-based), plain text.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
)
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "application/zip": {"docx", "xlsx", "odt", "ods", "pptx", "odp"},
    "text/plain": {"txt"},
}
OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
ALLOWED_LABEL = "PDF, PNG, JPEG, texte, Word, Excel, PowerPoint, OpenDocument"


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int


def max_size() -> int:
    return int(getattr(settings, "CORDEE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def upload_name(upload: Any) -> str:
    """The name the person gave the file, as kept and shown (never used on disk)."""
    return str(getattr(upload, "name", "") or "fichier")[-200:]


def readable_size(size: int) -> str:
    return f"{size // (1024 * 1024)} Mo" if size >= 1024 * 1024 else f"{max(1, size // 1024)} Ko"


def _sniff(head: bytes) -> str | None:
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    try:
        # Incremental: the sniffed head may end inside a multi-byte character ("é" cut in two at
        # byte 2,048), which is still text; only an invalid sequence before the end is not.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def check_upload(upload: Any) -> tuple[Checked | None, str]:
    """The file if acceptable, else a French message for the field."""
    name = upload_name(upload)
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        return None, "Le fichier est vide."
    limit = max_size()
    if size > limit:
        return None, f"Le fichier dépasse la taille maximale de {readable_size(limit)}."
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = _sniff(head)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or extension not in EXTENSIONS.get(kind, set()):
        return None, f"Type de fichier non accepté (formats acceptés : {ALLOWED_LABEL})."
    content_type = OFFICE_TYPES.get(extension, kind) if kind == "application/zip" else kind
    return Checked(name=name, content_type=content_type, size=size), ""
