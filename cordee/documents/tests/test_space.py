"""ACT-4, the documents space: adding, listing, filtering, downloading — and every refusal:
per-category rights of the matrix, the "Partagé" visibility (recipients, structure delegates,
refused sharing, habilitation removed), outsiders, disguised or oversized files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.documents.models import Document, DocumentShare
from cordee.documents.tests.conftest import PDF, category, doc_type, pdf

pytestmark = pytest.mark.django_db


def url(name: str, dossier: Any, document: Document | None = None) -> str:
    kwargs: dict[str, Any] = {"public_id": dossier.public_id}
    if document is not None:
        kwargs["document_id"] = document.public_id
    return reverse(f"documents:{name}", kwargs=kwargs)


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _post(client, dossier, **overrides: Any):
    data: dict[str, Any] = {
        "uploads": pdf("Fiche orientation Martin.pdf"),
        "category": category("COORDINATION").pk,
        "doc_type": doc_type("FICHE-ORIENTATION").pk,
        "title": "Fiche d'orientation vers le CAMSP",
        "document_date": "2026-03-02",
        "visibility": "PUBLIC",
    }
    data.update(overrides)
    return client.post(url("add", dossier), {k: v for k, v in data.items() if v is not None})


# --- adding ----------------------------------------------------------------------------------


def test_a_document_is_added_listed_journaled_and_told_to_the_feed(acting, dossier, coordinator) -> None:
    response = _post(acting, dossier)
    assert response.status_code == 302 and response["Location"] == url("tab", dossier)
    document = Document.objects.get(patient=dossier)
    assert document.doc_type is not None
    assert (document.title, document.category.code, document.doc_type.code) == (
        "Fiche d'orientation vers le CAMSP",
        "COORDINATION",
        "FICHE-ORIENTATION",
    )
    assert document.document_date == datetime.date(2026, 3, 2)
    assert document.source == Document.Source.UPLOAD and document.created_by == coordinator
    assert document.version == 1 and document.is_current and document.lineage == document.public_id
    event = Event.objects.get(patient=dossier, kind=Event.Kind.DOCUMENT_ADDED)
    assert event.data["document"] == str(document.public_id) and event.data["category"] == "COORDINATION"
    assert Access.objects.filter(
        patient=dossier, action="add_document", what=f"document {document.public_id}"
    )
    page = acting.get(url("tab", dossier)).content.decode()
    assert "Fiche d&#x27;orientation vers le CAMSP" in page and "Fiche orientation Martin.pdf" in page


def test_several_files_make_several_documents(acting, dossier) -> None:
    response = _post(acting, dossier, uploads=[pdf("a.pdf"), pdf("b.pdf")])
    assert response.status_code == 302
    assert sorted(Document.objects.values_list("title", flat=True)) == [
        "Fiche d'orientation vers le CAMSP — a.pdf",
        "Fiche d'orientation vers le CAMSP — b.pdf",
    ]
    assert Event.objects.filter(kind=Event.Kind.DOCUMENT_ADDED).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"uploads": None}, "uploads", "Veuillez choisir au moins un fichier."),
        ({"title": "  "}, "title", "Veuillez indiquer le titre du document."),
        ({"title": "x" * 201}, "title", "Assurez-vous"),
        ({"category": ""}, "category", "Veuillez choisir la catégorie du document."),
        ({"category": "99999999999999999999999"}, "category", "Choisissez une catégorie de la liste."),
        ({"doc_type": "11488"}, "doc_type", "Choisissez un type de la liste."),
        ({"document_date": "0001-01-01"}, "document_date", "Veuillez indiquer une date entre le 01/01/1900"),
        ({"document_date": "2999-01-01"}, "document_date", "Veuillez indiquer une date entre le 01/01/1900"),
        ({"visibility": "SHARED"}, "recipients", "Choisissez au moins un destinataire"),
        ({"visibility": "SECRET"}, "visibility", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_a_french_message_beside_the_field_and_nothing_is_written(
    acting, dossier, overrides, field, message
) -> None:
    response = _post(acting, dossier, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors), errors
    assert not Document.objects.exists() and not Event.objects.filter(kind=Event.Kind.DOCUMENT_ADDED).exists()


def test_a_type_of_another_category_is_refused(acting, dossier) -> None:
    response = _post(acting, dossier, doc_type=doc_type("11488-4").pk)
    assert response.context["form"].errors["doc_type"] == ["Ce type n'appartient pas à la catégorie choisie."]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ],
)
def test_html_or_svg_named_pdf_is_refused(acting, dossier, content) -> None:
    response = _post(
        acting, dossier, uploads=SimpleUploadedFile("cr.pdf", content, content_type="application/pdf")
    )
    assert response.status_code == 200 and response.context["form"].errors["uploads"]
    assert not Document.objects.exists()


@pytest.fixture
def on_disk(settings, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_an_oversized_file_is_refused_with_nothing_written(acting, dossier, settings, on_disk) -> None:
    settings.CORDEE_MAX_UPLOAD_BYTES = 1024
    response = _post(acting, dossier, uploads=pdf("gros.pdf", PDF + b"0" * 2048))
    assert (
        "gros.pdf : Le fichier dépasse la taille maximale de 1 Ko."
        in response.context["form"].errors["uploads"]
    )
    assert not Document.objects.exists() and _files(on_disk) == []


def test_a_failed_write_removes_the_file_it_stored(acting, dossier, on_disk, monkeypatch) -> None:
    from cordee.documents import services

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "document_added", broken)
    with pytest.raises(RuntimeError):
        _post(acting, dossier)
    assert not Document.objects.exists() and _files(on_disk) == []


def test_the_stored_file_lies_under_a_random_key(acting, dossier, on_disk) -> None:
    _post(acting, dossier)
    (stored,) = _files(on_disk)
    assert "Martin" not in str(stored) and stored.parent.parent.parent.name == "documents"
    assert stored.read_bytes() == PDF


def test_a_member_without_the_documents_write_right_cannot_add(dossier, social_worker, client_for) -> None:
    from cordee.careteam.models import RightsRule, Section

    RightsRule.objects.filter(section=Section.DOCUMENTS, profession__isnull=True).update(can_write=False)
    client = client_for(social_worker)
    assert client.get(url("add", dossier)).status_code == 403
    assert _post(client, dossier).status_code == 403
    assert not Document.objects.exists()


def test_a_restricted_category_is_not_offered_to_a_social_worker(dossier, social_worker, client_for) -> None:
    client = client_for(social_worker)
    choices = [c.code for c in client.get(url("add", dossier)).context["form"].fields["category"].queryset]
    assert "COORDINATION" in choices and "10" not in choices
    response = _post(client, dossier, category=category("10").pk, doc_type=doc_type("11488-4").pk)
    assert response.context["form"].errors["category"] == ["Choisissez une catégorie de la liste."]
    assert not Document.objects.exists()


# --- per-category rights -----------------------------------------------------------------------


def test_per_category_rights_hide_medical_reports_from_social_professions(
    add, dossier, physician, social_worker, client_for
) -> None:
    report = add("Compte rendu neuropédiatrique", code="10")
    orientation = add("Fiche d'orientation", code="COORDINATION", type_code="FICHE-ORIENTATION")
    doctor, social = client_for(physician), client_for(social_worker)
    assert {d.pk for d in doctor.get(url("tab", dossier)).context["page"].object_list} == {
        report.pk,
        orientation.pk,
    }
    assert [d.pk for d in social.get(url("tab", dossier)).context["page"].object_list] == [orientation.pk]
    for name in ("download", "detail", "preview"):
        assert social.get(url(name, dossier, report)).status_code == 404
        assert social.get(url(name, dossier, orientation)).status_code == 200
        assert doctor.get(url(name, dossier, report)).status_code == 200
    refused = Access.objects.filter(
        user=social_worker, outcome=Access.Outcome.NOT_FOUND, action="view_document"
    )
    assert refused.count() == 3


def test_a_rule_naming_the_category_opens_it(add, dossier, social_worker, client_for) -> None:
    from cordee.careteam.models import RightsRule, Section

    report = add("Compte rendu", code="10")
    RightsRule.objects.create(
        profession=social_worker.profession, section=Section.DOCUMENTS, document_category=category("10")
    )
    assert client_for(social_worker).get(url("download", dossier, report)).status_code == 200


# --- the "Partagé" visibility ----------------------------------------------------------------


def _row(dossier, **who: Any) -> CircleMember:
    return CircleMember.objects.get(patient=dossier, removed_at__isnull=True, **who)


def test_a_shared_document_is_seen_by_its_recipients_only(
    add, dossier, physician, in_circle, client_for
) -> None:
    other = in_circle("kine", "masseur-kinesitherapeute")
    shared = add("Courrier au pédiatre", recipients=(_row(dossier, user=physician),), visibility="SHARED")
    assert list(DocumentShare.objects.values_list("user", flat=True)) == [physician.pk]
    assert client_for(physician).get(url("download", dossier, shared)).status_code == 200
    assert client_for(other).get(url("download", dossier, shared)).status_code == 404
    assert shared not in client_for(other).get(url("tab", dossier)).context["page"].object_list


def test_sharing_opens_a_restricted_category_to_the_chosen_recipient(
    add, dossier, social_worker, client_for
) -> None:
    shared = add(
        "Synthèse pour l'assistante sociale",
        code="11",
        type_code="34133-9",
        visibility="SHARED",
        recipients=(_row(dossier, user=social_worker),),
    )
    assert client_for(social_worker).get(url("download", dossier, shared)).status_code == 200


def test_a_structure_shares_with_its_delegates_acting_for_it(
    add, dossier, pmi, pmi_nurse, client_for
) -> None:
    shared = add("Bilan de puériculture", visibility="SHARED", recipients=(_row(dossier, structure=pmi),))
    assert client_for(pmi_nurse, acting_as=pmi).get(url("download", dossier, shared)).status_code == 200
    # The same person acting as herself is not in the circle at all.
    assert client_for(pmi_nurse).get(url("download", dossier, shared)).status_code == 404


def test_the_author_and_its_structure_see_their_shared_document(
    add, dossier, physician, member, structure, client_for
) -> None:
    shared = add("Note", visibility="SHARED", recipients=(_row(dossier, user=physician),))
    assert client_for(member, acting_as=structure).get(url("download", dossier, shared)).status_code == 200


def test_sharing_with_a_member_the_patient_refused_is_refused(add, dossier, in_circle, acting) -> None:
    refused = in_circle("refuse", "medecin", sharing_refused=True)
    row = _row(dossier, user=refused)
    page = acting.get(url("add", dossier))
    assert row not in page.context["form"].fields["recipients"].queryset
    response = _post(acting, dossier, visibility="SHARED", recipients=[row.pk])
    assert "recipients" in response.context["form"].errors
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add("Note", visibility="SHARED", recipients=(row,))
    assert not Document.objects.exists()


def test_a_manual_member_or_an_outsider_is_never_a_recipient(add, dossier) -> None:
    from django.core.exceptions import ValidationError

    manual = CircleMember.objects.create(patient=dossier, is_manual=True, manual_last_name="Grand-mère")
    with pytest.raises(ValidationError):
        add("Note", visibility="SHARED", recipients=(manual,))
    assert not Document.objects.exists()


def test_a_recipient_whose_habilitation_is_removed_loses_the_document(
    add, dossier, physician, client_for
) -> None:
    row = _row(dossier, user=physician)
    shared = add("Courrier", visibility="SHARED", recipients=(row,))
    row.is_habilitated = False
    row.habilitation_removed_at = timezone.now()
    row.save()
    assert client_for(physician).get(url("download", dossier, shared)).status_code == 403


# --- outsiders, withdrawn, another dossier -------------------------------------------------------


@pytest.mark.parametrize("name", ["download", "detail", "preview"])
def test_an_outsider_gets_404_by_every_url_and_the_knock_is_journaled(
    add, dossier, stranger, client_for, name
) -> None:
    document = add()
    response = client_for(stranger).get(url(name, dossier, document))
    assert response.status_code == 404
    assert Access.objects.filter(user=stranger, patient=dossier, outcome=Access.Outcome.NOT_FOUND).exists()


def test_a_document_of_another_dossier_does_not_exist_here(
    add, acting, coordinator, structure, dossier
) -> None:
    from cordee.patients.testing import create_test_patient

    document = add()
    other = create_test_patient(coordinator, structure, birth_name="Autre")
    for name in ("download", "detail", "preview"):
        assert acting.get(url(name, other, document)).status_code == 404


# --- serving ---------------------------------------------------------------------------------


def test_the_download_is_an_attachment_never_sniffed_nor_cached(add, acting, dossier) -> None:
    document = add()
    response = acting.get(url("download", dossier, document))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert Access.objects.filter(
        patient=dossier,
        action="view_documents",
        outcome=Access.Outcome.ALLOWED,
        what=f"document {document.public_id}",
    ).exists()


def test_the_preview_is_inline_for_pdf_and_images_only(add, acting, dossier) -> None:
    document = add()
    response = acting.get(url("preview", dossier, document))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    text = add(
        "Notes", code="COORDINATION", type_code=None, upload=SimpleUploadedFile("notes.txt", b"Bonjour")
    )
    response = acting.get(url("preview", dossier, text))
    assert response["Content-Disposition"].startswith("attachment;")
    page = acting.get(url("detail", dossier, document)).content.decode()
    assert url("preview", dossier, document) in page and "<iframe" in page


# --- the list --------------------------------------------------------------------------------


@pytest.fixture
def filed(add) -> dict[str, Document]:
    return {
        "report": add(
            "Compte rendu de consultation",
            code="10",
            type_code="11488-4",
            document_date=datetime.date(2026, 1, 5),
        ),
        "bio": add(
            "Bilan biologique", code="10", type_code="11502-2", document_date=datetime.date(2026, 2, 5)
        ),
        "orientation": add(
            "Fiche d'orientation CAMSP",
            code="COORDINATION",
            type_code="FICHE-ORIENTATION",
            document_date=datetime.date(2025, 12, 1),
        ),
    }


def _listed(client, dossier, query: str = "") -> list[str]:
    response = client.get(url("tab", dossier) + query)
    assert response.status_code == 200
    return [d.title for d in response.context["page"].object_list]


def test_the_list_filters_by_category_and_type_searches_titles_and_sorts(acting, dossier, filed) -> None:
    assert _listed(acting, dossier) == [
        "Bilan biologique",
        "Compte rendu de consultation",
        "Fiche d'orientation CAMSP",
    ]
    assert _listed(acting, dossier, "?tri=date")[0] == "Fiche d'orientation CAMSP"
    assert _listed(acting, dossier, "?tri=titre")[0] == "Bilan biologique"
    assert _listed(acting, dossier, "?categorie=COORDINATION") == ["Fiche d'orientation CAMSP"]
    type_id = doc_type("11502-2").pk
    assert _listed(acting, dossier, f"?categorie=10&type={type_id}") == ["Bilan biologique"]
    assert _listed(acting, dossier, "?q=orientation") == ["Fiche d'orientation CAMSP"]


@pytest.mark.parametrize(
    "query",
    [
        "?type=99999999999999999999999",
        "?categorie=%00",
        "?tri=pk",
        "?q=" + "x" * 500,
        "?page=-1",
        "?type=abc",
    ],
)
def test_a_bad_filter_is_dropped_never_a_500(acting, dossier, filed, query) -> None:
    assert len(_listed(acting, dossier, query)) in (0, 3)


def test_the_list_page_has_a_constant_query_count(acting, dossier, add) -> None:
    add("Premier")
    acting.get(url("tab", dossier))
    with CaptureQueriesContext(connection) as few:
        acting.get(url("tab", dossier))
    for index in range(6):
        add(f"Document {index}", code="COORDINATION", type_code="COURRIER")
    with CaptureQueriesContext(connection) as many:
        response = acting.get(url("tab", dossier))
    assert len(response.context["page"].object_list) == 7
    # Session, user, second factor, terms (one query), acting structure (with the menu's
    # memberships); the dossier, the circle, the matrix, the journal; categories, types,
    # themes; count and page.
    assert len(many) == len(few) == 16, [q["sql"] for q in many.captured_queries]
