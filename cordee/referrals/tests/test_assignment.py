"""Issue 19 (DEM-1, NOT-1): assigning a request and validating it tell the people concerned, as
the other request events do (per their switches, never the one who acted, nothing on a refusal);
the assignee opens the request acting for the team, as the issue's access rule asks (their
entry in the centre switches to it); in their own name, as a colleague or a stranger, 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from cordee.accounts.models import Membership, User
from cordee.audit.models import Access
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.core.models import OutgoingMail
from cordee.notifications.kinds import Kind
from cordee.notifications.models import Notification
from cordee.notifications.services import set_preference
from cordee.referrals.models import Change, Motif, Referral
from cordee.referrals.services import NewReferral, create_referral
from cordee.referrals.tests.conftest import Scene
from tests.factories import accept_current_terms, make_membership, make_user

pytestmark = pytest.mark.django_db

ASSIGNED, UNASSIGNED = Kind.REFERRAL_ASSIGNED.value, Kind.REFERRAL_UNASSIGNED.value
VALIDATED = Kind.REFERRAL_VALIDATED.value


def _referral(scene: Scene) -> Referral:
    actor = Actor(scene.gp, Membership.objects.get(user=scene.gp, structure=scene.practice))
    return create_referral(
        actor,
        NewReferral(
            team=scene.team,
            motif=Motif.objects.get(code="situation-complexe"),
            detail="Appui",
            birth_name="Martin",
            first_name="Léa",
            birth_date=datetime.date(1950, 1, 1),
        ),
    )


def _colleague(scene: Scene) -> User:
    """A second member of the team, besides the coordinator and the member."""
    colleague = make_user(username="collegue", last_name="Collegue", first_name="Chloé")
    make_membership(user=colleague, structure=scene.team, role=Membership.Role.USER)
    accept_current_terms(colleague)
    return colleague


def _act(client: Any, referral: Referral, action: str, **data: Any) -> Any:
    version = data.pop("version", Referral.objects.get(pk=referral.pk).version)
    return client.post(
        reverse("referrals:act", kwargs={"public_id": referral.public_id}),
        {"action": action, "version": version, **data},
    )


def _assign(client: Any, referral: Referral, who: User | None, **data: Any) -> Any:
    return _act(client, referral, "handling", assignee=str(who.public_id) if who else "", **data)


def _told() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("kind", "recipient__username"))


def _mailed() -> list[str]:
    return sorted(OutgoingMail.objects.values_list("to", flat=True))


def _forget() -> None:
    Notification.objects.all().delete()
    OutgoingMail.objects.all().delete()


def _state(referral: Referral) -> tuple[Any, ...]:
    fresh = Referral.objects.get(pk=referral.pk)
    return (fresh.assignee_id, fresh.status, fresh.version, Change.objects.filter(referral=referral).count())


def test_assigning_tells_the_new_assignee_and_the_one_it_is_taken_from(
    scene: Scene,
    as_team: Any,
    as_gp: Any,
    client_for: Any,
    stranger: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    referral = _referral(scene)
    colleague = _colleague(scene)
    _forget()
    before = _state(referral)

    # Refused: a stale version, a non-member, the requester, a stranger, the coordinator acting
    # as themself — nothing changes and nobody is told.
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member, version=99)
        _assign(as_team, referral, scene.gp)
        _assign(as_team, referral, stranger)
        assert _assign(as_gp, referral, scene.member).status_code == 403
        assert _assign(client_for(stranger), referral, scene.member).status_code == 404
        assert _assign(client_for(scene.coordinator), referral, scene.member).status_code == 404
    assert _state(referral) == before
    assert _told() == set() and _mailed() == []

    # The coordinator assigns it to the member: the member alone is told, in the application
    # and by mail; not the coordinator (the author), the requester, nor the rest of the team.
    with django_capture_on_commit_callbacks(execute=True):
        assert _assign(as_team, referral, scene.member).status_code == 302
    assert _told() == {(ASSIGNED, "membre")}
    assert _mailed() == [scene.member.email]
    mail = OutgoingMail.objects.get()
    assert mail.subject == "Cordée — une demande vous a été affectée"
    assert "Martin" not in mail.body and "Léa" not in mail.body  # no patient in a mail
    notice = Notification.objects.get()
    # Reached through the team: the request is read acting for it (issue 19).
    assert (
        notice.author == scene.coordinator and notice.patient is None and notice.via_structure == scene.team
    )
    centre = client_for(scene.member).get(reverse("notifications:centre")).content.decode()
    assert "vous a affecté la demande n° 1." in centre

    # Only "externe au DAC" changes: no assignment, nobody told.
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member, external="on")
    assert Referral.objects.get(pk=referral.pk).external and _told() == set()

    # Re-assigned to the colleague (who hears it in the application only): the colleague is told
    # it is theirs, the member that it is no longer theirs (by both, their defaults).
    set_preference(colleague, Kind.REFERRAL_ASSIGNED, "mail", False)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, colleague, external="on")
    assert _told() == {(ASSIGNED, "collegue"), (UNASSIGNED, "membre")}
    assert _mailed() == [scene.member.email]
    assert OutgoingMail.objects.get().subject == "Cordée — une demande ne vous est plus affectée"
    centre = client_for(scene.member).get(reverse("notifications:centre")).content.decode()
    assert "vous a retiré la demande n° 1, désormais affectée à COLLEGUE Chloé." in centre

    # The colleague takes it off themself (acting for the team): the colleague is the author,
    # so nobody is told — then the coordinator takes it: the colleague hears it was withdrawn,
    # but has switched that off in the application: by mail only.
    _forget()
    as_colleague = client_for(colleague, acting_as=scene.team)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_colleague, referral, None, external="on")
    assert Referral.objects.get(pk=referral.pk).assignee is None and _told() == set()
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_colleague, referral, colleague, external="on")
    set_preference(colleague, Kind.REFERRAL_UNASSIGNED, "app", False)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.coordinator, external="on")
    assert _told() == set() and _mailed() == [colleague.email]

    # The member left the team: assigned then taken off, they are told of neither by then.
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member, external="on")
    Membership.objects.filter(user=scene.member, structure=scene.team).update(is_active=False)
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, None, external="on")
    assert Referral.objects.get(pk=referral.pk).assignee is None
    assert _told() == set() and _mailed() == []


def test_validating_tells_the_requester_and_the_assignee(
    scene: Scene,
    as_team: Any,
    as_gp: Any,
    client_for: Any,
    stranger: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    referral = _referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member)
    set_preference(scene.gp, Kind.REFERRAL_VALIDATED, "mail", False)
    _forget()
    before = _state(referral)

    # Refused: the requester, a stranger, the assignee in their own name, a stale version.
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(as_gp, referral, "validate").status_code == 403
        assert _act(client_for(stranger), referral, "validate").status_code == 404
        assert _act(client_for(scene.member), referral, "validate").status_code == 404
        _act(as_team, referral, "validate", version=99)
    assert _state(referral) == before and _told() == set() and _mailed() == []

    with django_capture_on_commit_callbacks(execute=True):
        assert _act(as_team, referral, "validate").status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.VALIDATED
    assert _told() == {(VALIDATED, "generaliste"), (VALIDATED, "membre")}
    assert _mailed() == [scene.member.email]  # the requester chose the application only
    assert "a validé la demande n° 1." in as_gp.get(reverse("notifications:centre")).content.decode()

    # Validated already: refused, nobody told again.
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        _act(as_team, referral, "validate")
    assert _told() == set() and _mailed() == []


def test_the_assignee_validating_tells_the_requester_only(
    scene: Scene, as_team: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    referral = _referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member)
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        _act(client_for(scene.member, acting_as=scene.team), referral, "validate")
    assert _told() == {(VALIDATED, "generaliste")} and _mailed() == [scene.gp.email]


def test_the_assignee_opens_the_request_acting_for_the_team(
    scene: Scene,
    as_team: Any,
    client_for: Any,
    stranger: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 19: "a request's patient data is visible to the team (members acting for it) and to
    the requester only" — its assignee too reads it acting for the team: their notification
    reaches them through the team and its entry switches to it, then opens the request."""
    referral = _referral(scene)
    colleague = _colleague(scene)
    url = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, scene.member)
    as_member = client_for(scene.member)  # signed in as themself, not acting for the team
    assert as_member.get(url).status_code == 404

    notice = Notification.objects.get(recipient=scene.member, kind=ASSIGNED)
    opening = reverse("notifications:open", kwargs={"public_id": notice.public_id})
    centre = as_member.get(reverse("notifications:centre")).content.decode()
    assert f'name="structure" value="{scene.team.public_id}"' in centre
    assert f'name="next" value="{opening}"' in centre
    switched = as_member.post(
        reverse("accounts:switch_actor"), {"structure": str(scene.team.public_id), "next": opening}
    )
    assert switched.status_code == 302 and switched["Location"] == opening
    assert as_member.session[ACTING_STRUCTURE_KEY] == str(scene.team.public_id)
    opened = as_member.get(opening)
    assert opened.status_code == 302 and opened["Location"] == url
    page = as_member.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "MARTIN Léa" in text and 'value="validate"' in text
    read = Access.objects.filter(action="referral_read", requested_id=str(referral.public_id)).get()
    assert (read.user_id, read.structure_id) == (scene.member.pk, scene.team.pk)

    # In their own name the team's actions are not found and change nothing.
    as_self = client_for(scene.member)
    before = _state(referral)
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(as_self, referral, "next").status_code == 404
        assert _assign(as_self, referral, colleague).status_code == 404
        row = reverse("referrals:row_action", kwargs={"public_id": referral.public_id})
        assert as_self.post(row, {"action": "next", "version": 2}).status_code == 404
        take_on = reverse("referrals:take_on", kwargs={"public_id": referral.public_id})
        assert as_self.post(take_on, {"version": 2}).status_code == 404
    assert _state(referral) == before

    # A colleague and a stranger in their own name: not found; the requester still reads it.
    assert client_for(colleague).get(url).status_code == 404
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(scene.gp).get(url).status_code == 200
    # Re-assigned: the new assignee's entry switches alike; one who left the team gets none.
    with django_capture_on_commit_callbacks(execute=True):
        _assign(as_team, referral, colleague)
    assert Notification.objects.get(recipient=colleague, kind=ASSIGNED).via_structure == scene.team
    Membership.objects.filter(user=colleague, structure=scene.team).update(is_active=False)
    centre = client_for(colleague).get(reverse("notifications:centre")).content.decode()
    assert f'value="{scene.team.public_id}"' not in centre


