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
    # 18, and the saved filters (DEM-2): the menu and its default, read in one query; and, for
    # the dashboard at scale (bench/referrals.py), the page's ids chosen apart from its rows,
    # the step and the commune read apart (PostgreSQL planned nine joins slower than it read).
    with django_assert_max_num_queries(22):
        as_team.get(reverse("referrals:dashboard"))
    _make(scene, 30)
    with django_assert_max_num_queries(22):
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
    assert response.context["page"].paginator.count == 4
    assert "Plus de 10 000 demandes" in response.content.decode()
    assert len(response.context["page"].object_list) == 4
    monkeypatch.setattr(dashboard, "COUNT_CAP", 10)
    text = as_team.get(reverse("referrals:dashboard")).content.decode()
    assert "5 demandes" in text
