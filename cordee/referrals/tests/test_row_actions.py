"""Issue 19: the seed's per-row buttons of "Tableau de bord Demandes" — [+] open, [↑] [↓] a
step back / forward, [×] cancel with a reason — through the request services, refused and
unchanged for anyone not acting for the team."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.urls import reverse

from cordee.accounts.models import Membership
from cordee.audit.models import Access
from cordee.core.actor import Actor
from cordee.core.models import OutgoingMail
from cordee.notifications.kinds import Kind
from cordee.notifications.models import Notification
from cordee.notifications.services import set_preference
from cordee.patients.testing import create_test_patient
from cordee.referrals.models import Change, Motif, Referral, Step
from cordee.referrals.services import NewReferral, create_referral, update_handling
from cordee.referrals.tests.conftest import Scene
from tests.factories import accept_current_terms, make_membership, make_user

pytestmark = pytest.mark.django_db


def _referral(scene: Scene, *, dossier: bool = True) -> Referral:
    actor = Actor(scene.gp, Membership.objects.get(user=scene.gp, structure=scene.practice))
    patient = create_test_patient(scene.gp, scene.practice) if dossier else None
    return create_referral(
        actor,
        NewReferral(
            team=scene.team,
            motif=Motif.objects.get(code="situation-complexe"),
            detail="Appui",
            patient=patient,
            birth_name="" if dossier else "Martin",
            first_name="" if dossier else "Léa",
            birth_date=None if dossier else datetime.date(1950, 1, 1),
        ),
    )


def _url(referral: Referral) -> str:
    return reverse("referrals:row_action", kwargs={"public_id": referral.public_id})


def _state(referral: Referral) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    fresh = Referral.objects.get(pk=referral.pk)
    return (
        fresh.step_id,
        fresh.status,
        fresh.cancel_reason,
        fresh.version,
        Change.objects.filter(referral=referral).count(),
        Access.objects.filter(action__in=["referral_step", "referral_cancel"]).count(),
    )


def test_the_arrows_move_the_request_a_step_forward_and_back(scene: Scene, as_team: Any) -> None:
    referral = _referral(scene)
    query = "statut=en-cours&tri=-date&tous=1"
    response = as_team.post(_url(referral), {"action": "next", "version": 1, "query": query})
    assert response.status_code == 302 and response["Location"] == f"/demandes/?{query}"
    referral.refresh_from_db()
    assert referral.step.code == "reponse-dac" and referral.version == 2
    assert Change.objects.filter(referral=referral, what="Étape : Sollicitation → Réponse DAC").exists()
    journaled = Access.objects.get(action="referral_step")
    assert journaled.patient_id == referral.patient_id and journaled.structure_id == scene.team.pk
    page = as_team.get(response["Location"]).content.decode()
    assert "La demande 1 est passée à l&#x27;étape « Réponse DAC »." in page

    # htmx: the table of the same list again, the outcome said above it.
    partial = as_team.post(
        _url(referral), {"action": "previous", "version": 2, "query": query}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "est revenue à l&#x27;étape « Sollicitation »" in text and "<html" not in text
    referral.refresh_from_db()
    assert referral.step.code == "sollicitation" and referral.version == 3
    assert partial.context["page"].object_list == [referral]


def test_the_cross_cancels_with_its_reason(scene: Scene, as_team: Any) -> None:
    referral = _referral(scene)
    before = _state(referral)
    refused = as_team.post(_url(referral), {"action": "cancel", "version": 1, "reason": "  "})
    assert refused.status_code == 302 and _state(referral) == before
    assert "alert-danger" in as_team.get(refused["Location"]).content.decode()
    done = as_team.post(_url(referral), {"action": "cancel", "version": 1, "reason": "Doublon de la 12"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CANCELLED and referral.cancel_reason == "Doublon de la 12"
    assert Change.objects.filter(referral=referral, what="Demande annulée : Doublon de la 12").exists()
    # A cancelled request moves no more; its row offers [+] only.
    before = _state(referral)
    again = as_team.post(_url(referral), {"action": "next", "version": 2}, headers={"HX-Request": "true"})
    assert "La demande est annulée." in again.content.decode() and _state(referral) == before
    row = as_team.get(reverse("referrals:dashboard"), {"tous": "1"}).content.decode()
    assert "Ouvrir la demande 1" in row and "Annuler la demande 1</span>" not in row


@pytest.mark.parametrize("action", ["next", "previous", "cancel"])
def test_refused_and_unchanged_for_anyone_not_acting_for_the_team(
    scene: Scene, as_gp: Any, client_for: Any, stranger: Any, action: str
) -> None:
    referral = _referral(scene)
    if action == "previous":
        Referral.objects.filter(pk=referral.pk).update(step=Step.objects.get(code="evaluation"))
    data = {"action": action, "version": 1, "reason": "Pas pour nous"}
    before = _state(referral)
    # The requester sees the request, but does not act for the team: 403.
    assert as_gp.post(_url(referral), data).status_code == 403
    # A member of the team not acting for it, a stranger: the request does not exist for them.
    assert client_for(scene.member).post(_url(referral), data).status_code == 404
    assert client_for(stranger).post(_url(referral), data).status_code == 404
    assert _state(referral) == before


def test_a_stale_version_a_tampered_id_or_action_change_nothing(
    scene: Scene, as_team: Any, client_for: Any
) -> None:
    referral = _referral(scene)
    other_team = _referral(scene)
    Referral.objects.filter(pk=other_team.pk).update(team=scene.practice)
    before = _state(referral)
    stale = as_team.post(_url(referral), {"action": "next", "version": 7}, headers={"HX-Request": "true"})
    assert stale.status_code == 200
    assert "La demande a été modifiée par quelqu&#x27;un d&#x27;autre entre-temps" in stale.content.decode()
    assert _state(referral) == before
    for tampered in ({"action": "validate", "version": 1}, {"action": "answer", "version": 1, "answer": "x"}):
        response = as_team.post(_url(referral), tampered, headers={"HX-Request": "true"})
        assert "Action inconnue." in response.content.decode()
    for bad in ({"action": "next"}, {"action": "next", "version": "un"}, {"action": "next", "version": -1}):
        assert as_team.post(_url(referral), bad).status_code == 302
    assert _state(referral) == before
    # Another team's request (the GP's practice), an id naming nothing: 404.
    assert as_team.post(_url(other_team), {"action": "next", "version": 1}).status_code == 404
    missing = reverse("referrals:row_action", kwargs={"public_id": uuid.uuid4()})
    assert as_team.post(missing, {"action": "next", "version": 1}).status_code == 404
    assert as_team.get(_url(referral)).status_code == 405
    assert Referral.objects.get(pk=other_team.pk).version == 1 and _state(referral) == before
    # The posted list state is read as the dashboard's query, never as a place to go.
    away = as_team.post(_url(referral), {"action": "next", "version": 1, "query": "//evil.example/?x=1"})
    assert away["Location"].startswith("/demandes/?")


def test_the_rows_offer_the_buttons_with_their_names(scene: Scene, as_team: Any, as_gp: Any) -> None:
    first, last = _referral(scene), _referral(scene, dossier=False)
    Referral.objects.filter(pk=last.pk).update(step=Step.objects.get(code="cloture"))
    page = as_team.get(reverse("referrals:dashboard"), {"tous": "1"}).content.decode()
    for number in (first.number, last.number):
        assert f"Ouvrir la demande {number}<" in page and f"Annuler la demande {number}<" in page
    assert f"Passer à l'étape suivante de la demande {first.number}<" in page
    assert f"Revenir à l'étape précédente de la demande {first.number}<" not in page  # first step
    assert f"Revenir à l'étape précédente de la demande {last.number}<" in page
    assert f"Passer à l'étape suivante de la demande {last.number}<" not in page  # last step
    assert 'id="annulation"' in page and 'aria-labelledby="annulation-titre"' in page
    assert page.count('name="csrfmiddlewaretoken"') >= 4
    # "Mes demandes": the requester follows, the buttons are the team's.
    mine = as_gp.get(reverse("referrals:mine")).content.decode()
    assert f"Ouvrir la demande {first.number}<" in mine and "Passer à l'étape" not in mine
    assert 'id="annulation"' not in mine


def _told() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("kind", "recipient__username"))


def _mailed() -> list[str]:
    return sorted(OutgoingMail.objects.values_list("to", flat=True))


def test_a_step_and_a_cancellation_tell_the_requester_and_the_assignee_only(
    scene: Scene,
    as_team: Any,
    as_gp: Any,
    client_for: Any,
    stranger: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """NOT-1 for the row's [↓] [↑] [×]: the request's requester and assignee are told, each per
    their own switches, in the application and by mail; not the one who acted, not the rest of
    the team, not the dossier's circle, not a stranger; a refused action tells nobody."""
    referral = _referral(scene)  # about a dossier whose circle holds the GP's practice
    colleague = make_user(username="associe", last_name="Associe", first_name="Anne")
    make_membership(user=colleague, structure=scene.practice, role=Membership.Role.USER)
    accept_current_terms(colleague)
    coordinator = Actor(
        scene.coordinator, Membership.objects.get(user=scene.coordinator, structure=scene.team)
    )
    referral = update_handling(
        coordinator, referral, assignee=scene.member, external=False, service=None, version=referral.version
    )
    set_preference(scene.gp, Kind.REFERRAL_STEP, "mail", False)  # in the application only
    Notification.objects.all().delete()
    OutgoingMail.objects.all().delete()

    # Refused: a stale version, the requester, a stranger, a reason missing — nobody is told.
    with django_capture_on_commit_callbacks(execute=True):
        as_team.post(_url(referral), {"action": "next", "version": 99})
        as_gp.post(_url(referral), {"action": "next", "version": referral.version})
        client_for(stranger).post(
            _url(referral), {"action": "cancel", "version": referral.version, "reason": "x"}
        )
        as_team.post(_url(referral), {"action": "cancel", "version": referral.version, "reason": " "})
    assert _told() == set() and _mailed() == []

    with django_capture_on_commit_callbacks(execute=True):
        moved = as_team.post(_url(referral), {"action": "next", "version": referral.version})
    assert moved.status_code == 302
    step = Kind.REFERRAL_STEP.value
    assert _told() == {(step, "generaliste"), (step, "membre")}
    assert _mailed() == [scene.member.email]
    notice = Notification.objects.get(recipient=scene.gp)
    assert notice.author == scene.coordinator and notice.patient is None
    assert notice.data["previous"] == "Sollicitation" and notice.data["step"] == "Réponse DAC"
    centre = as_gp.get(reverse("notifications:centre")).content.decode()
    assert "Demande n° 1 : étape Sollicitation → Réponse DAC, par" in centre
    assert "Martin" not in OutgoingMail.objects.get().body  # the mail names no patient

    # The assignee acts: the requester is told, the assignee (the author) and the coordinator not.
    Notification.objects.all().delete()
    OutgoingMail.objects.all().delete()
    as_member = client_for(scene.member, acting_as=scene.team)
    with django_capture_on_commit_callbacks(execute=True):
        as_member.post(_url(referral), {"action": "previous", "version": 3}, headers={"HX-Request": "true"})
    assert _told() == {(step, "generaliste")} and _mailed() == []

    # The assignee left the team: no longer told; the cancellation reaches the requester by both.
    Membership.objects.filter(user=scene.member, structure=scene.team).update(is_active=False)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = as_team.post(_url(referral), {"action": "cancel", "version": 4, "reason": "Doublon"})
    assert cancelled.status_code == 302
    assert _told() == {(Kind.REFERRAL_CANCELLED.value, "generaliste")}
    assert _mailed() == [scene.gp.email]
    assert "a annulé la demande n° 1." in as_gp.get(reverse("notifications:centre")).content.decode()
    # A cancelled request refuses the arrows: nothing more is told.
    with django_capture_on_commit_callbacks(execute=True):
        as_team.post(_url(referral), {"action": "next", "version": 5})
    assert Notification.objects.count() == 1 and len(_mailed()) == 1
