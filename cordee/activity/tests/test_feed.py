"""ACT-1: the feed — one sentence per event, what the matrix lets each viewer read, filters,
keyset pages, query counts that do not grow with the story."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Profession, Structure, User
from cordee.activity.feed import FeedFilters, feed_page, visible_events
from cordee.activity.models import Event
from cordee.activity.services import record_event, write_note
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core.actor import Actor
from cordee.pathways.models import Theme
from cordee.pathways.services import add_theme
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user


def feed_url(patient: Patient, query: str = "") -> str:
    return reverse("activity:feed", args=[patient.public_id]) + (f"?{query}" if query else "")


def items_of(page: str) -> list[str]:
    """The feed's items as text, one per event, tags dropped."""
    found = re.findall(r'<li class="feed-item[^"]*"[^>]*>(.*?)</li>', page, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in found]


def test_the_creation_names_the_person_and_the_structure_once(
    dossier: Patient, coordinator_client: Client, coordinator: User, structure: Structure
) -> None:
    """Issue 23: "Dossier créé par DAC … (FONTANEL Claire) (FONTANEL Claire, DAC …)"."""
    page = coordinator_client.get(feed_url(dossier)).content.decode()
    created = [item for item in items_of(page) if item.startswith("Dossier créé")]
    assert len(created) == 1
    person = coordinator.display_name
    assert created[0].startswith(f"Dossier créé — par {person} ({structure.name}) le ")
    assert created[0].count(person) == 1 and created[0].count(structure.name) == 1
    # The dossier page's feed says it the same way.
    detail = coordinator_client.get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    assert [i for i in items_of(detail) if i.startswith("Dossier créé")] == created


def test_an_action_as_oneself_names_the_person_alone(
    dossier: Patient, colleague: User, client_for: Callable[..., Client]
) -> None:
    write_note(Actor(colleague), dossier, "Vu la maman ce jour")
    page = client_for(colleague).get(feed_url(dossier)).content.decode()
    note = next(item for item in items_of(page) if "Vu la maman" in item)
    assert note.startswith(f"Note de {colleague.display_name} le ")
    assert "(" not in note.split(" le ")[0]


def test_events_come_newest_first_with_a_link_to_their_item(
    dossier: Patient, acting: Actor, coordinator_client: Client
) -> None:
    theme = Theme.objects.get(code="handicap")
    add_theme(acting, dossier, theme)
    page = coordinator_client.get(feed_url(dossier)).content.decode()
    items = items_of(page)
    assert items[0].startswith("Thématique ajoutée au parcours : ")
    assert items[-1].startswith("Dossier créé")
    assert f'href="{reverse("pathways:tab", args=[dossier.public_id])}"' in page


def test_a_stay_is_hidden_from_a_profession_the_matrix_does_not_let_read_stays(
    dossier: Patient, acting: Actor, structure: Structure, client_for: Callable[..., Client]
) -> None:
    record_event(acting, dossier, Event.Kind.HOSPITALISATION_ADDED, "Hospitalisation ajoutée : CHU de Nice")
    social = make_user(
        username="assistante", profession=Profession.objects.get(code="assistant-service-social")
    )
    accept_current_terms(social)
    CircleMember.objects.create(patient=dossier, user=social, is_habilitated=True)
    # The administrators keep stays for the clinical professions only.
    RightsRule.objects.filter(
        profession__isnull=True, role__isnull=True, section=Section.HOSPITALISATIONS
    ).delete()
    RightsRule.objects.get_or_create(
        profession=Profession.objects.get(code="medecin"), role=None, section=Section.HOSPITALISATIONS
    )
    social_page = client_for(social).get(feed_url(dossier)).content.decode()
    assert "CHU de Nice" not in social_page
    assert "Dossier créé" in social_page
    # Not in the dossier page's feed either, nor in the Parcours tab's.
    assert (
        "CHU de Nice"
        not in client_for(social).get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    )
    assert (
        "CHU de Nice"
        not in client_for(social).get(reverse("pathways:tab", args=[dossier.public_id])).content.decode()
    )
    medecin_page = client_for(acting.user, acting_as=structure).get(feed_url(dossier)).content.decode()
    assert "CHU de Nice" in medecin_page


