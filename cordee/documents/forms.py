"""A form field for joining documents: several files at once, each checked like every upload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.forms import DayField
from cordee.documents.checks import (
    ALLOWED_LABEL,
    EXTENSIONS,
    Checked,
    check_upload,
    max_size,
    readable_size,
    upload_name,
)
from cordee.documents.models import Document, DocumentCategory, DocumentType

# Enough for a task's prescriptions and reports; a larger batch belongs to the documents space.
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Cleans to the accepted files with what their check found, `[(upload, Checked), …]`.

    One wrong file refuses the whole batch, each error naming its file: what is saved is then
    what the person chose, never a part of it."""

    def __init__(self, **kwargs: Any) -> None:
        accept = ",".join(sorted(f".{ext}" for extensions in EXTENSIONS.values() for ext in extensions))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        limit = readable_size(max_size())
        help_text = f"Facultatif, {MAX_FILES} fichiers au plus, {limit} chacun ({ALLOWED_LABEL})."
        kwargs.setdefault("help_text", help_text)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[Any, Checked]]:
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"Joignez au plus {MAX_FILES} documents à la fois.")
        accepted, errors = [], []
        for upload in uploads:
            checked, error = check_upload(upload)
            if checked is None:
                errors.append(f"{upload_name(upload)} : {error}")
            else:
                accepted.append((upload, checked))
        if errors:
            raise ValidationError(errors)
        return accepted


class ShareField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.user_id:
            return f"{obj.user.display_name}" + (f" — {obj.user.profession}" if obj.user.profession else "")
        return f"{obj.structure.name} (structure et ses délégués)"


class TypeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.category.label} › {obj.label}"


class DocumentForm(forms.Form):
    """ACT-4 "Ajouter un document": the booklet's category tree, a type, a title, the document's
    own date and its visibility (Public / Partagé with chosen recipients)."""

    uploads = DocumentsField(label="Fichier(s)")
    category = forms.ModelChoiceField(
        label="Catégorie", queryset=DocumentCategory.objects.none(), empty_label="Sélectionner"
    )
    doc_type = TypeChoiceField(
        label="Type de document",
        queryset=DocumentType.objects.none(),
        required=False,
        empty_label="Non précisé",
    )
    title = forms.CharField(label="Titre", max_length=200)
    document_date = DayField(label="Date du document")
    visibility = forms.ChoiceField(
        label="Visibilité",
        choices=Document.Visibility.choices,
        initial=Document.Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text=(
            "Public : tous les membres du cercle de soins, selon leurs droits sur la catégorie. "
            "Partagé : les destinataires choisis ; les délégués d'une structure choisie y ont aussi accès."
        ),
    )
    recipients = ShareField(
        label="Destinataires (document partagé)",
        queryset=CircleMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        categories: Iterable[DocumentCategory] = (),
        choices: Iterable[CircleMember] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        ids = [category.pk for category in categories]
        f["category"].queryset = DocumentCategory.objects.filter(pk__in=ids, is_active=True)  # type: ignore[attr-defined]
        f["doc_type"].queryset = DocumentType.objects.filter(  # type: ignore[attr-defined]
            category_id__in=ids, is_active=True
        ).select_related("category")
        f["recipients"].queryset = CircleMember.objects.filter(  # type: ignore[attr-defined]
            pk__in=[member.pk for member in choices]
        ).select_related("user", "user__profession", "structure")
        today = clock.today()
        f["document_date"] = DayField(label="Date du document", latest=today, initial=today)
        f["document_date"].error_messages["out_of_range"] = (
            f"Veuillez indiquer une date entre le 01/01/1900 et aujourd'hui ({today:%d/%m/%Y})."
        )
        limit = readable_size(max_size())
        f["uploads"].help_text = (
            f"{MAX_FILES} fichiers au plus, {limit} chacun ({ALLOWED_LABEL}). "
            "Plusieurs fichiers : un document par fichier, avec la même description."
        )
        f["category"].error_messages.update(
            required="Veuillez choisir la catégorie du document.",
            invalid_choice="Choisissez une catégorie de la liste.",
        )
        f["doc_type"].error_messages["invalid_choice"] = "Choisissez un type de la liste."
        f["title"].error_messages["required"] = "Veuillez indiquer le titre du document."
        f["document_date"].error_messages.update(
            required="Veuillez indiquer la date du document.", invalid="Date invalide."
        )
        f["recipients"].error_messages.update(
            invalid_choice="Choisissez des destinataires de la liste.",
            invalid_pk_value="Choisissez des destinataires de la liste.",
        )

    def clean_uploads(self) -> list[tuple[Any, Checked]]:
        files: list[tuple[Any, Checked]] = self.cleaned_data.get("uploads") or []
        if not files:
            raise ValidationError("Veuillez choisir au moins un fichier.")
        return files

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data.get("title") or "").split())
        if "\x00" in title:
            raise ValidationError("Le titre contient un caractère invalide.")
        if not title:
            raise ValidationError("Veuillez indiquer le titre du document.")
        return title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category, doc_type = cleaned.get("category"), cleaned.get("doc_type")
        if category is not None and doc_type is not None and doc_type.category_id != category.pk:
            self.add_error("doc_type", "Ce type n'appartient pas à la catégorie choisie.")
        shared = cleaned.get("visibility") == Document.Visibility.SHARED
        if shared and not cleaned.get("recipients") and "recipients" not in self.errors:
            self.add_error("recipients", "Choisissez au moins un destinataire pour un document partagé.")
        return cleaned


class VersionForm(forms.Form):
    """ACT-4 "Nouvelle version": the new file and its own date; the version seen (SEC-4)."""

    upload = DocumentsField(label="Nouveau fichier")
    document_date = DayField(label="Date de cette version")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["document_date"] = DayField(label="Date de cette version", latest=today, initial=today)
        self.fields["document_date"].error_messages.update(
            out_of_range=f"Veuillez indiquer une date entre le 01/01/1900 et aujourd'hui ({today:%d/%m/%Y}).",
            required="Veuillez indiquer la date de cette version.",
            invalid="Date invalide.",
        )
        accept = self.fields["upload"].widget.attrs.get("accept", "")
        self.fields["upload"].widget = forms.ClearableFileInput(attrs={"accept": accept})
        self.fields[
            "upload"
        ].help_text = f"Un fichier, {readable_size(max_size())} au plus ({ALLOWED_LABEL})."

    def clean_upload(self) -> tuple[Any, Checked]:
        files: list[tuple[Any, Checked]] = self.cleaned_data.get("upload") or []
        if len(files) != 1:
            raise ValidationError("Choisissez un fichier, un seul.")
        return files[0]


class WithdrawForm(forms.Form):
    """ACT-4 "Retirer le document": the reason is asked, kept and journaled."""

    reason = forms.CharField(
        label="Motif du retrait",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        error_messages={
            "required": "Veuillez indiquer le motif du retrait.",
            "max_length": "Le motif doit tenir en 500 caractères.",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data.get("reason") or "").split())
        if not reason:
            raise ValidationError("Veuillez indiquer le motif du retrait.")
        if "\x00" in reason:
            raise ValidationError("Le motif contient un caractère invalide.")
        return reason
