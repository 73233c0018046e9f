"""DIR-2: the administrators' page to upload an extract and follow its import."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cordee.directory.models import DirectoryImport, DirectoryProfessional
from cordee.directory.runs import run_directory_import
from cordee.directory.tests.extract import SAMPLE, professional, text


def _upload(
    content: bytes, name: str = "PS_LibreAcces_Personne_activite_202612010000.txt"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_an_administrator_uploads_the_extract_and_follows_the_run(
    admin_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(admin_user)
    assert client.get(reverse("directory:import_list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:import_list"),
            {"file": _upload(SAMPLE.read_bytes()), "departements": "13, 06,04;05 83 84"},
        )
    run = DirectoryImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.public_id}/")
    assert run.status == DirectoryImport.Status.DONE and run.departements == "04,05,06,13,83,84"
    assert run.created_by == admin_user and run.percent == 100
    assert run.counts["nouveaux"] == 7 and run.counts["rejetees"] == 3
    assert run.rejections[1] == [12, "La ligne compte 7 champs au lieu de 57."]
    page = client.get(response["Location"]).content.decode()
    assert "Terminé" in page and "Professionnels nouveaux" in page and "Nom d&#x27;exercice absent." in page
    assert 'hx-trigger="every 2s"' not in page  # finished: the page stops asking
    assert DirectoryProfessional.objects.count() == 7


def test_a_running_import_is_polled_and_shows_its_progress(admin_user, client_for) -> None:
    run = DirectoryImport.objects.create(
        file_name="x.txt", status=DirectoryImport.Status.RUNNING, total_lines=200000, lines_read=50000
    )
    client = client_for(admin_user)
    url = reverse("directory:import_detail", kwargs={"public_id": run.public_id})
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'hx-trigger="every 2s"' in partial
    assert "25 % — 50000 lignes lues sur 200000" in partial


def test_a_file_in_another_encoding_fails_with_a_clear_message_and_writes_nothing(
    admin_user, client_for, django_capture_on_commit_callbacks
) -> None:
    content = text(professional("1000000001", "BÉRAUD")).encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(reverse("directory:import_list"), {"file": _upload(content)})
    run = DirectoryImport.objects.get()
    assert run.status == DirectoryImport.Status.FAILED
    assert "pas encodé en UTF-8" in run.error
    assert not DirectoryProfessional.objects.exists()


def test_bad_input_is_refused_next_to_the_field(admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = client.post(reverse("directory:import_list"), {"departements": "06,999"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["file"] == ["Veuillez choisir le fichier de l'extraction."]
    assert form.errors["departements"] == ["Département(s) inconnu(s) : 999."]
    response = client.post(reverse("directory:import_list"), {"file": _upload(b"%PDF-1.4", "annuaire.pdf")})
    assert "Déposez le fichier texte (.txt)" in response.context["form"].errors["file"][0]
    assert not DirectoryImport.objects.exists()


def test_the_upload_is_refused_to_non_administrators(member, stranger, client_for) -> None:
    for user in (member, stranger):
        client = client_for(user)
        response = client.post(reverse("directory:import_list"), {"file": _upload(SAMPLE.read_bytes())})
        assert response.status_code == 403
        assert client.get(reverse("directory:import_list")).status_code == 403
    assert not DirectoryImport.objects.exists() and not DirectoryProfessional.objects.exists()


def test_the_task_runs_a_pending_import_once(admin_user) -> None:
    run = DirectoryImport.objects.create(file_name="x.txt", status=DirectoryImport.Status.DONE)
    run_directory_import.call(run.pk)  # already done: nothing happens
    run.refresh_from_db()
    assert run.status == DirectoryImport.Status.DONE and run.started_at is None


def test_the_extract_has_its_own_size_limit_and_the_csrf_check_stays(
    admin_user, client_for, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CORDEE_MAX_UPLOAD_BYTES = 100  # a dossier's documents: far smaller than an extract
    settings.CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES = 1_000_000
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directory:import_list"), {"file": _upload(SAMPLE.read_bytes())})
    assert response.status_code == 302
    run = DirectoryImport.objects.get()
    assert run.status == DirectoryImport.Status.DONE and run.counts["nouveaux"] == 8, run.error
    settings.CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES = 1000
    response = client.post(reverse("directory:import_list"), {"file": _upload(SAMPLE.read_bytes())})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Le fichier dépasse la taille maximale (1 Ko)."]
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(admin_user)
    assert checked.post(reverse("directory:import_list"), {"departements": "06"}).status_code == 403
    assert DirectoryImport.objects.count() == 1
