from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from cordee.accounts.models import Profession, Structure, User
from cordee.core.forms import free_text
from cordee.directory.models import Invitation
from cordee.directory.runs import parse_departements
from cordee.documents.checks import readable_size


class DirectorySearchForm(forms.Form):
    """DIR-1: the seed's search by name, city, coordination structure and profession."""

    KIND_CHOICES = [("professionnels", "Professionnels"), ("structures", "Structures")]

    type = forms.ChoiceField(label="Rechercher", choices=KIND_CHOICES, required=False)
    nom = forms.CharField(label="Nom", max_length=100, required=False)
    ville = forms.CharField(label="Ville ou code postal", max_length=100, required=False)
    structure = forms.ModelChoiceField(
        label="Structure de coordination",
        queryset=Structure.objects.filter(kind=Structure.Kind.DAC, is_active=True),
        required=False,
        to_field_name="public_id",
        empty_label="Toutes",
    )
    profession = forms.ModelChoiceField(
        label="Profession",
        queryset=Profession.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
        empty_label="Toutes",
    )


class InvitationForm(forms.ModelForm[Invitation]):
    message = free_text("Message personnel", rows=4)

    class Meta:
        model = Invitation
        fields = ["email", "last_name", "first_name", "message"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = "Saisissez une adresse e-mail valide."
        self.fields["email"].error_messages["required"] = "Veuillez indiquer l'adresse e-mail du confrère."

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Ce professionnel a déjà un compte : retrouvez-le dans l'annuaire.")
        return email


class DirectoryImportForm(forms.Form):
    """DIR-2: the extract to import and the départements to keep."""

    file = forms.FileField(
        label="Fichier de l'extraction (PS_LibreAcces_Personne_activite_….txt ou l'archive .zip)",
        error_messages={"required": "Veuillez choisir le fichier de l'extraction."},
    )
    departements = forms.CharField(
        label="Départements (vide : tout le fichier)",
        required=False,
        max_length=400,
        help_text="Codes séparés par des virgules, par exemple 04,05,06,13,83,84.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = str(upload.name or "").lower()
        if not name.endswith((".txt", ".csv", ".zip")):
            raise forms.ValidationError(
                "Déposez le fichier texte (.txt) de l'extraction ou son archive (.zip)."
            )
        if upload.size > settings.CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES:
            limit = readable_size(settings.CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES)
            raise forms.ValidationError(f"Le fichier dépasse la taille maximale ({limit}).")
        return upload

    def clean_departements(self) -> str:
        text: str = self.cleaned_data.get("departements", "")
        if "\x00" in text:
            raise forms.ValidationError("Liste de départements invalide.")
        try:
            codes = parse_departements(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return ",".join(sorted(codes)) if codes else ""
