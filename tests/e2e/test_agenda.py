"""The agenda in a browser (issue 18): a weekly appointment for a patient taken from the agenda,
seen in the dossier's "RDV patient" theme and the active file's "Prochain RDV", made private and
then read as "Occupé" by a colleague; axe-core on the week view at desktop and phone width."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.agenda.tests.helpers import actor_of, book
from cordee.core import clock
from cordee.patients.testing import create_test_patient
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def test_a_weekly_patient_appointment_from_the_agenda_to_the_dossier_then_private(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    member: User,
    structure: Structure,
    axe: Axe,
) -> None:
    patient = create_test_patient(coordinator, structure)
    day = clock.today() + datetime.timedelta(days=7)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.context.set_default_timeout(60_000)  # a shared, busy machine: wait for state, longer
    page.goto(f"{live_server.url}/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Agenda de : {structure.name}, {coordinator.display_name}"
    )
    assert_accessible(axe, page)

    page.get_by_role("link", name="Nouveau rendez-vous").click()
    page.get_by_label("Titre").fill("Bilan psychomoteur")
    page.get_by_label("Type").select_option(label="RCV Enfants")
    page.locator("#id_starts_at").fill(f"{day.isoformat()}T10:00")
    page.locator("#id_ends_at").fill(f"{day.isoformat()}T11:00")
    page.get_by_label("Répétition").select_option(label="Chaque semaine")
    page.get_by_label("Rechercher un patient").fill("mart")
    patient_select = page.get_by_role("combobox", name="Patient", exact=True)
    expect(patient_select.locator("option", has_text=patient.display_name)).to_have_count(1)
    patient_select.select_option(str(patient.public_id))
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect(page.get_by_text("Le rendez-vous « Bilan psychomoteur » est enregistré.")).to_be_visible()
    expect(page.get_by_role("link", name="Bilan psychomoteur")).to_have_count(1)
    expect(page.get_by_role("link", name="Bilan psychomoteur")).to_contain_text(patient.display_name)

    # The dossier's "RDV patient" theme lists it (its weekly occurrences too).
    page.goto(f"{live_server.url}/patients/{patient.public_id}/parcours/")
    coming = page.locator("#rdv-a-venir")
    expect(coming.get_by_role("link", name="Bilan psychomoteur").first).to_be_visible()
    assert coming.get_by_role("link", name="Bilan psychomoteur").count() >= 2

    # The active file's "Prochain RDV".
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_role("cell", name=f"{day:%d/%m/%Y} à 10:00")).to_be_visible()

    # Made private: the colleague sees "Occupé" in the coordinator's agenda.
    coming_link = f"{live_server.url}/patients/{patient.public_id}/parcours/"
    page.goto(coming_link)
    page.locator("#rdv-a-venir").get_by_role("link", name="Bilan psychomoteur").first.click()
    page.get_by_label("Privé").check()
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Le rendez-vous est mis à jour.")).to_be_visible()

    colleague = open_as_structure(new_context, member, structure, live_server)
    colleague.context.set_default_timeout(60_000)
    colleague.goto(f"{live_server.url}/agenda/?date={day.isoformat()}&voir=p-{coordinator.public_id}")
    busy = colleague.locator(".agd-event")
    expect(busy).to_have_count(1)
    expect(busy).to_contain_text("Occupé")
    expect(colleague.get_by_text("Bilan psychomoteur")).to_have_count(0)
    assert_accessible(axe, colleague)

    phone = open_as_structure(
        lambda **kw: new_context(viewport=PHONE_VIEWPORT, **kw), coordinator, structure, live_server
    )
    phone.context.set_default_timeout(60_000)
    phone.goto(f"{live_server.url}/agenda/?date={day.isoformat()}")
    expect(phone.locator(".agd-event")).to_have_count(1)
    assert_accessible(axe, phone)
    # Centred on 7h: the grid opened scrolled past the night hours.
    assert phone.locator("[data-agd-scroll]").evaluate("box => box.scrollTop") > 0


def test_drag_an_appointment_to_another_day_and_edit_one_occurrence_of_a_series(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
) -> None:
    actor = actor_of(coordinator, structure)
    monday = clock.today() - datetime.timedelta(days=clock.today().weekday()) + datetime.timedelta(days=7)
    tuesday, wednesday = monday + datetime.timedelta(days=1), monday + datetime.timedelta(days=2)
    visit = book(actor, tuesday, 9, title="Visite à domicile", users=[coordinator])
    series = book(actor, tuesday, 11, title="Staff du mardi", users=[coordinator], repeat="WEEKLY")
    tall = {"width": 1280, "height": 1100}  # the 7h–19h rows in sight without scrolling the page
    page = open_as_structure(
        lambda **kw: new_context(viewport=tall, **kw), coordinator, structure, live_server
    )
    page.context.set_default_timeout(60_000)
    week = f"{live_server.url}/agenda/?vue=semaine&date={tuesday.isoformat()}"
    page.goto(week)

    # Drag "Visite à domicile" (Tuesday 9:00) to Wednesday 14:00: the grid's quarter-hour rows.
    source = page.locator(".agd-event", has_text="Visite à domicile")
    target = page.locator(f'[data-agd-day="{wednesday.isoformat()}"]')
    quarter = target.evaluate("column => column.getBoundingClientRect().height / 96")
    source.drag_to(target, source_position={"x": 5, "y": 2}, target_position={"x": 10, "y": quarter * 56 + 2})
    expect(page.get_by_text(f"Le rendez-vous est déplacé au {wednesday:%d/%m/%Y} à 14:00.")).to_be_visible()
    visit.refresh_from_db()
    assert clock.local(visit.starts_at) == clock.local(clock.at(wednesday, datetime.time(14)))
    assert page.url == week
    moved = page.locator(f'[data-agd-day="{wednesday.isoformat()}"] .agd-event', has_text="Visite à domicile")
    expect(moved).to_contain_text("14:00–15:00")

    # One occurrence of the weekly series: renamed for this Tuesday only.
    page.locator(".agd-event", has_text="Staff du mardi").click()
    page.get_by_role("radio", name="Cette occurrence (celle du").check()
    page.get_by_label("Titre").fill("Staff exceptionnel")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Le rendez-vous est mis à jour.")).to_be_visible()
    expect(page.locator(".agd-event", has_text="Staff exceptionnel")).to_have_count(1)
    expect(page.locator(".agd-event", has_text="Staff du mardi")).to_have_count(0)
    page.get_by_role("link", name="Période suivante").click()
    expect(page.locator(".agd-event", has_text="Staff du mardi")).to_have_count(1)
    assert series.overrides.get().title == "Staff exceptionnel"
