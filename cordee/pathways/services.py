"""Parcours writes (PAR-1, PAR-3, PAR-4): one transaction each, with the activity event and the
journal row; forms are version-checked so a stale page never overwrites a newer save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.models import Access
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can, theme_rights
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents import services as documents
from cordee.documents.checks import check_upload
from cordee.documents.models import Document
from cordee.documents.storage import removed_on_failure
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.pathways.answers import Context, Result, read_post, validate
from cordee.pathways.models import (
    DossierTheme,
    FormResponse,
    FormRevision,
    FormStatus,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)
from cordee.patients.models import Patient


class StaleFormError(Exception):
    """SEC-4: the form was saved by someone else since this page was shown."""

    message = (
        "Ce formulaire a été enregistré par quelqu'un d'autre entre-temps : vos réponses n'ont pas "
        "été enregistrées. Elles sont conservées ci-dessous ; comparez avec la dernière version avant "
        "d'enregistrer à nouveau."
    )


class TamperedFormError(Exception):
    """A post with fields the questionnaire does not have or answers to hidden questions."""

    message = (
        "Le formulaire envoyé ne correspond pas au questionnaire (réponses inconnues ou à des "
        "questions masquées) : rien n'a été enregistré."
    )


class ClosedFormError(Exception):
    message = "Ce formulaire est clôturé : il ne peut plus être modifié sans être rouvert."


# Programmes built on the engine (Cocon) register here what forms need from them (the
# gestational age) and what they must learn of forms (a notebook closed): the engine itself
# knows nothing of them. Called inside the caller's transaction.
CONTEXT_PROVIDERS: list[Callable[[Patient], dict[str, Any]]] = []
FORM_LISTENERS: list[Callable[[FormResponse], None]] = []


def context_for(patient: Patient) -> Context:
    """What computed values need: birth date, sex, and what programmes add (gestational age)."""
    extra: dict[str, Any] = {}
    for provider in CONTEXT_PROVIDERS:
        extra.update(provider(patient))
    return Context(today=clock.today(), birth_date=patient.birth_date, sex=patient.sex, **extra)


def _notify(response: FormResponse) -> None:
    for listener in FORM_LISTENERS:
        listener(response)


# --- themes ---------------------------------------------------------------------------------


def add_theme(actor: Actor, patient: Patient, theme: Theme) -> DossierTheme:
    """PAR-1: a theme joins the dossier's Parcours tab (at the end)."""
    if theme.parent_id is not None or theme.is_default or not theme.is_active:
        raise ValidationError({"theme": "Choisissez une thématique de la liste."})
    if not theme_rights(actor, patient, theme)[1]:
        raise PermissionDenied
    with transaction.atomic():
        live = DossierTheme.objects.select_for_update().filter(patient=patient, removed_at__isnull=True)
        if live.filter(theme=theme).exists():
            raise ValidationError({"theme": "Cette thématique est déjà dans le parcours du dossier."})
        position = (live.aggregate(top=Max("position"))["top"] or 0) + 1
        row = DossierTheme.objects.create(
            patient=patient, theme=theme, position=position, created_by=actor.user, structure=actor.structure
        )
        record_event(
            actor,
            patient,
            Event.Kind.THEME_ADDED,
            f"Thématique ajoutée au parcours : {theme.label}",
            theme=theme,
        )
        journal(actor, patient, "add_theme", what=theme.code)
        announce(Notice.THEME_ADDED, actor, patient=patient, circle=True, data={"label": theme.label})
    return row


def theme_form_count(patient: Patient, theme: Theme) -> int:
    return FormResponse.objects.filter(patient=patient, theme__in=[theme, *theme.children.all()]).count()


