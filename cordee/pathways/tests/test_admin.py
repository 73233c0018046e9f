"""PAR-2: administrators edit questionnaires: a version with an invalid definition is refused
with the problems in French; the publish action publishes; a published version is frozen."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cordee.pathways.models import Questionnaire, QuestionnaireVersion, Theme
from cordee.pathways.testing import SIMPLE_DEFINITION, make_questionnaire
from cordee.pathways.tests.conftest import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user, client_for):
    return client_for(admin_user)


@pytest.fixture
def questionnaire(db) -> Questionnaire:
    return Questionnaire.objects.create(
        code="admin-test", title="Questionnaire admin", theme=Theme.objects.get(code="principal")
    )


def _add(client, questionnaire: Questionnaire, definition: object):
    return client.post(
        reverse("admin:pathways_questionnaireversion_add"),
        {"questionnaire": questionnaire.pk, "definition": json.dumps(definition), "notes": "essai"},
    )


def test_an_invalid_definition_shows_the_problems_in_french(admin_client, questionnaire) -> None:
    bad = {
        "items": [
            {"linkId": "a", "type": "choice", "text": "A"},
            {"linkId": "a", "type": "string", "text": "B"},
        ]
    }
    response = _add(admin_client, questionnaire, bad)
    assert response.status_code == 200
    page = page_of(response)
    assert "« a » : une question à choix doit avoir des options." in page
    assert "« a » : ce linkId est utilisé deux fois." in page
    assert not QuestionnaireVersion.objects.exists()


def test_a_version_is_numbered_drafted_then_published(admin_client, admin_user, questionnaire) -> None:
    assert _add(admin_client, questionnaire, SIMPLE_DEFINITION).status_code == 302
    assert _add(admin_client, questionnaire, SIMPLE_DEFINITION).status_code == 302
    versions = list(QuestionnaireVersion.objects.filter(questionnaire=questionnaire).order_by("number"))
    assert [(v.number, v.is_published, v.created_by) for v in versions] == [
        (1, False, admin_user),
        (2, False, admin_user),
    ]
    assert questionnaire.current_version() is None
    response = admin_client.post(
        reverse("admin:pathways_questionnaireversion_changelist"),
        {"action": "publish", "_selected_action": [versions[1].pk]},
        follow=True,
    )
    assert "est publiée" in page_of(response)
    versions[1].refresh_from_db()
    assert versions[1].is_published and questionnaire.current_version() == versions[1]
    versions[0].refresh_from_db()
    assert not versions[0].is_published


def test_publish_refuses_a_stored_invalid_definition(admin_client, questionnaire) -> None:
    broken = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, definition={"items": []}
    )
    response = admin_client.post(
        reverse("admin:pathways_questionnaireversion_changelist"),
        {"action": "publish", "_selected_action": [broken.pk]},
        follow=True,
    )
    assert "au moins un élément" in page_of(response)
    broken.refresh_from_db()
    assert not broken.is_published


def test_a_published_version_is_read_only_in_the_admin(admin_client) -> None:
    version = make_questionnaire()
    page = page_of(admin_client.get(reverse("admin:pathways_questionnaireversion_change", args=[version.pk])))
    assert 'name="definition"' not in page
    admin_client.post(
        reverse("admin:pathways_questionnaireversion_change", args=[version.pk]),
        {
            "questionnaire": version.questionnaire.pk,
            "definition": json.dumps({"items": [{"linkId": "x", "type": "string", "text": "X"}]}),
            "notes": "changé",
        },
    )
    version.refresh_from_db()
    assert version.definition == SIMPLE_DEFINITION and version.notes == ""


def test_a_published_version_cannot_be_changed_by_the_model(db) -> None:
    version = make_questionnaire()
    version.definition = {"items": [{"linkId": "x", "type": "string", "text": "X"}]}
    with pytest.raises(ValidationError, match="Une version publiée ne se modifie pas"):
        version.save()
    version.refresh_from_db()
    assert version.definition == SIMPLE_DEFINITION
    # Saving it unchanged (e.g. its notes) is allowed.
    version.notes = "précision"
    version.save()


def test_an_unpublished_version_can_be_changed(db, questionnaire) -> None:
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, definition=SIMPLE_DEFINITION
    )
    version.definition = {"items": [{"linkId": "x", "type": "string", "text": "X"}]}
    version.save()
    version.refresh_from_db()
    assert version.definition["items"][0]["linkId"] == "x"


def test_model_clean_reports_definition_problems(questionnaire) -> None:
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=1,
        definition={"items": [{"linkId": "a", "type": "x", "text": "A"}]},
    )
    with pytest.raises(ValidationError) as caught:
        version.clean()
    assert "type « x » inconnu" in str(caught.value.message_dict["definition"])


def test_non_staff_cannot_reach_the_admin(coordinator, client_for) -> None:
    response = client_for(coordinator).get(reverse("admin:pathways_questionnaireversion_add"))
    assert response.status_code in (302, 403)
