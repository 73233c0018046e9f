from __future__ import annotations

import re

from django.db.models import QuerySet

from cordee.core.text import search_key
from cordee.territory.models import Commune

MAX_RESULTS = 20


def search_communes(query: str) -> QuerySet[Commune]:
    """By postal code prefix ("060", "06000") or by name prefix, accents and hyphens folded."""
    query = query.strip()
    if not query:
        return Commune.objects.none()
    if re.fullmatch(r"\d{2,5}", query):
        # postal_codes is a space-separated list: match at the start or after a space.
        return Commune.objects.filter(postal_codes__regex=rf"(^| ){query}").order_by("name_key")[:MAX_RESULTS]
    key = search_key(query)
    if len(key) < 2:
        return Commune.objects.none()
    return Commune.objects.filter(name_key__startswith=key).order_by("name_key", "code")[:MAX_RESULTS]
