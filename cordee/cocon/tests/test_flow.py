"""COC-1..5 through the views: include a preterm newborn, calendar, notebook closed, reminders,
extraction and cohort dashboard."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cordee.audit.models import Access
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.reminders import create_reminders
from cordee.pathways.testing import make_questionnaire
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task

NOTEBOOK = {
    "items": [
        {
            "linkId": "date_consultation",
            "type": "date",
            "text": "Date de la consultation",
            "required": True,
            "max": "today",
            "code": "DATE_CONSULTATION",
        },
        {
            "linkId": "poids",
            "type": "decimal",
            "text": "Poids",
            "unit": "kg",
            "min": 1,
            "max": 20,
            "code": "POIDS_KG",
        },
        {
            "linkId": "poids_sds",
            "type": "computed",
            "text": "Poids (DS)",
            "code": "POIDS_SDS",
            "calculation": {"function": "weight_sds", "args": ["poids", "date_consultation"]},
        },
        {
            "linkId": "age_corrige",
            "type": "computed",
            "text": "Âge corrigé",
            "unit": "mois",
            "code": "AGE_CORRIGE_MOIS",
            "calculation": {"function": "corrected_age_months", "args": ["date_consultation"]},
        },
    ]
}


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def newborn(coordinator, structure):
    today = timezone.localdate()
    return create_test_patient(
        coordinator, structure, first_name="Lina", birth_date=today - datetime.timedelta(days=110)
    )


def test_include_preterm_newborn_schedule_notebook_reminder_extraction(acting, coordinator, newborn) -> None:
    today = timezone.localdate()
    version = make_questionnaire(
        code="cocon-3-mois", theme="cocon-cahiers", definition=NOTEBOOK, title="Cahier 3 mois"
    )
    url = reverse("cocon:include", kwargs={"public_id": newborn.public_id})
    assert acting.get(url).status_code == 200
    response = acting.post(
        url,
        {
            "inclusion_date": today.isoformat(),
            "gestational_age_weeks": "30",
            "gestational_age_days": "2",
            "birth_weight_g": "1350",
            "criteria": [InclusionCriterion.objects.get(code="moins-32-sa").pk],
            "referent_pediatrician": coordinator.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inclusion = Inclusion.objects.get(patient=newborn)
    steps = list(ScheduledStep.objects.filter(inclusion=inclusion))
    assert len(steps) == 11
    three = steps[0]
    # Corrected: born 9 weeks 5 days early (68 days), the 3-month window opens 2.5 months after.
    assert three.opens_on > newborn.birth_date + datetime.timedelta(days=68 + 70)
    page = acting.get(reverse("cocon:dossier", kwargs={"public_id": newborn.public_id})).content.decode()
    assert "Calendrier des cahiers de suivi" in page and "Suivi des 3 mois" in page
    # The reminders: one task per due step, once.
    ScheduledStep.objects.filter(pk=three.pk).update(opens_on=today - datetime.timedelta(days=3))
    first = create_reminders(today)
    second = create_reminders(today)
    assert first.created == 1 and second.created == 0
    task = Task.objects.get(patient=newborn)
    assert task.recipients.filter(user=coordinator).exists()
    # Fill and close the notebook: the calendar marks it done.
    new = reverse(
        "pathways:new_form",
        kwargs={"public_id": newborn.public_id, "questionnaire_id": version.questionnaire.public_id},
    )
    response = acting.post(
        new, {"version": "0", "action": "close", "q-date_consultation": today.isoformat(), "q-poids": "3,9"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    three.refresh_from_db()
    assert three.done_on == today
    # Extraction: only with the right.
    extraction = reverse("cocon:extraction")
    assert acting.get(extraction, {"output": "csv"}).status_code == 403
    coordinator.groups.add(Group.objects.get(name="Réseau périnatal — évaluation Cocon"))
    response = acting.get(extraction, {"output": "csv", "step": "cocon-3-mois"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:2] == ["ID_ENFANT", "CAHIER"]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["POIDS_KG"] == "3.9" and record["TERME_SA"] == "30"
    assert str(newborn.public_id) not in content and newborn.birth_name not in content
    assert float(record["POIDS_SDS"]) > -5
    assert Access.objects.filter(action="cocon_extraction").exists()
    page = acting.get(reverse("cocon:dashboard")).content.decode()
    assert "Cohorte Cocon" in page
    xlsx = acting.get(extraction, {"output": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
