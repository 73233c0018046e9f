from __future__ import annotations

from typing import Any

from django import forms

from cordee.careteam.models import CircleMember
from cordee.core.http import parse_uuid
from cordee.memos.models import MEMO_TEXT_MAX_LENGTH, MEMO_TITLE_MAX_LENGTH, Visibility

NOT_IN_CIRCLE = "Le mémo ne peut être partagé qu'avec des membres habilités du cercle de soins."


class MemberChoiceField(forms.ModelMultipleChoiceField[CircleMember]):
    def clean(self, value: Any) -> Any:
        # A tampered id is "not a member one may choose", like an id of another circle.
        if value and any(parse_uuid(item) is None for item in value):
            raise forms.ValidationError(NOT_IN_CIRCLE, code="invalid_choice")
        return super().clean(value)

    def label_from_instance(self, obj: CircleMember) -> str:
        return f"{obj.display_name} (structure)" if obj.structure_id else obj.display_name


class MemoForm(forms.Form):
    title = forms.CharField(
        label="Titre",
        max_length=MEMO_TITLE_MAX_LENGTH,
        error_messages={
            "required": "Donnez un titre au mémo.",
            "max_length": "Le titre ne peut dépasser %(limit_value)d caractères.",
        },
    )
    text = forms.CharField(
        label="Texte du mémo",
        max_length=MEMO_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MEMO_TEXT_MAX_LENGTH}),
        error_messages={
            "required": "Écrivez le texte du mémo.",
            "max_length": (
                "Le mémo ne peut dépasser %(limit_value)d caractères (il en compte %(show_value)d)."
            ),
        },
    )
    visibility = forms.ChoiceField(
        label="Visibilité",
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la visibilité du mémo.",
            "invalid_choice": "Choisissez la visibilité du mémo.",
        },
    )
    shared_with = MemberChoiceField(
        label="Partagé avec",
        queryset=CircleMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": NOT_IN_CIRCLE,
            "invalid_pk_value": NOT_IN_CIRCLE,
        },
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, members: Any, acting_as_structure: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = members  # type: ignore[attr-defined]
        if not acting_as_structure:
            # The seed: only a structure writes a private memo.
            self.fields["visibility"].choices = [  # type: ignore[attr-defined]
                choice for choice in Visibility.choices if choice[0] != Visibility.PRIVATE
            ]


class MemoEditForm(MemoForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class MemoDeleteForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class MemoFilterForm(forms.Form):
    """The seed's filters on the memo panel: text, visibility, author."""

    q = forms.CharField(label="Rechercher", max_length=100, required=False)
    visibilite = forms.ChoiceField(
        label="Visibilité", choices=[("", "Toutes"), *Visibility.choices], required=False
    )
    auteur = forms.ChoiceField(label="Auteur", choices=[("", "Tous")], required=False)

    def __init__(self, *args: Any, authors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auteur"].choices = [("", "Tous"), *authors]  # type: ignore[attr-defined]
