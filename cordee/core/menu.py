"""The side menu (ACC-6): each entry says who may see it, so the menu shows only what rights allow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from cordee.core.actor import Actor


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str
    visible: Callable[[Actor], bool]
    url_kwargs: Callable[[Actor], dict[str, object]] | None = None

    def url(self, actor: Actor) -> str:
        kwargs = self.url_kwargs(actor) if self.url_kwargs else {}
        return reverse(self.url_name, kwargs=kwargs)


def _anyone(actor: Actor) -> bool:
    return True


def _acting_as_structure(actor: Actor) -> bool:
    return actor.is_acting_as_structure


def _structure_superuser(actor: Actor) -> bool:
    return actor.is_structure_superuser


def _platform_admin(actor: Actor) -> bool:
    return actor.user.is_staff


def _acting_structure_kwargs(actor: Actor) -> dict[str, object]:
    assert actor.structure is not None
    return {"public_id": actor.structure.public_id}


MENU: list[MenuEntry] = [
    MenuEntry("Accueil", "core:home", "house", _anyone),
    MenuEntry("File active", "patients:list", "people", _anyone),
    MenuEntry("Tâches", "tasks:dashboard", "bell", _anyone),
    MenuEntry("Agenda", "agenda:calendar", "calendar-week", _anyone),
    MenuEntry("Annuaire", "directory:search", "book", _anyone),
    MenuEntry("Demandes reçues", "referrals:dashboard", "inbox", _acting_as_structure),
    MenuEntry("Mes demandes", "referrals:mine", "send", _anyone),
    MenuEntry("Équipes ressource", "directory:resource_teams", "life-preserver", _anyone),
    MenuEntry("Groupes de favoris", "groups:list", "star", _anyone),
    MenuEntry("Inviter un confrère", "directory:invite", "envelope", _anyone),
    MenuEntry(
        "Ma structure",
        "accounts:structure_detail",
        "building",
        _acting_as_structure,
        url_kwargs=_acting_structure_kwargs,
    ),
    MenuEntry("Gérer les habilitations", "supervision:supervision", "shield-check", _structure_superuser),
    MenuEntry("Demandes d'inscription", "accounts:registration_list", "person-check", _platform_admin),
    MenuEntry("Import de l'annuaire national", "directory:import_list", "cloud-upload", _platform_admin),
    MenuEntry("Administration", "admin:index", "gear", _platform_admin),
]


def menu_for(actor: Actor) -> list[dict[str, str]]:
    return [
        {"label": entry.label, "url": entry.url(actor), "icon": entry.icon}
        for entry in MENU
        if entry.visible(actor)
    ]
