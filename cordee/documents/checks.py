"""Upload checks (ACT-4, PAR-4, TSK-1): size, and the type decided from the file's content by a
file-type library (`filetype`, magic bytes, office documents recognised inside their zip)
against an allow-list; the name's extension (the declared type) must agree with the content.
HTML, SVG and anything that runs script in a browser is never accepted, whatever its name."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings

# What a care team exchanges: PDF, images, office documents, plain text — content type →
# extensions that may declare it.
EXTENSIONS: dict[str, set[str]] = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/webp": {"webp"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "application/vnd.oasis.opendocument.presentation": {"odp"},
    "text/plain": {"txt"},
}
ALLOWED_LABEL = "PDF, PNG, JPEG, WebP, texte, Word, Excel, PowerPoint, OpenDocument"
# Enough for the library to see inside an office document's zip (its first entries).
SNIFF_BYTES = 8192
# Text a browser could take for markup if it ever guessed: refused even under a .txt name.
MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe)", re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int


def max_size() -> int:
    return int(getattr(settings, "CORDEE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def upload_name(upload: Any) -> str:
    """The name the person gave the file, as kept and shown (never used on disk): no path, no
    control or invisible characters (a right-to-left mark can disguise "rcp.exe" as "exe.pcr"),
    at most 200 characters with its extension kept."""
    raw = str(getattr(upload, "name", "") or "")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", raw) if unicodedata.category(ch)[0] != "C")
    cleaned = cleaned.strip().strip(".") or "fichier"
    if len(cleaned) > 200:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = (
            f"{stem[: 199 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else cleaned[:200]
        )
    return cleaned


def readable_size(size: int) -> str:
    return f"{size // (1024 * 1024)} Mo" if size >= 1024 * 1024 else f"{max(1, size // 1024)} Ko"


def _sniff(head: bytes) -> str | None:
    kind = filetype.guess_mime(head)
    if kind is not None:
        return kind if kind in EXTENSIONS else None
    if MARKUP.match(head) or b"\x00" in head:
        return None
    try:
        # Incremental: the sniffed head may end inside a multi-byte character ("é" cut in two at
        # its last byte), which is still text; only an invalid sequence before the end is not.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "text/plain"


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
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = _sniff(head)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or not any(extension in names for names in EXTENSIONS.values()):
        return None, f"Type de fichier non accepté (formats acceptés : {ALLOWED_LABEL})."
    if extension not in EXTENSIONS[kind]:
        return None, (
            f"Le contenu du fichier ne correspond pas à son extension « .{extension} » "
            f"(formats acceptés : {ALLOWED_LABEL})."
        )
    return Checked(name=name, content_type=kind, size=size), ""
