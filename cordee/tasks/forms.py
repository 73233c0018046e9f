from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms

from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.forms import DateTimeInput, DayField, MomentField, free_text
from cordee.documents.forms import DocumentsField
from cordee.pathways.models import FormResponse
from cordee.patients.active_file import page_size_field
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType
from cordee.territory.models import Zone


class RecipientField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.user_id:
            return f"{obj.user.display_name}" + (f" — {obj.user.profession}" if obj.user.profession else "")
        return f"{obj.structure.name} (structure)"


class FormChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        state = "clôturé" if obj.is_closed else "en cours"
        return f"{obj.questionnaire_version.questionnaire.title} ({state}, {obj.updated_at:%d/%m/%Y})"


class TaskForm(forms.ModelForm[Task]):
    """TSK-1: the seed's task pop-up."""

    recipients = RecipientField(
        label="Destinataires",
        queryset=CircleMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Vous faites partie des destinataires par défaut : il est recommandé de ne pas vous retirer."
        ),
    )
    linked = forms.BooleanField(
        label="Créer aussi cette tâche sur les dossiers liés (tâche commune)", required=False
    )
    documents = DocumentsField(label="Documents")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = free_text("Commentaire")

    class Meta:
        model = Task
        fields = ["task_type", "label", "level", "status", "due_at", "action", "form", "comment"]
        field_classes = {"form": FormChoiceField, "due_at": MomentField}
        widgets = {"due_at": DateTimeInput()}
        help_texts = {
            "action": "Facultatif : l'action du plan personnalisé (PPCS) que cette tâche met en œuvre, "
            "par exemple « Action 2 — Mise en place d'une aide à domicile ».",
        }

    def __init__(
        self,
        *args: Any,
        choices: list[CircleMember] | None = None,
        questionnaires: list[FormResponse] | None = None,
        may_join: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        if not may_join:  # "Documents" of the rights matrix, written: the field is not offered
            del f["documents"]
        # Only the dossier's forms the actor may read: another id is refused as an invalid choice.
        f["form"].queryset = FormResponse.objects.filter(  # type: ignore[attr-defined]
            pk__in=[form.pk for form in questionnaires or []]
        ).select_related("questionnaire_version__questionnaire")
        f["form"].empty_label = "Aucun"  # type: ignore[attr-defined]
        f["form"].error_messages["invalid_choice"] = "Choisissez un questionnaire de ce dossier."
        f["task_type"].queryset = TaskType.objects.filter(is_active=True)  # type: ignore[attr-defined]
        f["task_type"].empty_label = "Sélectionner"  # type: ignore[attr-defined]
        f["level"].queryset = TaskLevel.objects.all()  # type: ignore[attr-defined]
        f["level"].empty_label = None  # type: ignore[attr-defined]
        f["task_type"].error_messages["required"] = "Veuillez choisir le type de tâche."
        f["label"].error_messages["required"] = "Veuillez indiquer le libellé de la tâche."
        f["due_at"].error_messages["required"] = "Veuillez indiquer la date d'échéance."
        f["due_at"].error_messages["invalid"] = "Date et heure invalides."
        f["recipients"].queryset = CircleMember.objects.filter(  # type: ignore[attr-defined]
            pk__in=[member.pk for member in choices or []]
        ).select_related("user", "user__profession", "structure")
        if self.instance.pk:
            del f["status"], f["recipients"], f["linked"]
            self.initial["version"] = self.instance.version


# Issue 23: multiple choices are checkboxes (no Ctrl-click), shown as a searchable drop-down by
# app.js ("_multiselect.html").
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class TaskDashboardForm(forms.Form):
    """TSK-4: the seed's filters of "Consulter les tâches".

    "Destinataire(s)" and "Action(s)" offer only what the actor's own tasks hold (see
    `tasks.filters`); a value outside them is dropped with its error, never a 500. The sort
    ("tri") is not a filter: the view reads it against its whitelist.
    """

    CONTEXTS = [("", "Tous"), ("moi", "Affectées à moi"), ("structure", "Affectées à ma structure")]

    contexte = forms.ChoiceField(label="Contexte", choices=CONTEXTS, required=False)
    statut = forms.MultipleChoiceField(
        label="Statut", choices=TaskStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    debut = DayField(label="Échéance début", required=False)
    fin = DayField(label="Échéance fin", required=False)
    zone = forms.ModelMultipleChoiceField(
        label="Zones géographiques",
        queryset=Zone.objects.only("public_id", "name"),
        to_field_name="public_id",
        required=False,
        widget=CHECKBOXES,
    )
    type = forms.ModelMultipleChoiceField(
        label="Type(s)", queryset=TaskType.objects.all(), required=False, widget=CHECKBOXES
    )
    patients = forms.MultipleChoiceField(label="Patient(s)", required=False)
    action = forms.MultipleChoiceField(label="Action(s)", required=False)
    destinataire = forms.MultipleChoiceField(label="Destinataire(s)", required=False)
    niveau = forms.ModelMultipleChoiceField(
        label="Niveau", queryset=TaskLevel.objects.all(), required=False, widget=CHECKBOXES
    )
    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)
    motif = forms.CharField(label="Motif", max_length=100, required=False)
    taille = page_size_field()

    def __init__(
        self,
        *args: Any,
        recipients: Callable[[], list[tuple[str, str]]] = list,
        actions: Callable[[], list[tuple[str, str]]] = list,
        patients: Callable[[], list[tuple[str, str]]] = list,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Asked lazily, once: an htmx search or sort that neither shows nor uses them costs nothing.
        self.fields["destinataire"].choices = functools.cache(recipients)  # type: ignore[attr-defined]
        self.fields["action"].choices = functools.cache(actions)  # type: ignore[attr-defined]
        self.fields["patients"].choices = functools.cache(patients)  # type: ignore[attr-defined]
        for name in ("destinataire", "action", "patients"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Ce choix ne figure pas parmi vos tâches : il n'est pas appliqué."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        debut, fin = data.get("debut"), data.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "L'échéance de fin ne peut pas précéder celle de début.")
        return data


def now_rounded() -> Any:
    return clock.now().replace(second=0, microsecond=0)
