"""ACC-8: a structure's "Gestion des équipes ressource" tab and the directory of resource teams."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.accounts.models import Structure
from cordee.audit.models import Access
from cordee.directory.models import ResourceTeam
from cordee.pathways.models import Questionnaire
from cordee.pathways.testing import make_questionnaire
from cordee.territory.models import Commune, Zone
from tests.factories import make_structure

pytestmark = pytest.mark.django_db


def _settings_url(structure: Structure) -> str:
    return reverse("directory:resource_team_settings", kwargs={"public_id": structure.public_id})


def _post(**overrides: str) -> dict[str, str]:
    data = {"is_listed": "oui", "carries_identity": "non", "questionnaire": "", "description": "Appui"}
    data.update(overrides)
    return data


def test_the_super_user_sets_the_team_and_it_is_journaled(structure, coordinator, client_for) -> None:
    version = make_questionnaire(code="demande-dac", title="Demande d'appui")
    client = client_for(coordinator, acting_as=structure)
    page = client.get(_settings_url(structure))
    assert page.status_code == 200
    assert b"Gestion des \xc3\xa9quipes ressource" in page.content
    assert b'maxlength="500"' in page.content  # app.js shows the counter under the box
    response = client.post(
        _settings_url(structure),
        _post(
            questionnaire=str(version.questionnaire.public_id), description="Aide aux situations complexes"
        ),
    )
    assert response.status_code == 302
    team = ResourceTeam.objects.get(structure=structure)
    assert (team.is_listed, team.carries_identity) == (True, False)
    assert team.questionnaire == version.questionnaire
    assert team.description_key == "AIDE AUX SITUATIONS COMPLEXES"
    assert (
        Access.objects.filter(action="resource_team_edit", requested_id=str(structure.public_id)).count() == 1
    )


def test_a_description_over_500_characters_is_refused_in_french(structure, coordinator, client_for) -> None:
    client = client_for(coordinator, acting_as=structure)
    response = client.post(_settings_url(structure), _post(description="x" * 501))
    assert response.status_code == 200
    assert "ne peut dépasser 500 caractères" in response.content.decode()
    assert not ResourceTeam.objects.exists()
    assert client.post(_settings_url(structure), _post(description="x" * 500)).status_code == 302


def test_an_unpublished_questionnaire_cannot_be_chosen(structure, coordinator, client_for) -> None:
    version = make_questionnaire(code="brouillon")
    version.published_at = None
    version.save()
    response = client_for(coordinator, acting_as=structure).post(
        _settings_url(structure), _post(questionnaire=str(version.questionnaire.public_id))
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not ResourceTeam.objects.exists()
    assert Questionnaire.objects.filter(pk=version.questionnaire.pk).exists()


@pytest.mark.parametrize("persona", ["member", "stranger", "coordinator_as_self"])
def test_only_the_super_user_acting_for_the_structure_changes_it(
    persona, structure, coordinator, member, stranger, client_for
) -> None:
    ResourceTeam.objects.create(structure=structure, is_listed=False, description="Avant")
    client = {
        "member": lambda: client_for(member, acting_as=structure),
        "stranger": lambda: client_for(stranger),
        "coordinator_as_self": lambda: client_for(coordinator),
    }[persona]()
    response = client.post(_settings_url(structure), _post(description="Après"))
    assert response.status_code == (404 if persona == "stranger" else 403)
    team = ResourceTeam.objects.get(structure=structure)
    assert (team.is_listed, team.description) == (False, "Avant")
    assert not Access.objects.filter(action="resource_team_edit").exists()


def test_a_member_sees_the_settings_read_only(structure, member, client_for) -> None:
    ResourceTeam.objects.create(structure=structure, is_listed=True, description="Équipe mobile gériatrie")
    response = client_for(member, acting_as=structure).get(_settings_url(structure))
    assert response.status_code == 200
    assert '<form method="post"' not in response.content.decode().split("equipes-titre")[1]
    assert "Équipe mobile gériatrie" in response.content.decode()


def test_the_directory_lists_only_teams_that_chose_to_appear_and_searches(member, client_for) -> None:
    nice = Commune.objects.get(code="06088")
    zone = Zone.objects.create(name="Nice et alentours")
    zone.communes.add(nice)
    dac = make_structure(name="DAC Azur Est", kind=Structure.Kind.DAC, commune=nice)
    camsp = make_structure(name="CAMSP des Collines", kind=Structure.Kind.CAMSP, commune_id="06004")
    hidden = make_structure(name="DAC Caché", kind=Structure.Kind.DAC, commune=nice)
    ResourceTeam.objects.create(structure=dac, is_listed=True, description="Situations complexes, gériatrie")
    ResourceTeam.objects.create(structure=camsp, is_listed=True, description="Dépistage précoce du handicap")
    ResourceTeam.objects.create(structure=hidden, is_listed=False, description="Situations complexes")
    client = client_for(member)
    url = reverse("directory:resource_teams")

    def names(**query: str) -> list[str]:
        return [t.structure.name for t in client.get(url, query).context["page"].object_list]

    assert names() == ["CAMSP des Collines", "DAC Azur Est"]
    assert names(nom="azur") == ["DAC Azur Est"]
    assert names(ville="Nice") == ["DAC Azur Est"]
    assert names(ville="06000") == ["DAC Azur Est"]
    assert names(zone=str(zone.public_id)) == ["DAC Azur Est"]
    assert names(type="CAMSP") == ["CAMSP des Collines"]
    assert names(mots="depistage handicap") == ["CAMSP des Collines"]
    assert names(mots="complexes") == ["DAC Azur Est"]
    page = client.get(url, {"zone": "pas-un-uuid", "type": "INCONNU", "page": "zz"})
    assert page.status_code == 200


def test_the_directory_has_a_constant_query_count(member, client_for, django_assert_max_num_queries) -> None:
    client = client_for(member)
    for i in range(30):
        ResourceTeam.objects.create(structure=make_structure(name=f"Équipe {i:02}"), is_listed=True)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("directory:resource_teams"))
    assert len(first.context["page"].object_list) == 20
    with django_assert_max_num_queries(12):
        client.get(reverse("directory:resource_teams"), {"page": "2"})
