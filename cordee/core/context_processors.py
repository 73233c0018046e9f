from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cordee.core.menu import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """The top bar and side menu: the actor, the structures one may act for, the menu — worked
    out only when a template shows them (an htmx fragment does not)."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None, "menu": [], "acting_choices": []}
    # Read with the actor when one acts for a structure (accounts.middleware.resolve_actor).
    known = getattr(request, "acting_memberships", None)
    return {
        "actor": actor,
        "menu": SimpleLazyObject(lambda: menu_for(actor)),
        "acting_choices": known
        if known is not None
        else SimpleLazyObject(
            lambda: list(
                actor.user.memberships.filter(is_active=True)
                .select_related("structure")
                .order_by("structure__name")
            )
        ),
    }
