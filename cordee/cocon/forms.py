from __future__ import annotations

from typing import Any

from django import forms

from cordee.accounts.models import Structure, User
from cordee.cocon.models import Inclusion, InclusionCriterion
from cordee.core import clock
from cordee.core.forms import DayField
from cordee.territory.models import Zone


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        profession = f" — {obj.profession}" if obj.profession_id else ""
        return f"{obj.display_name}{profession}"


class InclusionForm(forms.Form):
    """COC-1, with the bounds of a newborn's measurements (French messages beside each field)."""

    inclusion_date = DayField(label="Date d'inclusion")
    gestational_age_weeks = forms.IntegerField(
        label="Terme de naissance : semaines d'aménorrhée (SA)", min_value=22, max_value=44
    )
    gestational_age_days = forms.IntegerField(label="et jours", min_value=0, max_value=6, initial=0)
    birth_weight_g = forms.IntegerField(label="Poids de naissance (g)", min_value=300, max_value=6500)
    birth_length_cm = forms.DecimalField(
        label="Taille de naissance (cm)", min_value=20, max_value=65, decimal_places=1, required=False,
        localize=True,
    )  # fmt: skip
    birth_head_circumference_cm = forms.DecimalField(
        label="Périmètre crânien de naissance (cm)", min_value=15, max_value=45, decimal_places=1,
        required=False, localize=True,
    )  # fmt: skip
    criteria = forms.ModelMultipleChoiceField(
        label="Critères d'inclusion",
        queryset=InclusionCriterion.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un critère d'inclusion."},
    )
    referring_maternity = forms.ModelChoiceField(
        label="Maternité d'origine",
        queryset=Structure.objects.filter(kind=Structure.Kind.MATERNITY).order_by("name"),
        required=False,
        empty_label="— Non renseignée —",
    )
    referent_pediatrician = UserChoiceField(label="Pédiatre référent", queryset=User.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, referents: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referent_pediatrician"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[user.pk for user in referents]).select_related(
            "profession"
        )
        field.help_text = (
            "Un professionnel habilité du cercle de soins ; il reçoit les rappels du calendrier."
        )
        date_field = self.fields["inclusion_date"]
        date_field.widget.attrs["max"] = clock.today().isoformat()


class EndForm(forms.Form):
    ended_on = DayField(label="Date de sortie")
    end_reason = forms.ChoiceField(label="Motif de sortie", choices=[("", "—"), *Inclusion.EndReason.choices])


class ExtractionForm(forms.Form):
    """COC-4 filters: the consultation period, a zone, an age step; the format."""

    start = DayField(label="Consultations du", required=False)
    end = DayField(label="au", required=False)
    zone = forms.ModelChoiceField(
        label="Zone géographique", queryset=Zone.objects.all(), required=False, empty_label="Toutes"
    )
    step = forms.ChoiceField(label="Âge du suivi", required=False)
    output = forms.ChoiceField(
        label="Format",
        choices=[
            ("csv", "CSV (séparateur point-virgule)"),
            ("xlsx", "Excel (XLSX)"),
            ("dictionary", "Dictionnaire des données (CSV)"),
        ],
        initial="csv",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step_field = self.fields["step"]
        assert isinstance(step_field, forms.ChoiceField)
        step_field.choices = [("", "Tous les âges"), *steps]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La fin de la période précède son début.")
        return data