def test_a_team_entry_opens_as_the_team_from_the_centre(
    scene: Scene, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """NOT-1: "each entry linking to its item" — a new request reaches the team's members through
    the team; signed in as themself, the member's entry switches to the team (a POST, as the top
    bar's switch) and then opens the request, instead of leading to a page they cannot read."""
    with django_capture_on_commit_callbacks(execute=True):
        referral = _referral(scene)
    notice = Notification.objects.get(recipient=scene.member, kind=Kind.REFERRAL_NEW.value)
    assert notice.via_structure_id == scene.team.pk
    opening = reverse("notifications:open", kwargs={"public_id": notice.public_id})
    detail = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    as_self = client_for(scene.member)
    centre = as_self.get(reverse("notifications:centre")).content.decode()
    assert f'name="structure" value="{scene.team.public_id}"' in centre
    assert f'name="next" value="{opening}"' in centre
    assert f'href="{opening}"' not in centre
    switched = as_self.post(
        reverse("accounts:switch_actor"), {"structure": str(scene.team.public_id), "next": opening}
    )
    assert switched.status_code == 302 and switched["Location"] == opening
    opened = as_self.get(opening)
    assert opened.status_code == 302 and opened["Location"] == detail
    assert as_self.get(detail).status_code == 200
    # Acting for the team already: a plain link.
    centre = (
        client_for(scene.member, acting_as=scene.team).get(reverse("notifications:centre")).content.decode()
    )
    assert f'href="{opening}"' in centre and 'name="structure"' not in centre.split("notification-list")[1]
    # No longer a member: no switch is offered (it would be refused), the entry leads nowhere.
    Membership.objects.filter(user=scene.member, structure=scene.team).update(is_active=False)
    centre = client_for(scene.member).get(reverse("notifications:centre")).content.decode()
    assert f'value="{scene.team.public_id}"' not in centre
