"""PAR-1..4 end to end through the views: add a theme, fill, save, close, reopen, compare."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.documents.models import Document
from cordee.pathways.models import DossierTheme, FormResponse, Theme
from cordee.pathways.testing import make_questionnaire


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def version(db):
    return make_questionnaire()


def _new_url(patient, version):
    return reverse(
        "pathways:new_form",
        kwargs={"public_id": patient.public_id, "questionnaire_id": version.questionnaire.public_id},
    )


def _form_url(patient, form):
    return reverse("pathways:form", kwargs={"public_id": patient.public_id, "form_id": form.public_id})


def test_tab_lists_default_themes_and_adds_one(acting, dossier) -> None:
    url = reverse("pathways:tab", kwargs={"public_id": dossier.public_id})
    page = acting.get(url).content.decode()
    for label in ("Principal", "Fil d&#x27;actualité", "RDV patient"):
        assert label in page
    cocon = Theme.objects.get(code="cocon")
    response = acting.post(
        reverse("pathways:add_theme", kwargs={"public_id": dossier.public_id}),
        {"theme": str(cocon.public_id)},
    )
    assert response.status_code == 302
    assert DossierTheme.objects.filter(patient=dossier, theme=cocon, removed_at__isnull=True).exists()
    page = acting.get(url).content.decode()
    assert "Cahiers de suivi" in page
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.THEME_ADDED).exists()


def test_fill_save_close_reopen_compare(acting, dossier, version) -> None:
    page = acting.get(_new_url(dossier, version))
    assert page.status_code == 200
    response = acting.post(
        _new_url(dossier, version),
        {
            "version": "0",
            "action": "save",
            "q-date_consultation": "2026-11-20",
            "q-poids": "12,5",
            "q-taille": "90",
            "q-suivi": "non",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    form = FormResponse.objects.get(patient=dossier)
    assert form.answers == {
        "date_consultation": "2026-11-20",
        "poids": 12.5,
        "taille": 90.0,
        "imc": 15.4,
        "suivi": False,
    }
    # Close without the required conditional item: it is shown now, so it is required.
    response = acting.post(
        _form_url(dossier, form),
        {
            "version": "1",
            "action": "close",
            "q-date_consultation": "2026-11-20",
            "q-poids": "12,5",
            "q-taille": "90",
            "q-suivi": "oui",
        },
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    form.refresh_from_db()
    assert form.status == "DRAFT" and form.version == 1
    pdf = SimpleUploadedFile("cr.pdf", b"%PDF-1.4 compte rendu", content_type="application/pdf")
    response = acting.post(
        _form_url(dossier, form),
        {
            "version": "1",
            "action": "close",
            "q-date_consultation": "2026-11-20",
            "q-poids": "13",
            "q-taille": "90",
            "q-suivi": "oui",
            "q-suivi_detail": "CAMSP",
            "q-piece": pdf,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    form.refresh_from_db()
    assert form.status == "CLOSED"
    document = Document.objects.get(patient=dossier)
    assert form.answers["piece"] == {"document": str(document.public_id), "name": "cr.pdf"}
    assert list(form.revisions.values_list("number", "action")) == [(2, "CLOSED"), (1, "CREATED")]
    # Closed: read-only; a post (a page left open before the closing) is refused with 409,
    # the typed value shown again, nothing changed.
    stale = acting.post(_form_url(dossier, form), {"version": "1", "action": "save", "q-poids": "14"})
    assert stale.status_code == 409
    assert "clôturé" in stale.content.decode() and 'value="14"' in stale.content.decode()
    form.refresh_from_db()
    assert form.answers["poids"] == 13.0 and form.revisions.count() == 2
    page = acting.get(_form_url(dossier, form)).content.decode()
    assert "Clôturé" in page and "CAMSP" in page
    download = acting.get(
        reverse(
            "documents:download", kwargs={"public_id": dossier.public_id, "document_id": document.public_id}
        )
    )
    assert download.status_code == 200
    history = reverse("pathways:history", kwargs={"public_id": dossier.public_id, "form_id": form.public_id})
    page = acting.get(history, {"a": 1, "b": 2}).content.decode()
    assert "q-changed" in page and "12,5 kg" in page and "13 kg" in page
    assert Access.objects.filter(patient=dossier, action="view_pathways").exists()
