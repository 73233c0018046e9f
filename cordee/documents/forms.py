"""A form field for joining documents: several files at once, each checked like every upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cordee.documents.checks import (
    ALLOWED_LABEL,
    EXTENSIONS,
    Checked,
    check_upload,
    max_size,
    readable_size,
    upload_name,
)

# Enough for a task's prescriptions and reports; a larger batch belongs to the documents space.
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Cleans to the accepted files with what their check found, `[(upload, Checked), …]`.

    One wrong file refuses the whole batch, each error naming its file: what is saved is then
    what the person chose, never a part of it."""

    def __init__(self, **kwargs: Any) -> None:
        accept = ",".join(sorted(f".{ext}" for extensions in EXTENSIONS.values() for ext in extensions))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        limit = readable_size(max_size())
        help_text = f"Facultatif, {MAX_FILES} fichiers au plus, {limit} chacun ({ALLOWED_LABEL})."
        kwargs.setdefault("help_text", help_text)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[Any, Checked]]:
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"Joignez au plus {MAX_FILES} documents à la fois.")
        accepted, errors = [], []
        for upload in uploads:
            checked, error = check_upload(upload)
            if checked is None:
                errors.append(f"{upload_name(upload)} : {error}")
            else:
                accepted.append((upload, checked))
        if errors:
            raise ValidationError(errors)
        return accepted
