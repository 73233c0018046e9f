"""ACC-8: resource teams — a structure's settings (its "Gestion des équipes ressource" tab) and
the regional directory of the teams that chose to appear in it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from cordee.accounts.models import Structure
from cordee.audit.services import journal
from cordee.core.actor import Actor
from cordee.core.text import search_key
from cordee.directory.models import ResourceTeam
from cordee.directory.search import city_filter
from cordee.pathways.models import Questionnaire, QuestionnaireVersion
from cordee.territory.models import Zone

YES_NO = [("oui", "Oui"), ("non", "Non")]


def published_questionnaires() -> QuerySet[Questionnaire]:
    """The Parcours questionnaires a requester can be asked to fill: active, with a published
    version."""
    published = QuestionnaireVersion.objects.filter(questionnaire=OuterRef("pk"), published_at__isnull=False)
    return Questionnaire.objects.filter(Exists(published), is_active=True).order_by("title")


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
    )


class ResourceTeamForm(forms.Form):
    is_listed = _yes_no("Apparaître dans l'annuaire régional des équipes ressource")
    carries_identity = _yes_no("Les demandes adressées à la structure portent l'identité du patient")
    questionnaire = forms.ModelChoiceField(
        label="Formulaire à remplir par le demandeur",
        queryset=Questionnaire.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Aucun formulaire",
        help_text="Un questionnaire publié du Parcours.",
    )
    description = forms.CharField(
        label="Description (affichée dans les résultats de recherche)",
        required=False,
        max_length=ResourceTeam.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": ResourceTeam.DESCRIPTION_MAX}),
        error_messages={
            "max_length": "La description ne peut dépasser 500 caractères (%(show_value)d saisis)."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = published_questionnaires()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, team: ResourceTeam) -> dict[str, Any]:
        return {
            "is_listed": "oui" if team.is_listed else "non",
            "carries_identity": "oui" if team.carries_identity else "non",
            "questionnaire": team.questionnaire.public_id if team.questionnaire else None,
            "description": team.description,
        }


def team_of(structure: Structure) -> ResourceTeam:
    """The structure's settings; a structure never configured reads as the defaults (not listed)."""
    try:
        return structure.resource_team
    except ResourceTeam.DoesNotExist:
        return ResourceTeam(structure=structure)


def can_manage(actor: Actor, structure: Structure) -> bool:
    return actor.is_structure_superuser and actor.structure == structure


def save_settings(actor: Actor, structure: Structure, data: dict[str, Any]) -> ResourceTeam:
    """Only a super user acting for the structure changes its settings (ACC-6's rule)."""
    if not can_manage(actor, structure):
        raise PermissionDenied("Seul un super utilisateur agissant pour la structure peut la modifier.")
    with transaction.atomic():
        team = ResourceTeam.objects.select_for_update().filter(structure=structure).first()
        team = team or ResourceTeam(structure=structure)
        team.is_listed = data["is_listed"]
        team.carries_identity = data["carries_identity"]
        team.questionnaire = data["questionnaire"]
        team.description = data["description"].strip()
        team.updated_by = actor.user
        team.save()
        journal(
            actor,
            None,
            "resource_team_edit",
            what=f"Équipe ressource : {structure.name}",
            requested_id=str(structure.public_id),
        )
    return team


class ResourceTeamSearchForm(forms.Form):
    """The directory of resource teams: by name, commune / zone, structure type, description."""

    nom = forms.CharField(label="Nom", max_length=100, required=False)
    ville = forms.CharField(label="Commune ou code postal", max_length=100, required=False)
    zone = forms.ModelChoiceField(
        label="Zone géographique",
        queryset=Zone.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        empty_label="Toutes",
    )
    type = forms.ChoiceField(
        label="Type de structure", choices=[("", "Tous"), *Structure.Kind.choices], required=False
    )
    mots = forms.CharField(label="Mots de la description", max_length=100, required=False)


def listed_teams(criteria: dict[str, Any]) -> QuerySet[ResourceTeam]:
    teams = ResourceTeam.objects.filter(is_listed=True, structure__is_active=True).select_related(
        "structure", "structure__commune"
    )
    if criteria.get("nom"):
        teams = teams.filter(structure__name_key__contains=search_key(criteria["nom"]))
    if criteria.get("ville"):
        teams = teams.filter(city_filter("structure__", criteria["ville"]))
    if criteria.get("zone"):
        teams = teams.filter(structure__commune__zones=criteria["zone"])
    if criteria.get("type"):
        teams = teams.filter(structure__kind=criteria["type"])
    for word in search_key(criteria.get("mots") or "").split():
        teams = teams.filter(Q(description_key__contains=word) | Q(structure__name_key__contains=word))
    return teams.order_by("structure__name", "pk")
