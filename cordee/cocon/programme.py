"""Cocon as a programme of the active file (SRCH-2 filter "Parcours", SRCH-3 column "Parcours"):
children followed today, and where each one's calendar stands."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.schedule import BY_CODE
from cordee.patients.programmes import Enrolment, Programme


def followed() -> Q:
    return Q(Exists(Inclusion.objects.filter(patient=OuterRef("pk"), ended_on__isnull=True)))


def summaries(ids: list[int], today: datetime.date) -> dict[int, Enrolment]:
    """The step to do next (the first neither done nor missed) and the consultations missed."""
    pending = ScheduledStep.objects.filter(
        inclusion=OuterRef("pk"), done_on__isnull=True, missed_from__gt=today
    ).order_by("rank")
    rows = (
        Inclusion.objects.filter(patient_id__in=ids)
        .annotate(
            next_step=Subquery(pending.values("step")[:1]),
            next_opens=Subquery(pending.values("opens_on")[:1]),
            next_closes=Subquery(pending.values("closes_on")[:1]),
            missed=Count("steps", filter=Q(steps__done_on__isnull=True, steps__missed_from__lte=today)),
        )
        .values_list(
            "patient_id", "patient__public_id", "ended_on", "next_step", "next_opens", "next_closes", "missed"
        )
    )
    shown: dict[int, Enrolment] = {}
    for patient_id, public_id, ended_on, step, opens, closes, missed in rows:
        url = f"/patients/{public_id}/cocon/"
        if ended_on is not None:
            shown[patient_id] = Enrolment("Cocon", f"Sorti(e) du parcours le {ended_on:%d/%m/%Y}", url)
            continue
        if step is None:
            detail = "Calendrier terminé"
        elif today < opens:
            detail = f"{BY_CODE[step].label} : à venir (dès le {opens:%d/%m/%Y})"
        elif today <= closes:
            detail = f"{BY_CODE[step].label} : à faire (jusqu'au {closes:%d/%m/%Y})"
        else:
            detail = f"{BY_CODE[step].label} : en retard"
        late = step is not None and today > closes
        if missed:
            detail += f" · {missed} suivi{'s' if missed > 1 else ''} manquant{'s' if missed > 1 else ''}"
        shown[patient_id] = Enrolment("Cocon", detail, url, alert=late or missed > 0)
    return shown


COCON = Programme(key="cocon", label="Cocon", theme_code="cocon", followed=followed, summaries=summaries)
