"""IDV-2 and IDV-8: find dossiers that may be the same person.

Tolerates accents, case, hyphens and apostrophes (search keys), typos (edit-distance
similarity from rapidfuzz), birth name and first name typed the wrong way round, and day and
month swapped in the birth date. Candidates are pre-selected through indexed columns (birth
date, name keys) so the cost does not grow with the number of dossiers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Q, Value, When
from rapidfuzz.distance import DamerauLevenshtein

from cordee.core.text import search_key
from cordee.patients.models import Patient

THRESHOLD = 0.78
MAX_PRESELECTED = 500


@dataclass(frozen=True)
class Traits:
    birth_name: str
    first_name: str
    birth_date: datetime.date
    sex: str = ""
    birth_commune_code: str | None = None


@dataclass
class Candidate:
    patient: Patient
    score: float
    reasons: list[str] = field(default_factory=list)
    visible: bool = False


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return float(DamerauLevenshtein.normalized_similarity(a, b))


def swapped_day_month(value: datetime.date) -> datetime.date | None:
    if value.day == value.month or value.day > 12:
        return None
    return datetime.date(value.year, value.day, value.month)


def score(traits: Traits, patient: Patient) -> Candidate:
    name_key, first_key = search_key(traits.birth_name), search_key(traits.first_name)
    straight = (
        max(_similarity(name_key, patient.birth_name_key), _similarity(name_key, patient.used_name_key))
        + _similarity(first_key, patient.first_name_key)
    ) / 2
    inverted = (
        _similarity(name_key, patient.first_name_key) + _similarity(first_key, patient.birth_name_key)
    ) / 2
    reasons = []
    names = straight
    if inverted > straight:
        names = inverted
        reasons.append("nom et prénom inversés")
    elif straight < 1:
        reasons.append("orthographe proche")
    if patient.birth_date == traits.birth_date:
        date_score = 1.0
    elif patient.birth_date == swapped_day_month(traits.birth_date):
        date_score = 0.9
        reasons.append("jour et mois inversés")
    elif patient.birth_date.year == traits.birth_date.year:
        date_score = 0.4
        reasons.append("date de naissance différente")
    else:
        date_score = 0.0
        reasons.append("date de naissance différente")
    sex_score = 1.0 if not traits.sex or traits.sex == patient.sex else 0.0
    place_score = 1.0 if traits.birth_commune_code in (None, patient.birth_commune_id) else 0.0
    total = 0.55 * names + 0.3 * date_score + 0.1 * sex_score + 0.05 * place_score
    return Candidate(patient=patient, score=round(total, 3), reasons=reasons)


def preselect(traits: Traits) -> Q:
    name_key, first_key = search_key(traits.birth_name), search_key(traits.first_name)
    dates = {traits.birth_date}
    swapped = swapped_day_month(traits.birth_date)
    if swapped:
        dates.add(swapped)
    return (
        Q(birth_date__in=dates)
        | Q(birth_name_key=name_key, first_name_key=first_key)
        | Q(used_name_key=name_key, first_name_key=first_key)
        | Q(birth_name_key=first_key, first_name_key=name_key)
    )


def find_candidates(traits: Traits, *, exclude_pk: int | None = None, limit: int = 10) -> list[Candidate]:
    name_key, first_key = search_key(traits.birth_name), search_key(traits.first_name)
    # Exact name matches first: the cap below must never drop them, even when hundreds of
    # dossiers share the stand-in birth date 01/01/1900.
    exact_names = Q(birth_name_key=name_key, first_name_key=first_key) | Q(
        used_name_key=name_key, first_name_key=first_key
    )
    patients = (
        Patient.objects.filter(preselect(traits), merged_into__isnull=True)
        .select_related("birth_commune", "birth_country")
        .annotate(exact=Case(When(exact_names, then=Value(0)), default=Value(1)))
        .order_by("exact", "pk")
    )
    if exclude_pk is not None:
        patients = patients.exclude(pk=exclude_pk)
    scored = [score(traits, patient) for patient in patients[:MAX_PRESELECTED]]
    kept = [candidate for candidate in scored if candidate.score >= THRESHOLD]
    kept.sort(key=lambda candidate: candidate.score, reverse=True)
    return kept[:limit]


def traits_of(patient: Patient) -> Traits:
    return Traits(
        birth_name=patient.birth_name,
        first_name=patient.first_name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        birth_commune_code=patient.birth_commune_id,
    )
