"""DEM-1: a request's life, step by step, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.notifications.models import Notification
from cordee.pathways.testing import make_questionnaire
from cordee.patients.models import Consent, Patient
from cordee.patients.testing import create_test_patient
from cordee.referrals.models import Change, Motif, Referral, Step
from cordee.referrals.tests.conftest import Scene

pytestmark = pytest.mark.django_db(transaction=False)

DEFINITION = {
    "items": [
        {"linkId": "urgence", "type": "boolean", "text": "Situation urgente", "required": True},
        {"linkId": "aidant", "type": "string", "text": "Aidant principal"},
    ]
}


def _new_url(scene: Scene, **query: str) -> str:
    url = reverse("referrals:new", kwargs={"team_id": scene.team.public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _post(**overrides: Any) -> dict[str, Any]:
    data = {
        "motif": str(Motif.objects.get(code="situation-complexe").pk),
        "detail": "Maintien à domicile difficile",
    }
    data.update(overrides)
    return data


def _send(client: Any, scene: Scene, **overrides: Any) -> Referral:
    response = client.post(_new_url(scene), _post(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Referral.objects.latest("number")


def _act(client: Any, referral: Referral, action: str, **data: Any) -> Any:
    referral.refresh_from_db()
    return client.post(
        reverse("referrals:act", kwargs={"public_id": referral.public_id}),
        {"action": action, "version": referral.version, **data},
    )


@pytest.fixture
def sent(scene: Scene, as_gp: Any, django_capture_on_commit_callbacks: Any) -> Referral:
    with django_capture_on_commit_callbacks(execute=True):
        return _send(as_gp, scene, birth_name="Bernard", first_name="Anne", birth_date="02/05/1940", sex="F")


def test_a_request_with_traits_gets_a_sequential_number_and_tells_the_team(
    scene: Scene, sent: Referral, as_gp
) -> None:
    assert sent.number == 1
    assert (sent.birth_name, sent.first_name, str(sent.birth_date), sent.sex) == (
        "Bernard",
        "Anne",
        "1940-05-02",
        "F",
    )
    assert sent.step.code == "sollicitation" and sent.status == Referral.Status.OPEN
    assert sent.requester == scene.gp and sent.requester_structure == scene.practice
    assert list(Change.objects.filter(referral=sent).values_list("what", flat=True)) == ["Demande envoyée"]
    told = set(Notification.objects.filter(kind="REFERRAL_NEW").values_list("recipient__username", flat=True))
    assert told == {"coordinatrice", "membre"}
    assert _send(as_gp, scene).number == 2


def test_a_pseudonymous_request_when_the_team_does_not_carry_the_identity(scene: Scene, as_gp) -> None:
    scene.settings.carries_identity = False
    scene.settings.save()
    page = as_gp.get(_new_url(scene))
    assert 'name="birth_name"' not in page.content.decode()
    referral = _send(as_gp, scene)
    assert referral.is_pseudonymous and referral.patient_label == "Demande anonymisée"


def test_traits_posted_to_a_team_without_identity_are_refused(scene: Scene, as_gp) -> None:
    scene.settings.carries_identity = False
    scene.settings.save()
    response = as_gp.post(
        _new_url(scene), _post(birth_name="Bernard", first_name="Anne", birth_date="02/05/1940")
    )
    # The form has no such fields: they are ignored by the form, and the service never gets them.
    assert response.status_code == 302
    assert Referral.objects.get().birth_name == ""
    patient = create_test_patient(scene.gp, scene.practice)
    response = as_gp.post(_new_url(scene, dossier=str(patient.public_id)), _post())
    assert response.status_code == 400
    assert "reçoit des demandes sans" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_request_about_a_dossier_reads_it_through_the_policy(scene: Scene, as_gp, client_for) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    referral = _send(as_gp, scene) if False else None
    response = as_gp.post(_new_url(scene, dossier=str(patient.public_id)), _post())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.patient == patient and referral.birth_name == ""
    # Someone who may not see the dossier cannot send a request naming it.
    outsider = client_for(scene.member)
    assert outsider.post(_new_url(scene, dossier=str(patient.public_id)), _post()).status_code == 404
    assert Referral.objects.count() == 1


def test_incomplete_traits_and_missing_fields_get_french_messages(scene: Scene, as_gp) -> None:
    response = as_gp.post(_new_url(scene), {"motif": "", "detail": "", "birth_name": "Bernard"})
    text = response.content.decode()
    assert "Choisissez le motif de la demande." in text
    assert "Décrivez la demande." in text
    assert "ou aucun (demande anonymisée)" in text
    assert not Referral.objects.exists()


def test_the_team_questionnaire_is_answered_and_validated(scene: Scene, as_gp) -> None:
    version = make_questionnaire(code="demande-appui", definition=DEFINITION, title="Formulaire d'appui")
    scene.settings.questionnaire = version.questionnaire
    scene.settings.save()
    page = as_gp.get(_new_url(scene))
    assert "Situation urgente" in page.content.decode()
    missing = as_gp.post(_new_url(scene), _post())
    assert missing.status_code == 200 and not Referral.objects.exists()
    tampered = as_gp.post(_new_url(scene), _post(**{"q-urgence": "oui", "q-inconnu": "x"}))
    assert tampered.status_code == 400 and not Referral.objects.exists()
    referral = _send(as_gp, scene, **{"q-urgence": "oui", "q-aidant": "Sa fille"})
    assert referral.answers == {"urgence": True, "aidant": "Sa fille"}
    assert referral.questionnaire_version == version


def test_an_unlisted_team_receives_no_request(scene: Scene, as_gp) -> None:
    scene.settings.is_listed = False
    scene.settings.save()
    assert as_gp.get(_new_url(scene)).status_code == 404
    assert as_gp.post(_new_url(scene), _post()).status_code == 404
    assert not Referral.objects.exists()


def test_the_team_runs_the_request_step_by_step(
    scene: Scene, sent: Referral, as_team, as_gp, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(as_team, sent, "answer", answer="Nous appelons la patiente demain.").status_code == 302
    sent.refresh_from_db()
    assert sent.answer and sent.answered_at and sent.step.code == "reponse-dac"
    assert Notification.objects.filter(kind="REFERRAL_ANSWERED", recipient=scene.gp).count() == 1
    _act(as_team, sent, "next")
    sent.refresh_from_db()
    assert sent.step.code == "evaluation"
    _act(as_team, sent, "previous")
    sent.refresh_from_db()
    assert sent.step.code == "reponse-dac"
    _act(
        as_team, sent, "handling", assignee=str(scene.member.public_id), external="on", service="em-geriatrie"
    )
    sent.refresh_from_db()
    assert sent.specialised_service is not None
    assert (sent.assignee, sent.external, sent.specialised_service.code) == (
        scene.member,
        True,
        "em-geriatrie",
    )
    _act(as_team, sent, "validate")
    sent.refresh_from_db()
    assert sent.status == Referral.Status.VALIDATED
    for _ in range(5):
        _act(as_team, sent, "next")
    sent.refresh_from_db()
    assert sent.step == Step.objects.order_by("ordering").last()
    _act(as_team, sent, "cancel", reason="Doublon d'une autre demande")
    sent.refresh_from_db()
    assert sent.status == Referral.Status.CANCELLED and sent.cancel_reason == "Doublon d'une autre demande"
    history = list(Change.objects.filter(referral=sent).values_list("what", flat=True))
    assert history[0] == "Demande envoyée" and history[-1].startswith("Demande annulée")
    assert (
        "Prise en charge : affectée à MEMBRE Marc, externe au DAC, "
        "service spécialisé : Équipe mobile de gériatrie" in history
    )
    actions = set(Access.objects.filter(requested_id=str(sent.public_id)).values_list("action", flat=True))
    assert {
        "referral_create",
        "referral_answer",
        "referral_step",
        "referral_assign",
        "referral_cancel",
    } <= actions
    # A cancelled request moves no more.
    before = sent.version
    _act(as_team, sent, "next")
    sent.refresh_from_db()
    assert sent.version == before


def test_a_stale_version_changes_nothing(scene: Scene, sent: Referral, as_team) -> None:
    response = as_team.post(
        reverse("referrals:act", kwargs={"public_id": sent.public_id}),
        {"action": "next", "version": sent.version + 5},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.step.code == "sollicitation" and sent.version == 1


def test_cancelling_needs_a_reason_and_assignment_a_team_member(
    scene: Scene, sent: Referral, as_team, stranger
) -> None:
    _act(as_team, sent, "cancel", reason="  ")
    _act(as_team, sent, "handling", assignee=str(stranger.public_id))
    _act(as_team, sent, "handling", assignee=str(scene.gp.public_id))
    sent.refresh_from_db()
    assert sent.status == Referral.Status.OPEN and sent.assignee is None and sent.version == 1


@pytest.mark.parametrize("action", ["answer", "next", "validate", "cancel", "handling"])
def test_the_requester_and_outsiders_cannot_act(
    scene: Scene, sent: Referral, action, as_gp, client_for, stranger
) -> None:
    data = {"answer": "x", "reason": "x", "assignee": ""}
    assert _act(as_gp, sent, action, **data).status_code == 403
    assert _act(client_for(stranger), sent, action, **data).status_code == 404
    # The coordinator acting as themself, not for the team: the request is not theirs.
    assert _act(client_for(scene.coordinator), sent, action, **data).status_code == 404
    sent.refresh_from_db()
    assert sent.version == 1 and sent.status == Referral.Status.OPEN and not sent.answer


def test_the_request_is_seen_by_the_team_and_the_requester_only(
    scene: Scene, sent: Referral, as_gp, as_team, client_for, stranger
) -> None:
    url = reverse("referrals:detail", kwargs={"public_id": sent.public_id})
    assert "BERNARD Anne" in as_team.get(url).content.decode()
    assert "BERNARD Anne" in as_gp.get(url).content.decode()
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(scene.coordinator).get(url).status_code == 404  # not acting for the team
    assert Access.objects.filter(action="referral_read", requested_id=str(sent.public_id)).count() == 2


def test_taking_on_a_dossier_joins_the_circle_with_consent(scene: Scene, as_gp, as_team) -> None:
    patient = create_test_patient(scene.gp, scene.practice)
    as_gp.post(_new_url(scene, dossier=str(patient.public_id)), _post())
    referral = Referral.objects.get()
    url = reverse("referrals:take_on", kwargs={"public_id": referral.public_id})
    as_team.post(url, {"version": referral.version})  # no attestation: refused
    assert not CircleMember.objects.filter(patient=patient, structure=scene.team).exists()
    response = as_team.post(
        url,
        {"version": referral.version, "consentement-attestation": "on", "consentement-given_by": "PATIENT"},
    )
    assert response.status_code == 302
    assert CircleMember.objects.filter(patient=patient, structure=scene.team, is_habilitated=True).exists()
    assert Consent.objects.filter(patient=patient, structure=scene.team).exists()
    # Now the team opens the dossier through the policy.
    assert as_team.get(reverse("patients:detail", kwargs={"public_id": patient.public_id})).status_code == 200


def test_creating_the_patient_from_a_request_goes_through_the_search(
    scene: Scene, sent: Referral, as_team
) -> None:
    response = as_team.post(reverse("referrals:take_on", kwargs={"public_id": sent.public_id}))
    assert response.status_code == 302 and response["Location"] == reverse("patients:search_before_create")
    assert "Bernard" not in response["Location"]
    # The traits are offered, not searched: the creation form is still closed.
    page = as_team.get(reverse("patients:search_before_create"))
    assert 'value="Bernard"' in page.content.decode() and 'value="1940-05-02"' in page.content.decode()
    assert as_team.get(reverse("patients:create")).status_code == 302
    traits = {
        "birth_name": "Bernard",
        "first_name": "Anne",
        "birth_date": "1940-05-02",
        "sex": "F",
        "birth_country_code": "99100",
        "birth_commune": "06088",
    }
    searched = as_team.post(reverse("patients:search_before_create"), traits)
    assert searched.status_code == 200
    created = as_team.post(
        reverse("patients:create"),
        {
            **traits,
            "commune": "06088",
            "identity_status": "PROV",
            "consentement-attestation": "on",
            "consentement-given_by": "PATIENT",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    patient = Patient.objects.get(birth_name="Bernard")
    sent.refresh_from_db()
    assert sent.patient == patient
    assert "Dossier créé depuis la demande" in Change.objects.filter(referral=sent).values_list(
        "what", flat=True
    )


def test_a_duplicate_is_proposed_not_created(scene: Scene, as_gp, as_team) -> None:
    existing = create_test_patient(scene.coordinator, scene.team, birth_name="Bernard", first_name="Anne")
    referral = _send(
        as_gp,
        scene,
        birth_name="Bernard",
        first_name="Anne",
        birth_date=existing.birth_date.isoformat(),
        sex="F",
    )
    as_team.post(reverse("referrals:take_on", kwargs={"public_id": referral.public_id}))
    traits = {
        "birth_name": "Bernard",
        "first_name": "Anne",
        "birth_date": existing.birth_date.isoformat(),
        "sex": "F",
        "birth_country_code": "99100",
        "birth_commune": "06088",
    }
    page = as_team.post(reverse("patients:search_before_create"), traits)
    assert page.context["candidates"] and page.context["candidates"][0].patient == existing
    assert Patient.objects.filter(birth_name="Bernard").count() == 1
