"""ACT-2: every visibility rule (public, partagé, privé of a structure against its delegates),
refused sharing, habilitation removed, edits per rights with the version check, French messages,
soft deletion, the feed telling only of public memos."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core.actor import Actor
from cordee.memos.models import Memo
from cordee.memos.services import MemoInput, create_memo, delete_memo, visible_memos
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user


def url(name: str, patient: Patient, memo: Memo | None = None) -> str:
    return reverse(f"memos:{name}", args=[patient.public_id] + ([memo.public_id] if memo else []))


def titles(actor: Actor, patient: Patient) -> set[str]:
    return set(visible_memos(actor, patient).values_list("title", flat=True))


@pytest.fixture
def outsider_pro(dossier: Patient) -> User:
    """A second habilitated professional, never chosen for shared memos."""
    user = make_user(username="autre", last_name="Autre", first_name="Anne")
    accept_current_terms(user)
    CircleMember.objects.create(patient=dossier, user=user, is_habilitated=True)
    return user


def test_a_public_memo_is_read_by_the_circle_and_told_in_the_feed(
    dossier: Patient, acting: Actor, colleague: User, outsider_pro: User
) -> None:
    memo = create_memo(
        acting, dossier, MemoInput("Accès", "Patient résidant au 5e étage sans ascenseur", "PUBLIC")
    )
    assert titles(Actor(colleague), dossier) == {"Accès"} == titles(Actor(outsider_pro), dossier)
    event = Event.objects.get(kind=Event.Kind.MEMO_ADDED)
    assert event.summary == "Mémo ajouté : Accès" and event.section == Section.MEMO
    assert Access.objects.filter(action="memo_created", what=str(memo.public_id)).exists()


def test_a_public_memo_follows_the_matrixs_memo_section(
    dossier: Patient, acting: Actor, colleague: User, client_for
) -> None:
    create_memo(acting, dossier, MemoInput("Accès", "Code porte 1234", "PUBLIC"))
    RightsRule.objects.filter(section=Section.MEMO).delete()
    assert titles(Actor(colleague), dossier) == set()
    client = client_for(colleague)
    assert client.get(url("list", dossier)).status_code == 403
    detail = client.get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    assert "Code porte 1234" not in detail and "7. Mémo" not in detail


def test_a_shared_memo_is_read_by_the_chosen_members_only(
    dossier: Patient, acting: Actor, colleague: User, outsider_pro: User
) -> None:
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)
    create_memo(acting, dossier, MemoInput("Famille", "Le père ne doit pas être appelé", "SHARED", (chosen,)))
    assert titles(Actor(colleague), dossier) == {"Famille"}
    assert titles(Actor(outsider_pro), dossier) == set()
    # Its author reads it, acting as the structure or as themself.
    assert titles(acting, dossier) == {"Famille"} == titles(Actor(acting.user), dossier)
    # Not told in the feed: its title is not the circle's to read.
    assert not Event.objects.filter(kind=Event.Kind.MEMO_ADDED).exists()


def test_a_memo_shared_with_a_structure_is_read_by_whoever_acts_for_it(
    dossier: Patient, colleague: User, outsider_pro: User, structure: Structure, member: User
) -> None:
    dac = CircleMember.objects.get(patient=dossier, structure=structure)
    author = Actor(outsider_pro)
    create_memo(author, dossier, MemoInput("Pour le DAC", "Relancer l'assistante sociale", "SHARED", (dac,)))
    as_dac = Actor(member, Membership.objects.get(user=member, structure=structure))
    assert titles(as_dac, dossier) == {"Pour le DAC"}
    # The same person in their own name was not chosen.
    assert titles(Actor(colleague), dossier) == set()


def test_a_private_memo_is_the_structures_not_its_delegates(
    dossier: Patient, acting: Actor, colleague: User, structure: Structure, member: User
) -> None:
    create_memo(acting, dossier, MemoInput("Interne DAC", "Dossier à présenter en staff", "PRIVATE"))
    assert titles(acting, dossier) == {"Interne DAC"}
    other_delegate = Actor(member, Membership.objects.get(user=member, structure=structure))
    assert titles(other_delegate, dossier) == {"Interne DAC"}  # acting for the structure
    # Delegates in their own name do not read it, its author included (the seed's rule).
    assert titles(Actor(colleague), dossier) == set()
    assert titles(Actor(acting.user), dossier) == set()
    assert not Event.objects.filter(kind=Event.Kind.MEMO_ADDED).exists()


def test_a_private_memo_needs_to_act_as_a_structure(dossier: Patient, colleague: User) -> None:
    with pytest.raises(ValidationError) as refused:
        create_memo(Actor(colleague), dossier, MemoInput("Perso", "Texte", "PRIVATE"))
    assert "structure" in refused.value.message_dict["visibility"][0]
    assert not Memo.objects.exists()


def test_sharing_with_a_member_the_patient_refused_or_outside_the_circle_is_refused(
    dossier: Patient, acting: Actor, colleague: User, client_for, coordinator_client: Client
) -> None:
    refused = CircleMember.objects.get(patient=dossier, user=colleague)
    refused.sharing_refused = True
    refused.save()
    with pytest.raises(ValidationError) as error:
        create_memo(acting, dossier, MemoInput("Famille", "Texte", "SHARED", (refused,)))
    assert "membres habilités" in error.value.message_dict["shared_with"][0]
    response = coordinator_client.post(
        url("create", dossier),
        {
            "title": "Famille",
            "text": "Texte",
            "visibility": "SHARED",
            "shared_with": [str(refused.public_id)],
        },
    )
    assert response.status_code == 200
    assert "membres habilités du cercle de soins" in html.unescape(response.content.decode())
    assert not Memo.objects.exists()
    # Shared with nobody: refused too.
    response = coordinator_client.post(
        url("create", dossier), {"title": "F", "text": "T", "visibility": "SHARED"}
    )
    assert "Choisissez au moins une personne" in response.content.decode() and not Memo.objects.exists()


def test_a_member_whose_habilitation_is_removed_reads_no_memo(
    dossier: Patient, acting: Actor, colleague: User, client_for
) -> None:
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)
    create_memo(acting, dossier, MemoInput("Famille", "Texte partagé", "SHARED", (chosen,)))
    CircleMember.objects.filter(pk=chosen.pk).update(
        is_habilitated=False, habilitation_removed_at=timezone.now()
    )
    client = client_for(colleague)
    assert client.get(url("list", dossier)).status_code == 403
    assert titles(Actor(colleague), dossier) == set()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "text": "T", "visibility": "PUBLIC"}, "title", "Donnez un titre au mémo."),
        ({"title": "T", "text": "  ", "visibility": "PUBLIC"}, "text", "Écrivez le texte du mémo."),
        (
            {"title": "T", "text": "x" * 5001, "visibility": "PUBLIC"},
            "text",
            "ne peut dépasser 5000 caractères",
        ),
        (
            {"title": "x" * 151, "text": "T", "visibility": "PUBLIC"},
            "title",
            "ne peut dépasser 150 caractères",
        ),
        ({"title": "T", "text": "a\x00b", "visibility": "PUBLIC"}, "text", "caractère nul"),
        (
            {"title": "T", "text": "T", "visibility": "SECRET"},
            "visibility",
            "Choisissez la visibilité du mémo.",
        ),
        (
            {"title": "T", "text": "T", "visibility": "SHARED", "shared_with": "pas-un-id"},
            "shared_with",
            "membres habilités",
        ),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(
    dossier: Patient, coordinator_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    response = coordinator_client.post(url("create", dossier), data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["form"].errors[field]
    assert not Memo.objects.exists()


def test_the_dialogs_memo_lands_on_the_panel(dossier: Patient, coordinator_client: Client) -> None:
    response = coordinator_client.post(
        url("create", dossier), {"title": "Accès", "text": "5e étage sans ascenseur", "visibility": "PUBLIC"}
    )
    assert response.status_code == 302
    page = coordinator_client.get(url("list", dossier)).content.decode()
    assert "5e étage sans ascenseur" in page and 'id="memo-dialogue"' in page
    detail = coordinator_client.get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    assert "7. Mémo" in detail and "5e étage sans ascenseur" in detail


@pytest.fixture
def memo(dossier: Patient, acting: Actor) -> Memo:
    return create_memo(acting, dossier, MemoInput("Accès", "5e étage sans ascenseur", "PUBLIC"))


def test_a_concurrent_edit_is_detected_and_never_overwrites(
    memo: Memo,
    dossier: Patient,
    coordinator_client: Client,
    client_for,
    coordinator: User,
    structure: Structure,
) -> None:
    """The author in their own name and a colleague acting for the DAC both open the memo."""
    first = {"title": "Accès", "text": "Ascenseur installé en mars", "visibility": "PUBLIC", "version": "1"}
    assert coordinator_client.post(url("edit", dossier, memo), first).status_code == 302
    second = {
        "title": "Accès",
        "text": "5e étage, pas d'ascenseur, escalier étroit",
        "visibility": "PUBLIC",
        "version": "1",
    }
    response = client_for(coordinator).post(url("edit", dossier, memo), second)
    assert response.status_code == 200
    assert "modifié ou supprimé par quelqu'un d'autre" in html.unescape(response.content.decode())
    memo.refresh_from_db()
    assert memo.text == "Ascenseur installé en mars" and memo.version == 2
    # A delete on the stale copy is refused as well.
    coordinator_client.post(url("delete", dossier, memo), {"version": "1"})
    memo.refresh_from_db()
    assert memo.deleted_at is None


def test_only_the_author_or_its_structure_edits_or_deletes(
    memo: Memo, dossier: Patient, colleague: User, client_for
) -> None:
    client = client_for(colleague)
    assert client.get(url("edit", dossier, memo)).status_code == 403
    data = {"title": "Pirate", "text": "Réécrit", "visibility": "PUBLIC", "version": "1"}
    assert client.post(url("edit", dossier, memo), data).status_code == 403
    assert client.post(url("delete", dossier, memo), {"version": "1"}).status_code == 403
    memo.refresh_from_db()
    assert (memo.title, memo.deleted_at, memo.version) == ("Accès", None, 1)
    with pytest.raises(PermissionDenied):
        delete_memo(Actor(colleague), memo, expected_version=1)
    page = client.get(url("list", dossier)).content.decode()
    assert url("edit", dossier, memo) not in page and url("delete", dossier, memo) not in page


def test_without_the_write_right_no_memo_is_written(dossier: Patient, colleague: User, client_for) -> None:
    RightsRule.objects.filter(section=Section.MEMO).update(can_write=False)
    client = client_for(colleague)
    assert (
        client.post(url("create", dossier), {"title": "T", "text": "T", "visibility": "PUBLIC"}).status_code
        == 403
    )
    assert not Memo.objects.exists()
    assert "Ajouter un mémo" not in client.get(url("list", dossier)).content.decode()


def test_a_memo_one_may_not_read_does_not_exist_for_them(
    dossier: Patient, acting: Actor, colleague: User, client_for
) -> None:
    private = create_memo(acting, dossier, MemoInput("Interne", "Texte", "PRIVATE"))
    client = client_for(colleague)
    assert client.get(url("edit", dossier, private)).status_code == 404
    assert client.post(url("delete", dossier, private), {"version": "1"}).status_code == 404
    assert "Interne" not in client.get(url("list", dossier)).content.decode()


def test_a_deleted_memo_is_kept_but_shown_no_more(
    memo: Memo, dossier: Patient, coordinator_client: Client
) -> None:
    assert coordinator_client.post(url("delete", dossier, memo), {"version": "1"}).status_code == 302
    memo.refresh_from_db()
    assert memo.deleted_at is not None and memo.text == "5e étage sans ascenseur"
    assert "5e étage" not in coordinator_client.get(url("list", dossier)).content.decode()
    assert Event.objects.filter(kind=Event.Kind.MEMO_DELETED).exists()
    assert Access.objects.filter(action="memo_deleted").exists()


def test_the_panels_filters(
    dossier: Patient, acting: Actor, colleague: User, coordinator_client: Client
) -> None:
    create_memo(acting, dossier, MemoInput("Accès", "5e étage sans ascenseur", "PUBLIC"))
    create_memo(acting, dossier, MemoInput("Interne", "Staff lundi", "PRIVATE"))
    create_memo(Actor(colleague), dossier, MemoInput("Kiné", "Séances le mardi", "PUBLIC"))

    def shown(query: str) -> list[str]:
        response = coordinator_client.get(url("list", dossier) + query, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return sorted(memo.title for memo, _ in response.context["memos"])

    assert shown("") == ["Accès", "Interne", "Kiné"]
    assert shown("?q=ASCENSEUR") == ["Accès"]
    assert shown("?visibilite=PRIVATE") == ["Interne"]
    assert shown(f"?auteur={colleague.public_id}") == ["Kiné"]
    assert shown("?visibilite=NIMPORTE&auteur=inconnu&q=" + "x" * 300) == ["Accès", "Interne", "Kiné"]


def test_the_memo_pages_query_count_does_not_grow(
    dossier: Patient, acting: Actor, colleague: User, coordinator_client: Client, django_assert_num_queries
) -> None:
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)
    create_memo(acting, dossier, MemoInput("M0", "Texte", "SHARED", (chosen,)))
    coordinator_client.get(url("list", dossier))
    # Session, user, second factor, terms (one query), membership (the actor switcher's too);
    # the dossier's policy (dossier, circle rows, roles, matrix, journal); the authors, the
    # memos, their shares; the share choices.
    with django_assert_num_queries(14):
        coordinator_client.get(url("list", dossier))
    for index in range(20):
        create_memo(acting, dossier, MemoInput(f"M{index + 1}", "Texte", "SHARED", (chosen,)))
    with django_assert_num_queries(14):
        response = coordinator_client.get(url("list", dossier))
    assert len(response.context["memos"]) == 21
