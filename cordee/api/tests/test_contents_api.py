"""INT-1: questionnaire responses, documents and appointments through the API — the pages'
policy, services and checks; refusals as hard as the happy paths, and journaled."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.services import Attendees, create_appointment
from cordee.api.models import ApiToken
from cordee.api.testing import bearer_client, make_token
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents.models import Document, DocumentShare
from cordee.documents.testing import add_test_document
from cordee.pathways.models import DossierTheme, Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu de consultation\n"


@pytest.fixture
def dac(coordinator: User, structure: Structure) -> Client:
    return bearer_client(make_token(coordinator, structure=structure, name="DPI du DAC")[1])


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


def _in_circle(dossier: Patient, username: str, profession: str) -> User:
    user = make_user(username=username, profession=Profession.objects.get(code=profession))
    accept_current_terms(user)
    CircleMember.objects.create(patient=dossier, user=user, is_habilitated=True)
    return user


@pytest.fixture
def social_worker(dossier: Patient) -> User:
    return _in_circle(dossier, "assistante-sociale", "assistant-service-social")


def _client(user: User, **kwargs: Any) -> Client:
    return bearer_client(make_token(user, **kwargs)[1])


def _outsiders(
    stranger: User, member: User, structure: Structure, dossier: Patient
) -> list[tuple[Client, int]]:
    """No token (401), a stranger (404), a member listed in the circle without habilitation, in
    their own name (403)."""
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    return [
        (bearer_client(""), 401),
        (_client(stranger), 404),
        (_client(member), 403),
    ]


# --- questionnaire responses -----------------------------------------------------------------


@pytest.fixture
def reserved_form(dossier: Patient) -> Any:
    theme = Theme.objects.get(code="sante-mentale")
    theme.is_restricted = True
    theme.save()
    DossierTheme.objects.create(patient=dossier, theme=theme, position=1)
    version = make_questionnaire(code="psy", theme="sante-mentale", title="Bilan psychologique")
    return make_form(version, dossier, {"poids": 60})


def test_forms_list_and_read_only_open_themes(dac, dossier, reserved_form) -> None:
    open_form = make_form(make_questionnaire(), dossier, {"poids": 12.5, "suivi": False})
    listed = dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires")
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [str(open_form.public_id)]
    row = listed.json()["results"][0]
    assert row["questionnaire"]["code"] == "questionnaire-test" and row["questionnaire"]["version"] == 1
    assert row["theme"] == {"code": "principal", "label": "Principal"} and "answers" not in row
    one = dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires/{open_form.public_id}")
    assert one.status_code == 200 and one.json()["answers"] == {"poids": 12.5, "suivi": False}
    # A reserved theme the matrix does not open: absent from the list, 404 when asked by id.
    hidden = dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires/{reserved_form.public_id}")
    assert hidden.status_code == 404 and hidden["Content-Type"] == "application/problem+json"
    assert "60" not in hidden.content.decode()
    # A rule naming the theme opens it, as on the page.
    RightsRule.objects.create(section=Section.PATHWAYS, theme=reserved_form.theme, can_read=True)
    assert dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires/{reserved_form.public_id}").json()[
        "answers"
    ] == {"poids": 60}
    listed = dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires").json()["results"]
    assert {row["id"] for row in listed} == {str(open_form.public_id), str(reserved_form.public_id)}
    reads = Access.objects.filter(patient=dossier, action="view_pathways", what__contains="DPI du DAC")
    assert reads.count() == 5


def test_forms_refuse_outsiders(dossier, stranger, member, structure) -> None:
    form = make_form(make_questionnaire(), dossier, {"poids": 12.5})
    for client, status in _outsiders(stranger, member, structure, dossier):
        for url in (
            f"/api/v1/dossiers/{dossier.public_id}/formulaires",
            f"/api/v1/dossiers/{dossier.public_id}/formulaires/{form.public_id}",
        ):
            response = client.get(url)
            assert response.status_code == status, (url, response.content)
            assert "12.5" not in response.content.decode()


def test_another_dossier_s_form_is_not_found(dac, dossier, coordinator, structure) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(coordinator, structure, first_name="Autre")
    form = make_form(make_questionnaire(), other, {"poids": 3})
    assert dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires/{form.public_id}").status_code == 404
    assert dac.get(f"/api/v1/dossiers/{dossier.public_id}/formulaires/pas-un-id").status_code == 404


# --- documents -------------------------------------------------------------------------------


def test_documents_list_filters_and_restricted_categories(dac, actor, dossier, social_worker) -> None:
    report = add_test_document(actor, dossier, "Compte rendu neuropédiatrique", content=PDF)
    orientation = add_test_document(
        actor, dossier, "Fiche d'orientation", "COORDINATION", "FICHE-ORIENTATION", content=PDF
    )
    listed = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents")
    assert listed.status_code == 200, listed.content
    assert {row["id"] for row in listed.json()["results"]} == {
        str(report.public_id),
        str(orientation.public_id),
    }
    row = next(r for r in listed.json()["results"] if r["id"] == str(report.public_id))
    assert row["category"]["code"] == "10" and row["category"]["system"].endswith("TRE-A03-ClasseDocument")
    assert row["type"] == {
        "system": "http://loinc.org",
        "code": "11488-4",
        "label": "Compte rendu de consultation",
    }
    by_category = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"categorie": "COORDINATION"})
    assert [r["id"] for r in by_category.json()["results"]] == [str(orientation.public_id)]
    by_type = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"type": "11488-4"})
    assert [r["id"] for r in by_type.json()["results"]] == [str(report.public_id)]
    by_words = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"q": "neuro"})
    assert [r["id"] for r in by_words.json()["results"]] == [str(report.public_id)]
    wrong = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"categorie": "rêve"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "categorie"
    # The social worker does not read medical reports (restricted category): neither listed,
    # nor downloadable, nor usable as a filter.
    social = _client(social_worker)
    assert [
        r["id"] for r in social.get(f"/api/v1/dossiers/{dossier.public_id}/documents").json()["results"]
    ] == [str(orientation.public_id)]
    assert social.get(row["download"]).status_code == 404
    assert (
        social.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"categorie": "10"}).status_code == 422
    )
    assert Access.objects.filter(
        user=social_worker, action="view_document", outcome=Access.Outcome.NOT_FOUND
    ).exists()


def test_download_has_the_page_s_headers_and_is_journaled(
    dac, actor, dossier, client_for, coordinator, structure
) -> None:
    report = add_test_document(actor, dossier, "Compte rendu", content=PDF)
    api_url = f"/api/v1/dossiers/{dossier.public_id}/documents/{report.public_id}/fichier"
    response = dac.get(api_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    page = client_for(coordinator, acting_as=structure).get(
        reverse("documents:download", args=[dossier.public_id, report.public_id])
    )
    for header in (
        "Content-Type",
        "Content-Disposition",
        "X-Content-Type-Options",
        "Content-Security-Policy",
        "Cross-Origin-Resource-Policy",
    ):
        assert response[header] == page[header], header
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert Access.objects.filter(
        patient=dossier, what=f"document {report.public_id} — API, jeton « DPI du DAC »"
    ).exists()


def test_documents_refuse_outsiders(actor, dossier, stranger, member, structure) -> None:
    report = add_test_document(actor, dossier, "Compte rendu", content=PDF)
    before = (
        Document.objects.count(),
        Access.objects.filter(outcome="ALLOWED", user=member, patient=dossier).count(),
    )
    for client, status in _outsiders(stranger, member, structure, dossier):
        for url in (
            f"/api/v1/dossiers/{dossier.public_id}/documents",
            f"/api/v1/dossiers/{dossier.public_id}/documents/{report.public_id}/fichier",
        ):
            assert client.get(url).status_code == status, url
        upload = SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")
        posted = client.post(
            f"/api/v1/dossiers/{dossier.public_id}/documents",
            {"files": upload, "category": "COORDINATION", "title": "Intrus", "document_date": "2026-01-02"},
        )
        assert posted.status_code == status and posted["Content-Type"] == "application/problem+json"
    assert (
        Document.objects.count(),
        Access.objects.filter(outcome="ALLOWED", user=member, patient=dossier).count(),
    ) == before


def _upload(client: Client, dossier: Patient, *files: SimpleUploadedFile, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "category": "10",
        "type": "11488-4",
        "title": "Compte rendu de consultation",
        "document_date": "2026-03-02",
        "files": list(files) or [SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")],
    }
    body.update(fields)
    return client.post(f"/api/v1/dossiers/{dossier.public_id}/documents", body)


def test_upload_goes_through_the_page_s_form_and_service(dac, dossier) -> None:
    created = _upload(dac, dossier)
    assert created.status_code == 201, created.content
    (row,) = created.json()
    document = Document.objects.get(public_id=row["id"])
    assert document.doc_type is not None and document.doc_type.code == "11488-4"
    assert (document.category.code, document.content_type) == ("10", "application/pdf")
    assert document.file.read() == PDF
    assert Access.objects.filter(patient=dossier, action="add_document").exists()
    two = _upload(
        dac,
        dossier,
        SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("b.txt", b"notes de suivi\n", content_type="text/plain"),
        category="COORDINATION",
        type="",
    )
    assert two.status_code == 201 and len(two.json()) == 2
    assert {r["content_type"] for r in two.json()} == {"application/pdf", "text/plain"}


@pytest.mark.parametrize(
    ("files", "fields", "field", "words"),
    [
        ([("cr.pdf", b"<html><script>alert(1)</script>")], {}, "files", "Type de fichier non accepté"),
        ([("cr.pdf", b"simple texte")], {}, "files", "ne correspond pas à son extension"),
        ([("cr.exe", b"MZ\x90\x00")], {}, "files", "Type de fichier non accepté"),
        ([("vide.pdf", b"")], {}, "files", "vide"),
        ([("cr.pdf", PDF)], {"category": "inconnue"}, "category", "Choisissez une catégorie"),
        ([("cr.pdf", PDF)], {"type": "34133-9"}, "type", "Choisissez un type"),
        ([("cr.pdf", PDF)], {"title": "   "}, "title", "titre"),
        ([("cr.pdf", PDF)], {"document_date": "2999-01-01"}, "document_date", "aujourd'hui"),
        ([("cr.pdf", PDF)], {"visibility": "SHARED"}, "recipients", "destinataire"),
        ([("cr.pdf", PDF)], {"visibility": "SECRET"}, "visibility", ""),
    ],
)
def test_upload_refusals_change_nothing(dac, dossier, files, fields, field, words) -> None:
    before = (Document.objects.count(), Access.objects.filter(action="add_document").count())
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = _upload(dac, dossier, *uploads, **fields)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert (Document.objects.count(), Access.objects.filter(action="add_document").count()) == before


def test_upload_over_the_size_limit_is_refused(dac, dossier, settings) -> None:
    settings.CORDEE_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("gros.pdf", PDF + b"x" * 4096, content_type="application/pdf")
    response = _upload(dac, dossier, big)
    assert response.status_code == 422
    assert "taille maximale" in response.json()["errors"][0]["message"]
    assert not Document.objects.exists()


def test_upload_in_a_category_the_matrix_closes_is_refused(dossier, social_worker) -> None:
    client = _client(social_worker)
    refused = _upload(client, dossier)  # "Compte rendu": restricted, not opened to social work
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"category", "type"}
    assert not Document.objects.exists()
    allowed = _upload(client, dossier, category="COORDINATION", type="")
    assert allowed.status_code == 201
    assert Document.objects.get().category.code == "COORDINATION"


def test_a_shared_upload_reaches_chosen_members_only(dac, dossier, social_worker) -> None:
    row = CircleMember.objects.get(patient=dossier, user=social_worker)
    shared = _upload(
        dac, dossier, category="COORDINATION", type="", visibility="SHARED", recipients=[str(row.public_id)]
    )
    assert shared.status_code == 201, shared.content
    assert list(DocumentShare.objects.values_list("user", flat=True)) == [social_worker.pk]
    outside = _upload(
        dac,
        dossier,
        category="COORDINATION",
        type="",
        visibility="SHARED",
        recipients=["00000000-0000-4000-8000-000000000000"],
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "recipients"
    assert Document.objects.count() == 1


def test_a_read_only_token_may_not_upload(coordinator, structure, dossier) -> None:
    client = bearer_client(make_token(coordinator, structure=structure, scope=ApiToken.Scope.READ)[1])
    assert _upload(client, dossier).status_code == 403
    assert not Document.objects.exists()


# --- appointments ----------------------------------------------------------------------------


def _book(
    actor: Actor, dossier: Patient, day: datetime.date, users: list[User], **fields: Any
) -> Appointment:
    start = clock.at(day, datetime.time(10, 0))
    appointment = Appointment(
        title=fields.pop("title", "Consultation"),
        event_type=EventType.objects.get(label="Prévention"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        patient=dossier,
        **fields,
    )
    create_appointment(actor, appointment, Attendees(users, []))
    return appointment


def test_appointments_private_ones_are_busy_to_others(
    dac, actor, dossier, coordinator, social_worker
) -> None:
    soon = clock.today() + datetime.timedelta(days=3)
    public = _book(actor, dossier, soon, [coordinator], title="Bilan kiné", address="2 rue de France")
    private = _book(
        actor,
        dossier,
        soon + datetime.timedelta(days=1),
        [coordinator],
        title="Entretien familial",
        is_private=True,
    )
    mine = dac.get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous")
    assert mine.status_code == 200, mine.content
    assert [(r["id"], r["title"]) for r in mine.json()["results"]] == [
        (str(public.public_id), "Bilan kiné"),
        (str(private.public_id), "Entretien familial"),
    ]
    theirs = _client(social_worker).get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous").json()["results"]
    assert theirs[0]["title"] == "Bilan kiné" and theirs[0]["place"] == "2 rue de France"
    busy = theirs[1]
    assert (busy["title"], busy["type"], busy["place"], busy["participants"], busy["details"]) == (
        "Occupé",
        None,
        None,
        None,
        False,
    )
    assert (
        "Entretien"
        not in _client(social_worker)
        .get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous")
        .content.decode()
    )
    # A window: only what it covers.
    later = dac.get(
        f"/api/v1/dossiers/{dossier.public_id}/rendez-vous",
        {
            "debut": (soon + datetime.timedelta(days=1)).isoformat(),
            "fin": (soon + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert [r["id"] for r in later.json()["results"]] == [str(private.public_id)]
    for wrong in ({"debut": "2030-01-02", "fin": "2030-01-01"}, {"debut": "2020-01-01", "fin": "2030-01-01"}):
        refused = dac.get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous", wrong)
        assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert dac.get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous", {"debut": "hier"}).status_code == 422


def test_appointments_refuse_outsiders(actor, dossier, coordinator, stranger, member, structure) -> None:
    _book(actor, dossier, clock.today() + datetime.timedelta(days=3), [coordinator], title="Bilan kiné")
    for client, status in _outsiders(stranger, member, structure, dossier):
        response = client.get(f"/api/v1/dossiers/{dossier.public_id}/rendez-vous")
        assert response.status_code == status and "kiné" not in response.content.decode()


def test_list_query_counts_do_not_grow_with_the_rows(dac, actor, dossier, coordinator) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        found = []
        for url in ("formulaires", "documents", "rendez-vous"):
            with CaptureQueriesContext(connection) as queries:
                assert dac.get(f"/api/v1/dossiers/{dossier.public_id}/{url}").status_code == 200
            found.append(len(queries))
        return found

    def add_rows(n: int) -> None:
        version = make_questionnaire(code=f"q{n}")
        make_form(version, dossier, {"poids": n})
        add_test_document(actor, dossier, f"Compte rendu {n}", content=PDF)
        _book(actor, dossier, clock.today() + datetime.timedelta(days=n), [coordinator], title=f"RDV {n}")

    add_rows(1)
    few = counts()
    for n in range(2, 6):
        add_rows(n)
    assert counts() == few


def test_a_nul_character_is_refused_in_french_never_a_500(dac, dossier) -> None:
    """Found by Schemathesis on PostgreSQL, which refuses NUL in a query."""
    listed = dac.get(f"/api/v1/dossiers/{dossier.public_id}/documents", {"categorie": "10\x00", "q": "a\x00"})
    assert listed.status_code == 422
    assert {e["field"] for e in listed.json()["errors"]} == {"categorie", "q"}
    upload = _upload(dac, dossier, type="11488-4\x00")
    assert upload.status_code == 422 and upload.json()["errors"][0]["field"] == "type"
    task = dac.post(
        f"/api/v1/dossiers/{dossier.public_id}/taches",
        {"label": "Appeler", "type": "Relance\x00", "level": "Information\x00", "due_at": "2030-01-02T09:30"},
        content_type="application/json",
    )
    assert task.status_code == 422 and {e["field"] for e in task.json()["errors"]} >= {"type", "level"}
    fhir = dac.get("/fhir/DocumentReference", {"patient": str(dossier.public_id), "category": "1\x000"})
    assert fhir.status_code == 400 and fhir["Content-Type"] == "application/fhir+json"
    assert not Document.objects.exists()


# --- paging (INT-1): every list page by page, the dossier search's way ----------------------

LISTS = ("taches", "formulaires", "documents", "rendez-vous")


def _fill(actor: Actor, dossier: Patient, coordinator: User, first: int, last: int) -> None:
    """Rows numbered first..last in each list of the dossier."""
    from cordee.tasks.models import Task, TaskLevel, TaskType

    level, kind = TaskLevel.objects.get(label="Information"), TaskType.objects.get(label="Relance")
    for n in range(first, last + 1):
        Task.objects.create(
            patient=dossier,
            task_type=kind,
            level=level,
            label=f"Tâche {n}",
            due_at=clock.now() + datetime.timedelta(days=n),
        )
        make_form(make_questionnaire(code=f"p{n}"), dossier, {"poids": n})
        add_test_document(actor, dossier, f"Compte rendu {n}", content=PDF)
        _book(actor, dossier, clock.today() + datetime.timedelta(days=n), [coordinator], title=f"RDV {n}")


@pytest.mark.parametrize("kind", LISTS)
def test_lists_come_page_by_page_with_a_next_link(dac, actor, dossier, coordinator, kind) -> None:
    _fill(actor, dossier, coordinator, 1, 5)
    url = f"/api/v1/dossiers/{dossier.public_id}/{kind}"
    first = dac.get(url, {"taille": 2})
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["page"], body["size"], body["has_next"], len(body["results"])) == (1, 2, True, 2)
    assert body["next"].startswith("http://testserver" + url + "?") and "page=2" in body["next"]
    assert "taille=2" in body["next"]  # the same query, the next page
    seen = [row["id"] for row in body["results"]]
    pages = 1
    while body["next"]:
        body = dac.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
    assert pages == 3 and len(body["results"]) == 1 and body["has_next"] is False and body["next"] is None
    assert len(seen) == len(set(seen)) == 5
    whole = dac.get(url, {"taille": 100}).json()
    assert [row["id"] for row in whole["results"]] == seen and whole["next"] is None
    default = dac.get(url).json()
    assert default["size"] == 20 and len(default["results"]) == 5
    beyond = dac.get(url, {"page": 9, "taille": 2}).json()
    assert beyond["results"] == [] and beyond["next"] is None


@pytest.mark.parametrize("kind", [*LISTS, None])
@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"taille": 0}, "taille", "au moins 1"),
        ({"taille": 101}, "taille", "au plus 100"),
        ({"taille": "beaucoup"}, "taille", "nombre entier"),
        ({"page": 0}, "page", "au moins 1"),
        ({"page": 10_001}, "page", "au plus 10000"),
        ({"page": "-"}, "page", "nombre entier"),
    ],
)
def test_a_bad_page_or_size_is_refused_in_french(dac, dossier, kind, params, field, words) -> None:
    url = f"/api/v1/dossiers/{dossier.public_id}/{kind}" if kind else "/api/v1/dossiers"
    response = dac.get(url, params)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "Certaines données sont invalides."
    assert [e["field"] for e in body["errors"]] == [field]
    assert words in body["errors"][0]["message"], body


def test_the_search_gives_its_next_link_too(dac, dossier, coordinator, structure) -> None:
    from cordee.patients.testing import create_test_patient

    for first in ("Anna", "Berthe"):
        create_test_patient(coordinator, structure, first_name=first, birth_name=dossier.birth_name)
    body = dac.get("/api/v1/dossiers", {"nom": dossier.birth_name, "taille": 2}).json()
    assert body["has_next"] and "nom=" in body["next"] and "page=2" in body["next"]
    last = dac.get(body["next"]).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_appointment_pages_stop_at_the_window_s_bound(dac, dossier) -> None:
    url = f"/api/v1/dossiers/{dossier.public_id}/rendez-vous"
    assert dac.get(url, {"page": 10, "taille": 100}).status_code == 200
    refused = dac.get(url, {"page": 11, "taille": 100})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "page"
    assert "resserrez la période" in refused.json()["errors"][0]["message"]


# Queries of one page, whatever the page and however many rows the dossier holds: the dossier's
# door and its journal line, the page's rows (taille + 1) and what they bring along.
PAGE_QUERIES = {"taches": 9, "formulaires": 9, "documents": 11, "rendez-vous": 11}


def test_a_page_s_query_count_is_pinned(dac, actor, dossier, coordinator) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(kind: str, page: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = dac.get(f"/api/v1/dossiers/{dossier.public_id}/{kind}", {"taille": 2, "page": page})
            assert response.status_code == 200 and response.json()["results"]
        return len(queries)

    _fill(actor, dossier, coordinator, 1, 5)
    few = {kind: [count(kind, 1), count(kind, 2), count(kind, 3)] for kind in LISTS}
    _fill(actor, dossier, coordinator, 6, 12)
    many = {kind: [count(kind, 1), count(kind, 2), count(kind, 6)] for kind in LISTS}
    assert {kind: few[kind] for kind in LISTS} == {kind: many[kind] for kind in LISTS}
    assert few == {kind: [PAGE_QUERIES[kind]] * 3 for kind in LISTS}


def test_the_schema_documents_the_paging(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/dossiers", *(f"/api/v1/dossiers/{{dossier_id}}/{kind}" for kind in LISTS)):
        operation = schema["paths"][path]["get"]
        params = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert (params["taille"]["minimum"], params["taille"]["maximum"], params["taille"]["default"]) == (
            1,
            100,
            20,
        ), path
        assert (params["page"]["minimum"], params["page"]["default"]) == (1, 1), path
        assert "422" in operation["responses"], path
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[
            -1
        ]
        properties = schema["components"]["schemas"][page]["properties"]
        assert {"page", "size", "has_next", "next", "results"} <= set(properties), path
