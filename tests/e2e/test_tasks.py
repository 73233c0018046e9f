"""Tasks in a browser, as the training booklet walks through them: "Tâches - création d'une
tâche" (TSK-1), "Statut d'une tâche" (TSK-2), the dossier's "4. Tâches" panel (TSK-3),
"Consulter les tâches" (TSK-4), the stranger's 404 (SEC-1) and axe-core on every page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, FilePayload, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from cordee.tasks import services
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskStatus, TaskType
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_person, open_as_structure, open_dossier, section, side_menu
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.e2e

PANEL = "4. Tâches"
DASHBOARD = "Consulter les tâches"


# Far enough ahead never to be overdue, whatever day the suite runs.
def due_year() -> int:
    return clock.today().year + 1


ORDONNANCE = b"%PDF-1.4 ordonnance de kinesitherapie"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# --- Helpers -------------------------------------------------------------------------------


def make_task(
    user: User,
    structure: Structure,
    patient: Patient,
    label: str,
    *,
    due_in: datetime.timedelta = datetime.timedelta(days=7),
    status: TaskStatus = TaskStatus.TODO,
    level: str = "Important",
    task_type: str = "Relance",
    recipients: Iterable[CircleMember] = (),
) -> Task:
    """A task made by the service, as `user` acting for `structure`, addressed to `user` (or to
    the circle's `recipients` given)."""
    actor = Actor(user=user, membership=Membership.objects.get(user=user, structure=structure))
    task = Task(
        task_type=TaskType.objects.get(label=task_type),
        level=TaskLevel.objects.get(label=level),
        label=label,
        status=status,
        due_at=timezone.now() + due_in,
    )
    return services.create_task(actor, patient, task, list(recipients))


def status_button(scope: Page | Locator, status: str, label: str) -> Locator:
    """The status is a button; its name says what a click does, for the task it belongs to."""
    return scope.get_by_role(
        "button", name=f"{status} — passer au statut suivant pour « {label} »", exact=True
    )


def task_row(page: Page, label: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=label, exact=True))


def open_dashboard(page: Page) -> None:
    side_menu(page).get_by_role("link", name="Tâches", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=DASHBOARD, exact=True)).to_be_visible()


def status_filter(page: Page, status: str) -> Locator:
    return page.get_by_role("group", name="Statut").get_by_role("checkbox", name=status, exact=True)


def panel_counts(page: Page) -> Locator:
    """The dossier panel's counts by status (a polite live region)."""
    return section(page, PANEL).locator("#taches-compteurs")


def column_header(page: Page, label: str) -> Locator:
    return page.get_by_role("columnheader", name=re.compile(rf"^{re.escape(label)}, trier"))


def task_url(task: Task) -> str:
    return f"/patients/{task.patient.public_id}/taches/{task.public_id}/"


# --- The booklet ---------------------------------------------------------------------------


