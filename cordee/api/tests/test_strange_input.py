"""Issue 24 in the API: strange input is a 422 with its field named, never a 500, and nothing is
written; a moment keeps its offset (the Paris clock, not the server's)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cordee.api.testing import bearer_client, make_token
from cordee.core import clock
from cordee.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac(coordinator, structure):
    return bearer_client(make_token(coordinator, structure=structure, name="DPI du DAC")[1])


def _task(dac: Any, dossier: Any, **overrides: Any) -> Any:
    body = {
        "label": "Appeler la PMI",
        "type": "Relance",
        "level": "Information",
        "due_at": "2026-12-01T10:00",
    }
    body.update(overrides)
    return dac.post(f"/api/v1/dossiers/{dossier.public_id}/taches", body, content_type="application/json")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "Rel\x00ance"}, "type"),
        ({"level": "\x00"}, "level"),
        ({"label": "a\x00b"}, "label"),
        ({"comment": "x" * 100_000}, "comment"),
        ({"due_at": "0001-01-01T00:30:00+01:00"}, "due_at"),
        ({"due_at": "0001-01-01T00:00:00"}, "due_at"),
        ({"due_at": "9999-12-31T23:30:00-05:00"}, "due_at"),
        ({"due_at": "1900-01-01T00:30:00+14:00"}, "due_at"),
    ],
)
def test_a_strange_task_is_a_422_naming_its_field(dac, dossier, overrides, field) -> None:
    response = _task(dac, dossier, **overrides)
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Task.objects.exists()


def test_a_due_moment_with_an_offset_is_that_moment(dac, dossier) -> None:
    response = _task(dac, dossier, due_at="2026-12-01T10:00:00+01:00")
    assert response.status_code == 201
    due = Task.objects.get().due_at
    assert due == datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    assert clock.local(due).hour == 10


def test_a_due_moment_without_offset_is_read_on_the_paris_clock(dac, dossier) -> None:
    assert _task(dac, dossier, due_at="2026-07-01T10:00").status_code == 201
    assert clock.local(Task.objects.get().due_at).hour == 10


def test_a_huge_version_is_a_conflict_not_a_500(dac, dossier) -> None:
    task = _task(dac, dossier).json()
    url = f"/api/v1/dossiers/{dossier.public_id}/taches/{task['id']}/statut"
    for version in (2**70, -(2**70)):
        response = dac.post(
            url, {"status": "IN_PROGRESS", "version": version}, content_type="application/json"
        )
        assert response.status_code in {409, 422}
    assert Task.objects.get().status == "TODO"


@pytest.mark.parametrize("value", ["\x00", "x" * 10_000, str(2**70), "0001-01-01", "9999-12-31", "😀"])
@pytest.mark.parametrize("name", ["nom", "prenom", "naissance", "zone", "role", "tri", "page", "taille"])
def test_the_search_answers_strange_filters_without_a_500(dac, dossier, name, value) -> None:
    assert dac.get("/api/v1/dossiers", {name: value}).status_code in {200, 422}


@pytest.mark.parametrize(
    "overrides",
    [
        {"birth_name": "\x00"},
        {"first_name": "x" * 10_000},
        {"birth_date": "0001-01-01"},
        {"birth_date": "9999-12-31"},
        {"birth_commune": str(2**70)},
        {"birth_country_code": "\x00"},
        {"sex": "\x00"},
        {"mobile": "9" * 100},
        {"consent_given_by": "\x00"},
        {"consent_given_by_detail": "x" * 10_000},
    ],
)
def test_a_strange_dossier_is_refused_with_nothing_written(dac, dossier, overrides) -> None:
    from cordee.patients.models import Patient

    before = Patient.objects.count()
    body = {
        "birth_name": "Martinez",
        "first_name": "Inès",
        "birth_date": "2024-03-02",
        "sex": "F",
        "birth_country_code": "99100",
        "birth_commune": "06088",
        "consent_attested": True,
        "consent_given_by": "PATIENT",
        **overrides,
    }
    response = dac.post("/api/v1/dossiers", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert Patient.objects.count() == before
