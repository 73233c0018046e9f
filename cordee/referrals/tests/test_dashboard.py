"""DEM-2: "Tableau de bord Demandes" and "Mes demandes"."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership
from cordee.audit.models import Access
from cordee.core.actor import Actor
from cordee.patients.models import SavedFilter
from cordee.patients.testing import create_test_patient
from cordee.referrals.models import Motif, Referral, SpecialisedService, Step
from cordee.referrals.services import NewReferral, create_referral
from cordee.referrals.tests.conftest import Scene
from cordee.territory.models import Commune, Zone

pytestmark = pytest.mark.django_db


def _make(scene: Scene, n: int, **fields: Any) -> list[Referral]:
    actor = Actor(scene.gp, Membership.objects.get(user=scene.gp, structure=scene.practice))
    made = []
    for i in range(n):
        referral = create_referral(
            actor,
            NewReferral(
                team=scene.team,
                motif=Motif.objects.get(code="situation-complexe"),
                detail=f"Demande {i}",
                birth_name=f"Patient{i:02}",
                first_name="Jean",
                birth_date=datetime.date(1950, 1, 1),
                commune=Commune.objects.get(code="06088"),
            ),
        )
        if fields:
            Referral.objects.filter(pk=referral.pk).update(**fields)
        made.append(referral)
    return made


def _numbers(client: Any, url: str, **query: str) -> list[int]:
    response = client.get(url, query)
    assert response.status_code == 200
    return [r.number for r in response.context["page"].object_list]


def test_the_dashboard_filters_sorts_and_keeps_the_state_in_the_url(scene: Scene, as_team) -> None:
    zone = Zone.objects.create(name="EA-Bevera")
    zone.communes.add(Commune.objects.get(code="06088"))
    _first, second, third = _make(scene, 3)
    Referral.objects.filter(pk=second.pk).update(
        step=Step.objects.get(code="reponse-dac"),
        assignee=scene.member,
        specialised_service=SpecialisedService.objects.get(code="em-geriatrie"),
        answered_at=timezone.now(),
    )
    Referral.objects.filter(pk=third.pk).update(
        status=Referral.Status.CANCELLED, commune=Commune.objects.get(code="06004")
    )
    url = reverse("referrals:dashboard")
    assert _numbers(as_team, url) == [3, 2, 1]
    assert _numbers(as_team, url, tri="identifiant") == [1, 2, 3]
    assert _numbers(as_team, url, etape="reponse-dac") == [2]
    assert _numbers(as_team, url, identifiant="1") == [1]
    assert _numbers(as_team, url, statut="annulees") == [3]
    assert _numbers(as_team, url, patient="patient01") == [2]
    assert _numbers(as_team, url, demandeur="durand") == [3, 2, 1]
    assert _numbers(as_team, url, affecte=str(scene.member.public_id)) == [2]
    assert _numbers(as_team, url, affecte="personne") == [3, 1]
    assert _numbers(as_team, url, zone=str(zone.public_id)) == [2, 1]
    assert _numbers(as_team, url, service="em-geriatrie") == [2]
    today = timezone.localdate().isoformat()
    assert _numbers(as_team, url, reponse=today) == [2]
    assert _numbers(as_team, url, debut=today, fin=today) == [3, 2, 1]
    assert _numbers(as_team, url, debut="2000-01-01", fin="2000-01-02") == []
    bad = as_team.get(url, {"fin": "2000-01-01", "debut": "2001-01-01", "tri": "pk; drop", "taille": "7"})
    assert bad.status_code == 200 and "La date de fin doit suivre la date de début." in bad.content.decode()
    assert "Créer un nouveau patient" in as_team.get(url).content.decode()


def test_mes_demandes_lists_only_ones_own(scene: Scene, as_gp, client_for, stranger) -> None:
    _make(scene, 2)
    assert _numbers(as_gp, reverse("referrals:mine")) == [2, 1]
    assert _numbers(client_for(stranger), reverse("referrals:mine")) == []
    # The team's dashboard is the team's: the requester's practice receives none of them.
    assert _numbers(as_gp, reverse("referrals:dashboard")) == []


def test_the_dashboard_needs_a_structure(stranger, client_for) -> None:
    assert client_for(stranger).get(reverse("referrals:dashboard")).status_code == 403


def test_the_dashboard_has_a_constant_query_count(
    scene: Scene, as_team, django_assert_max_num_queries
) -> None:
    _make(scene, 3)
    # 18, the first and last steps (the rows' [↑] [↓], issue 19), and the saved filters (DEM-2):
    # the menu and its default, read in one query; and, for the dashboard at scale
    # (bench/referrals.py), the page's ids chosen apart from its rows, the step and the commune
    # read apart (PostgreSQL planned nine joins slower than it read).
    with django_assert_max_num_queries(23):
        as_team.get(reverse("referrals:dashboard"))
    _make(scene, 30)
    with django_assert_max_num_queries(23):
        response = as_team.get(reverse("referrals:dashboard"), {"taille": "25"})
    assert len(response.context["page"].object_list) == 25


def test_saved_filters_like_the_active_files(scene: Scene, as_team, client_for) -> None:
    """DEM-2: the active file's saved filters (model, views, menu), the dashboard's own list."""
    first, _second = _make(scene, 2)
    Referral.objects.filter(pk=first.pk).update(status=Referral.Status.CANCELLED)
    url = reverse("referrals:dashboard")
    response = as_team.post(
        reverse("referrals:filter_save"),
        {"name": "Annulées", "query": "statut=annulees&page=3&evil=1&affecte=inconnu&tous=1"},
    )
    saved = SavedFilter.objects.get(user=scene.coordinator)
    # Only the dashboard's own, valid filters are kept.
    assert saved.board == SavedFilter.Board.REFERRALS and saved.query == "statut=annulees"
    assert response["Location"] == f"/demandes/?statut=annulees&filtre={saved.public_id}"
    assert _numbers(as_team, response["Location"]) == [first.number]
    page = as_team.get(url, {"statut": "annulees"}).content.decode()
    assert "Mes filtres" in page and "Annulées" in page and reverse("referrals:filter_save") in page
    # An htmx search refreshes the menu out of band, with the query to save.
    partial = as_team.get(url, {"statut": "en-cours"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="mes-filtres" hx-swap-oob="innerHTML"' in partial and 'value="statut=en-cours"' in partial

    duplicate = as_team.post(reverse("referrals:filter_save"), {"name": "Annulées", "query": "motif=x"})
    assert duplicate.status_code == 302 and SavedFilter.objects.count() == 1
    # The same name is free on the active file: each list has its names.
    as_team.post(reverse("patients:filter_save"), {"name": "Annulées", "query": "ville=nice"})
    assert SavedFilter.objects.filter(board=SavedFilter.Board.ACTIVE_FILE, name="Annulées").exists()
    assert "Annulées" in as_team.get(reverse("patients:list"), {"tous": "1"}).content.decode()
    assert "ville=nice" not in as_team.get(url, {"tous": "1"}).content.decode()

    as_team.post(reverse("referrals:filter_default", kwargs={"public_id": saved.public_id}))
    saved.refresh_from_db()
    assert saved.is_default
    arrival = as_team.get(url)
    assert arrival.status_code == 302
    assert arrival["Location"] == f"/demandes/?statut=annulees&filtre={saved.public_id}"
    # "Effacer les filtres" shows everything without the default; the active file keeps its own.
    assert _numbers(as_team, url, tous="1") == [2, 1]
    assert as_team.get(reverse("patients:list")).status_code == 200

    # Someone else's filter does not exist for them; the active file's views do not reach it.
    other = client_for(scene.member, acting_as=scene.team)
    for name in ("referrals:filter_default", "referrals:filter_delete"):
        assert other.post(reverse(name, kwargs={"public_id": saved.public_id})).status_code == 404
    assert (
        as_team.post(reverse("patients:filter_delete", kwargs={"public_id": saved.public_id})).status_code
        == 404
    )
    assert SavedFilter.objects.filter(pk=saved.pk, is_default=True).exists()
    as_team.post(reverse("referrals:filter_delete", kwargs={"public_id": saved.public_id}))
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert as_team.get(url).status_code == 200


def test_the_names_shown_are_journaled(scene: Scene, as_team) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    actor = Actor(scene.gp, Membership.objects.get(user=scene.gp, structure=scene.practice))
    create_referral(
        actor,
        NewReferral(
            team=scene.team, motif=Motif.objects.get(code="situation-complexe"), detail="x", patient=patient
        ),
    )
    _make(scene, 2)
    as_team.get(reverse("referrals:dashboard"))
    shown = Access.objects.filter(action="list_referrals", user=scene.coordinator)
    assert list(shown.values_list("patient", flat=True)) == [patient.pk]


def test_the_count_is_bounded_and_said_so(scene: Scene, as_team, monkeypatch) -> None:
    from cordee.referrals import dashboard

    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    _make(scene, 5)
    response = as_team.get(reverse("referrals:dashboard"), {"taille": "10"})
    assert response.context["page"].count == 4
    assert "Plus de 10 000 demandes" in response.content.decode()
    # The pages go on past the count: "Suivant" is a keyset page, not an OFFSET.
    assert len(response.context["page"].object_list) == 5
    monkeypatch.setattr(dashboard, "COUNT_CAP", 10)
    text = as_team.get(reverse("referrals:dashboard")).content.decode()
    assert "5 demandes" in text


def _walk(client: Any, url: str, **query: str) -> tuple[list[list[int]], Any]:
    """Every page from the first by "Suivant": their numbers, and the last response."""
    pages = []
    response = client.get(url, query)
    while True:
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([r.number for r in page.object_list])
        if not page.window.has_next:
            return pages, response
        response = client.get(url, {**query, "apres": str(page.window.after)})


@pytest.mark.parametrize(
    "sort", ["-date", "date", "identifiant", "-identifiant", "etape", "-etape", "reponse", "-reponse"]
)
def test_keyset_pages_cover_every_request_once_in_every_order(scene: Scene, as_team, sort: str) -> None:
    """Issue 19: "Suivant / Précédent" start after / end before a row (no OFFSET), whatever the
    sort — ties on the step and unanswered requests (nulls) included."""
    made = _make(scene, 23)
    steps = list(Step.objects.all())
    for i, referral in enumerate(made):
        Referral.objects.filter(pk=referral.pk).update(
            step=steps[i % 3],
            answered_at=None if i % 4 == 0 else timezone.now() - datetime.timedelta(days=i % 5),
        )
    url = reverse("referrals:dashboard")
    everything = _numbers(as_team, url, tri=sort, taille="100")
    assert sorted(everything) == list(range(1, 24))
    pages, last = _walk(as_team, url, tri=sort, taille="10")
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [n for p in pages for n in p] == everything
    # Back from the last page by "Précédent", to the first (which has no "Précédent").
    back, response = [], last
    while response.context["page"].window.has_previous:
        response = as_team.get(
            url, {"tri": sort, "taille": "10", "avant": str(response.context["page"].window.before)}
        )
        back.append([r.number for r in response.context["page"].object_list])
    assert back == [pages[1], pages[0]]


def test_keyset_pages_stay_put_when_requests_arrive(scene: Scene, as_team, as_gp) -> None:
    _make(scene, 23)
    url = reverse("referrals:dashboard")
    first = as_team.get(url, {"taille": "10"}).context["page"]
    second = _numbers(as_team, url, taille="10", apres=str(first.window.after))
    assert second == list(range(13, 3, -1))
    _make(scene, 4)  # new requests on top: an OFFSET's page 2 would have slid by four
    assert _numbers(as_team, url, taille="10", apres=str(first.window.after)) == second
    text = as_team.get(url, {"taille": "10", "statut": "en-cours"}).content.decode()
    assert "Suivant" in text and "apres=" in text and "page=" not in text
    # An anchor from elsewhere (another team's request, a made-up id, garbage): the first page.
    other = _make(scene, 1)[0]
    Referral.objects.filter(pk=other.pk).update(team=scene.practice)
    top = _numbers(as_team, url, taille="10")
    for anchor in (str(other.public_id), "00000000-0000-4000-8000-000000000000", "x' OR 1=1"):
        assert _numbers(as_team, url, taille="10", apres=anchor) == top
        assert _numbers(as_team, url, taille="10", avant=anchor) == top


def _queries(call: Any) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = call()
    return len(captured.captured_queries), response


# The first page; a page after an anchor and one before it (the anchor's keys are subqueries
# of the page's statement: no query more); a row's button by htmx (the action's lock, history,
# journal, then the table again).
# Issue 22: the CGU's check is one query, the top bar's structures come with the actor.
PINNED = {"first": 18, "after": 18, "before": 18, "row": 23}


def test_the_dashboard_pins_its_queries_on_every_page(scene: Scene, as_team) -> None:
    """Each the same count with 13 requests or 70."""
    url = reverse("referrals:dashboard")
    for n in (13, 57):
        _make(scene, n)
        first = as_team.get(url, {"taille": "10"})
        # After the first row, before the last: pages with rows in them, whatever n.
        referral = first.context["page"].object_list[0]
        anchor = str(referral.public_id)
        second = as_team.get(url, {"taille": "10", "apres": str(first.context["page"].window.after)})
        back = str(second.context["page"].window.before)
        counts = {
            "first": _queries(lambda: as_team.get(url, {"taille": "10", "tous": "1"}))[0],
            "after": _queries(lambda a=anchor: as_team.get(url, {"taille": "10", "apres": a}))[0],
            "before": _queries(lambda a=back: as_team.get(url, {"taille": "10", "avant": a}))[0],
            "row": _queries(
                lambda r=referral: as_team.post(
                    reverse("referrals:row_action", kwargs={"public_id": r.public_id}),
                    {"action": "next", "version": r.version, "query": "taille=10"},
                    headers={"HX-Request": "true"},
                )
            )[0],
        }
        assert counts == PINNED, n


def test_mes_demandes_pins_its_queries(scene: Scene, as_gp) -> None:
    as_gp.get(reverse("referrals:mine"))  # the session's first page reads what it then keeps
    for n in (3, 30):
        _make(scene, n)
        count, response = _queries(
            lambda: as_gp.get(reverse("referrals:mine"), {"taille": "25", "statut": "en-cours"})
        )
        assert count == 15, n
        assert len(response.context["page"].object_list) == min(25, 3 if n == 3 else 33)


def test_mes_demandes_filters_by_step_team_dates_and_status(scene: Scene, as_gp, as_team) -> None:
    from cordee.directory.models import ResourceTeam
    from tests.factories import make_membership, make_structure

    first, second, third = _make(scene, 3)
    camsp = make_structure(name="CAMSP de la Roya")
    ResourceTeam.objects.create(structure=camsp, is_listed=True, carries_identity=True)
    make_membership(user=scene.member, structure=camsp)
    Referral.objects.filter(pk=third.pk).update(team=camsp, status=Referral.Status.CANCELLED)
    Referral.objects.filter(pk=second.pk).update(step=Step.objects.get(code="evaluation"))
    url = reverse("referrals:mine")
    assert _numbers(as_gp, url, equipe=str(camsp.public_id)) == [3]
    assert _numbers(as_gp, url, equipe=str(scene.team.public_id)) == [2, 1]
    assert _numbers(as_gp, url, etape="evaluation") == [2]
    assert _numbers(as_gp, url, statut="annulees") == [3]
    today = timezone.localdate().isoformat()
    assert _numbers(as_gp, url, debut=today, fin=today) == [3, 2, 1]
    assert _numbers(as_gp, url, fin="2000-01-01") == []
    page = as_gp.get(url).content.decode()
    # The teams one has asked, and no requester / assignee filter (oneself; the team's business).
    assert "Équipe sollicitée" in page and "CAMSP de la Roya" in page and 'name="demandeur"' not in page
    assert 'name="affecte"' not in page
    # A team one never asked is no choice (and filters nothing out of sight).
    other = make_structure(name="Autre DAC")
    response = as_gp.get(url, {"equipe": str(other.public_id)})
    assert "Autre DAC" not in response.content.decode()
    assert first.number in [r.number for r in response.context["page"].object_list]


def test_mes_demandes_has_its_own_saved_filters(scene: Scene, as_gp, as_team, client_for) -> None:
    """Issue 19: the dashboard's mechanism (SavedFilter, a board of its own), personal."""
    first, second = _make(scene, 2)
    Referral.objects.filter(pk=first.pk).update(status=Referral.Status.CANCELLED)
    url = reverse("referrals:mine")
    page = as_gp.get(url, {"statut": "annulees"}).content.decode()
    assert "Mes filtres" in page and reverse("referrals:mine_filter_save") in page
    response = as_gp.post(
        reverse("referrals:mine_filter_save"),
        {
            "name": "Annulées",
            "query": f"statut=annulees&equipe={scene.team.public_id}&affecte=personne&demandeur=x&apres=y",
        },
    )
    saved = SavedFilter.objects.get(user=scene.gp)
    # Only "Mes demandes"' own, valid filters are kept.
    assert saved.board == SavedFilter.Board.MY_REFERRALS
    assert saved.query == f"statut=annulees&equipe={scene.team.public_id}"
    assert response["Location"] == f"/demandes/mes-demandes/?{saved.query}&filtre={saved.public_id}"
    assert _numbers(as_gp, response["Location"]) == [first.number]
    # Not on the team's dashboard, nor the active file: each list its own.
    assert "Annulées" not in as_gp.get(reverse("referrals:dashboard"), {"tous": "1"}).content.decode()
    assert "Annulées" in as_gp.get(url, {"tous": "1"}).content.decode()
    # The default applies on arrival.
    as_gp.post(reverse("referrals:mine_filter_default", kwargs={"public_id": saved.public_id}))
    arrival = as_gp.get(url)
    assert arrival.status_code == 302 and arrival["Location"].endswith(f"filtre={saved.public_id}")
    assert _numbers(as_gp, url, tous="1") == [second.number, first.number]
    # Someone else (the coordinator) cannot see, make default or delete it; nor can the
    # dashboard's views reach it.
    assert "Annulées" not in as_team.get(url, {"tous": "1"}).content.decode()
    for name in ("referrals:mine_filter_default", "referrals:mine_filter_delete"):
        assert as_team.post(reverse(name, kwargs={"public_id": saved.public_id})).status_code == 404
    for name in ("referrals:filter_default", "referrals:filter_delete"):
        assert as_gp.post(reverse(name, kwargs={"public_id": saved.public_id})).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk, is_default=True).exists()
    deleted = as_gp.post(reverse("referrals:mine_filter_delete", kwargs={"public_id": saved.public_id}))
    assert deleted["Location"] == "/demandes/mes-demandes/?tous=1"
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert as_gp.get(url).status_code == 200
