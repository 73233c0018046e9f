"""IDV-8: potential duplicates flagged across dossiers; audited merge with a tombstone."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse

from cordee.accounts.models import Membership
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.models import Consent, Hospitalisation, PatientLink, PotentialDuplicate, RelationType
from cordee.patients.testing import create_test_patient


@pytest.fixture
def pair(coordinator, structure):
    original = create_test_patient(coordinator, structure)
    copy = create_test_patient(coordinator, structure, first_name="Lea", birth_name="MARTIN")
    return original, copy


def _flag(a, b) -> PotentialDuplicate:
    return PotentialDuplicate.objects.get(Q(first=a, second=b) | Q(first=b, second=a))


def test_a_near_identical_identity_is_flagged(pair) -> None:
    original, copy = pair
    flag = _flag(original, copy)
    assert flag.status == PotentialDuplicate.Status.OPEN
    assert flag.score >= 0.9


def test_a_different_person_is_not_flagged(coordinator, structure) -> None:
    create_test_patient(coordinator, structure)
    create_test_patient(
        coordinator,
        structure,
        birth_name="Bernard",
        first_name="Paul",
        sex="M",
        birth_date=datetime.date(1950, 1, 1),
    )
    assert not PotentialDuplicate.objects.exists()


def test_the_flag_shows_on_the_dossier_and_the_active_file(pair, coordinator, structure, client_for) -> None:
    original, _ = pair
    client = client_for(coordinator, acting_as=structure)
    assert (
        "Doublon potentiel"
        in client.get(reverse("patients:detail", kwargs={"public_id": original.public_id})).content.decode()
    )
    assert "Doublon potentiel" in client.get(reverse("patients:list")).content.decode()


def test_merge_moves_everything_and_leaves_a_tombstone(
    pair, coordinator, structure, member, client_for
) -> None:
    survivor, merged = pair
    Hospitalisation.objects.create(
        patient=merged, establishment_name="CHU", start_date=datetime.date(2024, 3, 14)
    )
    CircleMember.objects.create(patient=merged, user=member, is_habilitated=True)
    third = create_test_patient(coordinator, structure, birth_name="Durand", first_name="Paul", sex="M")
    PatientLink.objects.create(
        from_patient=merged, to_patient=third, relation=RelationType.objects.get(label="Parent")
    )
    flag = _flag(survivor, merged)
    client = client_for(coordinator, acting_as=structure)

    compare = client.get(
        reverse(
            "patients:duplicate_compare", kwargs={"public_id": survivor.public_id, "flag_id": flag.public_id}
        )
    )
    assert compare.status_code == 200
    unconfirmed = client.post(
        reverse(
            "patients:duplicate_merge", kwargs={"public_id": survivor.public_id, "flag_id": flag.public_id}
        )
    )
    assert unconfirmed.status_code == 302
    merged.refresh_from_db()
    assert merged.merged_into is None

    client.post(
        reverse(
            "patients:duplicate_merge", kwargs={"public_id": survivor.public_id, "flag_id": flag.public_id}
        ),
        {"confirm": "oui"},
    )
    merged.refresh_from_db()
    assert merged.merged_into == survivor
    assert Consent.objects.filter(patient=survivor).count() == 2
    assert Hospitalisation.objects.filter(patient=survivor).count() == 1
    assert CircleMember.objects.filter(patient=survivor, user=member, is_habilitated=True).exists()
    # The creator's auto-habilitation existed on both: one live row left.
    assert (
        CircleMember.objects.filter(patient=survivor, user=coordinator, removed_at__isnull=True).count() == 1
    )
    assert PatientLink.objects.get().from_patient == survivor
    assert Event.objects.filter(patient=survivor, kind=Event.Kind.MERGED).exists()
    assert Access.objects.filter(patient=merged, action="merge").exists()
    _flag(survivor, merged).refresh_from_db()
    assert _flag(survivor, merged).status == PotentialDuplicate.Status.MERGED
    # The tombstone is never served again, not even to its former circle.
    gone = client.get(reverse("patients:detail", kwargs={"public_id": merged.public_id}))
    assert gone.status_code == 404
    # Its journal is read with the survivor's.
    journal = client.get(
        reverse("patients:access_journal", kwargs={"public_id": survivor.public_id})
    ).content.decode()
    assert "absorbe" in journal or "fusionné dans" in journal


def test_only_a_structure_super_user_habilitated_on_both_may_merge(
    pair, coordinator, member, structure, client_for
) -> None:
    survivor, merged = pair
    flag = _flag(survivor, merged)
    url = reverse(
        "patients:duplicate_merge", kwargs={"public_id": survivor.public_id, "flag_id": flag.public_id}
    )
    # A plain user of the structure, acting for it, sees both dossiers but may not merge.
    response = client_for(member, acting_as=structure).post(url, {"confirm": "oui"})
    assert response.status_code == 403
    # The super user acting as themself is not the structure's super user.
    assert client_for(coordinator).post(url, {"confirm": "oui"}).status_code == 403
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert Membership.objects.get(user=coordinator, structure=structure).is_superuser


def test_dismissing_a_flag_stops_proposing_it(pair, coordinator, structure, client_for) -> None:
    survivor, merged = pair
    flag = _flag(survivor, merged)
    client = client_for(coordinator, acting_as=structure)
    client.post(
        reverse(
            "patients:duplicate_dismiss", kwargs={"public_id": survivor.public_id, "flag_id": flag.public_id}
        )
    )
    flag.refresh_from_db()
    assert flag.status == PotentialDuplicate.Status.DISMISSED
    assert (
        "Doublon potentiel"
        not in client.get(
            reverse("patients:detail", kwargs={"public_id": survivor.public_id})
        ).content.decode()
    )


def test_showing_a_duplicates_traits_is_journaled(pair, coordinator, structure, client_for) -> None:
    original, copy = pair
    client_for(coordinator, acting_as=structure).get(
        reverse("patients:detail", kwargs={"public_id": original.public_id})
    )
    assert Access.objects.filter(patient=copy, action="identity_duplicate").count() == 1


def test_dismissing_needs_the_merge_rights_on_both_dossiers(coordinator, structure, maternity, client_for):
    """Issue 24: the coordinator, outside the pediatrician's dossier, created one with the same
    traits; the flag between them may not be dismissed by him (nor by the service directly)."""
    from cordee.core.actor import Actor
    from cordee.patients.merge import dismiss_duplicate
    from tests.factories import accept_current_terms, make_membership, make_user

    pediatrician = make_user(username="pediatre", last_name="Pediatre", first_name="Paula")
    make_membership(user=pediatrician, structure=maternity, role=Membership.Role.SUPERUSER)
    accept_current_terms(pediatrician)
    theirs = create_test_patient(pediatrician, maternity)
    mine = create_test_patient(coordinator, structure)
    flag = _flag(theirs, mine)
    url = reverse(
        "patients:duplicate_dismiss", kwargs={"public_id": mine.public_id, "flag_id": flag.public_id}
    )
    response = client_for(coordinator, acting_as=structure).post(url)
    assert response.status_code in (403, 404)
    flag.refresh_from_db()
    assert flag.status == PotentialDuplicate.Status.OPEN
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    with pytest.raises(PermissionDenied):
        dismiss_duplicate(actor, flag)
    flag.refresh_from_db()
    assert flag.status == PotentialDuplicate.Status.OPEN
    assert not Access.objects.filter(action="dismiss_duplicate").exists()
