"""INT-2: FHIR R4 Patient (FR Core) read and search — every resource emitted parses back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient

from cordee.api import fhir
from cordee.api.fhir_views import FHIR_JSON
from cordee.api.testing import bearer_client, make_token
from cordee.api.tests import fr_core
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskLevel, TaskType

pytestmark = pytest.mark.django_db


def test_the_capability_statement_is_public_and_valid(client) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "4.0.1"
    assert statement.rest[0].resource[0].supportedProfile == [fhir.FR_CORE_PATIENT]


def test_patient_read_follows_fr_core(coordinator, structure, dossier) -> None:
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    response = client.get(f"/fhir/Patient/{dossier.public_id}")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    resource = FhirPatient.model_validate_json(response.content)
    assert resource.meta.profile == [fhir.FR_CORE_PATIENT]
    assert resource.birthDate == dossier.birth_date
    reliability = next(e for e in resource.extension if e.url == fhir.IDENTITY_RELIABILITY)
    status = reliability.extension[0].valueCoding
    assert (status.system, status.code) == (fhir.IDENTITY_STATUS_SYSTEM, dossier.identity_status)
    # A provisional identity never carries the INS: only the dossier's own identifier.
    assert [i.system for i in resource.identifier] == [fhir.CORDEE_DOSSIER_SYSTEM]


def test_the_ins_is_sent_only_for_a_validated_identity(coordinator, structure, dossier) -> None:
    dossier.identity_status, dossier.nir = "VALI", "284037512345678"
    resource = fhir.patient(dossier)
    ins = [i for i in resource.identifier if i.system == fhir.INS_NIR_SYSTEM]
    assert [i.value for i in ins] == ["284037512345678"]
    FhirPatient.model_validate_json(resource.model_dump_json())
    dossier.identity_status = "PROV"
    assert not [i for i in fhir.patient(dossier).identifier if i.system == fhir.INS_NIR_SYSTEM]


def test_outsiders_and_missing_tokens_are_refused(stranger, dossier, client) -> None:
    assert client.get(f"/fhir/Patient/{dossier.public_id}").status_code == 401
    response = bearer_client(make_token(stranger)[1]).get(f"/fhir/Patient/{dossier.public_id}")
    assert response.status_code == 404
    assert OperationOutcome.model_validate_json(response.content).issue[0].code == "not-found"
    found = bearer_client(make_token(stranger)[1]).get("/fhir/Patient", {"family": dossier.birth_name})
    assert Bundle.model_validate_json(found.content).entry is None


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_write_is_answered_as_fhir_by_a_read_only_server(method, coordinator, structure, dossier) -> None:
    """A FHIR client that writes gets a 405 OperationOutcome, not the HTML CSRF page, and nothing
    changes — with the CSRF check enforced as a real browser-less client meets it."""
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    client.handler.enforce_csrf_checks = True
    version = dossier.version
    response = getattr(client, method)(
        f"/fhir/Patient/{dossier.public_id}", data='{"resourceType": "Patient"}', content_type=FHIR_JSON
    )
    assert response.status_code == 405
    assert response["Content-Type"] == FHIR_JSON
    assert OperationOutcome.model_validate_json(response.content).issue[0].code == "not-supported"
    dossier.refresh_from_db()
    assert dossier.version == version


def test_search_by_family_given_birthdate_with_paging(coordinator, structure, dossier) -> None:
    for first in ("Anna", "Berthe", "Chloé"):
        create_test_patient(coordinator, structure, first_name=first)
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    params = {"family": dossier.birth_name, "birthdate": dossier.birth_date.isoformat(), "_count": 2}
    first = client.get("/fhir/Patient", params)
    assert first.status_code == 200, first.content
    bundle = Bundle.model_validate_json(first.content)
    assert bundle.type == "searchset" and len(bundle.entry) == 2
    links = {link.relation: link.url for link in bundle.link}
    assert "next" in links and "previous" not in links
    second = Bundle.model_validate_json(client.get(links["next"]).content)
    assert len(second.entry) == 2
    ids = {e.resource.id for e in bundle.entry} | {e.resource.id for e in second.entry}
    assert len(ids) == 4
    for entry in [*bundle.entry, *second.entry]:
        FhirPatient.model_validate_json(json.dumps(entry.resource.model_dump(mode="json")))
    only = Bundle.model_validate_json(client.get("/fhir/Patient", {"given": "Berthe"}).content)
    assert [e.resource.name[0].given for e in only.entry] == [["Berthe"]]
    assert client.get("/fhir/Patient", {"birthdate": "1850-01-01"}).status_code == 400
    assert client.get("/fhir/Patient", {"_count": "1000"}).status_code == 400


PATIENT_RULES = fr_core.subset("patient")


def _check_fr_core_patient(resource: dict[str, Any]) -> None:
    """The FR Core Patient constraints kept in data/fhir-fr-core (slices' fixed values and
    required elements, the identity status binding, the profile), by the shared checker."""
    fr_core.check(resource, PATIENT_RULES)


def test_patients_meet_the_kept_fr_core_constraints(coordinator, structure, dossier) -> None:
    _check_fr_core_patient(json.loads(fhir.patient(dossier).model_dump_json(exclude_none=True)))
    dossier.identity_status, dossier.nir = "VALI", "284037512345678"
    emitted = json.loads(fhir.patient(dossier).model_dump_json(exclude_none=True))
    _check_fr_core_patient(emitted)
    assert any(i["system"] == "urn:oid:1.2.250.1.213.1.4.8" for i in emitted["identifier"])
    broken = json.loads(json.dumps(emitted))
    broken["identifier"][1]["system"] = "urn:oid:0.0"
    with pytest.raises(AssertionError):
        _check_fr_core_patient(broken)


def test_tasks_care_team_practitioner_organization(coordinator, structure, dossier, stranger) -> None:
    from fhir.resources.R4B.careteam import CareTeam
    from fhir.resources.R4B.organization import Organization
    from fhir.resources.R4B.practitioner import Practitioner
    from fhir.resources.R4B.task import Task as FhirTask

    structure.finess = "060000001"
    structure.save()
    level = TaskLevel.objects.get(label="Information")
    kinds = TaskType.objects.get(label="Relance")
    for label, status in (("Appeler", "TODO"), ("Écrire", "DONE"), ("Passer", "TODO")):
        Task.objects.create(
            patient=dossier, task_type=kinds, level=level, label=label, status=status, due_at=timezone.now()
        )
    client = bearer_client(make_token(coordinator, structure=structure)[1])
    found = client.get(
        "/fhir/Task", {"patient": f"Patient/{dossier.public_id}", "status": "requested", "_count": 1}
    )
    assert found.status_code == 200, found.content
    bundle = Bundle.model_validate_json(found.content)
    assert len(bundle.entry) == 1 and {link.relation for link in bundle.link} == {"self", "next"}
    task = FhirTask.model_validate(bundle.entry[0].resource.model_dump())
    assert task.status == "requested" and task.for_fhir.reference == f"Patient/{dossier.public_id}"
    second = Bundle.model_validate_json(
        client.get(next(link.url for link in bundle.link if link.relation == "next")).content
    )
    assert len(second.entry) == 1 and second.entry[0].resource.id != task.id
    read = client.get(f"/fhir/Task/{task.id}")
    assert FhirTask.model_validate_json(read.content).description == task.description
    assert client.get("/fhir/Task").status_code == 400
    assert client.get("/fhir/Task", {"patient": str(dossier.public_id), "status": "rêvé"}).status_code == 400

    team = CareTeam.model_validate_json(client.get(f"/fhir/CareTeam/{dossier.public_id}").content)
    refs = {p.member.reference for p in team.participant}
    assert f"Practitioner/{coordinator.public_id}" in refs and f"Organization/{structure.public_id}" in refs
    searched = Bundle.model_validate_json(
        client.get("/fhir/CareTeam", {"patient": str(dossier.public_id)}).content
    )
    assert searched.entry[0].resource.id == str(dossier.public_id)

    practitioner = Practitioner.model_validate_json(
        client.get(f"/fhir/Practitioner/{coordinator.public_id}").content
    )
    assert practitioner.identifier[0].system == fhir.ID_NAT_PS_SYSTEM
    assert practitioner.identifier[0].value == f"8{coordinator.rpps}"
    org = Organization.model_validate_json(client.get(f"/fhir/Organization/{structure.public_id}").content)
    assert [(i.system, i.value) for i in org.identifier] == [
        (fhir.ID_NAT_ST_SYSTEM, "1060000001"),
        (fhir.FINESS_SYSTEM, "060000001"),
    ]

    outsider = bearer_client(make_token(stranger)[1])
    for url in (f"/fhir/Task/{task.id}", f"/fhir/CareTeam/{dossier.public_id}"):
        assert outsider.get(url).status_code == 404
    assert outsider.get("/fhir/Task", {"patient": str(dossier.public_id)}).status_code == 404
