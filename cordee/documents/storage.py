"""Files written through Django's storage API (local disk, or an S3-compatible object store by
settings alone) never outlive a failed write: `removed_on_failure()` deletes the files stored
inside it when anything in it fails — a refused check, a database error, a failed commit."""

from __future__ import annotations

import contextvars
import errno
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import FileSystemStorage, Storage

logger = logging.getLogger(__name__)

_stored: contextvars.ContextVar[list[tuple[Storage, str]] | None] = contextvars.ContextVar(
    "cordee_documents_stored", default=None
)


@contextmanager
def removed_on_failure() -> Iterator[None]:
    """Wrap the whole write, its transaction included (`with removed_on_failure(), atomic():`):
    a commit that fails is then a failure too."""
    outer = _stored.get()
    stored: list[tuple[Storage, str]] = []
    token = _stored.set(stored)
    try:
        yield
    except BaseException:
        for storage, name in stored:
            try:
                storage.delete(name)
            except Exception:  # the original error matters more; the key is logged, no health data
                logger.exception("Fichier non supprimé après un échec d'écriture : %s", name)
        raise
    finally:
        _stored.reset(token)
    if outer is not None:
        # Nested: the outer write may still fail and must remove these too.
        outer.extend(stored)


# The disk (or the person's quota on it) is full, or a file-size limit is reached.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
STORAGE_FULL = (
    "Le document n'a pas pu être enregistré : l'espace de stockage de Cordée est plein. "
    "Rien n'a été ajouté ; réessayez plus tard et prévenez l'administrateur si cela se reproduit."
)


class StorageFullError(ValidationError):
    """Issue 22, FAULT disk_full: the storage refused the file for want of space. A form error
    (shown above the form; nothing written, no partial file left) where the view reports its
    service's errors, the French 503 page elsewhere (`core.views.server_error`)."""

    # Read by `core.views.server_error` (core depends on no app): a passing outage, told on
    # the 503 page when a view lets the error through.
    unavailable_reason = (
        "L'espace de stockage des documents de Cordée est plein : le document que vous envoyiez "
        "n'a pas été enregistré, et rien d'autre n'a été modifié."
    )

    def __init__(self) -> None:
        super().__init__({NON_FIELD_ERRORS: [STORAGE_FULL]})


class DocumentFileStorage(FileSystemStorage):
    """The local disk, as Django's, except that a write refused for want of space leaves no
    partial file behind and says so in French."""

    def _save(self, name: str, content: Any) -> str:
        try:
            # Django's own write (not in the stubs: a protected method storages override).
            saved: str = super()._save(name, content)  # type: ignore[misc]
            return saved
        except OSError as error:
            if error.errno not in _NO_SPACE:
                raise
            # The half-written file is ours: Django creates it exclusively (O_EXCL) under a
            # name that was free, and our names are random keys.
            with suppress(FileNotFoundError):
                os.remove(self.path(name))
            logger.error("Stockage plein : un fichier n'a pas pu être écrit (%s).", error.strerror)
            raise StorageFullError() from error


def remember(storage: Storage, name: str) -> None:
    """Called by whoever stored a file, inside `removed_on_failure()`. Outside it a failed write
    would leave the file orphaned on disk (issue 24: a task's rollback did), so it is refused:
    a programming error, caught by the first test of the new path."""
    stored = _stored.get()
    if stored is None:
        storage.delete(name)
        raise RuntimeError("A document's file is stored only inside documents.storage.removed_on_failure().")
    stored.append((storage, name))
