"""`visible_through` (the policy as a condition on a dossier key), `visible_among` (the policy
on a set of dossier ids, or on the ids a subquery gives) and `visible_dossiers_in` (the same as a
queryset, the active file's names) select exactly what `visible_dossiers` selects, case by case:
habilitated as oneself or through the structure, not habilitated, removed, refused by the
patient, merged."""

from __future__ import annotations

import datetime

from django.db.models.expressions import RawSQL
from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.access import visible_among, visible_dossiers, visible_dossiers_in, visible_through
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.active_file import active_file_dossiers
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskType
from tests.factories import make_user


def _actors(coordinator: User, member: User, nurse: User, structure: Structure) -> list[Actor]:
    def through(user: User) -> Actor:
        return Actor(user=user, membership=Membership.objects.get(user=user, structure=structure))

    return [
        Actor(user=coordinator),
        through(coordinator),
        Actor(user=member),
        through(member),
        Actor(user=nurse),
    ]


def _subquery(ids: set[int]) -> RawSQL:
    """Ids as SQL gives them (every dossier, merged ones included, then kept or not)."""
    table = Patient._meta.db_table
    wanted = sorted(ids) or [0]
    return RawSQL(f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(wanted))})", wanted)  # noqa: S608, S611


def test_visible_through_a_key_is_the_visible_dossiers(
    coordinator, member, structure, dossier_of_other_structure
) -> None:
    nurse = make_user(username="idel.visibilite")
    now = timezone.now()
    plain = create_test_patient(coordinator, structure, birth_name="Un")
    nursed = create_test_patient(coordinator, structure, birth_name="Deux")
    CircleMember.objects.create(patient=nursed, user=nurse, is_habilitated=True)
    unhabilitated = dossier_of_other_structure
    CircleMember.objects.create(patient=unhabilitated, user=nurse, is_habilitated=False)
    CircleMember.objects.create(patient=unhabilitated, user=member, is_habilitated=True, removed_at=now)
    refused = create_test_patient(coordinator, structure, birth_name="Quatre")
    CircleMember.objects.create(patient=refused, user=member, is_habilitated=True, sharing_refused=True)
    closed = create_test_patient(coordinator, structure, birth_name="Cinq")
    CircleMember.objects.filter(patient=closed, structure=structure).update(removed_at=now)
    merged = create_test_patient(coordinator, structure, birth_name="Six")
    CircleMember.objects.create(patient=merged, user=nurse, is_habilitated=True)
    Patient.objects.filter(pk=merged.pk).update(merged_into=plain, merged_at=now)
    dossiers = [plain, nursed, unhabilitated, refused, closed, merged]
    task_type, level = TaskType.objects.earliest("pk"), TaskLevel.objects.earliest("pk")
    due = now + datetime.timedelta(days=3)
    for patient in dossiers:
        Task.objects.create(patient=patient, task_type=task_type, level=level, label="t", due_at=due)

    seen = set()
    for actor in _actors(coordinator, member, nurse, structure):
        expected = set(visible_dossiers(actor).values_list("pk", flat=True))
        assert (
            set(Patient.objects.filter(visible_through(actor, "pk")).values_list("pk", flat=True)) == expected
        )
        tasks = Task.objects.filter(visible_through(actor)).values_list("patient_id", flat=True)
        assert set(tasks) == expected
        every = {patient.pk for patient in dossiers}
        assert visible_among(actor, every) == expected
        assert visible_among(actor, every - expected) == set()
        assert visible_among(actor, []) == set()
        # The same question on ids a subquery gives (the active file's similar names).
        assert visible_among(actor, _subquery(every)) == expected
        assert visible_among(actor, _subquery(every - expected)) == set()
        assert visible_among(actor, _subquery(set())) == set()
        # As a queryset (the active file's names, the policy asked once).
        assert set(visible_dossiers_in(actor, _subquery(every)).values_list("pk", flat=True)) == expected
        assert not visible_dossiers_in(actor, _subquery(every - expected)).exists()
        # The active file by name (PostgreSQL: from `visible_dossiers_in`): the visible dossiers so named.
        for typed in ("un", "deux", "quatre", "cinq", "six"):
            named = {patient.pk for patient in dossiers if patient.birth_name.lower() == typed} & expected
            found = active_file_dossiers(actor, {"nom": typed}).values_list("pk", flat=True)
            assert set(found) == named, (actor, typed)
        seen.add(frozenset(expected))
    assert len(seen) > 2  # the actors do see different things