def remove_theme(actor: Actor, patient: Patient, row: DossierTheme) -> None:
    """PAR-1: needs its own right, and only an empty theme goes (forms are never lost)."""
    if not can(actor, Perm.REMOVE_THEME, patient) or not theme_rights(actor, patient, row.theme)[1]:
        raise PermissionDenied
    with transaction.atomic():
        locked = DossierTheme.objects.select_for_update().get(pk=row.pk, removed_at__isnull=True)
        if theme_form_count(patient, locked.theme):
            raise ValidationError(
                "Cette thématique contient des formulaires : elle ne peut pas être supprimée du dossier."
            )
        locked.removed_at = timezone.now()
        locked.removed_by = actor.user
        locked.save(update_fields=["removed_at", "removed_by", "updated_at"])
        record_event(
            actor,
            patient,
            Event.Kind.THEME_REMOVED,
            f"Thématique retirée du parcours : {locked.theme.label}",
            theme=locked.theme,
        )
        journal(actor, patient, "remove_theme", what=locked.theme.code)


def move_theme(actor: Actor, patient: Patient, row: DossierTheme, step: int) -> None:
    """PAR-1: "choisir l'ordre des thématiques" — swap with the neighbour above or below."""
    if not theme_rights(actor, patient, row.theme)[1]:
        raise PermissionDenied
    with transaction.atomic():
        rows = list(
            DossierTheme.objects.select_for_update()
            .filter(patient=patient, removed_at__isnull=True)
            .order_by("position", "pk")
        )
        index = next((i for i, other in enumerate(rows) if other.pk == row.pk), None)
        if index is None or not 0 <= index + step < len(rows):
            return
        rows[index], rows[index + step] = rows[index + step], rows[index]
        for position, other in enumerate(rows, start=1):
            if other.position != position:
                DossierTheme.objects.filter(pk=other.pk).update(position=position)
        journal(actor, patient, "move_theme", what=row.theme.code)


# --- forms ----------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    response: FormResponse | None
    result: Result


def _store_uploads(actor: Actor, patient: Patient, response: FormResponse, result: Result) -> None:
    """PAR-4: a file attached inside a form lands in the dossier's documents."""
    stored: dict[str, dict[str, str]] = {}
    for name, upload in result.uploads:
        checked, _ = check_upload(upload)
        assert checked is not None  # checked before the transaction
        document = documents.store(actor, patient, upload, checked, Document.Source.FORM, form=response)
        stored[name] = {"document": str(document.public_id), "name": checked.name}
        documents.document_added(
            actor,
            document,
            f"Document ajouté (formulaire) : {checked.name}",
            theme=response.theme,
            form=str(response.public_id),
        )
    if stored:
        _replace_placeholders(response.answers, stored)


def _replace_placeholders(scope: Any, stored: dict[str, dict[str, str]]) -> None:
    if isinstance(scope, dict):
        for key, value in scope.items():
            if isinstance(value, dict) and set(value) == {"upload"}:
                scope[key] = stored[value["upload"]]
            else:
                _replace_placeholders(value, stored)
    elif isinstance(scope, list):
        for value in scope:
            _replace_placeholders(value, stored)


def _check_files(result: Result) -> None:
    for name, upload in result.uploads:
        _, error = check_upload(upload)
        if error:
            result.errors.setdefault(name, []).append(error)


