"""Texts: search keys (names stored as typed and as a folded key, ARCHITECTURE spine 7), and
derived texts clipped to their column."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’`´.,]+")
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"})


def search_key(text: str) -> str:
    """Upper case, no accents, hyphens/apostrophes/spaces folded into one space.

    "Saint-Étienne-du-Rouvray" and "saint etienne du rouvray" give the same key; so do
    "L'Haÿ-les-Roses" and "L HAY LES ROSES".
    """
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", without_marks).strip().upper()


ELLIPSIS = "…"


def clip(text: str, max_length: int) -> str:
    """A text derived from what people typed (an event's summary, a journal row's object, a
    document's title made of a title and a file name…) cut to fit its column, its end marked
    "…" (issue 24: each part fit its own field, the whole did not — a 500 on PostgreSQL)."""
    if len(text) <= max_length:
        return text
    return text[: max_length - len(ELLIPSIS)].rstrip() + ELLIPSIS


def clip_to(model: Any, field_name: str, text: str) -> str:
    """`clip` to the size of `model.field_name`, read from the model so the two never drift."""
    max_length = model._meta.get_field(field_name).max_length
    return clip(text, max_length) if max_length else text
