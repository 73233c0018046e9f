"""COC-1 / COC-3 on the dossier: inclusion and the notebook calendar (a picture and a table)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cordee.careteam.access import Perm, get_dossier, theme_rights
from cordee.cocon import services
from cordee.cocon.forms import EndForm, InclusionForm
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.schedule import BY_CODE, MOBILE_TEAM_CODE, State, Window, state
from cordee.core import clock
from cordee.core.http import AuthedRequest
from cordee.pathways.models import FormResponse, Questionnaire, Theme
from cordee.patients.models import Patient

# The picture: months of age on the x axis, 0 to 90 (7 years and a half).
SPAN_MONTHS = 90
WIDTH = 900
STATE_COLOURS = {
    State.UPCOMING: "#6c757d",
    State.DUE: "#0d6efd",
    State.LATE: "#b35c00",
    State.MISSING: "#b02a37",
    State.DONE: "#198754",
    State.DONE_LATE: "#5c8a00",
}


@dataclass
class StepRow:
    row: ScheduledStep
    label: str
    state: State
    questionnaire: Questionnaire | None
    form: FormResponse | None
    x: float
    width: float
    done_x: float | None

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]


def _months(birth: datetime.date, day: datetime.date) -> float:
    return (day - birth).days / 30.4375


def _x(months: float) -> float:
    return round(max(0.0, min(months, SPAN_MONTHS)) / SPAN_MONTHS * WIDTH, 1)


def calendar(patient: Patient, inclusion: Inclusion, today: datetime.date) -> list[StepRow]:
    rows = list(ScheduledStep.objects.filter(inclusion=inclusion).select_related("form"))
    questionnaires = {q.code: q for q in Questionnaire.objects.filter(code__in=list(BY_CODE), is_active=True)}
    drafts = {
        form.questionnaire_version.questionnaire.code: form
        for form in FormResponse.objects.filter(
            patient=patient, questionnaire_version__questionnaire__code__in=list(BY_CODE), status="DRAFT"
        ).select_related("questionnaire_version__questionnaire")
    }
    windows = [
        Window(step=BY_CODE[r.step], opens=r.opens_on, closes=r.closes_on, target=r.target_on) for r in rows
    ]
    result = []
    for index, row in enumerate(rows):
        following = windows[index + 1] if index + 1 < len(windows) else None
        current = state(windows[index], following, today, row.done_on)
        start = _x(_months(patient.birth_date, row.opens_on))
        result.append(
            StepRow(
                row=row,
                label=BY_CODE[row.step].label,
                state=current,
                questionnaire=questionnaires.get(row.step),
                form=row.form or drafts.get(row.step),
                x=start,
                width=max(4.0, _x(_months(patient.birth_date, row.closes_on)) - start),
                done_x=_x(_months(patient.birth_date, row.done_on)) if row.done_on else None,
            )
        )
    return result


def _cocon_theme_rights(request: AuthedRequest, patient: Patient) -> tuple[bool, bool]:
    return theme_rights(request.actor, patient, Theme.objects.get(code="cocon"))


def dossier(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The child's Cocon page: inclusion, calendar picture and table, notebooks to open."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_PATHWAYS, what="Cocon")
    read, write = _cocon_theme_rights(request, patient)
    if not read:
        raise PermissionDenied
    inclusion = (
        Inclusion.objects.filter(patient=patient)
        .select_related("referent_pediatrician", "referring_maternity")
        .prefetch_related("criteria")
        .first()
    )
    today = clock.today()
    steps = calendar(patient, inclusion, today) if inclusion else []
    mobile = Questionnaire.objects.filter(code=MOBILE_TEAM_CODE, is_active=True).first()
    context: dict[str, Any] = {
        "patient": patient,
        "inclusion": inclusion,
        "steps": steps,
        "can_write": write,
        "today_x": _x(_months(patient.birth_date, today)),
        "width": WIDTH,
        "ticks": [
            (_x(m), label)
            for m, label in (
                (0, "naissance"),
                (12, "1 an"),
                (24, "2 ans"),
                (36, "3 ans"),
                (48, "4 ans"),
                (60, "5 ans"),
                (72, "6 ans"),
                (84, "7 ans"),
            )
        ],
        "legend": [(s.label, s.value) for s in State],
        "mobile": mobile if mobile and mobile.max_age_allows(patient.birth_date, today) else None,
        "corrected": inclusion is not None and inclusion.is_preterm,
        "end_form": EndForm() if inclusion and inclusion.is_active and write else None,
    }
    return render(request, "cocon/dossier.html", context)


def _inclusion_input(form: InclusionForm) -> services.InclusionInput:
    data = form.cleaned_data
    return services.InclusionInput(
        inclusion_date=data["inclusion_date"],
        gestational_age_weeks=data["gestational_age_weeks"],
        gestational_age_days=data["gestational_age_days"],
        birth_weight_g=data["birth_weight_g"],
        birth_length_cm=data.get("birth_length_cm"),
        birth_head_circumference_cm=data.get("birth_head_circumference_cm"),
        criteria=list(data["criteria"]),
        referring_maternity=data.get("referring_maternity"),
        referent_pediatrician=data["referent_pediatrician"],
    )


def include(request: AuthedRequest, public_id: str) -> HttpResponse:
    """COC-1: include the newborn, or correct the inclusion (version-checked)."""
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="inclusion Cocon")
    if not _cocon_theme_rights(request, patient)[1]:
        raise PermissionDenied
    inclusion = Inclusion.objects.filter(patient=patient).prefetch_related("criteria").first()
    referents = services.referent_choices(patient)
    initial: dict[str, Any] = {"inclusion_date": clock.today(), "gestational_age_days": 0}
    if inclusion is not None:
        initial = {
            field: getattr(inclusion, field)
            for field in (
                "inclusion_date", "gestational_age_weeks", "gestational_age_days", "birth_weight_g",
                "birth_length_cm", "birth_head_circumference_cm", "referring_maternity",
                "referent_pediatrician", "version",
            )
        }  # fmt: skip
        initial["criteria"] = list(inclusion.criteria.all())
    elif request.user in referents:
        initial["referent_pediatrician"] = request.user
    form = InclusionForm(
        request.POST if request.method == "POST" else None, initial=initial, referents=referents
    )
    if request.method == "POST" and form.is_valid():
        try:
            if inclusion is None:
                services.include(request.actor, patient, _inclusion_input(form))
            else:
                services.edit_inclusion(
                    request.actor, inclusion, _inclusion_input(form), form.cleaned_data.get("version") or 0
                )
        except services.StaleInclusionError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                "L'enfant est inclus dans le parcours Cocon."
                if inclusion is None
                else "L'inclusion est mise à jour.",
            )
            return redirect("cocon:dossier", public_id=patient.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cocon/include.html",
        {"patient": patient, "form": form, "inclusion": inclusion},
        status=status,
    )


@require_POST
def end(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.FILL_FORMS, what="sortie Cocon")
    inclusion = Inclusion.objects.filter(patient=patient, ended_on__isnull=True).first()
    if inclusion is None or not _cocon_theme_rights(request, patient)[1]:
        raise PermissionDenied
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_inclusion(
                request.actor, inclusion, form.cleaned_data["ended_on"], form.cleaned_data["end_reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, "La sortie du parcours Cocon est enregistrée : plus aucun rappel ne sera créé."
            )
    else:
        messages.error(request, "Indiquez la date et le motif de sortie.")
    return redirect("cocon:dossier", public_id=patient.public_id)
