"""Helpers for tests: a small published questionnaire, a filled form."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cordee.pathways.models import FormResponse, Questionnaire, QuestionnaireVersion, Theme

SIMPLE_DEFINITION: dict[str, Any] = {
    "items": [
        {"linkId": "date_consultation", "type": "date", "text": "Date de la consultation", "required": True},
        {"linkId": "poids", "type": "decimal", "text": "Poids", "unit": "kg", "min": 0.3, "max": 200},
        {"linkId": "taille", "type": "decimal", "text": "Taille", "unit": "cm", "min": 20, "max": 250},
        {
            "linkId": "imc",
            "type": "computed",
            "text": "IMC",
            "unit": "kg/m²",
            "calculation": {"function": "bmi", "args": ["poids", "taille"]},
        },
        {"linkId": "suivi", "type": "boolean", "text": "Suivi spécialisé en place"},
        {
            "linkId": "suivi_detail",
            "type": "string",
            "text": "Par qui ?",
            "required": True,
            "enableWhen": [{"question": "suivi", "operator": "=", "answer": True}],
        },
        {"linkId": "piece", "type": "attachment", "text": "Compte rendu"},
    ]
}


def make_questionnaire(
    code: str = "questionnaire-test",
    theme: str = "principal",
    definition: dict[str, Any] | None = None,
    title: str = "Questionnaire de test",
) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(code=code, title=title, theme=Theme.objects.get(code=theme))
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        definition=definition or SIMPLE_DEFINITION,
        published_at=timezone.now(),
    )


def make_form(
    version: QuestionnaireVersion, patient: Any, answers: dict[str, Any] | None = None
) -> FormResponse:
    return FormResponse.objects.create(
        patient=patient,
        questionnaire_version=version,
        theme=version.questionnaire.theme,
        answers=answers or {},
    )
