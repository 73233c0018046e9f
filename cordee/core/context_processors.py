from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cordee.core.menu import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """The top bar and side menu: the actor, the structures one may act for, the menu."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None, "menu": [], "acting_choices": []}
    return {
        "actor": actor,
        "menu": menu_for(actor),
        "acting_choices": list(
            actor.user.memberships.filter(is_active=True)
            .select_related("structure")
            .order_by("structure__name")
        ),
    }
