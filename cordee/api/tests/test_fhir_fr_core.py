"""INT-2: FR Core on the resources besides Patient — Practitioner, Organization,
PractitionerRole, Appointment declare their FR Core profile, meet the constraints kept in
data/fhir-fr-core (checked by the shared checker, cordee/api/tests/fr_core.py), are declared in
the CapabilityStatement, and parse back with fhir.resources. A resource broken on purpose is
refused by the checker, rule by rule. CareTeam, Task, DocumentReference, Questionnaire and
QuestionnaireResponse have no FR Core profile (SOURCES.md): they declare none."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.task import Task as FhirTask
from pydantic import BaseModel

from cordee.accounts.models import Membership, Structure, User
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.services import Attendees, create_appointment
from cordee.api import fhir
from cordee.api.testing import bearer_client, make_token
from cordee.api.tests import fr_core
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskLevel, TaskType

pytestmark = pytest.mark.django_db
ENT = ("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ENT")
PROFILED = {
    "Practitioner": ("practitioner", fhir.FR_CORE_PRACTITIONER),
    "Organization": ("organization", fhir.FR_CORE_ORGANIZATION),
    "PractitionerRole": ("practitioner-role", fhir.FR_CORE_PRACTITIONER_ROLE),
    "Appointment": ("appointment", fhir.FR_CORE_APPOINTMENT),
}


def _read(client: Any, url: str, model: type[BaseModel]) -> dict[str, Any]:
    """Read over HTTP, parse back with fhir.resources, hand the JSON as a client reads it."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    model.model_validate_json(response.content)
    data: dict[str, Any] = json.loads(response.content)
    return data


def _refused(resource: dict[str, Any], name: str, change: Any) -> None:
    broken = json.loads(json.dumps(resource))
    change(broken)
    with pytest.raises(AssertionError):
        fr_core.check(broken, fr_core.subset(name))


@pytest.fixture
def dac(coordinator: User, structure: Structure) -> Any:
    return bearer_client(make_token(coordinator, structure=structure)[1])


def test_every_kept_subset_names_its_source_and_profile() -> None:
    for kind, (name, url) in PROFILED.items():
        rules = fr_core.subset(name)
        assert rules["resourceType"] == kind and rules["profile"] == url
        assert "Interop-Sante/hl7.fhir.fr.core" in rules["source"] and "commit" in rules["source"]
    sources = (fr_core.DATA / "SOURCES.md").read_text(encoding="utf-8")
    for name, _ in PROFILED.values():
        assert f"fr-core-{name}.subset.json" in sources


def test_the_capability_statement_declares_the_fr_core_profiles(client) -> None:
    content = client.get("/fhir/metadata").content
    CapabilityStatement.model_validate_json(content)
    declared = {r["type"]: r.get("supportedProfile") for r in json.loads(content)["rest"][0]["resource"]}
    assert declared["Patient"] == [fhir.FR_CORE_PATIENT]
    for kind, (_, url) in PROFILED.items():
        assert declared[kind] == [url], kind
    # No FR Core profile exists for these: none is claimed.
    for kind in ("CareTeam", "Task", "DocumentReference", "Questionnaire", "QuestionnaireResponse"):
        assert declared[kind] is None, kind


def test_practitioner_follows_fr_core(dac, coordinator) -> None:
    emitted = _read(dac, f"/fhir/Practitioner/{coordinator.public_id}", Practitioner)
    fr_core.check(emitted, fr_core.subset("practitioner"))
    by_system = {i["system"]: i for i in emitted["identifier"]}
    assert by_system[fhir.ID_NAT_PS_SYSTEM]["value"] == f"8{coordinator.rpps}"
    assert by_system[fhir.ID_NAT_PS_SYSTEM]["type"]["coding"][0]["code"] == "IDNPS"
    assert by_system[fhir.RPPS_SYSTEM]["value"] == coordinator.rpps
    # Without an RPPS: no identifier at all, still conformant.
    coordinator.rpps = None
    bare = json.loads(fhir.practitioner(coordinator).model_dump_json(exclude_none=True))
    assert "identifier" not in bare
    fr_core.check(bare, fr_core.subset("practitioner"))

    def wrong_type(r: dict[str, Any]) -> None:
        r["identifier"][0]["type"]["coding"][0]["code"] = "RPPS"

    def twice(r: dict[str, Any]) -> None:
        r["identifier"].append(dict(r["identifier"][0]))

    def unknown_system(r: dict[str, Any]) -> None:
        r["identifier"][1]["system"] = "urn:oid:1.2.250.1.71.4.2.9"

    def no_profile(r: dict[str, Any]) -> None:
        r["meta"]["profile"] = []

    def bad_use(r: dict[str, Any]) -> None:
        r["name"][0]["use"] = "officiel"

    for change in (wrong_type, twice, unknown_system, no_profile, bad_use):
        _refused(emitted, "practitioner", change)


