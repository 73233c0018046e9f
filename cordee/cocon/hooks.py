"""What Cocon tells the Parcours engine, and what it learns from it (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from cordee.cocon.models import Inclusion
from cordee.cocon.schedule import BY_CODE
from cordee.pathways.models import FormResponse
from cordee.patients.models import Patient


def gestational_context(patient: Patient) -> dict[str, Any]:
    """Corrected ages and growth z-scores need the gestational age at birth."""
    weeks_days = (
        Inclusion.objects.filter(patient=patient)
        .values_list("gestational_age_weeks", "gestational_age_days")
        .first()
    )
    if weeks_days is None:
        return {}
    return {"gestational_age_days": weeks_days[0] * 7 + weeks_days[1]}


def notebook_changed(response: FormResponse) -> None:
    """A notebook closed or reopened moves its step of the calendar."""
    if response.questionnaire_version.questionnaire.code not in BY_CODE:
        return
    inclusion = Inclusion.objects.filter(patient_id=response.patient_id).select_related("patient").first()
    if inclusion is not None:
        from cordee.cocon.services import refresh_schedule

        refresh_schedule(inclusion)