def _revise(actor: Actor, response: FormResponse, action: str) -> FormRevision:
    number = (response.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    return FormRevision.objects.create(
        response=response,
        number=number,
        action=action,
        status=response.status,
        answers=response.answers,
        saved_by=actor.user,
        structure=actor.structure,
    )


def save_form(
    actor: Actor,
    patient: Patient,
    version: QuestionnaireVersion,
    theme: Theme,
    data: Any,
    files: Any,
    *,
    response: FormResponse | None = None,
    expected_version: int = 0,
    closing: bool = False,
) -> SaveOutcome:
    """PAR-3: save as draft or close. Validation errors change nothing and come back per field;
    a crafted post or a stale page raises."""
    if not theme_rights(actor, patient, theme)[1]:
        raise PermissionDenied
    if response is not None and response.is_closed:
        raise ClosedFormError
    definition = version.parsed()
    raw = read_post(definition, data, files)
    result = validate(
        definition,
        raw,
        context_for(patient),
        closing=closing,
        previous=response.answers if response else None,
    )
    if result.tampered:
        journal(
            actor,
            patient,
            "save_form_refused",
            Access.Outcome.FORBIDDEN,
            what=",".join(result.tampered),
        )
        raise TamperedFormError
    _check_files(result)
    if result.errors:
        return SaveOutcome(response=response, result=result)
    title = version.questionnaire.title
    # PAR-4: an attachment stored before a failure (a stale page, a lost connection, a failed
    # commit) is removed with the rolled-back rows.
    with removed_on_failure(), transaction.atomic():
        if response is None:
            response = FormResponse.objects.create(
                patient=patient,
                questionnaire_version=version,
                theme=theme,
                answers=result.answers,
                created_by=actor.user,
                structure=actor.structure,
            )
            action, kind, summary = (
                FormRevision.Action.CREATED,
                Event.Kind.FORM_CREATED,
                f"Formulaire créé : {title}",
            )
        else:
            updated = FormResponse.objects.filter(
                pk=response.pk, version=expected_version, status=FormStatus.DRAFT
            ).update(version=F("version") + 1, answers=result.answers, updated_at=timezone.now())
            if not updated:
                raise StaleFormError
            response.refresh_from_db()
            action, kind, summary = (
                FormRevision.Action.SAVED,
                Event.Kind.FORM_SAVED,
                f"Formulaire enregistré : {title}",
            )
        _store_uploads(actor, patient, response, result)
        if closing:
            response.status = FormStatus.CLOSED
            response.closed_at = timezone.now()
            response.closed_by = actor.user
            action, kind, summary = (
                FormRevision.Action.CLOSED,
                Event.Kind.FORM_CLOSED,
                f"Formulaire clôturé : {title}",
            )
        response.save(update_fields=["answers", "status", "closed_at", "closed_by", "updated_at"])
        _revise(actor, response, action)
        _notify(response)
        record_event(actor, patient, kind, summary, theme=response.theme, form=str(response.public_id))
        journal(actor, patient, f"form_{action.lower()}", what=str(response.public_id))
    return SaveOutcome(response=response, result=result)


def reopen_form(
    actor: Actor, patient: Patient, response: FormResponse, expected_version: int
) -> FormResponse:
    """PAR-3: a closed form is reopened only with the specific right; journaled."""
    if not can(actor, Perm.REOPEN_FORM, patient) or not theme_rights(actor, patient, response.theme)[1]:
        raise PermissionDenied
    with transaction.atomic():
        updated = FormResponse.objects.filter(
            pk=response.pk, version=expected_version, status=FormStatus.CLOSED
        ).update(
            version=F("version") + 1,
            status=FormStatus.DRAFT,
            closed_at=None,
            closed_by=None,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleFormError
        response.refresh_from_db()
        _revise(actor, response, FormRevision.Action.REOPENED)
        _notify(response)
        title = response.questionnaire_version.questionnaire.title
        record_event(
            actor,
            patient,
            Event.Kind.FORM_REOPENED,
            f"Formulaire rouvert : {title}",
            importance=Event.Importance.IMPORTANT,
            theme=response.theme,
            form=str(response.public_id),
        )
        journal(actor, patient, "form_reopened", what=str(response.public_id))
    return response


def readable_forms(actor: Actor, patient: Patient) -> list[FormResponse]:
    """The dossier's forms in the themes the actor may read (CIR-2), newest first."""
    forms = FormResponse.objects.filter(patient=patient).select_related(
        "questionnaire_version__questionnaire", "theme__parent"
    )
    return [form for form in forms.order_by("-updated_at") if theme_rights(actor, patient, form.theme)[0]]


def creatable_questionnaires(theme: Theme) -> list[tuple[Questionnaire, QuestionnaireVersion]]:
    """The questionnaires of a (sub-)theme that have a published version."""
    rows = []
    for questionnaire in Questionnaire.objects.filter(theme=theme, is_active=True):
        version = questionnaire.current_version()
        if version is not None:
            rows.append((questionnaire, version))
    return rows
