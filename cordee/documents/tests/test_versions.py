"""ACT-4: a new version replaces the document in the list and keeps the earlier ones (each
downloadable); a document added by mistake is withdrawn — soft, reason asked, journaled, told
to the feed — never deleted. Only its author (or its structure) does either; stale copies are
refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.documents.models import Document, DocumentShare
from cordee.documents.tests.conftest import pdf

pytestmark = pytest.mark.django_db

V2 = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu corrige\n"


def url(name: str, dossier: Any, document: Document) -> str:
    return reverse(
        f"documents:{name}", kwargs={"public_id": dossier.public_id, "document_id": document.public_id}
    )


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _new_version(client, dossier, document, *, version: int = 1, content: bytes = V2, **extra: Any):
    data = {"upload": pdf("cr-corrige.pdf", content), "document_date": "2026-03-05", "version": str(version)}
    data.update(extra)
    return client.post(url("new_version", dossier, document), data)


def test_a_new_version_replaces_the_document_and_keeps_the_history(acting, dossier, add) -> None:
    first = add("Compte rendu")
    response = _new_version(acting, dossier, first)
    assert response.status_code == 302
    first.refresh_from_db()
    second = Document.objects.get(lineage=first.lineage, version=2)
    assert not first.is_current and second.is_current
    assert (second.title, second.category_id, second.doc_type_id) == (
        first.title,
        first.category_id,
        first.doc_type_id,
    )
    assert str(second.document_date) == "2026-03-05"
    listed = acting.get(reverse("documents:tab", kwargs={"public_id": dossier.public_id})).context["page"]
    assert [d.pk for d in listed.object_list] == [second.pk]
    page = acting.get(url("detail", dossier, second))
    assert [v.version for v in page.context["versions"]] == [2, 1]
    old = acting.get(url("download", dossier, first))
    assert old.status_code == 200 and b"".join(old.streaming_content).endswith(b"consultation\n")
    new = acting.get(url("download", dossier, second))
    assert b"".join(new.streaming_content) == V2
    assert Event.objects.filter(
        kind=Event.Kind.DOCUMENT_VERSIONED, data__document=str(second.public_id)
    ).exists()
    assert Access.objects.filter(action="version_document", what=f"document {second.public_id} v2").exists()


def test_a_new_version_keeps_the_recipients_of_a_shared_document(
    acting, dossier, add, physician, client_for
) -> None:
    from cordee.careteam.models import CircleMember

    row = CircleMember.objects.get(patient=dossier, user=physician)
    first = add("Courrier", visibility="SHARED", recipients=(row,))
    _new_version(acting, dossier, first)
    second = Document.objects.get(lineage=first.lineage, version=2)
    assert list(DocumentShare.objects.filter(document=second).values_list("user", flat=True)) == [
        physician.pk
    ]
    assert client_for(physician).get(url("download", dossier, second)).status_code == 200


def test_a_stale_copy_cannot_add_a_version(acting, dossier, add) -> None:
    first = add()
    _new_version(acting, dossier, first)
    response = _new_version(acting, dossier, first, version=1)
    assert response.status_code in (400, 404)
    assert Document.objects.filter(lineage=first.lineage).count() == 2


def test_a_disguised_new_version_is_refused_with_nothing_written(acting, dossier, add) -> None:
    first = add()
    response = _new_version(acting, dossier, first, content=b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400 and response.context["version_form"].errors["upload"]
    first.refresh_from_db()
    assert first.is_current and Document.objects.count() == 1


def test_only_the_author_or_its_structure_manages_a_document(add, dossier, physician, client_for) -> None:
    document = add()
    doctor = client_for(physician)
    assert _new_version(doctor, dossier, document).status_code == 403
    response = doctor.post(url("withdraw", dossier, document), {"version": "1", "reason": "Erreur"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.is_current and document.withdrawn_at is None and Document.objects.count() == 1
    assert Access.objects.filter(user=physician, action="withdraw_document", outcome=Access.Outcome.FORBIDDEN)


def test_a_form_attachment_is_not_versioned_from_the_documents_space(acting, dossier, actor) -> None:
    from cordee.pathways import services as pathways
    from cordee.pathways.testing import make_questionnaire

    version = make_questionnaire()
    pathways.save_form(actor, dossier, version, version.questionnaire.theme, {}, {"q-piece": pdf()})
    attached = Document.objects.get(source=Document.Source.FORM)
    assert attached.doc_type is not None
    assert attached.category.code == "COORDINATION" and attached.doc_type.code == "PIECE-FORMULAIRE"
    assert _new_version(acting, dossier, attached).status_code == 403


def test_withdrawal_asks_a_reason_and_keeps_everything(acting, dossier, add) -> None:
    first = add("Mauvais patient")
    _new_version(acting, dossier, first)
    second = Document.objects.get(lineage=first.lineage, version=2)
    refused = acting.post(url("withdraw", dossier, second), {"version": "2", "reason": "  "})
    assert refused.status_code == 400
    assert refused.context["withdraw_form"].errors["reason"] == ["Veuillez indiquer le motif du retrait."]
    assert not Document.objects.filter(withdrawn_at__isnull=False).exists()

    response = acting.post(
        url("withdraw", dossier, second), {"version": "2", "reason": "Document d'un autre patient"}
    )
    assert response.status_code == 302
    assert Document.objects.filter(lineage=first.lineage, withdrawn_at__isnull=False).count() == 2
    assert set(Document.objects.values_list("withdrawal_reason", flat=True)) == {
        "Document d'un autre patient"
    }
    assert Document.objects.count() == 2  # nothing deleted
    tab = acting.get(reverse("documents:tab", kwargs={"public_id": dossier.public_id}))
    assert not tab.context["page"].object_list
    for version in (first, second):
        assert acting.get(url("download", dossier, version)).status_code == 404
    event = Event.objects.get(kind=Event.Kind.DOCUMENT_WITHDRAWN)
    assert event.data["reason"] == "Document d'un autre patient"
    assert Access.objects.filter(action="withdraw_document", outcome=Access.Outcome.ALLOWED).exists()


def test_a_stale_copy_cannot_withdraw(acting, dossier, add) -> None:
    first = add()
    _new_version(acting, dossier, first)
    response = acting.post(url("withdraw", dossier, first), {"version": "1", "reason": "Erreur"})
    assert response.status_code == 400 and response.context["withdraw_form"].non_field_errors()
    assert not Document.objects.filter(withdrawn_at__isnull=False).exists()


def test_the_feed_does_not_name_a_restricted_or_shared_document(add, dossier) -> None:
    add("Compte rendu neuropédiatrique de Léa", code="10")
    add("Fiche d'orientation CAMSP", code="COORDINATION", type_code="FICHE-ORIENTATION")
    summaries = sorted(Event.objects.filter(kind=Event.Kind.DOCUMENT_ADDED).values_list("summary", flat=True))
    assert summaries == [
        "Document ajouté (Compte rendu)",
        "Document ajouté (Coordination) : Fiche d'orientation CAMSP",
    ]
