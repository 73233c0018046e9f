"""The home page's sections contributed by the apps above core (the Cocon cohort's links…):
each app registers its own in `AppConfig.ready`, so core never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cordee.core.actor import Actor


@dataclass(frozen=True)
class HomeSection:
    """A card of the home page: `context` says what it shows this actor, None hides it."""

    template: str
    context: Callable[[Actor], dict[str, Any] | None]


HOME_SECTIONS: list[HomeSection] = []


def register(section: HomeSection) -> None:
    if section not in HOME_SECTIONS:
        HOME_SECTIONS.append(section)


def sections_for(actor: Actor) -> list[dict[str, Any]]:
    shown = []
    for section in HOME_SECTIONS:
        context = section.context(actor)
        if context is not None:
            shown.append({"template": section.template, "context": context})
    return shown
