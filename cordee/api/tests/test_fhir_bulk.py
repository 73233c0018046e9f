"""INT-2, FHIR Bulk Data Access: `Group/<structure>/$export` kicked off, polled, downloaded — the
worker run in-process — with only the Group's dossiers, each NDJSON line a resource that parses
back; refusals as hard as the happy path (other structure, dead token, another token, expired
files, read-only DELETE), cancellation, `_type` and `_since`, and the export's query count
bounded by the chunk, not by the dossiers."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.task import Task as FhirTask

from cordee.accounts.models import Membership, Structure, User
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.services import Attendees, create_appointment
from cordee.api import bulk
from cordee.api.fhir_views import FHIR_JSON
from cordee.api.models import ApiToken, BulkExport
from cordee.api.testing import bearer_client, make_token
from cordee.api.tokens import revoke_token
from cordee.audit import chain
from cordee.audit.models import Access
from cordee.audit.services import journal_listed
from cordee.careteam.access import _compute_standing, prime_standings
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents.testing import add_test_document
from cordee.pathways.models import Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskType
from tests.factories import make_membership

pytestmark = pytest.mark.django_db
PARSERS: dict[str, Any] = {
    "Patient": FhirPatient,
    "CareTeam": CareTeam,
    "Task": FhirTask,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Appointment": FhirAppointment,
    "DocumentReference": DocumentReference,
}


def _dossier(coordinator: User, structure: Structure, n: int, tasks: int = 2) -> Patient:
    patient = create_test_patient(
        coordinator,
        structure,
        birth_name=f"Export{chr(65 + n % 26)}{n}",
        first_name="Lou",
        birth_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
    )
    for k in range(tasks):
        Task.objects.create(
            patient=patient,
            task_type=TaskType.objects.get(label="Relance"),
            level=TaskLevel.objects.get(label="Information"),
            label=f"Appeler {n}-{k}",
            due_at=timezone.now(),
        )
    return patient


@pytest.fixture
def region(coordinator: User, structure: Structure, maternity: Structure) -> dict[str, Any]:
    """Three dossiers of the DAC; one of the maternity only; one where the DAC is listed without
    habilitation; one the patient refused to share with the coordinator."""
    ours = [_dossier(coordinator, structure, n) for n in range(3)]
    make_membership(user=coordinator, structure=maternity, role=Membership.Role.USER)
    theirs = _dossier(coordinator, maternity, 10)
    listed = _dossier(coordinator, maternity, 11)
    CircleMember.objects.create(patient=listed, structure=structure, is_habilitated=False)
    refused = _dossier(coordinator, structure, 12)
    CircleMember.objects.filter(patient=refused, user=coordinator).update(sharing_refused=True)
    return {"ours": ours, "theirs": theirs, "listed": listed, "refused": refused}


def _parameters(*parameters: tuple[str, str, Any]) -> str:
    return json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": n, kind: v} for n, kind, v in parameters]}
    )


def _kick(client: Client, structure: Structure, **params: Any) -> Any:
    return client.get(f"/fhir/Group/{structure.public_id}/$export", params, HTTP_PREFER="respond-async")


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def _export_of(response: Any) -> BulkExport:
    return BulkExport.objects.get(public_id=_path(response["Content-Location"]).rsplit("/", 1)[1])


def _lines(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(_path(url))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/fhir+ndjson"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return [json.loads(line) for line in body.decode().splitlines()]


def _done(
    client: Client, structure: Structure, capture: Any, **params: Any
) -> tuple[BulkExport, dict[str, Any]]:
    with capture(execute=True):
        response = _kick(client, structure, **params)
    assert response.status_code == 202, response.content
    status = client.get(_path(response["Content-Location"]))
    assert status.status_code == 200, status.content
    return _export_of(response), json.loads(status.content)


def test_kick_off_poll_download_only_the_group_s_dossiers(
    coordinator, structure, region, django_capture_on_commit_callbacks, client_for
) -> None:
    client = bearer_client(make_token(coordinator, structure=structure, scope=ApiToken.Scope.READ)[1])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _kick(client, structure)
    assert response.status_code == 202, response.content
    assert OperationOutcome.model_validate_json(response.content).issue[0].severity == "information"
    status_url = _path(response["Content-Location"])
    assert response["Content-Location"].startswith("http://testserver/fhir/bulk/")

    # Not run yet: the worker has it (the request only queued it).
    pending = client.get(status_url)
    assert pending.status_code == 202 and pending["Retry-After"] == "5"
    assert pending["X-Progress"] == "en attente du worker"
    BulkExport.objects.update(status=BulkExport.Status.RUNNING, dossiers_total=3, dossiers_done=1)
    assert client.get(status_url)["X-Progress"] == "1/3 dossiers (33 %)"
    BulkExport.objects.update(status=BulkExport.Status.PENDING)
    assert len(callbacks) == 1
    callbacks[0]()  # the worker's turn (ImmediateBackend: run in-process)

    done = client.get(status_url)
    assert done.status_code == 200 and done["Content-Type"] == "application/json"
    assert "Expires" in done
    manifest = json.loads(done.content)
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith(f"/fhir/Group/{structure.public_id}/$export")
    assert datetime.datetime.fromisoformat(manifest["transactionTime"]).tzinfo is not None
    assert [o["type"] for o in manifest["output"]] == ["Patient", "CareTeam", "Task"]

    found: dict[str, list[dict[str, Any]]] = {}
    for output in manifest["output"]:
        lines = _lines(client, output["url"])
        assert len(lines) == output["count"]
        for line in lines:  # each line a resource of its file's type, parsing back
            assert PARSERS[output["type"]].model_validate(line).id == line["id"]
        found[output["type"]] = lines
    ours = {str(p.public_id) for p in region["ours"]}
    assert {r["id"] for r in found["Patient"]} == ours
    assert {r["id"] for r in found["CareTeam"]} == ours
    assert {r["for"]["reference"].removeprefix("Patient/") for r in found["Task"]} == ours
    assert len(found["Task"]) == 6
    first: Patient = region["ours"][0]
    team = next(r for r in found["CareTeam"] if r["id"] == str(first.public_id))
    assert f"Organization/{structure.public_id}" in {p["member"]["reference"] for p in team["participant"]}

    # Journaled: the kick-off, each exported dossier once (named by the chunk's sealed row, and
    # shown in each dossier's own journal), each download; the journal still verifies.
    (batch,) = Access.objects.filter(action=bulk.EXPORTED_ACTION)
    assert batch.patient is None and batch.structure == structure and "jeton" in batch.what
    assert {str(p.public_id) for p in Patient.objects.filter(pk__in=batch.listed.values("patient"))} == ours
    assert (
        Access.objects.filter(action=bulk.JOURNAL_ACTION, requested_id=str(structure.public_id)).count() == 1
    )
    assert Access.objects.filter(action="bulk_download").count() == 3
    assert chain.verify().intact
    page = client_for(coordinator, acting_as=structure)
    journal_page = page.get(reverse("patients:access_journal", kwargs={"public_id": first.public_id}))
    assert journal_page.status_code == 200
    assert "xporté le dossier (export FHIR en masse)" in journal_page.content.decode()
    other = page.get(reverse("patients:access_journal", kwargs={"public_id": region["theirs"].public_id}))
    assert other.status_code == 200 and "export FHIR en masse" not in other.content.decode()


def test_prime_standings_matches_one_dossier_s_standing(coordinator, structure, region) -> None:
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    dossiers = [*region["ours"], region["theirs"], region["listed"], region["refused"]]
    RightsRule.objects.filter(section=Section.TASKS, role__isnull=True).update(
        can_read=False, can_write=False
    )
    primed = list(Patient.objects.filter(pk__in=[p.pk for p in dossiers]))
    prime_standings(actor, primed)
    for patient in primed:
        assert patient._access_standing[1] == _compute_standing(actor, patient), patient  # type: ignore[attr-defined]


def test_refused_to_a_token_not_acting_for_the_structure(
    coordinator, structure, maternity, stranger, region, django_capture_on_commit_callbacks
) -> None:
    tokens = [
        make_token(coordinator)[1],  # the person, not acting as the DAC
        make_token(coordinator, structure=maternity)[1],  # acting as another of her structures
        make_token(stranger)[1],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for raw in tokens:
            response = _kick(bearer_client(raw), structure)
            assert response.status_code == 403, response.content
            assert response["Content-Type"] == "application/fhir+json"
            assert OperationOutcome.model_validate_json(response.content).issue[0].code == "forbidden"
        assert _kick(bearer_client(""), structure).status_code == 401
        unknown = bearer_client(tokens[0]).get("/fhir/Group/pas-un-uuid/$export", HTTP_PREFER="respond-async")
        assert unknown.status_code == 404
    refusals = Access.objects.filter(action=bulk.JOURNAL_ACTION, outcome=Access.Outcome.FORBIDDEN)
    assert refusals.count() == 3 and all(r.requested_id == str(structure.public_id) for r in refusals)
    assert not BulkExport.objects.exists()
    assert not Access.objects.filter(action=bulk.JOURNAL_ACTION, outcome=Access.Outcome.ALLOWED).exists()


def test_bad_kick_off_requests_are_operation_outcomes(coordinator, structure, region) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    url = f"/fhir/Group/{structure.public_id}/$export"
    assert client.get(url).status_code == 400  # no Prefer: respond-async
    for params in (
        {"_type": "Observation"},
        {"_type": "Patient,Encounter"},
        {"_since": "hier"},
        {"_since": "2026-12-01T00:00:00"},  # an instant has its offset
        {"_outputFormat": "text/csv"},
        {"_elements": "id"},
    ):
        response = client.get(url, params, HTTP_PREFER="respond-async")
        assert response.status_code == 400, params
        OperationOutcome.model_validate_json(response.content)
    assert client.put(url, HTTP_PREFER="respond-async").status_code == 405
    for body in (
        b"",
        b"[]",
        b'{"resourceType": "Patient"}',
        b'{"resourceType": "Parameters", "parameter": [{}]}',
    ):
        response = client.post(url, body, content_type=FHIR_JSON, HTTP_PREFER="respond-async")
        assert response.status_code == 400, body
        OperationOutcome.model_validate_json(response.content)
    # The IG's optional parameters this server does not support, and unknown ones, by GET or POST.
    for name, value in (
        ("patient", "Patient/1"),
        ("includeAssociatedData", "LatestProvenanceResources"),
        ("_foo", "1"),
    ):
        response = client.get(url, {name: value}, HTTP_PREFER="respond-async")
        assert response.status_code == 400 and name in response.content.decode(), name
        assert OperationOutcome.model_validate_json(response.content).issue[0].code == "not-supported"
    posted = client.post(
        url,
        _parameters(("patient", "valueReference", {"reference": "Patient/1"})),
        content_type=FHIR_JSON,
        HTTP_PREFER="respond-async",
    )
    assert posted.status_code == 400 and "patient" in posted.content.decode()
    for query in ("Observation?code=1", "Task?owner=x", "Task?status=ouverte", "Patient?family=x", "Task"):
        response = client.get(url, {"_typeFilter": query}, HTTP_PREFER="respond-async")
        assert response.status_code == 400, query
        assert OperationOutcome.model_validate_json(response.content).issue[0].code == "not-supported"
    assert not BulkExport.objects.exists()
    # Lenient handling ignores what is not supported (IG: Prefer: handling=lenient).
    lenient = client.get(
        url, {"_type": "Patient,Encounter", "_elements": "id"}, HTTP_PREFER="respond-async, handling=lenient"
    )
    assert lenient.status_code == 202
    assert _export_of(lenient).types == ["Patient"]
    # One export at a time per token.
    again = client.get(url, HTTP_PREFER="respond-async")
    assert again.status_code == 429 and again["Retry-After"]


def test_a_suspended_account_s_token_stops_at_once(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    raw = make_token(coordinator, structure=structure)[1]
    client = bearer_client(raw)
    export, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    for url in (f"/fhir/bulk/{export.public_id}", _path(manifest["output"][0]["url"])):
        assert client.get(url).status_code == 401
    assert _kick(client, structure).status_code == 401

    # A token that dies while its export waits for the worker: the worker refuses to act for it.
    User.objects.filter(pk=coordinator.pk).update(is_active=True)
    response = _kick(client, structure)
    pending = _export_of(response)
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    bulk.run_bulk_export.call(pending.pk)
    pending.refresh_from_db()
    assert pending.status == BulkExport.Status.FAILED and "suspendu" in pending.error
    assert pending.outputs == []
    User.objects.filter(pk=coordinator.pk).update(is_active=True)
    failed = client.get(f"/fhir/bulk/{pending.public_id}")
    assert failed.status_code == 500 and "suspendu" in failed.content.decode()


def test_only_the_token_that_asked_polls_and_downloads(
    coordinator, member, structure, region, django_capture_on_commit_callbacks
) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    export, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    others = [
        bearer_client(make_token(coordinator, structure=structure, name="Autre logiciel")[1]),
        bearer_client(make_token(member, structure=structure)[1]),
    ]
    for other in others:
        assert other.get(f"/fhir/bulk/{export.public_id}").status_code == 404
        assert other.get(_path(manifest["output"][0]["url"])).status_code == 404
        assert other.delete(f"/fhir/bulk/{export.public_id}").status_code == 404
    assert client.get(f"/fhir/bulk/{export.public_id}/Observation.ndjson").status_code == 404
    assert client.get("/fhir/bulk/pas-un-uuid").status_code == 404
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE
    assert all(default_storage.exists(o["name"]) for o in export.outputs)


def test_delete_cancels_a_pending_or_finished_export(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    response = _kick(client, structure)
    pending = _export_of(response)
    cancelled = client.delete(_path(response["Content-Location"]))
    assert cancelled.status_code == 202
    assert OperationOutcome.model_validate_json(cancelled.content).issue[0].severity == "information"
    assert client.get(_path(response["Content-Location"])).status_code == 404
    bulk.run_bulk_export.call(pending.pk)  # the worker comes too late: nothing is written
    pending.refresh_from_db()
    assert pending.status == BulkExport.Status.CANCELLED and pending.outputs == []
    assert client.delete(_path(response["Content-Location"])).status_code == 404

    export, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    names = [o["name"] for o in export.outputs]
    assert client.delete(f"/fhir/bulk/{export.public_id}").status_code == 202
    assert not any(default_storage.exists(name) for name in names)
    assert client.get(_path(manifest["output"][0]["url"])).status_code == 404

    # A read-only token reads; cancelling is a write it may not make.
    reader = bearer_client(make_token(coordinator, structure=structure, scope=ApiToken.Scope.READ)[1])
    export, _ = _done(reader, structure, django_capture_on_commit_callbacks)
    assert reader.delete(f"/fhir/bulk/{export.public_id}").status_code == 403
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE


def test_a_cancellation_during_the_export_stops_the_worker(
    coordinator, structure, region, settings, monkeypatch
) -> None:
    settings.CORDEE_BULK_EXPORT_CHUNK = 1
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    export = _export_of(_kick(client, structure))

    def cancel_midway(*args: Any, **kwargs: Any) -> Any:
        BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.CANCELLED)
        return journal_listed(*args, **kwargs)

    monkeypatch.setattr(bulk, "journal_listed", cancel_midway)
    bulk.run_bulk_export.call(export.pk)
    export.refresh_from_db()
    assert export.status == BulkExport.Status.CANCELLED and export.dossiers_done == 0
    assert export.outputs == []


def test_files_expire(coordinator, structure, region, settings, django_capture_on_commit_callbacks) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    export, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    names = [o["name"] for o in export.outputs]
    file_url = _path(manifest["output"][0]["url"])
    later = timezone.now() + datetime.timedelta(hours=settings.CORDEE_BULK_EXPORT_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(file_url).status_code == 410
        assert client.get(f"/fhir/bulk/{export.public_id}").status_code == 410
        assert all(default_storage.exists(name) for name in names)  # until the purge runs
        call_command("purge_bulk_exports", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert not any(default_storage.exists(name) for name in names)
        export.refresh_from_db()
        assert export.status == BulkExport.Status.EXPIRED and export.outputs == []
        assert client.get(file_url).status_code == 410


def test_a_revoked_token_s_files_are_purged(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    token, raw = make_token(coordinator, structure=structure)
    export, _ = _done(bearer_client(raw), structure, django_capture_on_commit_callbacks)
    names = [o["name"] for o in export.outputs]
    kept, _ = _done(
        bearer_client(make_token(coordinator, structure=structure, name="Entrepôt")[1]),
        structure,
        django_capture_on_commit_callbacks,
    )
    revoke_token(coordinator, token)
    assert bulk.purge_expired() == 1
    assert not any(default_storage.exists(name) for name in names)
    export.refresh_from_db()
    kept.refresh_from_db()
    assert export.status == BulkExport.Status.EXPIRED and kept.status == BulkExport.Status.DONE
    assert all(default_storage.exists(o["name"]) for o in kept.outputs)


def test_type_and_since(coordinator, structure, region, django_capture_on_commit_callbacks) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    _, manifest = _done(client, structure, django_capture_on_commit_callbacks, _type="Patient")
    assert [(o["type"], o["count"]) for o in manifest["output"]] == [("Patient", 3)]
    _, manifest = _done(client, structure, django_capture_on_commit_callbacks, _type="Task,CareTeam")
    assert [(o["type"], o["count"]) for o in manifest["output"]] == [("CareTeam", 3), ("Task", 6)]

    # Everything old but one dossier's identity, another's task and a third's circle.
    long_ago = timezone.now() - datetime.timedelta(days=30)
    since = timezone.now() - datetime.timedelta(days=1)
    first, second, third = region["ours"]
    for model in (Patient, Task, CircleMember):
        model.objects.update(updated_at=long_ago)
    Patient.objects.filter(pk=first.pk).update(updated_at=timezone.now())
    task = Task.objects.filter(patient=second).order_by("pk")[0]
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now())
    CircleMember.objects.filter(patient=third, user=coordinator).update(updated_at=timezone.now())
    _, manifest = _done(client, structure, django_capture_on_commit_callbacks, _since=since.isoformat())
    found = {o["type"]: _lines(client, o["url"]) for o in manifest["output"]}
    assert [r["id"] for r in found["Patient"]] == [str(first.public_id)]
    assert [r["id"] for r in found["Task"]] == [str(task.public_id)]
    assert [r["id"] for r in found["CareTeam"]] == [str(third.public_id)]

    # Nothing changed since now: an empty manifest.
    _, manifest = _done(
        client, structure, django_capture_on_commit_callbacks, _since=timezone.now().isoformat()
    )
    assert manifest["output"] == []


def test_each_resource_under_its_right(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    """The matrix closes the tasks section: the export has patients and circles, no tasks."""
    RightsRule.objects.filter(section=Section.TASKS).update(can_read=False, can_write=False)
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    _, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    assert [o["type"] for o in manifest["output"]] == ["Patient", "CareTeam"]


def test_questionnaire_responses_only_of_open_themes(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    """The Parcours tab's rule: a reserved theme's forms only where the matrix opens it."""
    first, second, _ = region["ours"]
    version = make_questionnaire(code="suivi")
    shown = [make_form(version, first, {"poids": 4}), make_form(version, second, {"poids": 5})]
    theme = Theme.objects.get(code="sante-mentale")
    theme.is_restricted = True
    theme.save()
    hidden = make_form(make_questionnaire(code="psy", theme="sante-mentale"), first, {"poids": 60})
    make_form(version, region["theirs"], {"poids": 6})  # another structure's dossier
    client = bearer_client(make_token(coordinator, structure=structure)[1])

    def exported() -> set[str]:
        _, manifest = _done(
            client, structure, django_capture_on_commit_callbacks, _type="QuestionnaireResponse"
        )
        (output,) = manifest["output"]
        lines = _lines(client, output["url"])
        for line in lines:
            subject = QuestionnaireResponse.model_validate(line).subject
            assert subject is not None and str(subject.reference).startswith("Patient/")
        return {line["id"] for line in lines}

    assert exported() == {str(form.public_id) for form in shown}
    RightsRule.objects.create(section=Section.PATHWAYS, theme=theme, can_read=True)
    assert exported() == {str(form.public_id) for form in [*shown, hidden]}


def _book(actor: Actor, dossier: Patient, days: int, users: list[User], **fields: Any) -> Appointment:
    start = clock.at(clock.today() + datetime.timedelta(days=days), datetime.time(10, 0))
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


def test_appointments_private_ones_busy_but_to_their_author(
    coordinator, member, structure, maternity, region, django_capture_on_commit_callbacks
) -> None:
    first, second, _ = region["ours"]
    as_dac = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    public = _book(as_dac, first, 3, [coordinator], title="Bilan kiné")
    private = _book(as_dac, second, 5, [coordinator], title="Entretien familial", is_private=True)
    as_maternity = Actor(
        user=coordinator, membership=Membership.objects.get(user=coordinator, structure=maternity)
    )
    _book(as_maternity, region["theirs"], 6, [coordinator], title="Hors du groupe")

    def exported(client: Client) -> dict[str, dict[str, Any]]:
        _, manifest = _done(client, structure, django_capture_on_commit_callbacks, _type="Appointment")
        (output,) = manifest["output"]
        lines = _lines(client, output["url"])
        for line in lines:
            FhirAppointment.model_validate(line)
        return {line["id"]: line for line in lines}

    author = exported(bearer_client(make_token(coordinator, structure=structure)[1]))
    assert set(author) == {str(public.public_id), str(private.public_id)}
    assert author[str(private.public_id)]["description"] == "Entretien familial"
    colleague = exported(bearer_client(make_token(member, structure=structure)[1]))
    assert colleague[str(public.public_id)]["description"] == "Bilan kiné"
    busy = colleague[str(private.public_id)]
    assert busy["description"] == "Occupé" and "appointmentType" not in busy
    assert [p["actor"]["reference"] for p in busy["participant"]] == [f"Patient/{second.public_id}"]


def test_the_export_s_queries_do_not_grow_with_the_dossiers(coordinator, structure, settings) -> None:
    settings.CORDEE_BULK_EXPORT_CHUNK = 50
    client = bearer_client(make_token(coordinator, structure=structure)[1])

    def queries() -> int:
        export = _export_of(_kick(client, structure))
        with CaptureQueriesContext(connection) as captured:
            bulk.run_bulk_export.call(export.pk)
        export.refresh_from_db()
        assert export.status == BulkExport.Status.DONE
        return len(captured)

    _dossier(coordinator, structure, 0)
    version = make_questionnaire(code="suivi")
    as_dac = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    make_form(version, Patient.objects.get(), {"poids": 1})
    _book(as_dac, Patient.objects.get(), 1, [coordinator])
    few = queries()
    for n in range(1, 12):
        dossier = _dossier(coordinator, structure, n, tasks=n % 4)
        make_form(version, dossier, {"poids": n})
        _book(as_dac, dossier, n, [coordinator], is_private=n % 2 == 0)
    assert queries() == few
    export = BulkExport.objects.order_by("-pk").first()
    assert export is not None and {o["type"]: o["count"] for o in export.outputs}["Patient"] == 12


def test_the_capability_statement_declares_the_group_export(client) -> None:
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    assert statement.rest is not None and statement.rest[0].resource is not None
    group = next(r for r in statement.rest[0].resource if r.type == "Group")
    assert [(o.name, o.definition) for o in group.operation or []] == [
        ("export", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export")
    ]


def test_each_persona_s_token_on_the_bulk_urls(
    coordinator, member, stranger, structure, region, django_capture_on_commit_callbacks
) -> None:
    """The URL walk with tokens: no token 401; a stranger's is refused the kick-off (403) and
    meets no export (404); the DAC's unprivileged member, acting as it, exports what they see
    of its Group but not the coordinator's export."""
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    export, manifest = _done(client, structure, django_capture_on_commit_callbacks)
    urls = {
        "fhir:group_export": f"/fhir/Group/{structure.public_id}/$export",
        "fhir:bulk_status": f"/fhir/bulk/{export.public_id}",
        "fhir:bulk_file": _path(manifest["output"][0]["url"]),
    }
    expected = {
        "": {"fhir:group_export": 401, "fhir:bulk_status": 401, "fhir:bulk_file": 401},
        make_token(stranger)[1]: {"fhir:group_export": 403, "fhir:bulk_status": 404, "fhir:bulk_file": 404},
        make_token(member, structure=structure)[1]: {
            "fhir:group_export": 202,
            "fhir:bulk_status": 404,
            "fhir:bulk_file": 404,
        },
    }
    for raw, statuses in expected.items():
        persona = bearer_client(raw)
        for name, url in urls.items():
            response = persona.get(url, HTTP_PREFER="respond-async")
            assert response.status_code == statuses[name], (name, raw[:14], response.content[:200])
            assert "no-store" in response["Cache-Control"]
            if response.status_code >= 400:
                OperationOutcome.model_validate_json(response.content)


