"""How other apps name this app's forms: DOS-2's closing checklist (forms saved but not
closed) and the access journal (a form's title where an entry gives its id)."""

from __future__ import annotations

import uuid

from cordee.core import clock
from cordee.pathways.models import FormResponse, FormStatus
from cordee.patients.models import Patient


def open_forms(patient: Patient) -> list[str]:
    forms = (
        FormResponse.objects.filter(patient=patient, status=FormStatus.DRAFT)
        .select_related("questionnaire_version__questionnaire", "theme__parent")
        .order_by("created_at", "pk")
    )
    return [
        f"Formulaire « {form.questionnaire_version.questionnaire.title} » ({form.theme}) — "
        f"en cours depuis le {clock.date_of(form.created_at):%d/%m/%Y}"
        for form in forms
    ]


def form_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    forms = FormResponse.objects.filter(public_id__in=ids).select_related(
        "questionnaire_version__questionnaire"
    )
    return {form.public_id: f"« {form.questionnaire_version.questionnaire.title} »" for form in forms}
