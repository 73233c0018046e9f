"""Identity forms with the seed's messages (IDV-3), provisional values (IDV-4) and rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from cordee.core import clock
from cordee.core.forms import DayField
from cordee.core.identifiers import normalise_phone, validate_phone
from cordee.patients.identity import BirthDateField, clean_birth_date, clean_name, validate_nir
from cordee.patients.models import (
    UNKNOWN_PLACE_CODE,
    Consent,
    IdentityStatus,
    Patient,
    Sex,
)
from cordee.territory.forms import CommuneField
from cordee.territory.models import FRANCE_CODE, Country

MSG_BIRTH_NAME = "Veuillez indiquer le nom de naissance"
MSG_FIRST_NAME = "Veuillez indiquer le 1er prénom de naissance"
MSG_DATE = "Veuillez indiquer la date"
MSG_SEX = "Veuillez indiquer le sexe"
MSG_CITY = "Veuillez indiquer la ville"


def country_choices() -> list[tuple[str, str]]:
    countries = [(c.code, f"{c.name} ({c.code})") for c in Country.objects.exclude(code=FRANCE_CODE)]
    return [
        (FRANCE_CODE, f"FRANCE ({FRANCE_CODE})"),
        (UNKNOWN_PLACE_CODE, f"INCONNU ({UNKNOWN_PLACE_CODE}) — provisoire"),
        *countries,
    ]


class BirthCommuneField(CommuneField):
    """A commune of the COG, or 99999 when unknown (IDV-4)."""

    def to_python(self, value: Any) -> Any:
        if value == UNKNOWN_PLACE_CODE:
            return UNKNOWN_PLACE_CODE
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        if value == UNKNOWN_PLACE_CODE:
            return
        super().validate(value)


class TraitsMixin(forms.Form):
    """The five strict traits and the country, shared by the search and the identity form."""

    def _setup_traits(self) -> None:
        f = self.fields
        f["birth_name"].error_messages["required"] = MSG_BIRTH_NAME
        f["first_name"].error_messages["required"] = MSG_FIRST_NAME
        f["birth_date"].error_messages["required"] = MSG_DATE
        f["birth_date"].error_messages["invalid"] = "Date invalide (jj/mm/aaaa)."
        f["sex"].error_messages["required"] = MSG_SEX
        f["birth_name"].help_text = "« À DEMANDER » si inconnu."
        f["first_name"].help_text = "« À DEMANDER » si inconnu."
        f["birth_date"].help_text = "01/01/1900 si inconnue."
        # Required for a birth in France (99999 when unknown): marked as such (issue 23).
        f["birth_commune"].required_mark = True  # type: ignore[attr-defined]
        f["birth_commune"].help_text = "Obligatoire pour une naissance en France ; 99999 si inconnue."

    def _fictitious(self) -> bool:
        field = self.fields.get("is_fictitious")
        if field is not None and field.disabled:  # creation: as searched (IDV-2)
            return bool(self.get_initial_for_field(field, "is_fictitious"))
        return bool(self.data.get(self.add_prefix("is_fictitious")))

    def clean_birth_name(self) -> str:
        return clean_name(
            self.cleaned_data["birth_name"], label="nom de naissance", fictitious=self._fictitious()
        )

    def clean_first_name(self) -> str:
        return clean_name(
            self.cleaned_data["first_name"], label="1er prénom de naissance", fictitious=self._fictitious()
        )

    def clean_birth_date(self) -> datetime.date:
        return clean_birth_date(self.cleaned_data["birth_date"])

    def _clean_birth_place(self, data: dict[str, Any]) -> None:
        country_code = data.get("birth_country_code") or FRANCE_CODE
        commune = data.get("birth_commune")
        if country_code == UNKNOWN_PLACE_CODE:
            data["birth_country"] = None
            data["birth_commune"] = None
            return
        data["birth_country"] = Country.objects.filter(code=country_code).first()
        if country_code != FRANCE_CODE:
            data["birth_commune"] = None  # born abroad: the country is the birth place
            return
        if commune in (None, "") and "birth_commune" not in self.errors:
            self.add_error("birth_commune", MSG_CITY)
        elif commune == UNKNOWN_PLACE_CODE:
            data["birth_commune"] = None


class TraitsSearchForm(TraitsMixin):
    """IDV-2: "Rechercher si le patient est existant" on the five strict traits."""

    birth_name = forms.CharField(label="Nom de naissance", max_length=150)
    first_name = forms.CharField(label="1er prénom de naissance", max_length=150)
    birth_date = BirthDateField(label="Date de naissance")
    sex = forms.ChoiceField(label="Sexe", choices=[("", "Sélectionner"), *Sex.choices])
    birth_country_code = forms.ChoiceField(label="Pays de naissance", initial=FRANCE_CODE)
    birth_commune = BirthCommuneField(label="Commune de naissance", required=False)
    is_fictitious = forms.BooleanField(label="Identité fictive (traits « VIDE » acceptés)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_country_code"].choices = country_choices()  # type: ignore[attr-defined]
        self._setup_traits()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_birth_place(data)
        return data


class PatientIdentityForm(TraitsMixin, forms.ModelForm[Patient]):
    """The full identity: creation (with consent) and edition (with the version check)."""

    birth_country_code = forms.ChoiceField(label="Pays de naissance", initial=FRANCE_CODE)
    birth_commune = BirthCommuneField(label="Commune de naissance", required=False)
    commune = CommuneField(label="Commune de résidence", required=False)
    # Typed with spaces or dots as printed on the card; stored compact (15 characters).
    nir = forms.CharField(
        label="NIR", max_length=25, required=False, help_text="13 caractères et une clé de 2 chiffres."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = [
            "birth_name",
            "used_name",
            "first_name",
            "birth_first_names",
            "used_first_name",
            "birth_date",
            "sex",
            "birth_commune",
            "twin_rank",
            "nir",
            "email",
            "mobile",
            "address",
            "commune",
            "identity_status",
            "id_document",
            "id_document_checked_on",
            "is_homonym",
            "is_doubtful",
            "is_fictitious",
        ]
        labels = {
            "birth_first_names": "Prénom(s)",
            "nir": "NIR",
            "mobile": "Numéro de mobile",
            "email": "Email",
        }
        field_classes = {"birth_date": BirthDateField, "id_document_checked_on": DayField}
        help_texts = {
            "used_name": (
                "Obligatoire s'il diffère du nom de naissance ; laissé vide, le nom de naissance est repris."
            ),
            "used_first_name": (
                "Obligatoire s'il diffère du 1er prénom de naissance ; laissé vide, il est repris."
            ),
            "birth_first_names": "Tous les prénoms de naissance, dans l'ordre de la pièce d'identité.",
            "is_homonym": "Identités à fort taux de ressemblance, à surveiller particulièrement.",
            "is_doubtful": "Doute sur la véracité de l'identité recueillie.",
            "is_fictitious": (
                "Identité sans rapport avec l'identité réelle (anonymisation…) : "
                "les traits peuvent être « VIDE »."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["birth_country_code"].choices = country_choices()  # type: ignore[attr-defined]
        f["sex"].choices = [("", "Sélectionner"), *Sex.choices]  # type: ignore[attr-defined]
        f["twin_rank"].widget.attrs.update({"min": 1, "max": 9})
        f["email"].error_messages["invalid"] = "Saisissez une adresse e-mail valide."
        f["identity_status"].choices = IdentityStatus.choices  # type: ignore[attr-defined]
        self._setup_traits()
        instance = self.instance
        if instance.pk:
            self.initial.setdefault("version", instance.version)
            self.initial["birth_country_code"] = instance.birth_country_id or UNKNOWN_PLACE_CODE
            if instance.birth_commune_unknown and instance.birth_country_id:
                self.initial["birth_commune"] = UNKNOWN_PLACE_CODE

    def clean_used_name(self) -> str:
        value: str = self.cleaned_data.get("used_name", "")
        return clean_name(value, label="nom utilisé", fictitious=self._fictitious()) if value else ""

    def clean_used_first_name(self) -> str:
        value: str = self.cleaned_data.get("used_first_name", "")
        return clean_name(value, label="prénom utilisé", fictitious=self._fictitious()) if value else ""

    def clean_twin_rank(self) -> int | None:
        rank: int | None = self.cleaned_data.get("twin_rank")
        if rank is not None and not 1 <= rank <= 9:
            raise forms.ValidationError("Le rang gémellaire va de 1 à 9.")
        return rank

    def clean_mobile(self) -> str:
        value: str = self.cleaned_data.get("mobile", "")
        if value:
            validate_phone(value)
        return normalise_phone(value)

    def clean_id_document_checked_on(self) -> datetime.date | None:
        checked: datetime.date | None = self.cleaned_data.get("id_document_checked_on")
        if checked and checked > clock.today():
            raise forms.ValidationError("La date de vérification ne peut pas être dans le futur.")
        return checked

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_birth_place(data)
        if data.get("nir") and "nir" not in self.errors:
            try:
                data["nir"] = validate_nir(
                    data["nir"], sex=data.get("sex"), birth_date=data.get("birth_date")
                )
            except forms.ValidationError as exc:
                self.add_error("nir", exc)
        return data

    def _post_clean(self) -> None:
        # birth_country is not a form field: set it before the model's own validation.
        if "birth_country" in self.cleaned_data:
            self.instance.birth_country = self.cleaned_data["birth_country"]
        if self.cleaned_data.get("birth_commune") == UNKNOWN_PLACE_CODE:
            self.cleaned_data["birth_commune"] = None
        super()._post_clean()  # type: ignore[misc]


class ConsentForm(forms.Form):
    """CON-1/CON-2: "J'atteste que le patient est consentant à la création de ce dossier"."""

    attestation = forms.BooleanField(
        label="J'atteste que le patient est consentant à la création de ce dossier",
        error_messages={"required": "Attention, vous ne pouvez pas créer le patient sans son consentement."},
    )
    given_by = forms.ChoiceField(
        label="Consentement recueilli auprès de",
        choices=[("", "Sélectionner"), *Consent.GivenBy.choices],
        error_messages={"required": "Veuillez indiquer auprès de qui le consentement a été recueilli."},
    )
    given_by_detail = forms.CharField(label="Précisez", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_by") == Consent.GivenBy.OTHER and not data.get("given_by_detail", "").strip():
            self.add_error("given_by_detail", "Veuillez préciser qui a donné son consentement.")
        return data


class ConsentWithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Raison de l'annulation",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Veuillez indiquer la raison de l'annulation du consentement."},
    )