def test_post_kick_off_with_parameters_and_type_filter(
    coordinator, structure, region, django_capture_on_commit_callbacks
) -> None:
    """The IG's POST kick-off (a Parameters resource), by a read-only token as the GET one;
    `_typeFilter` keeps the tasks of the asked statuses (queries OR'ed)."""
    first, second, _ = region["ours"]
    Task.objects.filter(patient=first).update(status="DONE")
    Task.objects.filter(patient=second, label__endswith="-0").update(status="CANCELLED")
    client = bearer_client(make_token(coordinator, structure=structure, scope=ApiToken.Scope.READ)[1])
    url = f"/fhir/Group/{structure.public_id}/$export"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _parameters(
                ("_type", "valueString", "Task"),
                ("_type", "valueString", "Patient"),
                ("_outputFormat", "valueString", "application/fhir+ndjson"),
                ("_typeFilter", "valueString", "Task?status=completed"),
                ("_typeFilter", "valueString", "Task?status=cancelled,requested"),
            ),
            content_type=FHIR_JSON,
            HTTP_PREFER="respond-async",
        )
    assert response.status_code == 202, response.content
    export = _export_of(response)
    assert export.types == ["Patient", "Task"] and not export.request_url.endswith("?")
    assert export.type_filters == {
        "Task": [{"status": ["completed"]}, {"status": ["cancelled", "requested"]}]
    }
    manifest = json.loads(client.get(_path(response["Content-Location"])).content)
    found = {o["type"]: _lines(client, o["url"]) for o in manifest["output"]}
    assert len(found["Patient"]) == 3
    statuses = sorted(line["status"] for line in found["Task"])
    assert statuses == ["cancelled", "completed", "completed", "requested", "requested", "requested"]
    assert client.delete(_path(response["Content-Location"])).status_code == 403  # read-only token

    # Query-string parameters and a body are not mixed; lenient handling drops what it cannot do.
    writer = bearer_client(make_token(coordinator, structure=structure, name="Entrepôt")[1])
    mixed = writer.post(
        f"{url}?_type=Patient", _parameters(), content_type=FHIR_JSON, HTTP_PREFER="respond-async"
    )
    assert mixed.status_code == 400
    strict = writer.get(
        url,
        {"_type": "Task", "_typeFilter": "Task?status=completed,Observation?code=1"},
        HTTP_PREFER="respond-async",
    )
    assert strict.status_code == 400
    lenient = writer.get(
        url,
        {"_type": "Task", "_typeFilter": "Task?status=completed,Observation?code=1", "patient": "Patient/1"},
        HTTP_PREFER="respond-async, handling=lenient",
    )
    assert lenient.status_code == 202
    assert _export_of(lenient).type_filters == {"Task": [{"status": ["completed"]}]}


