"""DEM-1 forms: the requester's request, the team's actions. Every free text is bounded."""

from __future__ import annotations

from typing import Any

from django import forms

from cordee.accounts.models import Structure, User
from cordee.core.forms import free_text
from cordee.patients.identity import BirthDateField
from cordee.patients.models import Sex
from cordee.referrals.models import Motif, SpecialisedService
from cordee.territory.forms import CommuneField


class ReferralForm(forms.Form):
    """The traits are offered only when the team carries the identity and no dossier is named."""

    motif = forms.ModelChoiceField(
        label="Motif de la demande",
        queryset=Motif.objects.filter(is_active=True),
        empty_label="Sélectionner",
        error_messages={"required": "Choisissez le motif de la demande."},
    )
    detail = free_text("Détail de la demande", max_length=4000, rows=5, required=True)
    birth_name = forms.CharField(label="Nom de naissance", max_length=150, required=False)
    first_name = forms.CharField(label="1er prénom de naissance", max_length=150, required=False)
    birth_date = BirthDateField(label="Date de naissance", required=False)
    sex = forms.ChoiceField(label="Sexe", choices=[("", "Non précisé"), *Sex.choices], required=False)
    # The zone of the dashboard ("Zone géographique") comes from the commune; a request about a
    # dossier takes the dossier's own, so the field is offered only without one.
    commune = CommuneField(
        label="Commune de résidence du patient",
        required=False,
        help_text="Pour orienter la demande vers la bonne zone géographique ; le nom ou le code postal.",
    )

    def __init__(self, *args: Any, identity: bool, dossier: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["detail"].error_messages["required"] = "Décrivez la demande."
        if dossier:
            del self.fields["commune"]
        if not identity:
            for name in ["birth_name", "first_name", "birth_date", "sex"]:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(name) for name in ["birth_name", "first_name", "birth_date"] if name in self.fields]
        if any(given) and not all(given):
            self.add_error(
                "birth_name"
                if not data.get("birth_name")
                else "first_name"
                if not data.get("first_name")
                else "birth_date",
                "Saisissez le nom, le prénom et la date de naissance, ou aucun (demande anonymisée).",
            )
        return data


class AnswerForm(forms.Form):
    answer = free_text("Réponse au demandeur", max_length=4000, rows=4, required=True)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CancelForm(forms.Form):
    reason = free_text("Motif de l'annulation", max_length=500, rows=2, required=True)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class HandlingForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Affecté à",
        queryset=User.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Personne",
    )
    external = forms.BooleanField(label="Externe au DAC", required=False)
    service = forms.ModelChoiceField(
        label="Service spécialisé",
        queryset=SpecialisedService.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
        empty_label="Aucun",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, team: Structure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cordee.referrals.services import team_members

        self.fields["assignee"].queryset = team_members(team)  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
