"""Issue 23: growth z-scores and centiles shown while a notebook is filled, computed on the
server by the same code and references as the saved form; the references loaded once a process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.audit.models import Access
from cordee.cocon.models import Inclusion
from cordee.pathways.models import FormResponse, Questionnaire
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.usefixtures("shipped")


@pytest.fixture
def acting(coordinator: User, structure: Structure, client_for: Callable[..., Client]) -> Client:
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def included(newborn: Patient, include_child: Callable[..., Inclusion]) -> Patient:
    include_child(newborn)
    return newborn


def _urls(patient: Patient, code: str) -> tuple[str, str]:
    questionnaire = Questionnaire.objects.get(code=code)
    version = questionnaire.current_version()
    assert version is not None
    page = reverse(
        "pathways:new_form",
        kwargs={"public_id": patient.public_id, "questionnaire_id": questionnaire.public_id},
    )
    live = reverse(
        "pathways:computed", kwargs={"public_id": patient.public_id, "version_id": version.public_id}
    )
    return page, live


def test_the_z_score_and_centile_of_a_weight_appear_before_saving(acting: Client, included: Patient) -> None:
    page, live = _urls(included, "cocon-3-mois")
    html = acting.get(page).content.decode()
    assert f'data-computed-url="{live}"' in html
    assert 'id="id_q-poids_sds"' in html and 'id="id_q-poids_centile"' in html
    today = timezone.localdate().isoformat()
    response = acting.post(live, {"q-date_consultation": today, "q-poids": "4,6", "q-taille": "56"})
    assert response.status_code == 200
    values = response.json()["computed"]
    assert values["id_q-poids_sds"] != "—" and values["id_q-poids_centile"] != "—"
    assert values["id_q-pc_sds"] == "—"  # no head circumference typed yet
    assert FormResponse.objects.count() == 0  # nothing saved

    # The very figures the saved form keeps.
    acting.post(page, {"version": "0", "q-date_consultation": today, "q-poids": "4,6", "q-taille": "56"})
    saved = FormResponse.objects.get(patient=included).answers
    shown_sds = float(values["id_q-poids_sds"].split()[0].replace(",", "."))
    assert shown_sds == pytest.approx(saved["poids_sds"])


def test_bad_values_give_dashes_not_errors(acting: Client, included: Patient) -> None:
    _, live = _urls(included, "cocon-3-mois")
    for data in (
        {"q-date_consultation": "32/13/2026", "q-poids": "4,6"},
        {"q-date_consultation": "9999-01-01", "q-poids": "abc"},
        {"q-poids": "\x00", "q-inconnu": "1"},
        {"q-poids": "1" * 5000},
    ):
        response = acting.post(live, data)
        assert response.status_code == 200
        assert response.json()["computed"]["id_q-poids_sds"] == "—"


def test_the_door_of_the_live_computation(
    included: Patient, client_for: Callable[..., Client], member: User, structure: Structure
) -> None:
    _, live = _urls(included, "cocon-3-mois")
    stranger = make_user(username="inconnu")
    accept_current_terms(stranger)
    assert client_for(stranger).post(live, {"q-poids": "4"}).status_code == 404
    assert Client().post(live, {"q-poids": "4"}).status_code == 302
    assert client_for(member, acting_as=structure).get(live).status_code == 405
    assert Access.objects.filter(what="calcul de formulaire").exists()


@pytest.mark.once  # a process start: no hour of the day changes it
def test_the_growth_references_are_loaded_when_the_server_process_starts() -> None:
    """The first save of a notebook was seconds slower than the next: rcpchgrowth (scipy) was
    imported by the first request needing it. The WSGI module loads it with the application."""
    code = (
        "import sys, time; import config.wsgi; "
        "assert 'rcpchgrowth' in sys.modules, 'not preloaded'; "
        "import datetime; from cordee.pathways.answers import Context, growth; "
        "ctx = Context(today=datetime.date(2026, 5, 1), birth_date=datetime.date(2026, 1, 1), sex='F'); "
        "t = time.perf_counter(); v = growth(ctx, 'weight', 'sds', 5.0, '2026-04-01'); "
        "took = time.perf_counter() - t; assert v is not None; assert took < 0.3, took"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run(  # noqa: S603 - the test's own interpreter and code
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
