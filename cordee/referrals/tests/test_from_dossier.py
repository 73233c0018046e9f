"""DEM-1: "Faire une demande" from a dossier — the dossier travels to the team's form, read at each
step through the access policy — and the request form's commune (the dashboard's zone)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cordee.audit.models import Access
from cordee.patients.testing import create_test_patient
from cordee.referrals.models import Motif, Referral
from cordee.referrals.tests.conftest import Scene
from cordee.territory.models import Commune, Zone

pytestmark = pytest.mark.django_db


def _teams_url(dossier: Any) -> str:
    return f"{reverse('directory:resource_teams')}?dossier={dossier.public_id}"


def _new_url(scene: Scene, dossier: Any = None) -> str:
    url = reverse("referrals:new", kwargs={"team_id": scene.team.public_id})
    return f"{url}?dossier={dossier.public_id}" if dossier is not None else url


def _post(**overrides: Any) -> dict[str, Any]:
    return {
        "motif": str(Motif.objects.get(code="situation-complexe").pk),
        "detail": "Retour à domicile à organiser",
        **overrides,
    }


def test_the_dossier_page_offers_a_request_about_it(scene: Scene, as_gp) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    page = as_gp.get(reverse("patients:detail", kwargs={"public_id": patient.public_id})).content.decode()
    assert "Faire une demande" in page
    assert f'href="{reverse("directory:resource_teams")}?dossier={patient.public_id}"' in page


def test_the_directory_carries_the_dossier_to_the_teams_form(scene: Scene, as_gp) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    page = as_gp.get(_teams_url(patient))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Demande pour le dossier de" in text and "MARTIN" in text.upper()
    assert f"{_new_url(scene)}?dossier={patient.public_id}" in text
    # The search keeps the dossier (hidden field), and the htmx partial carries it too.
    assert f'name="dossier" value="{patient.public_id}"' in text
    partial = as_gp.get(_teams_url(patient), headers={"HX-Request": "true"}).content.decode()
    assert f"?dossier={patient.public_id}" in partial
    assert Access.objects.filter(patient=patient, what="demande", outcome=Access.Outcome.ALLOWED).exists()

    form = as_gp.get(_new_url(scene, patient)).content.decode()
    assert f'name="dossier" value="{patient.public_id}"' in form
    # The dossier's commune is the request's: no commune asked.
    assert 'name="commune"' not in form
    response = as_gp.post(_new_url(scene, patient), _post())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.patient == patient and referral.commune_id == patient.commune_id


def test_a_team_without_identity_gets_an_anonymised_request_not_the_dossier(scene: Scene, as_gp) -> None:
    scene.settings.carries_identity = False
    scene.settings.save()
    patient = create_test_patient(scene.gp, scene.practice)
    text = as_gp.get(_teams_url(patient)).content.decode()
    assert f"?dossier={patient.public_id}" not in text.split("resultats", 1)[1]
    assert "Faire une demande anonymisée" in text
    form = as_gp.get(_new_url(scene, patient)).content.decode()
    assert "une demande rattachée à un dossier ne peut pas lui être envoyée" in form


def test_only_viewers_of_the_dossier_reach_it_through_the_directory(
    scene: Scene, client_for, stranger
) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    outsider = client_for(stranger)
    assert outsider.get(_teams_url(patient)).status_code == 404
    assert Access.objects.filter(
        patient=patient, user=stranger, outcome=Access.Outcome.NOT_FOUND, what="demande"
    ).exists()
    assert outsider.get(reverse("directory:resource_teams") + "?dossier=pas-un-uuid").status_code == 404
    # Without a dossier, the directory is everyone's.
    assert outsider.get(reverse("directory:resource_teams")).status_code == 200


def test_the_requester_gives_the_commune_of_a_patient_without_dossier(scene: Scene, as_gp, as_team) -> None:
    zone = Zone.objects.create(name="EA-Bevera")
    zone.communes.add(Commune.objects.get(code="06088"))
    form = as_gp.get(_new_url(scene)).content.decode()
    assert 'name="commune"' in form and "Commune de résidence du patient" in form
    refused = as_gp.post(_new_url(scene), _post(commune="00000"))
    assert refused.status_code == 200
    assert "Commune inconnue : recherchez-la par son nom ou son code postal." in refused.content.decode()
    assert not Referral.objects.exists()
    assert as_gp.post(_new_url(scene), _post(commune="06088")).status_code == 302
    referral = Referral.objects.get()
    assert referral.commune_id == "06088" and referral.is_pseudonymous
    # The team sees the zone on its dashboard, and filters by it.
    board = as_team.get(reverse("referrals:dashboard"), {"zone": str(zone.public_id)})
    assert [r.number for r in board.context["page"].object_list] == [referral.number]
    assert "EA-Bevera" in board.content.decode()
