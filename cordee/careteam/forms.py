from __future__ import annotations

from typing import Any

from django import forms

from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.identifiers import normalise_phone, validate_phone
from cordee.territory.forms import CommuneField


def role_field() -> forms.ModelMultipleChoiceField:  # type: ignore[type-arg]
    return forms.ModelMultipleChoiceField(
        label="Rôle(s)",
        queryset=CircleRole.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class MemberForm(forms.ModelForm[CircleMember]):
    """CIR-5: the seed's "Modifier" form of a circle member."""

    roles = role_field()
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = CircleMember
        fields = [
            "roles",
            "description",
            "establishment",
            "unit",
            "function",
            "address",
            "sharing_refused",
            "is_habilitated",
        ]
        labels = {
            "sharing_refused": "Refus de patient au partage d'information pour ce professionnel",
            "is_habilitated": "Habilité",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.is_manual:
            del self.fields["is_habilitated"]  # a manually added person never gets access


class ManualMemberForm(forms.ModelForm[CircleMember]):
    """CIR-3 "Ajout manuel de personne" with the seed's fields."""

    roles = role_field()
    manual_commune = CommuneField(label="Ville", required=False)

    class Meta:
        model = CircleMember
        fields = [
            "manual_is_professional",
            "manual_last_name",
            "manual_first_name",
            "manual_email",
            "manual_phone",
            "manual_mobile",
            "manual_red_list",
            "address",
            "manual_commune",
            "manual_postal_code",
            "manual_relationship",
            "roles",
            "description",
        ]
        labels = {"address": "Adresse"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manual_last_name"].required = True
        self.fields["manual_last_name"].error_messages["required"] = "Veuillez indiquer le nom."
        self.fields["manual_email"].error_messages["invalid"] = "Saisissez une adresse e-mail valide."

    def _phone(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "")
        if value:
            validate_phone(value)
        return normalise_phone(value)

    def clean_manual_phone(self) -> str:
        return self._phone("manual_phone")

    def clean_manual_mobile(self) -> str:
        return self._phone("manual_mobile")

    def clean_manual_postal_code(self) -> str:
        value: str = self.cleaned_data.get("manual_postal_code", "").strip()
        if value and not (value.isdigit() and len(value) == 5):
            raise forms.ValidationError("Le code postal comporte 5 chiffres.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        commune, postal = data.get("manual_commune"), data.get("manual_postal_code")
        if commune and postal and postal not in commune.postal_code_list:
            self.add_error("manual_postal_code", f"Ce code postal ne correspond pas à {commune.name}.")
        return data


class ManualStructureForm(forms.ModelForm[CircleMember]):
    """CIR-4: a structure not found in the directory."""

    roles = role_field()
    manual_commune = CommuneField(label="Ville", required=False)

    class Meta:
        model = CircleMember
        fields = [
            "manual_last_name",
            "manual_email",
            "manual_phone",
            "address",
            "manual_commune",
            "roles",
            "description",
        ]
        labels = {"manual_last_name": "Nom de la structure", "address": "Adresse"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manual_last_name"].required = True
        self.fields["manual_last_name"].error_messages["required"] = (
            "Veuillez indiquer le nom de la structure."
        )

    def clean_manual_phone(self) -> str:
        value: str = self.cleaned_data.get("manual_phone", "")
        if value:
            validate_phone(value)
        return normalise_phone(value)
