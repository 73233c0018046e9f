"""Search keys: names stored as typed and as a folded key (ARCHITECTURE, spine 7)."""

from __future__ import annotations

import re
import unicodedata

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
