"""Demo data (COC): a Cocon cohort — newborns included at various terms and ages, notebooks
closed on time, some late, some missing — made through the services, as the application does."""

from __future__ import annotations

import datetime
import random

from cordee.accounts.models import Membership, Structure
from cordee.cocon import services
from cordee.cocon.autofill import autofill
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.schedule import BY_CODE
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.pathways import services as pathways
from cordee.pathways.models import Questionnaire
from cordee.patients.models import Patient

COHORT_EXTRA = 24
# Approximate median birth weights (g) by gestational age, for plausible demo children.
MEDIAN_BIRTH_WEIGHT = {26: 850, 28: 1100, 29: 1250, 30: 1400, 31: 1600, 33: 2000, 35: 2500, 39: 3300}


def _more_newborns(actor: Actor, rng: random.Random, today: datetime.date) -> None:
    """Children born over the last seven years, so every notebook age has someone."""
    from faker import Faker

    from cordee.patients.models import Consent
    from cordee.patients.services import ConsentInput, create_patient
    from cordee.territory.models import Commune

    fake = Faker("fr_FR")
    fake.seed_instance(2027)
    communes = list(Commune.objects.filter(zones__isnull=False).distinct()) or list(
        Commune.objects.all()[:20]
    )
    for index in range(COHORT_EXTRA):
        sex = "M" if index % 2 else "F"
        first_name = fake.first_name_male() if sex == "M" else fake.first_name_female()
        age_days = 40 + index * 100 + rng.randint(0, 60)
        patient = Patient(
            birth_name=fake.last_name(),
            first_name=first_name,
            birth_first_names=first_name,
            birth_date=today - datetime.timedelta(days=age_days),
            sex=sex,
            birth_country_id="99100",
            birth_commune=rng.choice(communes),
            commune=rng.choice(communes),
            address=fake.street_address(),
        )
        create_patient(actor, patient, ConsentInput(Consent.GivenBy.PARENTAL_AUTHORITY))


def load_cohort() -> None:
    from django.contrib.auth.models import Group

    # The demo's coordinator plays the network's evaluation staff (cohort dashboard, extraction).
    staff = Group.objects.filter(name="Réseau périnatal — évaluation Cocon").first()
    if staff is not None:
        staff.user_set.add(Membership.objects.get(user__username="coordinatrice").user)
    if Inclusion.objects.exists():
        return
    rng = random.Random(2027)  # noqa: S311 - reproducible demo data
    pediatrician = Membership.objects.get(user__username="pediatre", structure__name="Réseau périnatal Sud")
    actor = Actor(user=pediatrician.user, membership=pediatrician)
    _more_newborns(actor, rng, clock.today())
    criteria = list(InclusionCriterion.objects.all())
    maternity = Structure.objects.filter(kind=Structure.Kind.MATERNITY).first()
    today = clock.today()
    notebooks = {q.code: q for q in Questionnaire.objects.filter(code__in=list(BY_CODE))}
    newborns = Patient.objects.filter(birth_date__gt=today - datetime.timedelta(days=8 * 365)).order_by("pk")
    for index, patient in enumerate(newborns):
        if pediatrician.user not in services.referent_choices(patient):
            continue
        weeks = rng.choice([26, 28, 29, 30, 31, 33, 35, 39])
        inclusion = services.include(
            actor,
            patient,
            services.InclusionInput(
                inclusion_date=min(today, patient.birth_date + datetime.timedelta(days=rng.randint(3, 20))),
                gestational_age_weeks=weeks,
                gestational_age_days=rng.randint(0, 6),
                birth_weight_g=MEDIAN_BIRTH_WEIGHT[weeks] + rng.randint(-150, 150),
                birth_length_cm=None,
                birth_head_circumference_cm=None,
                criteria=[criteria[0] if weeks < 32 else criteria[-2]],
                referring_maternity=maternity,
                referent_pediatrician=pediatrician.user,
            ),
        )
        for row in ScheduledStep.objects.filter(inclusion=inclusion, closes_on__lt=today).order_by("rank"):
            questionnaire = notebooks.get(row.step)
            version = questionnaire.current_version() if questionnaire else None
            if questionnaire is None or version is None or rng.random() < 0.2:
                continue  # a consultation missed: the calendar shows it
            late = rng.random() < 0.25
            day = row.closes_on + datetime.timedelta(days=rng.randint(3, 25)) if late else row.target_on
            day = min(day, today)
            months = (day - patient.birth_date).days / 30.4375
            data = autofill(version.parsed(), day, months, rng)
            pathways.save_form(actor, patient, version, questionnaire.theme, data, {}, closing=index % 5 != 4)
