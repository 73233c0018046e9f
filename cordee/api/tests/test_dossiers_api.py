"""INT-1: dossiers, circle and tasks through the API — the pages' policy, services and rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cordee.api.models import ApiToken
from cordee.api.testing import bearer_client, make_token
from cordee.audit.models import Access
from cordee.patients.models import Patient
from cordee.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac(coordinator, structure):
    return bearer_client(make_token(coordinator, structure=structure, name="DPI du DAC")[1])


def _new(**overrides):
    body = {
        "birth_name": "Martinez",
        "first_name": "Inès",
        "birth_date": "2024-03-02",
        "sex": "F",
        "birth_country_code": "99100",
        "birth_commune": "06088",
        "consent_attested": True,
        "consent_given_by": "PATIENT",
    }
    body.update(overrides)
    return body


def test_search_and_read_go_through_the_policy(dac, dossier, stranger) -> None:
    found = dac.get("/api/v1/dossiers", {"nom": dossier.birth_name[:4]})
    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [str(dossier.public_id)]
    read = dac.get(f"/api/v1/dossiers/{dossier.public_id}")
    assert read.status_code == 200 and read.json()["birth_name"] == dossier.birth_name
    assert Access.objects.filter(patient=dossier, what__contains="DPI du DAC").count() == 2
    outsider = bearer_client(make_token(stranger)[1])
    assert outsider.get("/api/v1/dossiers", {"nom": dossier.birth_name[:4]}).json()["results"] == []
    refused = outsider.get(f"/api/v1/dossiers/{dossier.public_id}")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"
    assert Access.objects.filter(patient=dossier, user=stranger, outcome="NOT_FOUND").exists()


def test_search_filters_are_checked_in_french(dac) -> None:
    response = dac.get("/api/v1/dossiers", {"naissance": "1850-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "naissance"
    assert dac.get("/api/v1/dossiers", {"taille": 1000}).status_code == 422


def test_create_answers_409_with_the_candidates_then_creates_once_they_are_reviewed(dac, dossier) -> None:
    twin = _new(
        birth_name=dossier.birth_name,
        first_name=dossier.first_name,
        birth_date=dossier.birth_date.isoformat(),
        sex=dossier.sex,
        birth_commune=dossier.birth_commune_id or "",
    )
    count = Patient.objects.count()
    conflict = dac.post("/api/v1/dossiers", twin, content_type="application/json")
    assert conflict.status_code == 409, conflict.content
    assert conflict["Content-Type"] == "application/problem+json"
    candidates = conflict.json()["candidates"]
    assert candidates[0]["id"] == str(dossier.public_id) and candidates[0]["may_open"] is True
    assert Patient.objects.count() == count
    twin["reviewed_candidates"] = [c["id"] for c in candidates]
    created = dac.post("/api/v1/dossiers", twin, content_type="application/json")
    assert created.status_code == 201
    assert Patient.objects.count() == count + 1


def test_create_refuses_bad_identity_with_field_errors(dac) -> None:
    count = Patient.objects.count()
    response = dac.post(
        "/api/v1/dossiers",
        _new(birth_name="M4rtinez", consent_attested=False, birth_date="1850-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"birth_name", "birth_date", "consent_attested"} <= fields
    assert all(error["message"] for error in response.json()["errors"])
    assert Patient.objects.count() == count
    missing = dac.post("/api/v1/dossiers", {"birth_name": "X"}, content_type="application/json")
    assert missing.status_code == 422
    assert {"field": "first_name", "message": "Ce champ est obligatoire."} in missing.json()["errors"]


def test_create_needs_a_structure_token_and_write_scope(coordinator, structure) -> None:
    personal = bearer_client(make_token(coordinator)[1])
    assert personal.post("/api/v1/dossiers", _new(), content_type="application/json").status_code == 403
    reader = bearer_client(make_token(coordinator, structure=structure, scope=ApiToken.Scope.READ)[1])
    assert reader.post("/api/v1/dossiers", _new(), content_type="application/json").status_code == 403
    assert not Patient.objects.filter(birth_name="MARTINEZ").exists()
    assert not Patient.objects.filter(birth_name__iexact="martinez").exists()


def test_circle_and_tasks(dac, dossier) -> None:
    circle = dac.get(f"/api/v1/dossiers/{dossier.public_id}/cercle")
    assert circle.status_code == 200 and any(m["is_structure"] for m in circle.json())
    due = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    bad = dac.post(
        f"/api/v1/dossiers/{dossier.public_id}/taches",
        {"label": "", "type": "Inconnu", "level": "Information", "due_at": due},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"label", "type"}
    assert not Task.objects.exists()


def test_a_stale_version_changes_nothing(dac, dossier) -> None:
    due = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    task = dac.post(
        f"/api/v1/dossiers/{dossier.public_id}/taches",
        {"label": "Appeler la PMI", "type": "Relance", "level": "Information", "due_at": due},
        content_type="application/json",
    ).json()
    url = f"/api/v1/dossiers/{dossier.public_id}/taches/{task['id']}/statut"
    stale = dac.post(url, {"status": "IN_PROGRESS", "version": 99}, content_type="application/json")
    assert stale.status_code == 409
    wrong = dac.post(url, {"status": "DONE", "version": task["version"]}, content_type="application/json")
    assert wrong.status_code == 422 and "En cours" in wrong.json()["errors"][0]["message"]
    assert Task.objects.get().status == "TODO"
