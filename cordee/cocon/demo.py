"""Demo data (COC): a Cocon cohort — newborns included at various terms and ages, notebooks
closed on time, some late, some missing — made through the services, as the application does."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from cordee.accounts.models import Membership, Structure
from cordee.cocon import services
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.schedule import BY_CODE
from cordee.core.actor import Actor
from cordee.pathways import services as pathways
from cordee.pathways.answers import Context, read_post, validate
from cordee.pathways.definition import Definition, Item
from cordee.pathways.models import Questionnaire
from cordee.patients.models import Patient


def median_growth(months: float) -> dict[str, float]:
    """Rough medians, for plausible demo values only (never used clinically)."""
    if months <= 6:
        weight = 3.3 + 0.72 * months
    elif months <= 24:
        weight = 7.6 + 0.25 * (months - 6)
    else:
        weight = 12.1 + 0.17 * (months - 24)
    height = 50 + 2.6 * min(months, 6) + 1.2 * max(0, min(months, 24) - 6) + 0.6 * max(0, months - 24)
    head = 35 + 1.6 * min(months, 6) + 0.45 * max(0, min(months, 24) - 6) + 0.05 * max(0, months - 24)
    return {"poids": weight, "taille": height, "pc": head}


def autofill(definition: Definition, day: datetime.date, months: float, rng: random.Random) -> dict[str, Any]:
    """A post filling every item plausibly; answers to items a condition hides are dropped."""
    growth = median_growth(months)
    data: dict[str, Any] = {"version": "0"}
    _fill(definition.items, "q-", data, day, growth, rng)
    for _ in range(6):
        context = Context(today=max(day, timezone.localdate()))
        result = validate(definition, read_post(definition, data, {}), context, closing=True)
        if not result.tampered:
            break
        for name in result.tampered:
            data.pop(name, None)
    return data


def _number(item: Item, growth: dict[str, float], rng: random.Random) -> str:
    if item.link_id in growth:
        value = growth[item.link_id] * rng.uniform(0.92, 1.08)
    elif item.min is not None and item.max is not None:
        value = item.min + (item.max - item.min) * rng.uniform(0.05, 0.3)
    else:
        value = float(item.min or 1)
    if item.min is not None:
        value = max(value, float(item.min))
    if item.max is not None:
        value = min(value, float(item.max))
    return str(round(value)) if item.type == "integer" else f"{value:.1f}".replace(".", ",")


def _fill(
    items: tuple[Item, ...],
    prefix: str,
    data: dict[str, Any],
    day: datetime.date,
    growth: dict[str, float],
    rng: random.Random,
) -> None:
    for item in items:
        name = f"{prefix}{item.link_id}"
        if item.is_repeated_group:
            if item.required:
                data[f"{name}-0-__row"] = "1"
                _fill(item.items, f"{name}-0-", data, day, growth, rng)
        elif item.is_group:
            _fill(item.items, prefix, data, day, growth, rng)
        elif item.type == "date":
            data[name] = day.isoformat()
        elif item.type in ("integer", "decimal"):
            data[name] = _number(item, growth, rng)
        elif item.type == "boolean":
            data[name] = "oui" if rng.random() < 0.85 else "non"
        elif item.type == "choice" and item.options:
            data[name] = [item.options[0].code] if item.is_multiple else item.options[0].code
        elif item.type in ("string", "text"):
            data[name] = "RAS" if item.required else ""


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
    _more_newborns(actor, rng, timezone.localdate())
    criteria = list(InclusionCriterion.objects.all())
    maternity = Structure.objects.filter(kind=Structure.Kind.MATERNITY).first()
    today = timezone.localdate()
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