def test_create_a_task_from_the_dossier_with_oneself_as_recipient(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    panel = section(page, PANEL)
    expect(panel.get_by_text("Aucune tâche à traiter.")).to_be_visible()

    panel.get_by_role("link", name="Nouvelle tâche").click()
    expect(page.get_by_role("heading", level=1, name="Nouvelle tâche — MARTIN Léa")).to_be_visible()
    page.get_by_role("combobox", name="Type", exact=True).select_option(label="Appel téléphonique")
    page.get_by_role("combobox", name="Niveau", exact=True).select_option(label="Important")
    page.get_by_role("textbox", name="Libellé", exact=True).fill("Rappeler la maman pour le bilan")
    page.get_by_label("Date d'échéance").fill(f"{due_year()}-12-01T09:30")
    expect(page.get_by_role("combobox", name="Statut", exact=True)).to_have_value(TaskStatus.TODO)
    # The creator is a recipient by default, the structure is offered but not ticked.
    recipients = page.get_by_role("group", name="Destinataires")
    expect(recipients.get_by_role("checkbox", name=re.compile(r"^COORDIN Claire"))).to_be_checked()
    expect(recipients.get_by_role("checkbox", name="DAC Test Azur (structure)")).not_to_be_checked()
    expect(recipients).to_contain_text("il est recommandé de ne pas vous retirer")
    page.get_by_role("button", name="Créer la tâche").click()

    expect(page.get_by_role("heading", level=1, name="MARTIN Léa")).to_be_visible()
    expect(page.get_by_text("La tâche « Rappeler la maman pour le bilan » est créée.")).to_be_visible()
    panel = section(page, PANEL)
    item = panel.get_by_role("listitem").filter(has_text="Rappeler la maman pour le bilan")
    expect(item).to_have_count(1)
    expect(status_button(item, "À traiter", "Rappeler la maman pour le bilan")).to_be_visible()
    expect(item).to_contain_text(f"Important, échéance 01/12/{due_year()} à 09:30")
    expect(item.get_by_text("En retard")).to_have_count(0)
    for count in ("À traiter : 1", "En cours : 0", "Traité : 0", "Annulé : 0"):
        expect(panel).to_contain_text(count)

    task = Task.objects.get()
    due = timezone.localtime(task.due_at)
    assert (due.date(), due.hour, due.minute) == (datetime.date(due_year(), 12, 1), 9, 30)
    assert task.task_type.label == "Appel téléphonique"
    assert task.structure == structure
    assert [(r.user, r.structure) for r in task.recipients.all()] == [(coordinator, None)]
    expect(section(page, "Fil d'actualité")).to_contain_text(
        "Tâche ajoutée : Rappeler la maman pour le bilan"
    )


def test_join_documents_to_a_task_and_download_them(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    """TSK-1 "Documents": a wrong file is refused next to the field and nothing is created; the
    right one lands on the task's page, downloads, and the dashboard's column counts it."""
    patient = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto(f"{live_server.url}/patients/{patient.public_id}/taches/nouvelle/")
    page.get_by_role("combobox", name="Type", exact=True).select_option(label="Relance")
    page.get_by_role("textbox", name="Libellé", exact=True).fill("Transmettre l'ordonnance")
    page.get_by_label("Date d'échéance").fill(f"{due_year()}-12-01T09:30")
    documents = page.get_by_label("Documents", exact=True)
    documents.set_input_files(
        [
            FilePayload(name="Ordonnance kiné.pdf", mimeType="application/pdf", buffer=ORDONNANCE),
            FilePayload(name="programme.exe", mimeType="application/pdf", buffer=b"MZ\x90\x00binary"),
        ]
    )
    page.get_by_role("button", name="Créer la tâche").click()
    error = page.locator("#id_documents_erreur")
    expect(error).to_contain_text("programme.exe : Type de fichier non accepté")
    expect(page.get_by_label("Documents", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(axe, page)
    assert not Task.objects.exists()

    # The form came back filled in; only the files are to choose again (browsers never keep them).
    expect(page.get_by_role("textbox", name="Libellé", exact=True)).to_have_value("Transmettre l'ordonnance")
    page.get_by_label("Documents", exact=True).set_input_files(
        FilePayload(name="Ordonnance kiné.pdf", mimeType="application/pdf", buffer=ORDONNANCE)
    )
    page.get_by_role("button", name="Créer la tâche").click()
    expect(page.get_by_text("La tâche « Transmettre l'ordonnance » est créée.")).to_be_visible()

    open_dashboard(page)
    row = task_row(page, "Transmettre l'ordonnance")
    row.get_by_role("link", name="1 document").click()
    documents_section = page.get_by_role("region", name="Documents")
    link = documents_section.get_by_role("link", name="Ordonnance kiné.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Ordonnance kiné.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == ORDONNANCE
    expect(page.get_by_role("region", name="Historique")).to_contain_text("1 document joint")


def test_status_button_cycles_without_reloading_the_page(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    task = make_task(coordinator, structure, patient, "Appeler la PMI")
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    panel = section(page, PANEL)
    # A full page load would forget this; htmx swapping the button keeps it.
    page.evaluate("() => { window.cordeeSansRechargement = true; }")

    counts = panel_counts(page)
    expect(counts).to_contain_text("À traiter : 1")
    current = "À traiter"
    for following in ("En cours", "Traité", "Annulé", "À traiter"):
        status_button(panel, current, "Appeler la PMI").click()
        expect(status_button(panel, following, "Appeler la PMI")).to_be_visible()
        expect(status_button(panel, current, "Appeler la PMI")).to_have_count(0)
        # The panel's counts follow the click (swapped out of band by the same answer).
        expect(counts).to_contain_text(f"{following} : 1")
        expect(counts).to_contain_text(f"{current} : 0")
        current = following

    assert page.evaluate("() => window.cordeeSansRechargement") is True
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO
    assert task.version == 5
    assert list(TaskChange.objects.filter(task=task).values_list("description", flat=True)) == [
        "Statut : Annulé → À traiter",
        "Statut : Traité → Annulé",
        "Statut : En cours → Traité",
        "Statut : À traiter → En cours",
        "Tâche créée (À traiter)",
    ]
    page.reload()
    expect(section(page, PANEL)).to_contain_text("À traiter : 1")


def test_a_done_task_is_read_only_until_set_back(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    make_task(coordinator, structure, patient, "Envoyer le compte rendu", status=TaskStatus.IN_PROGRESS)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    section(page, PANEL).get_by_role("link", name="Envoyer le compte rendu").click()
    expect(page.get_by_role("heading", level=1, name="Envoyer le compte rendu — MARTIN Léa")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer")).to_be_visible()

    status_button(page, "En cours", "Envoyer le compte rendu").click()
    expect(status_button(page, "Traité", "Envoyer le compte rendu")).to_be_visible()
    expect(
        page.get_by_text("Cette tâche est traitée : elle n'est plus modifiable.", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Libellé", exact=True)).to_have_count(0)

    # Traité → Annulé → À traiter: the form comes back, with the task's current version.
    status_button(page, "Traité", "Envoyer le compte rendu").click()
    expect(status_button(page, "Annulé", "Envoyer le compte rendu")).to_be_visible()
    status_button(page, "Annulé", "Envoyer le compte rendu").click()
    expect(status_button(page, "À traiter", "Envoyer le compte rendu")).to_be_visible()
    expect(page.get_by_text("n'est plus modifiable")).to_have_count(0)
    label = page.get_by_role("textbox", name="Libellé", exact=True)
    expect(label).to_have_value("Envoyer le compte rendu")
    label.fill("Envoyer le compte rendu au pédiatre")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("La tâche est mise à jour.")).to_be_visible()
    item = section(page, PANEL).get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(status_button(item, "À traiter", "Envoyer le compte rendu au pédiatre")).to_be_visible()


def test_consult_tasks_from_the_dossier_and_from_the_side_menu(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    make_task(coordinator, structure, patient, "Appeler la PMI", due_in=datetime.timedelta(days=7))
    make_task(
        coordinator,
        structure,
        patient,
        "Bilan orthophonique",
        due_in=datetime.timedelta(days=3),
        status=TaskStatus.IN_PROGRESS,
    )
    make_task(coordinator, structure, patient, "Envoyer le compte rendu", status=TaskStatus.DONE)
    make_task(coordinator, structure, patient, "Relancer le CAMSP", due_in=-datetime.timedelta(days=2))
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    expect(section(page, PANEL).get_by_role("listitem").filter(has_text="Relancer le CAMSP")).to_contain_text(
        "En retard"
    )

    # From the dossier: every task of this patient, whatever its status.
    section(page, PANEL).get_by_role("link", name="tâches", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"{DASHBOARD} — MARTIN Léa")).to_be_visible()
    expect(page.get_by_text("4 tâches.")).to_be_visible()
    for status in ("À traiter", "En cours", "Traité", "Annulé"):
        expect(status_filter(page, status)).not_to_be_checked()
    for label in ("Appeler la PMI", "Bilan orthophonique", "Envoyer le compte rendu", "Relancer le CAMSP"):
        expect(task_row(page, label)).to_have_count(1)
    expect(
        status_button(task_row(page, "Envoyer le compte rendu"), "Traité", "Envoyer le compte rendu")
    ).to_be_visible()
    # Soonest due first: the overdue one leads, flagged.
    expect(page.get_by_role("row").nth(1)).to_contain_text("Relancer le CAMSP")
    expect(task_row(page, "Relancer le CAMSP").get_by_text("En retard", exact=True)).to_be_visible()
    expect(task_row(page, "Appeler la PMI").get_by_text("En retard", exact=True)).to_have_count(0)

    # From the side menu: my open tasks only, "À traiter" and "En cours".
    open_dashboard(page)
    expect(status_filter(page, "À traiter")).to_be_checked()
    expect(status_filter(page, "En cours")).to_be_checked()
    expect(status_filter(page, "Traité")).not_to_be_checked()
    expect(page.get_by_text("3 tâches.")).to_be_visible()
    expect(task_row(page, "Envoyer le compte rendu")).to_have_count(0)
    expect(task_row(page, "Bilan orthophonique")).to_contain_text("MARTIN Léa")
    expect(task_row(page, "Relancer le CAMSP").get_by_text("En retard", exact=True)).to_be_visible()
    expect(task_row(page, "Bilan orthophonique").get_by_text("En retard", exact=True)).to_have_count(0)

    # Ticking "Traité" brings it back (htmx, the address follows the filters).
    status_filter(page, "Traité").check()
    page.get_by_role("button", name="Rechercher").click()
    expect(task_row(page, "Envoyer le compte rendu")).to_have_count(1)
    expect(page.get_by_text("4 tâches.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"statut=DONE"))


def test_sort_the_dashboard_by_a_column_header(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    make_task(coordinator, structure, patient, "Bilan orthophonique", due_in=datetime.timedelta(days=3))
    make_task(coordinator, structure, patient, "Appeler la PMI", due_in=datetime.timedelta(days=7))
    make_task(coordinator, structure, patient, "Relancer le CAMSP", due_in=datetime.timedelta(days=1))
    make_task(coordinator, structure, patient, "Compte rendu envoyé", status=TaskStatus.DONE)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/")
    open_dashboard(page)
    page.evaluate("() => { window.cordeeSansRechargement = true; }")
    rows = page.get_by_role("row")

    def expect_order(*labels: str) -> None:
        expect(rows).to_have_count(len(labels) + 1)
        for index, label in enumerate(labels, start=1):
            expect(rows.nth(index)).to_contain_text(label)

    # By default: soonest due first, and the due-date header says so.
    expect_order("Relancer le CAMSP", "Bilan orthophonique", "Appeler la PMI")
    expect(column_header(page, "Date d'échéance")).to_have_attribute("aria-sort", "ascending")

    page.get_by_role("link", name="Libellé, trier par ordre croissant", exact=True).click()
    expect(column_header(page, "Libellé")).to_have_attribute("aria-sort", "ascending")
    expect_order("Appeler la PMI", "Bilan orthophonique", "Relancer le CAMSP")
    expect(page).to_have_url(re.compile(r"tri=libelle"))
    expect(column_header(page, "Date d'échéance")).not_to_have_attribute("aria-sort", re.compile(".*"))
    # The keyboard focus stays on the header just used.
    expect(page.get_by_role("link", name="Libellé, trier par ordre décroissant", exact=True)).to_be_focused()

    page.get_by_role("link", name="Libellé, trier par ordre décroissant", exact=True).click()
    expect(column_header(page, "Libellé")).to_have_attribute("aria-sort", "descending")
    expect_order("Relancer le CAMSP", "Bilan orthophonique", "Appeler la PMI")
    expect(page).to_have_url(re.compile(r"tri=-libelle"))

    # A new search keeps the sort.
    status_filter(page, "Traité").check()
    page.get_by_role("button", name="Rechercher").click()
    expect_order("Relancer le CAMSP", "Compte rendu envoyé", "Bilan orthophonique", "Appeler la PMI")
    expect(page).to_have_url(re.compile(r"statut=DONE.*tri=-libelle|tri=-libelle.*statut=DONE"))
    assert page.evaluate("() => window.cordeeSansRechargement") is True


def test_find_and_choose_a_recipient_in_the_dashboards_picker(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    """ "Destinataire(s)" lists nobody with the page: one types a few letters, the matching names
    come (accents and case folded), one ticks a name and searches; the choice stays ticked."""
    patient = create_test_patient(coordinator, structure)
    me = CircleMember.objects.get(patient=patient, user=coordinator, removed_at__isnull=True)
    circle: dict[str, CircleMember] = {}
    for username, last_name, first_name in (
        ("idel", "Idel", "Nina"),
        ("idrissi", "Idrissi", "Élodie"),
        ("kine", "Kiné", "Karl"),
    ):
        person = make_user(username=username, last_name=last_name, first_name=first_name)
        accept_current_terms(person)
        circle[username] = CircleMember.objects.create(patient=patient, user=person, is_habilitated=True)
    make_task(coordinator, structure, patient, "Pansement", recipients=[me, circle["idel"]])
    make_task(coordinator, structure, patient, "Bilan orthophonique", recipients=[me, circle["idrissi"]])
    make_task(coordinator, structure, patient, "Rééducation", recipients=[me, circle["kine"]])
    make_task(coordinator, structure, patient, "Appeler la PMI")
    nurse = circle["idel"].user
    assert nurse is not None

    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/")
    open_dashboard(page)
    page.evaluate("() => { window.cordeeSansRechargement = true; }")
    expect(page.get_by_text("4 tâches.")).to_be_visible()
    picker = page.get_by_role("group", name="Destinataire(s)")
    search = picker.get_by_role("searchbox", name="Rechercher : Destinataire(s)")
    choices = picker.get_by_role("checkbox")
    expect(choices).to_have_count(0)  # the page lists no option

    search.fill("id")
    expect(picker.get_by_role("checkbox", name="IDEL Nina", exact=True)).to_be_visible()
    expect(picker.get_by_role("checkbox", name="IDRISSI Élodie", exact=True)).to_be_visible()
    expect(choices).to_have_count(2)  # not KINÉ Karl, COORDIN Claire, nor the DAC
    assert_accessible(axe, page)  # the picker open, its options drawn

    picker.get_by_role("checkbox", name="IDEL Nina", exact=True).check()
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_text("1 tâche.")).to_be_visible()
    expect(task_row(page, "Pansement")).to_have_count(1)
    expect(task_row(page, "Bilan orthophonique")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"destinataire=p-{nurse.public_id}"))
    assert not re.search(r"[?&]q=", page.url)  # the search box is not a filter
    assert page.evaluate("() => window.cordeeSansRechargement") is True

    # The address alone brings the choice back: ticked, and the only name listed.
    page.reload()
    expect(page.get_by_text("1 tâche.")).to_be_visible()
    expect(choices).to_have_count(1)
    expect(picker.get_by_role("checkbox", name="IDEL Nina", exact=True)).to_be_checked()

    # Searching again: the choice stays first and ticked while the other matches change.
    page.evaluate("() => { window.cordeeSansRechargement = true; }")
    search.fill("KINE")
    expect(picker.get_by_role("checkbox", name="KINÉ Karl", exact=True)).to_be_visible()
    expect(picker.get_by_role("checkbox", name="KINÉ Karl", exact=True)).not_to_be_checked()
    expect(choices).to_have_count(2)
    expect(choices.first).to_have_accessible_name("IDEL Nina")
    expect(choices.first).to_be_checked()
    search.fill("élo")
    expect(picker.get_by_role("checkbox", name="IDRISSI Élodie", exact=True)).to_be_visible()
    expect(picker.get_by_role("checkbox", name="KINÉ Karl", exact=True)).to_have_count(0)
    expect(choices).to_have_count(2)
    expect(choices.first).to_have_accessible_name("IDEL Nina")
    expect(choices.first).to_be_checked()
    search.fill("zzz")
    expect(picker.get_by_text("Aucun autre choix ne correspond à « zzz ».")).to_be_visible()
    expect(choices).to_have_count(1)
    expect(picker.get_by_role("checkbox", name="IDEL Nina", exact=True)).to_be_checked()

    # Enter in the search box searches again; it neither submits the filters nor leaves the page.
    search.fill("idr")
    expect(picker.get_by_role("checkbox", name="IDRISSI Élodie", exact=True)).to_be_visible()
    address = page.url
    with page.expect_response(lambda response: "/taches/choix/destinataire/" in response.url):
        search.press("Enter")
    expect(picker.get_by_role("checkbox", name="IDRISSI Élodie", exact=True)).to_be_visible()
    expect(picker.get_by_role("checkbox", name="IDEL Nina", exact=True)).to_be_checked()
    assert page.url == address
    assert page.evaluate("() => window.cordeeSansRechargement") is True
    expect(page.get_by_text("1 tâche.")).to_be_visible()
    assert_accessible(axe, page)

    # Ticking a second name and searching narrows to either.
    picker.get_by_role("checkbox", name="IDRISSI Élodie", exact=True).check()
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_text("2 tâches.")).to_be_visible()
    expect(task_row(page, "Bilan orthophonique")).to_have_count(1)
    expect(task_row(page, "Rééducation")).to_have_count(0)
    assert page.url.count("destinataire=") == 2


def test_filter_the_dashboard_on_patients_and_choose_the_page_size(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    """ "Patient(s)": two letters of a name bring the patients of one's tasks; ticked, the list
    shows only theirs. "Nombre d'items par page": 10 by default, as in the booklet."""
    dupont = create_test_patient(coordinator, structure, birth_name="Dupont", first_name="Jules")
    martin = create_test_patient(coordinator, structure, birth_name="Martin", first_name="Léa")
    for n in range(11):
        make_task(coordinator, structure, martin, f"Martin {n:02}", due_in=datetime.timedelta(days=n + 1))
    make_task(coordinator, structure, dupont, "Dupont — bilan", due_in=datetime.timedelta(days=30))

    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/")
    open_dashboard(page)
    page.evaluate("() => { window.cordeeSansRechargement = true; }")
    expect(page.get_by_text("12 tâches.")).to_be_visible()
    expect(page.locator("#taches tbody tr")).to_have_count(10)
    expect(page.get_by_text("Page 1 sur 2")).to_be_visible()

    page.get_by_label("Nombre d'items par page").select_option("25")
    expect(page.locator("#taches tbody tr")).to_have_count(12)
    expect(page).to_have_url(re.compile(r"taille=25"))

    picker = page.get_by_role("group", name="Patient(s)")
    search = picker.get_by_role("searchbox", name="Rechercher : Patient(s)")
    search.fill("d")
    expect(picker.get_by_text("Tapez au moins deux lettres du nom.")).to_be_visible()
    search.fill("dup")
    choice = picker.get_by_role("checkbox", name=re.compile(r"^DUPONT Jules \("))
    expect(choice).to_be_visible()
    expect(picker.get_by_role("checkbox")).to_have_count(1)  # not MARTIN Léa
    assert_accessible(axe, page)
    choice.check()
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.get_by_text("1 tâche.")).to_be_visible()
    expect(task_row(page, "Dupont — bilan")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"patients={dupont.public_id}"))
    assert page.evaluate("() => window.cordeeSansRechargement") is True
    page.reload()
    expect(page.get_by_text("1 tâche.")).to_be_visible()
    expect(picker.get_by_role("checkbox", name=re.compile(r"^DUPONT Jules \("))).to_be_checked()


def test_create_a_task_from_the_dashboard_by_finding_the_patient(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    create_test_patient(
        coordinator, structure, birth_name="Durand", first_name="Paul", birth_date=datetime.date(2023, 5, 2)
    )
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/")
    open_dashboard(page)
    expect(page.get_by_text("Aucune tâche ne correspond.")).to_be_visible()

    page.get_by_role("link", name="Créer une tâche", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Créer une tâche")).to_be_visible()
    search = page.get_by_role("search")
    search.get_by_role("searchbox", name="Nom du patient").fill("marti")
    search.get_by_role("button", name="Rechercher").click()

    proposals = page.get_by_role("main").get_by_role("listitem")
    expect(proposals).to_have_count(1)
    expect(proposals).to_contain_text("MARTIN Léa — né(e) le 14/03/2024")
    page.get_by_role("link", name="Créer une tâche pour MARTIN Léa", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Nouvelle tâche — MARTIN Léa")).to_be_visible()
    assert page.url.endswith(f"/patients/{patient.public_id}/taches/nouvelle/")
    page.get_by_role("combobox", name="Type", exact=True).select_option(label="Visite à domicile")
    page.get_by_role("textbox", name="Libellé", exact=True).fill("Visite de suivi")
    page.get_by_role("button", name="Créer la tâche").click()
    expect(page.get_by_text("La tâche « Visite de suivi » est créée.")).to_be_visible()
    expect(status_button(section(page, PANEL), "À traiter", "Visite de suivi")).to_be_visible()


def test_stranger_gets_page_not_found_for_a_task(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    stranger: User,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    task = make_task(coordinator, structure, patient, "Appeler la PMI")
    page = open_as_person(new_context, stranger, live_server)

    for url in (
        task_url(task),
        f"/patients/{patient.public_id}/taches/nouvelle/",
        f"/taches/?patient={patient.public_id}",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
        expect(page.get_by_text("Appeler la PMI")).to_have_count(0)
        expect(page.get_by_text("MARTIN Léa")).to_have_count(0)

    open_dashboard(page)
    expect(page.get_by_text("Aucune tâche ne correspond.")).to_be_visible()
    page.goto("/taches/nouvelle/?nom=martin")
    expect(page.get_by_text("Aucun dossier ne correspond.")).to_be_visible()


# --- Accessibility -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskPage:
    url: Callable[[Task], str]
    heading: str
    submit: str | None = None  # a button to press first, for a page showing its errors
    shows: str | None = None  # a text to wait for after that


TASK_PAGES = {
    "formulaire-en-erreur": TaskPage(
        lambda t: f"/patients/{t.patient.public_id}/taches/nouvelle/",
        "Nouvelle tâche — MARTIN Léa",
        submit="Créer la tâche",
        shows="Veuillez choisir le type de tâche.",
    ),
    "tache": TaskPage(task_url, "Appeler la PMI — MARTIN Léa"),
    "tableau-de-bord": TaskPage(lambda t: "/taches/", DASHBOARD),
    "tableau-de-bord-trie": TaskPage(lambda t: "/taches/?tri=-libelle", DASHBOARD),
    "tableau-de-bord-du-patient": TaskPage(
        lambda t: f"/taches/?patient={t.patient.public_id}", f"{DASHBOARD} — MARTIN Léa"
    ),
    "choix-du-patient": TaskPage(lambda t: "/taches/nouvelle/?nom=martin", "Créer une tâche"),
}


@pytest.mark.parametrize("name", list(TASK_PAGES))
def test_task_page_has_no_serious_accessibility_violation(
    name: str,
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    case = TASK_PAGES[name]
    patient = create_test_patient(coordinator, structure)
    task = make_task(coordinator, structure, patient, "Appeler la PMI")
    make_task(coordinator, structure, patient, "Relancer le CAMSP", due_in=-datetime.timedelta(days=2))
    page = open_as_structure(new_context, coordinator, structure, live_server)

    page.goto(case.url(task))
    expect(page.get_by_role("heading", level=1, name=case.heading)).to_be_visible()
    if case.submit is not None:
        page.get_by_role("button", name=case.submit).click()
    if case.shows is not None:
        expect(page.get_by_text(case.shows, exact=True)).to_be_visible()
    assert_accessible(axe, page)


def test_read_only_task_page_has_no_serious_accessibility_violation(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    patient = create_test_patient(coordinator, structure)
    task = make_task(coordinator, structure, patient, "Appeler la PMI", status=TaskStatus.DONE)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto(task_url(task))
    expect(page.get_by_text("n'est plus modifiable", exact=False)).to_be_visible()
    assert_accessible(axe, page)


# --- On a phone -----------------------------------------------------------------------------


def test_dashboard_phone_cards_show_what_matters_and_the_rest_on_demand(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    """Issue 23: on a phone a task's card shows its level, label, patient, due date and status;
    questionnaire, plan action, comment, documents and recipients on demand, empty as "—"."""
    patient = create_test_patient(coordinator, structure, birth_name="Martin", first_name="Léa")
    make_task(coordinator, structure, patient, "Appeler la PMI", due_in=datetime.timedelta(days=1))
    make_task(coordinator, structure, patient, "Relancer le CAMSP", due_in=datetime.timedelta(days=2))
    client = Client()
    client.force_login(coordinator)
    session = client.session
    session[ACTING_STRUCTURE_KEY] = str(structure.public_id)
    session.save()
    context = new_context(viewport=PHONE_VIEWPORT, reduced_motion="reduce")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto("/taches/")
    expect(page.get_by_role("heading", level=1, name=DASHBOARD, exact=True)).to_be_visible()

    rows = page.locator("#taches tbody tr")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first.get_by_role("link", name="Appeler la PMI", exact=True)).to_be_visible()
    shown = [cell.get_attribute("data-label") for cell in first.locator("td").all() if cell.is_visible()]
    assert shown == ["Niveau", "Libellé", "Patient", "Date d'échéance", "Statut"], shown
    recipients = first.locator('td[data-label="Destinataires"]')
    expect(recipients).to_be_hidden()
    more = first.get_by_role("button", name="Plus de détails sur « Appeler la PMI »")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(first.get_by_role("button", name="Moins de détails sur « Appeler la PMI »")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(recipients).to_be_visible()
    expect(recipients).to_contain_text(coordinator.display_name)
    for label in ("Questionnaire", "Actions", "Commentaire", "Documents"):
        expect(first.locator(f'td[data-label="{label}"]')).to_have_text("—")
    expect(rows.nth(1).locator('td[data-label="Destinataires"]')).to_be_hidden()
    # The status still cycles from the card, the card staying open.
    status_button(first, "À traiter", "Appeler la PMI").click()
    expect(status_button(first, "En cours", "Appeler la PMI")).to_be_visible()
    expect(recipients).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert_accessible(axe, page)
