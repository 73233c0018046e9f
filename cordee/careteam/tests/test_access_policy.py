"""SEC-1 / CIR-1 / CIR-2: who opens a dossier, who is refused, and the journal of every knock."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.models import Access
from cordee.careteam.access import Perm, can, get_dossier, visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from tests.factories import accept_current_terms, make_user

# The dossier page's query budget, pinned: 6 for the session, user, second factor, CGU and actor;
# 5 for the policy (dossier, circle rows, their roles, the matching rights rules, journal row);
# 12 for the page (links both ways, favourite, zones, potential duplicates, the actor switcher,
# stays, consents, circle, feed, task counts, open tasks); 2 for "7. Mémo" (the memos, their
# shares when there are memos); 6 for "6. Ligne de vie" (stays, tasks, forms, document
# categories, documents, status events of the quarter) — the page's rights reuse the policy's
# standing.
# A new section may raise it on purpose; the number of events or circle members never may.
# +2 (issue 23): the programmes' badge (reserved themes, the Cocon summary).
# +2 (ACT-1): the feed hides the events of documents the viewer may not read (the closed
# forms' themes, the documents closed to them).
# +3 (AGD-1): the life line's appointments lane (the quarter's appointments, and the viewer's
# structures, which decide whether a private appointment shows its title or "Occupé").
DOSSIER_PAGE_QUERIES = 38


def acting(user: User, structure: Structure | None = None) -> Actor:
    """The actor as the middleware builds it: as themself, or through their membership."""
    if structure is None:
        return Actor(user=user)
    return Actor(
        user=user,
        membership=Membership.objects.select_related("structure").get(user=user, structure=structure),
    )


def knock(
    actor: Actor, public_id: uuid.UUID | str, perm: Perm = Perm.VIEW
) -> tuple[Exception | None, Access]:
    """Ask the policy for the dossier; exactly one journal row must record the answer."""
    before = Access.objects.count()
    error: Exception | None = None
    try:
        get_dossier(actor, public_id, perm, what="test")
    except (Http404, PermissionDenied) as exc:
        error = exc
    assert Access.objects.count() == before + 1, "each call of get_dossier journals exactly one row"
    row = Access.objects.order_by("-pk").first()
    assert row is not None
    return error, row


def assert_row(
    row: Access, actor: Actor, outcome: str, patient: Patient | None, perm: Perm = Perm.VIEW
) -> None:
    assert row.outcome == outcome
    assert row.user_id == actor.user.pk
    assert row.structure_id == (actor.structure.pk if actor.structure else None)
    assert row.patient_id == (patient.pk if patient else None)
    assert row.action == str(perm)
    assert row.what == "test"


@pytest.fixture
def nurse(db: None) -> User:
    """A professional outside the structure, added to circles by hand in these tests."""
    user = make_user(username="infirmiere", last_name="Soin", first_name="Inès")
    accept_current_terms(user)
    return user


def detail_url(patient: Patient) -> str:
    return reverse("patients:detail", kwargs={"public_id": patient.public_id})


# --- Who sees the dossier -------------------------------------------------------------------


def test_the_creator_acting_as_the_creating_structure_sees_the_dossier(
    coordinator, structure, dossier, client_for
) -> None:
    actor = acting(coordinator, structure)
    assert list(visible_dossiers(actor)) == [dossier]
    error, row = knock(actor, dossier.public_id)
    assert error is None
    assert_row(row, actor, Access.Outcome.ALLOWED, dossier)
    page = client_for(coordinator, acting_as=structure).get(detail_url(dossier))
    assert page.status_code == 200
    assert "MARTIN Léa" in page.content.decode()


def test_the_creator_acting_as_themself_sees_it_through_their_own_auto_habilitation(
    coordinator, dossier, client_for
) -> None:
    actor = acting(coordinator)
    own_row = CircleMember.objects.get(patient=dossier, user=coordinator)
    assert own_row.is_habilitated and own_row.is_auto_habilitation
    assert list(visible_dossiers(actor)) == [dossier]
    error, row = knock(actor, dossier.public_id)
    assert error is None
    assert_row(row, actor, Access.Outcome.ALLOWED, dossier)
    assert client_for(coordinator).get(detail_url(dossier)).status_code == 200


def test_the_creator_as_themself_loses_the_dossier_once_their_own_row_is_removed(
    coordinator, dossier, client_for
) -> None:
    CircleMember.objects.filter(patient=dossier, user=coordinator).update(removed_at=timezone.now())
    actor = acting(coordinator)
    assert not visible_dossiers(actor).exists()
    error, row = knock(actor, dossier.public_id)
    assert isinstance(error, Http404)
    assert_row(row, actor, Access.Outcome.NOT_FOUND, dossier)
    assert client_for(coordinator).get(detail_url(dossier)).status_code == 404


def test_a_member_of_the_structure_sees_the_dossier_only_while_acting_as_the_structure(
    member, structure, dossier, client_for
) -> None:
    as_structure = acting(member, structure)
    assert list(visible_dossiers(as_structure)) == [dossier]
    error, row = knock(as_structure, dossier.public_id)
    assert error is None
    assert_row(row, as_structure, Access.Outcome.ALLOWED, dossier)
    assert client_for(member, acting_as=structure).get(detail_url(dossier)).status_code == 200

    as_themself = acting(member)
    assert not visible_dossiers(as_themself).exists()
    error, row = knock(as_themself, dossier.public_id)
    assert isinstance(error, Http404)
    assert_row(row, as_themself, Access.Outcome.NOT_FOUND, dossier)
    assert client_for(member).get(detail_url(dossier)).status_code == 404


def test_a_member_acting_as_the_structure_may_not_merge_which_is_for_super_users(
    coordinator, member, structure, dossier
) -> None:
    member_actor = acting(member, structure)
    assert not can(member_actor, Perm.MERGE, dossier)
    error, row = knock(member_actor, dossier.public_id, Perm.MERGE)
    assert isinstance(error, PermissionDenied)
    assert_row(row, member_actor, Access.Outcome.FORBIDDEN, dossier, Perm.MERGE)

    super_user = acting(coordinator, structure)
    assert can(super_user, Perm.MERGE, dossier)
    error, row = knock(super_user, dossier.public_id, Perm.MERGE)
    assert error is None
    assert_row(row, super_user, Access.Outcome.ALLOWED, dossier, Perm.MERGE)


def test_a_structure_does_not_see_a_dossier_created_for_another_structure(
    coordinator, member, structure, maternity, dossier_of_other_structure, client_for
) -> None:
    other = dossier_of_other_structure
    member_as_dac = acting(member, structure)
    assert not visible_dossiers(member_as_dac).exists()
    error, row = knock(member_as_dac, other.public_id)
    assert isinstance(error, Http404)
    assert_row(row, member_as_dac, Access.Outcome.NOT_FOUND, other)
    assert client_for(member, acting_as=structure).get(detail_url(other)).status_code == 404
    # Its creator sees it as themself and as the maternity, and — through their own
    # auto-habilitation — even while acting as the DAC.
    for actor in (acting(coordinator), acting(coordinator, maternity), acting(coordinator, structure)):
        assert list(visible_dossiers(actor)) == [other]
        error, _ = knock(actor, other.public_id)
        assert error is None


def test_a_stranger_never_sees_the_dossier(stranger, dossier, client_for) -> None:
    actor = acting(stranger)
    assert not visible_dossiers(actor).exists()
    assert not can(actor, Perm.VIEW, dossier)
    error, row = knock(actor, dossier.public_id)
    assert isinstance(error, Http404)
    assert_row(row, actor, Access.Outcome.NOT_FOUND, dossier)
    client = client_for(stranger)
    assert client.get(detail_url(dossier)).status_code == 404
    listing = client.get(reverse("patients:list")).content.decode()
    assert "MARTIN" not in listing


# --- Circle rows that do not open the dossier ----------------------------------------------


def test_a_circle_member_without_habilitation_gets_403_not_the_dossier(nurse, dossier, client_for) -> None:
    CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=False)
    actor = acting(nurse)
    assert not visible_dossiers(actor).exists()
    with pytest.raises(PermissionDenied):
        get_dossier(actor, dossier.public_id)
    assert Access.objects.filter(user=nurse, patient=dossier, outcome=Access.Outcome.FORBIDDEN).count() == 1
    error, row = knock(actor, dossier.public_id)
    assert isinstance(error, PermissionDenied)
    assert_row(row, actor, Access.Outcome.FORBIDDEN, dossier)
    response = client_for(nurse).get(detail_url(dossier))
    assert response.status_code == 403
    assert "MARTIN" not in response.content.decode()


@pytest.mark.parametrize("habilitated", [True, False])
def test_a_sharing_refusal_hides_the_dossier_even_when_the_structure_is_habilitated(
    habilitated: bool, member, coordinator, structure, dossier, client_for
) -> None:
    CircleMember.objects.create(
        patient=dossier, user=member, is_habilitated=habilitated, sharing_refused=True
    )
    actor = acting(member, structure)
    assert CircleMember.objects.get(patient=dossier, structure=structure).is_habilitated
    assert not visible_dossiers(actor).exists()
    assert not can(actor, Perm.VIEW, dossier)
    error, row = knock(actor, dossier.public_id)
    assert isinstance(error, Http404), "a refused professional must not even learn the dossier exists"
    assert_row(row, actor, Access.Outcome.NOT_FOUND, dossier)
    assert client_for(member, acting_as=structure).get(detail_url(dossier)).status_code == 404
    # The refusal concerns that professional only: the rest of the structure still sees it.
    assert list(visible_dossiers(acting(coordinator, structure))) == [dossier]


def test_a_removed_circle_row_opens_nothing(nurse, dossier, client_for) -> None:
    row = CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=True)
    actor = acting(nurse)
    assert list(visible_dossiers(actor)) == [dossier]
    assert client_for(nurse).get(detail_url(dossier)).status_code == 200

    row.removed_at = timezone.now()
    row.save()
    assert not visible_dossiers(actor).exists()
    error, journal_row = knock(actor, dossier.public_id)
    assert isinstance(error, Http404)
    assert_row(journal_row, actor, Access.Outcome.NOT_FOUND, dossier)
    assert client_for(nurse).get(detail_url(dossier)).status_code == 404


def test_a_removed_structure_row_closes_the_dossier_to_its_members(
    member, structure, dossier, client_for
) -> None:
    CircleMember.objects.filter(patient=dossier, structure=structure).update(removed_at=timezone.now())
    actor = acting(member, structure)
    assert not visible_dossiers(actor).exists()
    error, _ = knock(actor, dossier.public_id)
    assert isinstance(error, Http404)
    assert client_for(member, acting_as=structure).get(detail_url(dossier)).status_code == 404


def test_a_merged_dossier_is_invisible_and_not_found_even_to_its_former_circle(
    coordinator, member, structure, dossier, client_for
) -> None:
    duplicate = create_test_patient(coordinator, structure, first_name="Lea")
    Patient.objects.filter(pk=duplicate.pk).update(merged_into=dossier, merged_at=timezone.now())
    duplicate.refresh_from_db()
    for actor in (acting(coordinator, structure), acting(coordinator), acting(member, structure)):
        assert list(visible_dossiers(actor)) == [dossier]
        assert not can(actor, Perm.VIEW, duplicate)
        error, row = knock(actor, duplicate.public_id)
        assert isinstance(error, Http404)
        # A tombstone is not served: the journal keeps the asked id, not a link to the row.
        assert_row(row, actor, Access.Outcome.NOT_FOUND, None)
        assert row.requested_id == str(duplicate.public_id)
    client = client_for(coordinator, acting_as=structure)
    assert client.get(detail_url(duplicate)).status_code == 404
    assert client.get(detail_url(dossier)).status_code == 200


# --- The journal of every knock --------------------------------------------------------------


def test_an_unknown_dossier_id_is_journaled_as_not_found_with_the_requested_id(
    coordinator, structure, client_for
) -> None:
    actor = acting(coordinator, structure)
    unknown = uuid.uuid4()
    error, row = knock(actor, unknown)
    assert isinstance(error, Http404)
    assert_row(row, actor, Access.Outcome.NOT_FOUND, None)
    assert row.requested_id == str(unknown)

    other = uuid.uuid4()
    response = client_for(coordinator, acting_as=structure).get(
        reverse("patients:detail", kwargs={"public_id": other})
    )
    assert response.status_code == 404
    journaled = Access.objects.get(requested_id=str(other))
    assert journaled.outcome == Access.Outcome.NOT_FOUND
    assert (journaled.user_id, journaled.structure_id, journaled.what) == (
        coordinator.pk,
        structure.pk,
        "dossier",
    )


def test_each_page_view_writes_one_journal_row_whatever_the_answer(
    coordinator, member, stranger, nurse, structure, dossier, client_for
) -> None:
    CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=False)
    cases: list[tuple[User, Structure | None, int, str]] = [
        (coordinator, structure, 200, Access.Outcome.ALLOWED),
        (coordinator, None, 200, Access.Outcome.ALLOWED),
        (member, structure, 200, Access.Outcome.ALLOWED),
        (member, None, 404, Access.Outcome.NOT_FOUND),
        (nurse, None, 403, Access.Outcome.FORBIDDEN),
        (stranger, None, 404, Access.Outcome.NOT_FOUND),
    ]
    for user, as_structure, status, outcome in cases:
        before = Access.objects.filter(patient=dossier).count()
        response = client_for(user, acting_as=as_structure).get(detail_url(dossier))
        assert response.status_code == status, (user.username, as_structure)
        rows = list(Access.objects.filter(patient=dossier).order_by("pk")[before:])
        assert len(rows) == 1, (user.username, as_structure, rows)
        assert rows[0].outcome == outcome
        assert rows[0].user_id == user.pk
        assert rows[0].structure_id == (as_structure.pk if as_structure else None)
        assert rows[0].action == Perm.VIEW


# --- Cost of the dossier page ------------------------------------------------------------------


def test_the_dossier_page_query_count_does_not_grow_with_events_and_circle_members(
    coordinator, structure, dossier, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(coordinator, acting_as=structure)
    url = detail_url(dossier)
    client.get(url)  # warm the session and the caches a first visit fills
    with django_assert_max_num_queries(DOSSIER_PAGE_QUERIES) as small:
        assert client.get(url).status_code == 200
    baseline = len(small.captured_queries)

    actor = acting(coordinator, structure)
    for n in range(30):
        colleague = make_user(username=f"collegue{n}", last_name=f"Collegue{n}")
        CircleMember.objects.create(patient=dossier, user=colleague, is_habilitated=n % 2 == 0)
        record_event(actor, dossier, Event.Kind.CIRCLE_CHANGED, f"Événement numéro {n}")

    with django_assert_max_num_queries(DOSSIER_PAGE_QUERIES) as large:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "COLLEGUE29" in page and "Événement numéro 29" in page
    assert len(large.captured_queries) == baseline
