from __future__ import annotations

from django import forms

from cordee.activity.models import NOTE_MAX_LENGTH, Event


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Texte de la note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={
            "required": "Écrivez le texte de la note.",
            "max_length": (
                "La note ne peut dépasser %(limit_value)d caractères (elle en compte %(show_value)d)."
            ),
        },
    )
    importance = forms.ChoiceField(
        label="Importance",
        choices=Event.Importance.choices,
        initial=Event.Importance.NORMAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'importance de la note.",
            "invalid_choice": "Choisissez l'importance de la note.",
        },
    )


class NoteCorrectionForm(NoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class NoteWithdrawForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
