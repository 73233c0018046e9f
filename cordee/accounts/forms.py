from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from cordee.accounts.models import Membership, Profession, RegistrationRequest
from cordee.accounts.services import known_identifier
from cordee.core.forms import free_text
from cordee.core.identifiers import compact, normalise_phone, validate_adeli, validate_phone, validate_rpps
from cordee.territory.forms import CommuneField


class SignInForm(AuthenticationForm):
    """ACC-2: identifier + password; no password or identifier change from this screen."""

    # Hashing a megabyte-long "password" costs the server dearly (issue 24): bounded.
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["username"].error_messages["required"] = "Veuillez indiquer votre identifiant."
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].error_messages["required"] = "Veuillez indiquer votre mot de passe."


class RegistrationForm(forms.ModelForm[RegistrationRequest]):
    """ACC-1: the seed's "Demande d'inscription"."""

    commune = CommuneField(label="Ville d'exercice", required=False)
    message = free_text("Message à l'administrateur")

    class Meta:
        model = RegistrationRequest
        fields = [
            "profession",
            "specialty",
            "adeli",
            "rpps",
            "last_name",
            "first_name",
            "email",
            "phone",
            "commune",
            "structure_name",
            "message",
        ]
        help_texts = {
            "rpps": "11 chiffres, inscrits sur votre carte CPS.",
            "adeli": "9 chiffres.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profession = self.fields["profession"]
        profession.queryset = Profession.objects.filter(is_active=True)  # type: ignore[attr-defined]
        profession.empty_label = "Sélectionner"  # type: ignore[attr-defined]
        profession.error_messages["required"] = "Veuillez indiquer votre fonction."
        self.fields["last_name"].error_messages["required"] = "Veuillez indiquer votre nom."
        self.fields["first_name"].error_messages["required"] = "Veuillez indiquer votre prénom."
        self.fields["email"].error_messages["required"] = "Veuillez indiquer votre adresse e-mail de contact."
        self.fields["email"].error_messages["invalid"] = "Saisissez une adresse e-mail valide."
        for name in ("rpps", "adeli"):
            self.fields[name].max_length = 20  # type: ignore[attr-defined]
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "maxlength": 20})

    def _known_message(self) -> str:
        return (
            "Votre N° RPPS ou ADELI est déjà connu : envoyez un e-mail à "
            f"{settings.CORDEE_SUPPORT_EMAIL} en précisant votre adresse e-mail de contact."
        )

    def clean_rpps(self) -> str:
        value = compact(self.cleaned_data.get("rpps", ""))
        if value:
            validate_rpps(value)
        return value

    def clean_adeli(self) -> str:
        value = compact(self.cleaned_data.get("adeli", "")).upper()
        if value:
            validate_adeli(value)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        if value:
            validate_phone(value)
        return normalise_phone(value)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        profession: Profession | None = data.get("profession")
        rpps, adeli = data.get("rpps", ""), data.get("adeli", "")
        if profession is not None and "rpps" not in self.errors and "adeli" not in self.errors:
            kind = profession.identifier
            if kind == Profession.Identifier.RPPS and not rpps:
                self.add_error("rpps", f"Le numéro RPPS est obligatoire pour la fonction {profession}.")
            elif kind == Profession.Identifier.ADELI and not adeli:
                self.add_error("adeli", f"Le numéro ADELI est obligatoire pour la fonction {profession}.")
            elif kind == Profession.Identifier.RPPS_OR_ADELI and not (rpps or adeli):
                self.add_error("rpps", "Veuillez indiquer votre numéro RPPS ou ADELI.")
        no_number_error = not self.errors.get("rpps") and not self.errors.get("adeli")
        if (rpps or adeli) and no_number_error and known_identifier(rpps, adeli):
            self.add_error("rpps" if rpps else "adeli", self._known_message())
        return data


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus (communiqué au demandeur)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Veuillez indiquer le motif du refus."},
    )


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label="J'ai lu et j'accepte les conditions générales d'utilisation",
        error_messages={"required": "Vous devez accepter les CGU pour accéder à Cordée."},
    )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="Code de vérification",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Veuillez saisir le code."},
    )

    def clean_token(self) -> str:
        return compact(self.cleaned_data["token"])


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Droits", choices=Membership.Role.choices)
