"""The URL walk for the API (SEC-1): every operation of the OpenAPI schema, called with no token,
a stranger's token and the token of an unprivileged member listed in the circle without
habilitation (acting as their structure): the API refuses them exactly as the pages do —
404 for whoever is outside the circle, 403 for a member lacking the right — and a refused
write changes nothing."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cordee.accounts.models import Membership
from cordee.api.testing import bearer_client, make_token
from cordee.api.v1 import api
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.documents.checks import check_upload
from cordee.documents.models import Document, DocumentCategory
from cordee.documents.services import add_documents
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskLevel, TaskType

pytestmark = pytest.mark.django_db
DUE = "2030-01-02T09:30:00+01:00"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"

# (method, path): (no token, stranger's token, member's token), and the body sent.
API_REGISTRY: dict[tuple[str, str], tuple[tuple[int, int, int], dict[str, Any]]] = {
    ("get", "/api/v1/moi"): ((401, 200, 200), {}),
    ("get", "/api/v1/dossiers"): ((401, 200, 200), {}),
    ("post", "/api/v1/dossiers"): (
        (401, 403, 409),  # the stranger acts as themself; the member meets the dossier as a twin
        {
            "birth_name": "Walk",
            "first_name": "Lou",
            "birth_date": "2024-01-02",
            "sex": "F",
            "birth_commune": "06088",
            "consent_attested": True,
            "consent_given_by": "PATIENT",
        },
    ),
    ("get", "/api/v1/dossiers/{dossier_id}"): ((401, 404, 403), {}),
    ("get", "/api/v1/dossiers/{dossier_id}/cercle"): ((401, 404, 403), {}),
    ("get", "/api/v1/dossiers/{dossier_id}/taches"): ((401, 404, 403), {}),
    ("post", "/api/v1/dossiers/{dossier_id}/taches"): (
        (401, 404, 403),
        {"label": "Intrus", "type": "Relance", "level": "Information", "due_at": DUE},
    ),
    ("post", "/api/v1/dossiers/{dossier_id}/taches/{task_id}/statut"): (
        (401, 404, 403),
        {"status": "IN_PROGRESS", "version": 1},
    ),
    ("get", "/api/v1/dossiers/{dossier_id}/formulaires"): ((401, 404, 403), {}),
    ("get", "/api/v1/dossiers/{dossier_id}/formulaires/{form_id}"): ((401, 404, 403), {}),
    ("get", "/api/v1/dossiers/{dossier_id}/documents"): ((401, 404, 403), {}),
    ("post", "/api/v1/dossiers/{dossier_id}/documents"): (
        (401, 404, 403),
        {"category": "COORDINATION", "title": "Intrus", "document_date": "2026-01-02", "files": "PDF"},
    ),
    ("get", "/api/v1/dossiers/{dossier_id}/documents/{document_id}/fichier"): ((401, 404, 403), {}),
    ("get", "/api/v1/dossiers/{dossier_id}/rendez-vous"): ((401, 404, 403), {}),
}


def _operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method, path) for path, ops in schema["paths"].items() for method in ops}


def test_every_api_operation_is_in_the_walk() -> None:
    assert _operations() == set(API_REGISTRY)


@pytest.fixture
def walk_world(coordinator, maternity, member, structure, dossier_of_other_structure):
    patient = dossier_of_other_structure
    patient.birth_name, patient.first_name = "Walk", "Lou"
    patient.birth_date, patient.sex = datetime.date(2024, 1, 2), "F"
    patient.save()
    CircleMember.objects.create(patient=patient, user=member, is_habilitated=False)
    task = Task.objects.create(
        patient=patient,
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Information"),
        label="Appeler la famille",
        due_at=timezone.now(),
    )
    form = make_form(make_questionnaire(), patient, {"poids": 4})
    upload = SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")
    checked, _ = check_upload(upload)
    assert checked is not None
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=maternity))
    (document,) = add_documents(
        actor,
        patient,
        [(upload, checked)],
        category=DocumentCategory.objects.get(code="COORDINATION"),
        doc_type=None,
        title="Fiche",
        document_date=datetime.date(2026, 1, 2),
        visibility=Document.Visibility.PUBLIC,
    )
    return patient, task, form, document


@pytest.mark.parametrize(("method", "path"), sorted(API_REGISTRY))
def test_each_persona_s_token(method: str, path: str, walk_world, stranger, member, structure) -> None:
    patient, task, form, document = walk_world
    (none, strange, listed), body = API_REGISTRY[(method, path)]
    url = path.format(
        dossier_id=patient.public_id,
        task_id=task.public_id,
        form_id=form.public_id,
        document_id=document.public_id,
    )
    before = _state()
    clients = [
        (bearer_client(""), none),
        (bearer_client(make_token(stranger)[1]), strange),
        (bearer_client(make_token(member, structure=structure)[1]), listed),
    ]
    for client, expected in clients:
        if method == "get":
            response = client.get(url)
        elif "files" in body:  # multipart, as a document upload is sent
            upload = SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")
            response = client.post(url, {**body, "files": upload})
        else:
            response = client.post(url, body, content_type="application/json")
        assert response.status_code == expected, (method, path, expected, response.content[:300])
        if expected >= 400:
            assert response["Content-Type"] == "application/problem+json"
        assert "no-store" in response["Cache-Control"]
    assert _state() == before


def _state() -> tuple[int, ...]:
    return (
        Patient.objects.count(),
        Task.objects.count(),
        Task.objects.get().version,
        Document.objects.count(),
    )


def test_an_unknown_or_malformed_id_is_404(member, structure) -> None:
    client = bearer_client(make_token(member, structure=structure)[1])
    for dossier_id in (uuid.uuid4(), "pas-un-uuid"):
        response = client.get(f"/api/v1/dossiers/{dossier_id}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
