"""Forms of the dossier's life: status (DOS-2), death (DOS-3), stays (DOS-4), links (DOS-6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from cordee.accounts.models import Structure
from cordee.core import clock
from cordee.core.forms import DayField
from cordee.patients.models import (
    DeathPlace,
    DischargeReason,
    DossierStatus,
    Hospitalisation,
    Patient,
    RelationType,
)
from cordee.territory.models import FRANCE_CODE, Country


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Nouveau statut",
        choices=[(value, label) for value, label in DossierStatus.choices if value != DossierStatus.DECEASED],
    )
    reason = forms.ModelChoiceField(
        label="Motif de sortie",
        queryset=DischargeReason.objects.filter(is_active=True),
        required=False,
        empty_label="Sélectionner",
    )
    checklist_confirmed = forms.BooleanField(
        label="Je confirme la clôture malgré les éléments encore en cours", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeathForm(forms.Form):
    """The seed's "Déclarer le décès du patient"."""

    death_date = DayField(label="Date du décès", required=False)
    death_date_unknown = forms.BooleanField(label="Non connu", required=False)
    declared_on = DayField(
        label="Date de déclaration de décès",
        error_messages={"required": "Veuillez indiquer la date de déclaration du décès."},
    )
    country = forms.ModelChoiceField(
        label="Pays du décès", queryset=Country.objects.all(), to_field_name="code", required=False
    )
    place = forms.ChoiceField(
        label="Lieu du décès", choices=[("", "Sélectionner le lieu du décès"), *DeathPlace.choices]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].error_messages["required"] = "Veuillez indiquer le lieu du décès."
        self.fields["declared_on"].initial = clock.today()
        self.fields["country"].initial = FRANCE_CODE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("death_date_unknown"):
            data["death_date"] = None
        elif not data.get("death_date") and "death_date" not in self.errors:
            self.add_error("death_date", "Veuillez indiquer la date du décès ou cocher « Non connu ».")
        return data


class HospitalisationForm(forms.ModelForm[Hospitalisation]):
    establishment = forms.ModelChoiceField(
        label="Établissement (annuaire)",
        queryset=Structure.objects.filter(
            is_active=True, kind__in=[Structure.Kind.HOSPITAL, Structure.Kind.MATERNITY]
        ),
        required=False,
        empty_label="Sélectionner",
    )

    class Meta:
        model = Hospitalisation
        fields = [
            "establishment",
            "establishment_name",
            "unit",
            "start_date",
            "end_date",
            "is_programmed",
            "reason",
        ]
        field_classes = {"start_date": DayField, "end_date": DayField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].error_messages["required"] = "Veuillez indiquer la date d'entrée."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("establishment") and not data.get("establishment_name", "").strip():
            self.add_error("establishment", "Veuillez choisir l'établissement ou saisir son nom.")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de sortie ne peut pas précéder la date d'entrée.")
        return data


class LinkForm(forms.Form):
    """DOS-6: "Renseigner le nom du patient et le type de relation"."""

    other = forms.ModelChoiceField(
        label="Patient à lier",
        queryset=Patient.objects.none(),
        to_field_name="public_id",
        empty_label="Sélectionner",
        error_messages={
            "required": "Veuillez choisir le patient à lier.",
            "invalid_choice": "Ce dossier n'existe pas ou vous n'y avez pas accès.",
        },
    )
    relation = forms.ModelChoiceField(
        label="Type de relation",
        queryset=RelationType.objects.all(),
        empty_label="Sélectionner",
        error_messages={"required": "Veuillez choisir le type de relation."},
    )

    def __init__(
        self, *args: Any, choices: QuerySet[Patient], allowed: QuerySet[Patient], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        # Validation against every dossier the actor may open; rendering of the matches only.
        field.queryset = allowed if self.is_bound else choices  # type: ignore[attr-defined]
