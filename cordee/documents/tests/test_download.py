"""PAR-4: a document of the dossier is downloaded through the access policy and journaled;
strangers get 404, unhabilitated members 403, another dossier's document does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.documents.models import Document
from cordee.pathways import services
from cordee.pathways.testing import make_questionnaire
from cordee.patients.testing import create_test_patient

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 compte rendu de consultation"


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def actor(coordinator, structure):
    from cordee.accounts.models import Membership
    from cordee.core.actor import Actor

    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


@pytest.fixture
def document(actor, dossier) -> Document:
    version = make_questionnaire()
    pdf = SimpleUploadedFile("Compte rendu Martin.pdf", CONTENT, content_type="application/pdf")
    services.save_form(actor, dossier, version, version.questionnaire.theme, {}, {"q-piece": pdf})
    return Document.objects.get(patient=dossier)


def _url(patient: Any, document: Document) -> str:
    return reverse(
        "documents:download", kwargs={"public_id": patient.public_id, "document_id": document.public_id}
    )


def test_download_serves_the_file_as_an_attachment_and_journals_it(acting, dossier, document) -> None:
    response = acting.get(_url(dossier, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "Compte rendu Martin.pdf" in response["Content-Disposition"]
        or "Compte%20rendu%20Martin.pdf" in response["Content-Disposition"]
    )
    assert Access.objects.filter(
        patient=dossier,
        action="view_documents",
        outcome=Access.Outcome.ALLOWED,
        what=f"document {document.public_id}",
    ).exists()


def test_a_stranger_gets_404_and_the_knock_is_journaled(dossier, document, stranger, client_for) -> None:
    assert client_for(stranger).get(_url(dossier, document)).status_code == 404
    assert Access.objects.filter(user=stranger, patient=dossier, outcome=Access.Outcome.NOT_FOUND).exists()


def test_an_unhabilitated_member_gets_403(dossier, document, member, client_for) -> None:
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    assert client_for(member).get(_url(dossier, document)).status_code == 403


def test_without_the_documents_section_the_member_gets_403(acting, dossier, document) -> None:
    RightsRule.objects.filter(section=Section.DOCUMENTS).delete()
    assert acting.get(_url(dossier, document)).status_code == 403


def test_another_dossiers_document_does_not_exist_here(acting, dossier, document) -> None:
    other = create_test_patient(dossier.created_by, dossier.created_by_structure, birth_name="Autre")
    assert acting.get(_url(other, document)).status_code == 404


def test_a_withdrawn_document_is_not_served(acting, dossier, document) -> None:
    document.withdrawn_at = timezone.now()
    document.save()
    assert acting.get(_url(dossier, document)).status_code == 404


def test_the_file_on_disk_does_not_carry_the_patients_name(document) -> None:
    assert "Martin" not in document.file.name and document.file.name.startswith("documents/")
    assert document.sha256 and len(document.sha256) == 64
