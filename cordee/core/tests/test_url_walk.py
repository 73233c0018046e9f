"""The URL-walk access test: every URL, every persona (SEC-1, STYLE.md rule 3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db.models import Q
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cordee.accounts.models import Membership, Profession, RegistrationRequest, Structure, User
from cordee.activity.models import Event, Note
from cordee.careteam.models import CircleMember, FavouriteGroup
from cordee.core.tests.url_registry import LOGIN, NAMESPACE_RULES, REGISTRY, World, _referral, referral_of
from cordee.documents.models import Document, DocumentCategory
from cordee.memos.models import Memo
from cordee.pathways.models import DossierTheme, Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Hospitalisation, PatientLink, PotentialDuplicate, RelationType, SavedFilter
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskType
from tests.factories import accept_current_terms, make_membership, make_user


def _walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _walk(entry.url_patterns, inner)
        else:
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def all_url_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_pattern_is_registered() -> None:
    missing = [
        name for name in all_url_names() if name not in REGISTRY and name.split(":")[0] not in NAMESPACE_RULES
    ]
    assert not missing, f"URL patterns missing from the access registry: {missing}"


def test_registry_has_no_stale_entries() -> None:
    names = set(all_url_names())
    assert not [name for name in REGISTRY if name not in names]


@pytest.fixture
def world(
    structure: Structure, coordinator: User, member: User, dossier_of_other_structure, maternity: Structure
) -> World:
    patient = dossier_of_other_structure
    circle_member = CircleMember.objects.create(patient=patient, user=member, is_habilitated=False)
    sibling = create_test_patient(coordinator, maternity, first_name="Hugo", sex="M")
    twin = create_test_patient(coordinator, maternity, first_name="Lea")  # flagged as a potential duplicate
    version = make_questionnaire()
    form = make_form(version, patient, {"poids": 12.5})
    note_event = Event.objects.create(patient=patient, kind=Event.Kind.NOTE, summary="Note", section="FEED")
    return World(
        memo=Memo.objects.create(
            patient=patient,
            title="Étage",
            text="5e sans ascenseur",
            visibility="PUBLIC",
            created_by=coordinator,
        ),
        note=Note.objects.create(event=note_event, text="Appeler la PMI", created_by=coordinator),
        dossier_theme=DossierTheme.objects.create(patient=patient, theme=Theme.objects.get(code="handicap")),
        questionnaire=version.questionnaire,
        form=form,
        document=Document.objects.create(
            patient=patient,
            form=form,
            file=ContentFile(b"%PDF-1.4 test", name="cr.pdf"),
            name="cr.pdf",
            content_type="application/pdf",
            size=13,
            sha256="0" * 64,
            category=DocumentCategory.objects.get(code="COORDINATION"),
            title="Compte rendu",
            document_date=date(2025, 1, 2),
        ),
        circle_member=circle_member,
        task=Task.objects.create(
            patient=patient,
            task_type=TaskType.objects.get(label="Relance"),
            level=TaskLevel.objects.get(label="Information"),
            label="Appeler la famille",
            due_at=timezone.now(),
        ),
        saved_filter=SavedFilter.objects.create(user=coordinator, name="Nice", query="ville=nice"),
        group=FavouriteGroup.objects.create(owner=coordinator, name="Pédiatres du Var"),
        duplicate=PotentialDuplicate.objects.get(Q(first=twin) | Q(second=twin)),
        patient=patient,
        stay=Hospitalisation.objects.create(
            patient=patient, establishment_name="CHU", start_date=date(2025, 1, 2)
        ),
        link=PatientLink.objects.create(
            from_patient=patient, to_patient=sibling, relation=RelationType.objects.get(label="Frère / sœur")
        ),
        consent=patient.consents.get(),
        structure=structure,
        membership=Membership.objects.get(user=coordinator, structure=structure),
        professional=coordinator,
        appointment=_appointment(coordinator, patient),
        registration=RegistrationRequest.objects.create(
            profession=Profession.objects.get(code="medecin"),
            last_name="Demandeur",
            first_name="Paul",
            email="paul.demandeur@example.org",
            rpps="10000000006",
        ),
    )


def _appointment(coordinator: User, patient: Any) -> Any:
    """A weekly appointment in the coordinator's agenda, about the world's dossier."""
    from cordee.agenda.models import Appointment, EventType, Participant

    start = timezone.make_aware(datetime(2027, 1, 4, 9, 0))  # noqa: DTZ001 - Paris, made aware
    appointment = Appointment.objects.create(
        title="RCP",
        event_type=EventType.objects.get(label="RCP"),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        last_ends_at=start + timedelta(days=60),
        repeat="WEEKLY",
        repeat_until=date(2027, 3, 1),
        patient=patient,
        created_by=coordinator,
    )
    Participant.objects.create(
        appointment=appointment, user=coordinator, starts_at=start, last_ends_at=appointment.last_ends_at
    )
    return appointment


def _assert_security_headers(response: HttpResponseBase, name: str) -> None:
    """Issue 22: every answer, whoever asks and whatever the status, carries the headers."""
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{name}: {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{name}: {policy!r}"
    assert "camera=()" in response.get("Permissions-Policy", ""), name
    assert response.get("Referrer-Policy") == "same-origin", name
    assert response.get("X-Content-Type-Options") == "nosniff", name
    assert response.get("X-Frame-Options") == "DENY", name


def _check(client: Client, name: str, world: World, expected: int | str) -> None:
    spec = REGISTRY[name]
    url = reverse(name, kwargs=spec.kwargs(world))
    response = getattr(client, spec.method)(url, spec.data(world))
    _assert_security_headers(response, name)
    if response.wsgi_request.user.is_authenticated:  # issue 24: never cached, whatever the status
        assert "no-store" in response.get("Cache-Control", ""), f"{name}: {response.get('Cache-Control')}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{name}: {response.status_code}"
        assert response["Location"].startswith(reverse("accounts:login")), f"{name}: {response['Location']}"
    else:
        assert response.status_code == expected, f"{name} ({spec.method}): got {response.status_code}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_anonymous_visitor(name: str, world: World) -> None:
    _check(Client(), name, world, REGISTRY[name].anonymous)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_stranger(name: str, world: World, stranger: User, client_for) -> None:
    _check(client_for(stranger), name, world, REGISTRY[name].stranger)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_unprivileged_member(name: str, world: World, member: User, client_for) -> None:
    _check(client_for(member, acting_as=world.structure), name, world, REGISTRY[name].member)


ASSIGNEE_URLS = sorted(name for name, spec in REGISTRY.items() if spec.assignee is not None)


def test_every_request_url_says_what_its_assignee_gets() -> None:
    """A request's URL (built from the world's request) must say what its assignee, signed in as
    themself, gets — the request is read acting for the team, even by its assignee."""
    assert ASSIGNEE_URLS
    missing = [name for name, spec in REGISTRY.items() if spec.kwargs is _referral and spec.assignee is None]
    assert not missing, f"request URLs without the assignee's outcome: {missing}"


@pytest.mark.parametrize("name", ASSIGNEE_URLS)
def test_assignee_in_their_own_name(name: str, world: World, member: User, client_for) -> None:
    """The world's request assigned to the member, who is signed in as themself (not acting for
    the team); a colleague in the team but not assigned, signed in as themself, is not let in
    (the stranger: test_stranger)."""
    referral = referral_of(world)
    referral.assignee = member
    referral.save(update_fields=["assignee"])
    expected = REGISTRY[name].assignee
    assert expected is not None
    _check(client_for(member), name, world, expected)
    colleague = make_user(username="collegue", last_name="Collegue", first_name="Chloé")
    make_membership(user=colleague, structure=world.structure, role=Membership.Role.USER)
    accept_current_terms(colleague)
    _check(client_for(colleague), name, world, 404)


@pytest.mark.parametrize("admin_url", ["admin:index", "admin:accounts_user_changelist"])
def test_admin_is_for_platform_administrators_only(
    admin_url: str, world: World, member: User, client_for
) -> None:
    url = reverse(admin_url)
    for client in (Client(), client_for(member)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/connexion/" in response["Location"] or "/admin/login/" in response["Location"]
    staff = make_user(username="staffwalk", is_staff=True, is_superuser=True)
    accept_current_terms(staff)
    assert client_for(staff).get(url).status_code == 200