def test_a_reserved_themes_events_are_hidden_from_who_may_not_open_it(
    dossier: Patient,
    acting: Actor,
    colleague: User,
    coordinator_client: Client,
    client_for: Callable[..., Client],
) -> None:
    theme = Theme.objects.get(code="handicap")
    add_theme(acting, dossier, theme)
    record_event(acting, dossier, Event.Kind.FORM_CLOSED, "Formulaire clôturé : Bilan MDPH", theme=theme)
    child = Theme.objects.filter(parent=theme).first()
    if child is not None:
        record_event(acting, dossier, Event.Kind.FORM_CREATED, "Formulaire créé : Sous-bilan", theme=child)
    Theme.objects.filter(pk=theme.pk).update(is_restricted=True)
    # Reserved to the coordinators' role: the coordinator holds it, the colleague does not.
    from cordee.careteam.models import CircleRole

    role = CircleRole.objects.get(label="Coordinateur / Gestionnaire de cas")
    CircleMember.objects.get(patient=dossier, structure=acting.structure).roles.add(role)
    RightsRule.objects.create(section=Section.PATHWAYS, role=role, theme=theme, can_read=True)
    hidden = client_for(colleague).get(feed_url(dossier)).content.decode()
    assert "Bilan MDPH" not in hidden and "Thématique ajoutée" not in hidden and "Sous-bilan" not in hidden
    assert "Dossier créé" in hidden
    shown = coordinator_client.get(feed_url(dossier)).content.decode()
    assert "Bilan MDPH" in shown and "Thématique ajoutée" in shown


def test_without_the_feeds_section_the_feed_is_refused_and_absent_from_the_dossier(
    dossier: Patient, colleague: User, client_for: Callable[..., Client]
) -> None:
    RightsRule.objects.filter(section=Section.FEED).delete()
    client = client_for(colleague)
    assert client.get(feed_url(dossier)).status_code == 403
    detail = client.get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    assert "Fil d'actualité" not in detail and "Dossier créé" not in detail
    assert visible_events(Actor(colleague), dossier).count() == 0


