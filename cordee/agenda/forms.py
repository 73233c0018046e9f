"""The appointment form (AGD-1): what Doctolib or Outlook ask, in French, each error by its field."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.urls import reverse

from cordee.agenda.agendas import Agenda, Reach
from cordee.agenda.models import Appointment, EventType
from cordee.careteam.access import visible_dossiers
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.forms import DayField, MomentField, free_text
from cordee.core.http import parse_uuids
from cordee.patients.models import Patient
from cordee.territory.forms import CommuneField

INVALID_MOMENT = (
    "Date ou heure invalide : ce jour n'existe pas (par exemple un 31/02) ou le format est incorrect."
)


class PatientWidget(forms.Select):
    """A search box refreshing the select below it (htmx), as the commune picker does; only the
    chosen dossier is rendered as an option."""

    template_name = "agenda/patient_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["search_url"] = reverse("agenda:patient_search")
        return context

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        # Only the chosen dossier is rendered: a structure may see tens of thousands.
        # A value given back after an error may be anything: only a well-formed id is looked up.
        selected = parse_uuids([v for v in value if v])
        groups = [(None, [self.create_option(name, "", "Aucun patient", not selected, 0)], 0)]
        if selected:
            queryset = self.choices.queryset.filter(public_id__in=selected)  # type: ignore[attr-defined]
            for index, patient in enumerate(queryset[:1], start=1):
                label = self.choices.field.label_from_instance(patient)  # type: ignore[attr-defined]
                groups.append(
                    (None, [self.create_option(name, str(patient.public_id), label, True, index)], index)
                )
        return groups


class PatientField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A dossier the author may see (the policy's own list): any other id is an invalid choice."""

    widget = PatientWidget

    def label_from_instance(self, obj: Any) -> str:
        born = f" (né·e le {obj.birth_date:%d/%m/%Y})" if getattr(obj, "birth_date", None) else ""
        return f"{obj.display_name}{born}"


def participant_choices(reach: Reach) -> list[tuple[str, str]]:
    return [
        (agenda.key, agenda.label + (" (structure)" if agenda.is_structure else ""))
        for agenda in reach.agendas
    ]


class AppointmentForm(forms.ModelForm[Appointment]):
    starts_at = MomentField(label="Début")
    ends_at = MomentField(label="Fin")
    commune = CommuneField(label="Commune", required=False)
    patient = PatientField(label="Patient", queryset=Patient.objects.none(), required=False)
    participants = forms.MultipleChoiceField(
        label="Agendas (participants)",
        widget=forms.CheckboxSelectMultiple,
        help_text="Le rendez-vous apparaît dans l'agenda de chaque personne ou structure cochée.",
    )
    repeat_until = DayField(label="Jusqu'au (inclus)", required=False)
    notes = free_text("Notes", max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Appointment
        fields = [
            "title",
            "event_type",
            "starts_at",
            "ends_at",
            "all_day",
            "place_kind",
            "address",
            "commune",
            "patient",
            "is_private",
            "notes",
            "repeat",
            "repeat_until",
        ]
        widgets = {"place_kind": forms.RadioSelect}
        help_texts = {
            "is_private": "Les autres professionnels voient « Occupé », sans titre ni détails.",
            "address": "Adresse du rendez-vous (ou laissez vide pour une téléconsultation).",
        }

    def __init__(self, *args: Any, actor: Actor, reach: Reach, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["event_type"].queryset = EventType.objects.filter(is_active=True)  # type: ignore[attr-defined]
        f["event_type"].empty_label = "Sélectionner"  # type: ignore[attr-defined]
        f["patient"].queryset = visible_dossiers(actor)  # type: ignore[attr-defined]
        f["patient"].empty_label = "Aucun patient"  # type: ignore[attr-defined]
        f["patient"].to_field_name = "public_id"  # type: ignore[attr-defined]
        f["patient"].error_messages["invalid_choice"] = "Choisissez un dossier que vous pouvez consulter."
        f["participants"].choices = participant_choices(reach)  # type: ignore[attr-defined]
        f["participants"].error_messages["required"] = "Choisissez au moins un agenda pour ce rendez-vous."
        f["participants"].error_messages["invalid_choice"] = "Cet agenda ne vous est pas accessible."
        f["title"].error_messages["required"] = "Veuillez indiquer le titre du rendez-vous."
        f["event_type"].error_messages["required"] = "Veuillez choisir le type d'évènement."
        for name in ("starts_at", "ends_at"):
            f[name].error_messages["required"] = "Veuillez indiquer la date et l'heure."
            f[name].error_messages["invalid"] = INVALID_MOMENT
        if self.instance.pk:
            self.initial["version"] = self.instance.version
            if self.instance.patient_id is not None:
                self.initial["patient"] = self.instance.patient.public_id  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if data.get("all_day") and starts_at and ends_at:
            # A whole day runs from midnight to the next midnight, Paris time (23 or 25 hours
            # on the days the clocks change).
            first, last = clock.date_of(starts_at), clock.date_of(ends_at)
            data["starts_at"] = clock.start_of_day(first)
            data["ends_at"] = clock.start_of_day(max(first, last) + datetime.timedelta(days=1))
        elif starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "La fin du rendez-vous doit être postérieure à son début.")
        if data.get("place_kind") == Appointment.Place.TELECONSULTATION:
            data["address"], data["commune"] = "", None
        if not data.get("repeat"):
            data["repeat_until"] = None
        return data


def agenda_keys(agendas: list[Agenda]) -> list[str]:
    return [agenda.key for agenda in agendas]
