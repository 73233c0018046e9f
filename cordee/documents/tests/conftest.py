"""Personas of the documents space: the coordinator acting as the DAC (author), a physician and
a social worker habilitated in the circle, a structure whose delegates act for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.documents import services
from cordee.documents.checks import check_upload
from cordee.documents.models import Document, DocumentCategory, DocumentType
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu de consultation\n"


def pdf(name: str = "compte-rendu.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


@pytest.fixture
def in_circle(dossier: Patient) -> Callable[..., User]:
    """A professional of the given profession, habilitated in the dossier's circle."""

    def make(username: str, profession: str = "medecin", **row: Any) -> User:
        user = make_user(username=username, profession=Profession.objects.get(code=profession))
        accept_current_terms(user)
        CircleMember.objects.create(patient=dossier, user=user, is_habilitated=True, **row)
        return user

    return make


@pytest.fixture
def physician(in_circle: Callable[..., User]) -> User:
    return in_circle("pediatre", "medecin", establishment="Cabinet")


@pytest.fixture
def social_worker(in_circle: Callable[..., User]) -> User:
    return in_circle("assistante-sociale", "assistant-service-social")


@pytest.fixture
def pmi(dossier: Patient) -> Structure:
    """A structure of the circle, habilitated; its delegates act for it."""
    pmi = make_structure(name="PMI de Nice", kind=Structure.Kind.DAC)
    CircleMember.objects.create(patient=dossier, structure=pmi, is_habilitated=True)
    return pmi


@pytest.fixture
def pmi_nurse(pmi: Structure) -> User:
    user = make_user(
        username="puericultrice", profession=Profession.objects.get(code="infirmier-puericulteur")
    )
    make_membership(user=user, structure=pmi, role=Membership.Role.USER)
    accept_current_terms(user)
    return user


def category(code: str) -> DocumentCategory:
    return DocumentCategory.objects.get(code=code)


def doc_type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


@pytest.fixture
def add(actor: Actor, dossier: Patient) -> Callable[..., Document]:
    """Adds one document through the service, as the coordinator acting as the DAC."""

    def make(
        title: str = "Compte rendu de consultation",
        code: str = "10",
        type_code: str | None = "11488-4",
        visibility: str = Document.Visibility.PUBLIC,
        recipients: tuple[CircleMember, ...] = (),
        upload: SimpleUploadedFile | None = None,
        who: Actor | None = None,
        **kwargs: Any,
    ) -> Document:
        upload = upload or pdf()
        checked, error = check_upload(upload)
        assert checked is not None, error
        import datetime

        (document,) = services.add_documents(
            who or actor,
            dossier,
            [(upload, checked)],
            category=category(code),
            doc_type=doc_type(type_code) if type_code else None,
            title=title,
            document_date=kwargs.get("document_date", datetime.date(2026, 3, 2)),
            visibility=visibility,
            recipients=recipients,
        )
        return document

    return make
