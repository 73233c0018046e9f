from __future__ import annotations

from typing import Any

from django import forms

from cordee.accounts.models import Profession, Structure, User
from cordee.directory.models import Invitation


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
    class Meta:
        model = Invitation
        fields = ["email", "last_name", "first_name", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = "Saisissez une adresse e-mail valide."
        self.fields["email"].error_messages["required"] = "Veuillez indiquer l'adresse e-mail du confrère."

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Ce professionnel a déjà un compte : retrouvez-le dans l'annuaire.")
        return email