@pytest.fixture
def story(dossier: Patient, acting: Actor) -> list[Event]:
    """45 events over 45 minutes: every 3rd a note, every 5th important, every 7th very important."""
    events = []
    start = timezone.now() - datetime.timedelta(hours=1)
    for index in range(45):
        importance = (
            Event.Importance.VERY_IMPORTANT
            if index % 7 == 0
            else Event.Importance.IMPORTANT
            if index % 5 == 0
            else Event.Importance.NORMAL
        )
        if index % 3 == 0:
            event = write_note(acting, dossier, f"Note numéro {index}", importance).event
        else:
            event = record_event(
                acting, dossier, Event.Kind.TASK_CHANGED, f"Tâche numéro {index}", importance=importance
            )
        # Several events in one second: the pages still neither skip nor repeat one.
        Event.objects.filter(pk=event.pk).update(created_at=start + datetime.timedelta(minutes=index // 2))
        events.append(event)
    return events


def test_keyset_pages_cover_the_feed_once_each_newest_first(
    story: list[Event], dossier: Patient, acting: Actor
) -> None:
    seen: list[int] = []
    after = None
    for _ in range(10):
        page = feed_page(acting, dossier, after=after, size=20)
        seen.extend(item.event.pk for item in page.items)
        after = page.next_after
        if after is None:
            break
    expected = list(
        Event.objects.filter(patient=dossier).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(seen) == 46  # and the creation


@pytest.mark.parametrize(
    ("toggles", "keep"),
    [
        ({"important"}, lambda e: e.importance == "IMPORTANT"),
        ({"tres-important"}, lambda e: e.importance == "VERY_IMPORTANT"),
        ({"important", "tres-important"}, lambda e: e.importance != "NORMAL"),
        ({"notes"}, lambda e: e.kind == "NOTE"),
        ({"evenements"}, lambda e: e.kind != "NOTE"),
        ({"notes", "evenements"}, lambda e: True),
        ({"tres-important", "notes"}, lambda e: e.kind == "NOTE" and e.importance == "VERY_IMPORTANT"),
        (set(), lambda e: True),
    ],
)
def test_the_toggles_filter_the_feed(
    story: list[Event], dossier: Patient, acting: Actor, toggles, keep
) -> None:
    filters = FeedFilters(frozenset(toggles))
    shown = [item.event.pk for item in feed_page(acting, dossier, filters, size=100).items]
    expected = [e.pk for e in Event.objects.filter(patient=dossier).order_by("-created_at", "-pk") if keep(e)]
    assert shown == expected and shown


def test_voir_plus_brings_the_next_page_with_htmx(
    story: list[Event], dossier: Patient, coordinator_client: Client
) -> None:
    first = coordinator_client.get(feed_url(dossier, "f=notes")).content.decode()
    assert len(items_of(first)) == 15  # 15 notes: one page
    assert "Voir plus" not in first
    first = coordinator_client.get(feed_url(dossier)).content.decode()
    assert len(items_of(first)) == 20
    more = re.search(r'hx-get="([^"]+apres=[^"]+)"', first)
    assert more is not None
    second = coordinator_client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "<html" not in body and len(items_of(body)) == 20 and "Voir plus" in body
    assert not set(items_of(body)) & set(items_of(first))


def test_a_bad_cursor_or_filter_is_ignored_not_a_500(
    story: list[Event], dossier: Patient, coordinator_client: Client
) -> None:
    for query in (
        "apres=pas-un-uuid",
        "apres=00000000-0000-0000-0000-000000000000",
        "f=rien&f=%00",
        "apres=" + "9" * 40,
    ):
        response = coordinator_client.get(feed_url(dossier, query))
        assert response.status_code == 200
        assert len(items_of(response.content.decode())) == 20


def test_another_dossiers_event_is_no_cursor(
    story: list[Event], dossier: Patient, coordinator: User, structure: Structure, coordinator_client: Client
) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    foreign = Event.objects.filter(patient=other).get()
    page = coordinator_client.get(feed_url(dossier, f"apres={foreign.public_id}")).content.decode()
    assert len(items_of(page)) == 20 and "Note numéro 42" in page


def _queries(client: Client, url: str, unused: None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_feeds_query_count_does_not_grow_with_the_story(
    dossier: Patient, acting: Actor, coordinator_client: Client, django_assert_num_queries
) -> None:
    write_note(acting, dossier, "Première note")
    coordinator_client.get(feed_url(dossier))  # the session's first request asks more
    small = _queries(coordinator_client, feed_url(dossier), None)
    for index in range(60):
        if index % 2:
            write_note(acting, dossier, f"Note {index}", Event.Importance.VERY_IMPORTANT)
        else:
            record_event(acting, dossier, Event.Kind.TASK_CHANGED, f"Tâche {index}")
    assert _queries(coordinator_client, feed_url(dossier), None) == small
    page = coordinator_client.get(feed_url(dossier)).content.decode()
    after = re.search(r"apres=([0-9a-f-]{36})", page)
    assert after is not None
    assert (
        _queries(coordinator_client, feed_url(dossier, f"f=tres-important&apres={after.group(1)}"), None)
        == small + 1
    )
    # Pinned: the session, user, terms (one query) and membership (with the actor switcher's);
    # the dossier, the actor's circle rows and roles, the matrix, the journal; the document
    # categories, the documents closed to the actor (and what a closed form holds); the page
    # (reserved themes are a subquery of it).
    with django_assert_num_queries(14):
        coordinator_client.get(feed_url(dossier))


def test_a_shared_documents_events_are_hidden_from_who_it_is_not_shared_with(
    dossier: Patient,
    acting: Actor,
    colleague: User,
    coordinator_client: Client,
    client_for: Callable[..., Client],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cordee.documents import services as documents
    from cordee.documents.checks import check_upload
    from cordee.documents.models import DocumentCategory

    other = make_user(username="autre", last_name="Autre", first_name="Anne")
    accept_current_terms(other)
    CircleMember.objects.create(patient=dossier, user=other, is_habilitated=True)
    chosen = CircleMember.objects.get(patient=dossier, user=colleague)

    def add(title: str, visibility: str, recipients: tuple[CircleMember, ...] = ()) -> None:
        upload = SimpleUploadedFile(
            "cr.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf"
        )
        checked, error = check_upload(upload)
        assert checked is not None, error
        documents.add_documents(
            acting,
            dossier,
            [(upload, checked)],
            category=DocumentCategory.objects.get(code="COORDINATION"),
            doc_type=None,
            title=title,
            document_date=datetime.date(2026, 3, 2),
            visibility=visibility,
            recipients=recipients,
        )

    add("Compte rendu public", "PUBLIC")
    add("Compte rendu partagé", "SHARED", (chosen,))
    shown = [
        e.data.get("document") for e in visible_events(Actor(other), dossier).filter(kind="DOCUMENT_ADDED")
    ]
    assert len(shown) == 1  # the public one only
    assert visible_events(Actor(colleague), dossier).filter(kind="DOCUMENT_ADDED").count() == 2
    assert visible_events(acting, dossier).filter(kind="DOCUMENT_ADDED").count() == 2
    page = client_for(other).get(feed_url(dossier)).content.decode()
    assert len([item for item in items_of(page) if item.startswith("Document ajouté")]) == 1