@pytest.mark.parametrize(
    ("finess", "siret", "expected"),
    [
        (
            "060000001",
            "12345678900017",
            [
                (fhir.ID_NAT_ST_SYSTEM, "1060000001", "IDNST"),
                (fhir.FINESS_SYSTEM, "060000001", "FINEG"),
                (fhir.SIRENE_SYSTEM, "12345678900017", "SIRET"),
            ],
        ),
        (
            "",
            "12345678900017",
            [
                (fhir.ID_NAT_ST_SYSTEM, "312345678900017", "IDNST"),
                (fhir.SIRENE_SYSTEM, "12345678900017", "SIRET"),
            ],
        ),
        ("", "", []),
    ],
)
def test_organization_follows_fr_core(dac, structure, finess, siret, expected) -> None:
    structure.finess, structure.siret = finess, siret
    structure.save()
    emitted = _read(dac, f"/fhir/Organization/{structure.public_id}", Organization)
    fr_core.check(emitted, fr_core.subset("organization"))
    found = [(i["system"], i["value"], i["type"]["coding"][0]["code"]) for i in emitted.get("identifier", [])]
    assert found == expected
    if not expected:
        return

    def second_id_nat_st(r: dict[str, Any]) -> None:
        r["identifier"].append({**r["identifier"][0], "value": "3" + "1" * 14})

    def no_value(r: dict[str, Any]) -> None:
        del r["identifier"][-1]["value"]

    def bad_use(r: dict[str, Any]) -> None:
        r["identifier"][0]["use"] = "officielle"

    def finess_as_siret_system(r: dict[str, Any]) -> None:
        r["identifier"][-1]["system"] = "https://finess.esante.gouv.fr"
        r["identifier"][-1]["type"]["coding"][0]["code"] = "SIRET"

    def old_style(r: dict[str, Any]) -> None:  # what Cordée sent before: no type
        del r["identifier"][0]["type"]

    for change in (second_id_nat_st, no_value, bad_use, finess_as_siret_system, old_style):
        _refused(emitted, "organization", change)


def test_practitioner_role_follows_fr_core(dac, coordinator, structure) -> None:
    membership = Membership.objects.get(user=coordinator, structure=structure)
    emitted = _read(dac, f"/fhir/PractitionerRole/{membership.public_id}", PractitionerRole)
    fr_core.check(emitted, fr_core.subset("practitioner-role"))
    assert "specialty" not in emitted
    assert emitted["code"][0]["text"]
    if coordinator.profession_id:
        assert emitted["code"][1]["text"] == str(coordinator.profession)

    def text_specialty(r: dict[str, Any]) -> None:  # what Cordée sent before
        r["specialty"] = [{"text": "Médecin"}]

    def structure_as_practitioner(r: dict[str, Any]) -> None:
        r["practitioner"]["reference"] = f"Organization/{structure.public_id}"

    for change in (text_specialty, structure_as_practitioner):
        _refused(emitted, "practitioner-role", change)
    coded = json.loads(json.dumps(emitted))
    coded["specialty"] = [
        {"coding": [{"system": fr_core.subset("practitioner-role")["bindings"][0]["system"], "code": "SM54"}]}
    ]
    fr_core.check(coded, fr_core.subset("practitioner-role"))


def test_appointment_follows_fr_core(dac, coordinator, structure, dossier: Patient) -> None:
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    start = clock.at(clock.today() + datetime.timedelta(days=2), datetime.time(9, 0))
    appointment = Appointment(
        title="Bilan",
        event_type=EventType.objects.get(label="Prévention"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        patient=dossier,
    )
    create_appointment(actor, appointment, Attendees([coordinator], [structure]))
    emitted = _read(dac, f"/fhir/Appointment/{appointment.public_id}", FhirAppointment)
    fr_core.check(emitted, fr_core.subset("appointment"))
    refs = {p["actor"].get("reference") for p in emitted["participant"]}
    assert {f"Patient/{dossier.public_id}", f"Practitioner/{coordinator.public_id}"} <= refs

    def organization_actor(r: dict[str, Any]) -> None:
        r["participant"].append(
            {"actor": {"reference": f"Organization/{structure.public_id}"}, "status": "accepted"}
        )

    def text_specialty(r: dict[str, Any]) -> None:
        r["specialty"] = [{"text": "Pédiatrie"}]

    def no_participant_status(r: dict[str, Any]) -> None:
        del r["participant"][0]["status"]

    for change in (organization_actor, text_specialty, no_participant_status):
        _refused(emitted, "appointment", change)
    # The operator's slice (type ENT) needs its type.
    operator = json.loads(json.dumps(emitted))
    operator["participant"].append(
        {"type": [{"coding": [{"system": ENT[0], "code": ENT[1]}]}], "status": "accepted"}
    )
    fr_core.check(operator, fr_core.subset("appointment"))
    _refused(operator, "appointment", lambda r: r["participant"][-1].pop("status"))


def test_resources_without_an_fr_core_profile_declare_none(dac, dossier) -> None:
    level, kind = TaskLevel.objects.get(label="Information"), TaskType.objects.get(label="Relance")
    task = Task.objects.create(
        patient=dossier, task_type=kind, level=level, label="Appeler", due_at=clock.now()
    )
    for url, model in (
        (f"/fhir/Task/{task.public_id}", FhirTask),
        (f"/fhir/CareTeam/{dossier.public_id}", CareTeam),
    ):
        assert "meta" not in _read(dac, url, model), url