PIECE: dict[str, Any] = {"content": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "name": "piece.pdf"}


def test_document_references_under_the_documents_rule(
    coordinator, member, structure, region, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    """Each dossier's documents as its FHIR search lists them (`listed_documents`, read a chunk
    at a time): current versions, not withdrawn, the matrix's category rights."""
    from cordee.documents import services as documents
    from cordee.documents.models import DocumentCategory

    settings.MEDIA_ROOT = tmp_path
    first, second, _ = region["ours"]
    as_dac = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    report = add_test_document(as_dac, first, "Compte rendu", "10", "11488-4", **PIECE)
    orientation = add_test_document(
        as_dac, second, "Fiche d'orientation", "COORDINATION", "FICHE-ORIENTATION", **PIECE
    )
    withdrawn = add_test_document(as_dac, second, "Erreur", "COORDINATION", None, **PIECE)
    documents.withdraw(
        as_dac, second, withdrawn, reason="Déposé par erreur", expected_version=withdrawn.version
    )
    add_test_document(as_dac, region["theirs"], "Autre groupe", "COORDINATION", None, **PIECE)
    # Shared by the coordinator, as herself, with herself only: not the DAC's other members'.
    herself = CircleMember.objects.filter(patient=second, user=coordinator)
    personal = add_test_document(
        Actor(user=coordinator), second, "Note", "COORDINATION", None, recipients=list(herself), **PIECE
    )

    def exported(client: Client, **params: Any) -> dict[str, dict[str, Any]]:
        _, manifest = _done(
            client, structure, django_capture_on_commit_callbacks, _type="DocumentReference", **params
        )
        lines = [line for output in manifest["output"] for line in _lines(client, output["url"])]
        for line in lines:
            DocumentReference.model_validate(line)
        return {line["id"]: line for line in lines}

    def listed(actor: Actor) -> set[str]:
        return {str(d.public_id) for p in region["ours"] for d in documents.listed_documents(actor, p)}

    coordinator_client = bearer_client(make_token(coordinator, structure=structure)[1])
    found = exported(coordinator_client)
    expected = {str(report.public_id), str(orientation.public_id), str(personal.public_id)}
    assert set(found) == expected == listed(as_dac)
    line = found[str(report.public_id)]
    assert line["subject"]["reference"] == f"Patient/{first.public_id}"
    assert line["content"][0]["attachment"]["url"].endswith(f"/documents/{report.public_id}/fichier")
    assert [c["code"] for c in line["type"]["coding"]] == ["11488-4"]
    by_class = exported(coordinator_client, _typeFilter="DocumentReference?category=COORDINATION")
    assert set(by_class) == {str(orientation.public_id), str(personal.public_id)}

    # A category the matrix reserves, opened to nobody here: out of the export as of the search.
    DocumentCategory.objects.filter(code="10").update(is_restricted=True)
    RightsRule.objects.filter(document_category__code="10").delete()
    as_member = Actor(user=member, membership=Membership.objects.get(user=member, structure=structure))
    assert set(exported(bearer_client(make_token(member, structure=structure)[1]))) == listed(as_member)
    assert str(report.public_id) not in listed(as_member) and str(personal.public_id) not in listed(as_member)
    assert str(orientation.public_id) in listed(as_member)
