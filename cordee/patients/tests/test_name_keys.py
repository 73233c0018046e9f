"""SRCH-2 at regional scale: the typo-tolerant name search through the table of name keys
(PostgreSQL, migration 0009) finds exactly what the trigram condition on the dossiers found —
the same dossiers, the same refusals — and the table follows the names dossiers are given.
On SQLite (the demo) neither the table nor typo tolerance exist: the search stays on the keys."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cordee.careteam.access import visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.text import search_key
from cordee.patients import name_keys
from cordee.patients.active_file import _name_condition, named, visible_named
from cordee.patients.models import DossierStatus, Patient
from cordee.patients.testing import create_test_patient
from cordee.tasks.tests.helpers import actor_for
from tests.factories import make_membership, make_user

URL = "/patients/"
ON_POSTGRESQL = "postgresql"


def _keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM patients_namekey")
        return {key for (key,) in cursor.fetchall()}


def _has_table() -> bool:
    return "patients_namekey" in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_names_dossiers_are_given_are_kept(coordinator, structure) -> None:
    patient = create_test_patient(coordinator, structure, birth_name="Lefèvre", used_name="Dupré-Martin")
    if connection.vendor != ON_POSTGRESQL:
        assert not _has_table()  # the demo's database searches the dossiers' keys alone
        return
    assert {"LEFEVRE", "DUPRE MARTIN"} <= _keys()
    assert "" not in _keys()
    patient.birth_name = "Lefebvre"
    patient.save()
    # The new name is added; the former one stays (it then matches no dossier, harmlessly).
    assert {"LEFEBVRE", "LEFEVRE", "DUPRE MARTIN"} <= _keys()
    # A write that leaves the names alone adds nothing, and a bulk change of names is followed too.
    before = _keys()
    Patient.objects.filter(pk=patient.pk).update(status=DossierStatus.ACTIVE)
    assert _keys() == before
    Patient.objects.filter(pk=patient.pk).update(used_name_key="GARNIER")
    assert _keys() == before | {"GARNIER"}


@pytest.mark.django_db
def test_fill_adds_every_key_a_table_loaded_without_its_trigger_misses(coordinator, structure) -> None:
    create_test_patient(coordinator, structure, birth_name="Rousseau", used_name="Girard")
    if connection.vendor != ON_POSTGRESQL:
        assert not _has_table()
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM patients_namekey")
    assert _keys() == set()
    name_keys.fill()
    assert _keys() == {"ROUSSEAU", "GIRARD"}
    name_keys.fill()  # twice: nothing doubled, nothing failed
    assert _keys() == {"ROUSSEAU", "GIRARD"}


@pytest.fixture
def homonyms(coordinator, structure, maternity):
    """Names close to "Lefèvre", seen in every way the policy knows, and not seen."""
    midwife = make_user(username="sagefemme", last_name="Sage", first_name="Sophie")
    make_membership(user=midwife, structure=maternity)
    born = datetime.date(2021, 1, 1)

    def dossier(birth_name: str, used_name: str = "", by=(coordinator, structure)) -> Patient:
        return create_test_patient(*by, birth_name=birth_name, used_name=used_name, birth_date=born)

    seen = [
        dossier("Lefèvre"),
        dossier("Lefebvre"),
        dossier("Lefeuvre"),
        dossier("Martin", used_name="Lefèvre-Dupont"),  # by the used name
        dossier("Fèvre"),
        dossier("Lefevere"),
    ]
    archived = dossier("Lefevre")
    Patient.objects.filter(pk=archived.pk).update(status=DossierStatus.ARCHIVED)
    elsewhere = dossier("Lefèvre", by=(midwife, maternity))  # another structure's dossier
    refused = dossier("Lefebvre")  # the patient refused sharing with me: hidden whatever else holds
    CircleMember.objects.filter(patient=refused, user=coordinator).update(sharing_refused=True)
    merged = dossier("Lefèvre")
    Patient.objects.filter(pk=merged.pk).update(merged_into=seen[0])
    removed = dossier("Lefeuvre")
    CircleMember.objects.filter(patient=removed).update(
        removed_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    dossier("Dupont")  # unlike
    return {"seen": seen, "archived": archived, "never": [elsewhere, refused, merged, removed]}


# Six letters and more: similar names (PostgreSQL); fewer: the prefix, from the names' indexes
# (migration 0010), including what LIKE would take for a wildcard ("%", "_").
TYPED = ["lefevre", "LEFÈVRE", "lefebvre", "lefeuvr", "dupont", "fevres", "martin"]
PREFIXES = ["le", "LÉ", "lef", "lefe", "Lefèv", "ma", "fè", "du", "dup", "le-", "l%", "l_f", "%", "_e", "x"]


@pytest.mark.parametrize("typed", TYPED + PREFIXES)
def test_the_search_finds_what_the_trigram_condition_found(
    homonyms, coordinator, structure, client_for, typed
) -> None:
    actor = actor_for(coordinator, structure)
    acting = client_for(coordinator, acting_as=structure)
    response = acting.get(URL, {"nom": typed, "taille": 100})
    assert response.status_code == 200
    found = {patient.pk for patient in response.context["rows"]}
    condition = _name_condition(["birth_name_key", "used_name_key"], typed)
    visible = visible_dossiers(actor).filter(condition).exclude(status=DossierStatus.ARCHIVED)
    assert found == set(visible.values_list("pk", flat=True))
    assert not found & {patient.pk for patient in homonyms["never"]}


def test_typos_and_used_names_at_regional_scale_and_nothing_unseen(
    homonyms, coordinator, structure, client_for
):
    acting = client_for(coordinator, acting_as=structure)
    found = {patient.pk for patient in acting.get(URL, {"nom": "lefevre", "taille": 100}).context["rows"]}
    seen = {patient.pk for patient in homonyms["seen"]}
    if connection.vendor == ON_POSTGRESQL:
        # LEFÈVRE, LEFEBVRE, LEFEUVRE, LEFÈVRE-DUPONT (used name), LEFEVERE: similar; FÈVRE too.
        assert found == seen
    else:
        assert found == {homonyms["seen"][0].pk, homonyms["seen"][3].pk}  # the prefix alone
    assert homonyms["archived"].pk not in found  # archived dossiers leave the active file
    archived = acting.get(URL, {"nom": "lefevre", "archives": "oui"})
    assert {patient.pk for patient in archived.context["rows"]} == {homonyms["archived"].pk}


@pytest.mark.parametrize("typed", [*PREFIXES, "lefevre", "a"])
def test_a_dossier_looked_up_by_name_is_one_the_actor_may_see(
    homonyms, coordinator, structure, typed
) -> None:
    """`visible_named` (the tasks' "Patient(s)" and "Créer une tâche" lookups): on PostgreSQL
    from the names' indexes, the same dossiers as the names' keys among those one may see."""
    actor = actor_for(coordinator, structure)
    expected = set(named(visible_dossiers(actor), typed).values_list("pk", flat=True))
    assert set(visible_named(actor, typed).values_list("pk", flat=True)) == expected
    assert not expected & {patient.pk for patient in homonyms["never"]}
    if search_key(typed) in ("LE", "LEF"):
        assert expected  # the case tells something
