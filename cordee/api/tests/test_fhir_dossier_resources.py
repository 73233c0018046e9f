"""INT-2: Appointment, DocumentReference, Questionnaire, QuestionnaireResponse, PractitionerRole —
read and `?patient=` searches under the pages' rules, declared in the CapabilityStatement, every
resource parsing back with fhir.resources; outsiders refused as the pages refuse them."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.services import Attendees, create_appointment
from cordee.api import fhir
from cordee.api.testing import bearer_client, make_token
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents.testing import add_test_document
from cordee.pathways.models import DossierTheme, Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu\n"
CHOICE_DEFINITION: dict[str, Any] = {
    "items": [
        {"linkId": "date_visite", "type": "date", "text": "Date de la visite", "required": True},
        {"linkId": "poids", "type": "decimal", "text": "Poids", "unit": "kg", "min": 0.3, "max": 200},
        {"linkId": "suivi", "type": "boolean", "text": "Suivi en place"},
        {
            "linkId": "mode",
            "type": "choice",
            "text": "Mode de garde",
            "options": [{"code": "creche", "display": "Crèche"}, {"code": "famille", "display": "Famille"}],
        },
        {"linkId": "remarques", "type": "text", "text": "Remarques"},
    ]
}


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


@pytest.fixture
def dac(coordinator: User, structure: Structure) -> Client:
    return bearer_client(make_token(coordinator, structure=structure, name="DPI du DAC")[1])


@pytest.fixture
def social_worker(dossier: Patient) -> User:
    user = make_user(
        username="assistante-sociale", profession=Profession.objects.get(code="assistant-service-social")
    )
    accept_current_terms(user)
    CircleMember.objects.create(patient=dossier, user=user, is_habilitated=True)
    return user


def _outsiders(stranger: User, member: User, dossier: Patient) -> list[tuple[Client, int]]:
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    return [
        (bearer_client(""), 401),
        (bearer_client(make_token(stranger)[1]), 404),
        (bearer_client(make_token(member)[1]), 403),
    ]


def _entries(response: Any, kind: type) -> list[Any]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    return [kind.model_validate(json.loads(e.resource.model_dump_json())) for e in bundle.entry or []]


def test_the_capability_statement_declares_every_resource(client) -> None:
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    declared = {r.type: r for r in statement.rest[0].resource}
    for kind in (
        "Appointment",
        "DocumentReference",
        "Questionnaire",
        "QuestionnaireResponse",
        "PractitionerRole",
    ):
        assert {i.code for i in declared[kind].interaction} == {"read", "search-type"}, kind
    for kind in ("Appointment", "DocumentReference", "QuestionnaireResponse"):
        assert "patient" in {p.name for p in declared[kind].searchParam}, kind


# --- Appointment -----------------------------------------------------------------------------


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


def test_appointments_read_and_search_private_ones_busy(
    dac, actor, dossier, coordinator, social_worker, stranger, member
) -> None:
    public = _book(actor, dossier, 3, [coordinator], title="Bilan kiné")
    private = _book(actor, dossier, 5, [coordinator], title="Entretien familial", is_private=True)
    found = _entries(
        dac.get("/fhir/Appointment", {"patient": f"Patient/{dossier.public_id}"}), FhirAppointment
    )
    assert [(a.id, a.description, a.status) for a in found] == [
        (str(public.public_id), "Bilan kiné", "booked"),
        (str(private.public_id), "Entretien familial", "booked"),
    ]
    refs = {p.actor.reference for p in found[0].participant}
    assert {f"Patient/{dossier.public_id}", f"Practitioner/{coordinator.public_id}"} <= refs
    social = bearer_client(make_token(social_worker)[1])
    busy = FhirAppointment.model_validate_json(social.get(f"/fhir/Appointment/{private.public_id}").content)
    assert busy.description == "Occupé" and busy.appointmentType is None
    assert [p.actor.reference for p in busy.participant] == [f"Patient/{dossier.public_id}"]
    assert (
        "Entretien"
        not in social.get("/fhir/Appointment", {"patient": str(dossier.public_id)}).content.decode()
    )
    later = clock.today() + datetime.timedelta(days=4)
    window = _entries(
        dac.get("/fhir/Appointment", {"patient": str(dossier.public_id), "date": f"ge{later.isoformat()}"}),
        FhirAppointment,
    )
    assert [a.id for a in window] == [str(private.public_id)]
    paged = Bundle.model_validate_json(
        dac.get("/fhir/Appointment", {"patient": str(dossier.public_id), "_count": 1}).content
    )
    assert len(paged.entry) == 1 and "next" in {link.relation for link in paged.link}
    assert dac.get("/fhir/Appointment").status_code == 400
    assert (
        dac.get("/fhir/Appointment", {"patient": str(dossier.public_id), "date": "ge2030-13-01"}).status_code
        == 400
    )
    for client, status in _outsiders(stranger, member, dossier):
        assert client.get(f"/fhir/Appointment/{public.public_id}").status_code == status
        refused = client.get("/fhir/Appointment", {"patient": str(dossier.public_id)})
        assert refused.status_code == status and "kiné" not in refused.content.decode()
        OperationOutcome.model_validate_json(refused.content)


# --- DocumentReference -----------------------------------------------------------------------


def test_document_references_carry_dmp_codes_under_the_documents_rule(
    dac, actor, dossier, social_worker, stranger, member
) -> None:
    report = add_test_document(actor, dossier, "Compte rendu", "10", "11488-4", content=PDF, name="piece.pdf")
    orientation = add_test_document(
        actor,
        dossier,
        "Fiche d'orientation",
        "COORDINATION",
        "FICHE-ORIENTATION",
        content=PDF,
        name="piece.pdf",
    )
    found = _entries(
        dac.get("/fhir/DocumentReference", {"patient": str(dossier.public_id)}), DocumentReference
    )
    assert {d.id for d in found} == {str(report.public_id), str(orientation.public_id)}
    one = DocumentReference.model_validate_json(
        dac.get(f"/fhir/DocumentReference/{report.public_id}").content
    )
    assert (one.category[0].coding[0].system, one.category[0].coding[0].code) == (
        report.category.system,
        "10",
    )
    assert report.category.system.endswith("TRE-A03-ClasseDocument")
    assert (one.type.coding[0].system, one.type.coding[0].code) == ("http://loinc.org", "11488-4")
    attachment = one.content[0].attachment
    assert attachment.contentType == "application/pdf" and attachment.size == len(PDF)
    download = dac.get(attachment.url.removeprefix("http://testserver"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    by_class = _entries(
        dac.get("/fhir/DocumentReference", {"patient": str(dossier.public_id), "category": "COORDINATION"}),
        DocumentReference,
    )
    assert [d.id for d in by_class] == [str(orientation.public_id)]
    by_type = _entries(
        dac.get(
            "/fhir/DocumentReference", {"patient": str(dossier.public_id), "type": "http://loinc.org|11488-4"}
        ),
        DocumentReference,
    )
    assert [d.id for d in by_type] == [str(report.public_id)]
    # A restricted category the matrix does not open to social work: absent, and 404 by id.
    social = bearer_client(make_token(social_worker)[1])
    seen = _entries(
        social.get("/fhir/DocumentReference", {"patient": str(dossier.public_id)}), DocumentReference
    )
    assert [d.id for d in seen] == [str(orientation.public_id)]
    assert social.get(f"/fhir/DocumentReference/{report.public_id}").status_code == 404
    for client, status in _outsiders(stranger, member, dossier):
        assert client.get(f"/fhir/DocumentReference/{report.public_id}").status_code == status
        assert (
            client.get("/fhir/DocumentReference", {"patient": str(dossier.public_id)}).status_code == status
        )


# --- Questionnaire and QuestionnaireResponse -------------------------------------------------


def test_questionnaires_are_the_versioned_definitions(dac, stranger) -> None:
    version = make_questionnaire(code="suivi-garde", definition=CHOICE_DEFINITION, title="Suivi de garde")
    read = FhirQuestionnaire.model_validate_json(dac.get(f"/fhir/Questionnaire/{version.public_id}").content)
    assert (read.url, read.version, read.status) == (
        f"{fhir.QUESTIONNAIRE_SYSTEM}:suivi-garde",
        "1",
        "active",
    )
    items = {item.linkId: item for item in read.item}
    assert items["mode"].type == "choice" and [o.valueCoding.code for o in items["mode"].answerOption] == [
        "creche",
        "famille",
    ]
    assert items["date_visite"].required is True
    searched = _entries(
        dac.get("/fhir/Questionnaire", {"url": f"{fhir.QUESTIONNAIRE_SYSTEM}:suivi-garde"}), FhirQuestionnaire
    )
    assert [q.id for q in searched] == [str(version.public_id)]
    assert _entries(dac.get("/fhir/Questionnaire", {"url": "http://ailleurs|x"}), FhirQuestionnaire) == []
    # Reference data: any token reads it; none, no.
    assert (
        bearer_client(make_token(stranger)[1]).get(f"/fhir/Questionnaire/{version.public_id}").status_code
        == 200
    )
    assert bearer_client("").get(f"/fhir/Questionnaire/{version.public_id}").status_code == 401


def test_questionnaire_responses_only_of_open_themes(dac, dossier, stranger, member) -> None:
    version = make_questionnaire(code="suivi-garde", definition=CHOICE_DEFINITION, title="Suivi de garde")
    answers = {"date_visite": "2026-03-02", "poids": 9.5, "suivi": True, "mode": "creche", "remarques": "RAS"}
    form = make_form(version, dossier, answers)
    theme = Theme.objects.get(code="sante-mentale")
    theme.is_restricted = True
    theme.save()
    DossierTheme.objects.create(patient=dossier, theme=theme, position=1)
    hidden = make_form(make_questionnaire(code="psy", theme="sante-mentale"), dossier, {"poids": 60})
    read = QuestionnaireResponse.model_validate_json(
        dac.get(f"/fhir/QuestionnaireResponse/{form.public_id}").content
    )
    assert read.questionnaire.endswith(f"Questionnaire/{version.public_id}") and read.status == "in-progress"
    values = {item.linkId: item.answer[0] for item in read.item}
    assert str(values["date_visite"].valueDate) == "2026-03-02"
    assert float(values["poids"].valueDecimal) == 9.5 and values["suivi"].valueBoolean is True
    assert (values["mode"].valueCoding.code, values["mode"].valueCoding.display) == ("creche", "Crèche")
    assert values["remarques"].valueString == "RAS"
    found = _entries(
        dac.get("/fhir/QuestionnaireResponse", {"patient": str(dossier.public_id)}), QuestionnaireResponse
    )
    assert [r.id for r in found] == [str(form.public_id)]
    assert dac.get(f"/fhir/QuestionnaireResponse/{hidden.public_id}").status_code == 404
    RightsRule.objects.create(section=Section.PATHWAYS, theme=theme, can_read=True)
    found = _entries(
        dac.get("/fhir/QuestionnaireResponse", {"patient": str(dossier.public_id)}), QuestionnaireResponse
    )
    assert {r.id for r in found} == {str(form.public_id), str(hidden.public_id)}
    assert Access.objects.filter(patient=dossier, what__contains="FHIR QuestionnaireResponse").count() >= 4
    for client, status in _outsiders(stranger, member, dossier):
        assert client.get(f"/fhir/QuestionnaireResponse/{form.public_id}").status_code == status
        refused = client.get("/fhir/QuestionnaireResponse", {"patient": str(dossier.public_id)})
        assert refused.status_code == status and "RAS" not in refused.content.decode()


def test_every_emitted_response_parses_back_whatever_the_answers(dossier) -> None:
    from cordee.pathways.testing import SIMPLE_DEFINITION

    version = make_questionnaire(definition=SIMPLE_DEFINITION)
    odd = {"poids": "lourd", "imc": {"valeur": 3}, "suivi": "peut-être", "piece": "8d1f", "inconnu": 1}
    form = make_form(version, dossier, odd)
    resource = fhir.questionnaire_response(form, dossier, "http://testserver/fhir/")
    QuestionnaireResponse.model_validate_json(resource.model_dump_json())
    FhirQuestionnaire.model_validate_json(fhir.questionnaire(version).model_dump_json())


# --- PractitionerRole ------------------------------------------------------------------------


def test_practitioner_roles_of_the_directory(dac, coordinator, structure) -> None:
    membership = Membership.objects.get(user=coordinator, structure=structure)
    role = PractitionerRole.model_validate_json(
        dac.get(f"/fhir/PractitionerRole/{membership.public_id}").content
    )
    assert role.practitioner.reference == f"Practitioner/{coordinator.public_id}"
    assert role.organization.reference == f"Organization/{structure.public_id}"
    found = _entries(
        dac.get("/fhir/PractitionerRole", {"practitioner": f"Practitioner/{coordinator.public_id}"}),
        PractitionerRole,
    )
    assert str(membership.public_id) in {r.id for r in found}
    by_org = _entries(
        dac.get("/fhir/PractitionerRole", {"organization": str(structure.public_id)}), PractitionerRole
    )
    assert all(r.organization.reference == f"Organization/{structure.public_id}" for r in by_org)
    assert dac.get("/fhir/PractitionerRole").status_code == 400
    assert dac.get("/fhir/PractitionerRole", {"practitioner": "x"}).status_code == 400
    gone = make_user(username="partie")
    left = Membership.objects.create(user=gone, structure=structure, is_active=False)
    assert dac.get(f"/fhir/PractitionerRole/{left.public_id}").status_code == 404
    assert (
        bearer_client("")
        .get("/fhir/PractitionerRole", {"organization": str(structure.public_id)})
        .status_code
        == 401
    )


def test_search_query_counts_do_not_grow_with_the_rows(dac, actor, dossier, coordinator) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        found = []
        for kind in ("Appointment", "DocumentReference", "QuestionnaireResponse"):
            with CaptureQueriesContext(connection) as queries:
                assert dac.get(f"/fhir/{kind}", {"patient": str(dossier.public_id)}).status_code == 200
            found.append(len(queries))
        return found

    def add_rows(n: int) -> None:
        make_form(make_questionnaire(code=f"q{n}"), dossier, {"poids": n})
        add_test_document(actor, dossier, f"Compte rendu {n}", "10", "11488-4", content=PDF, name="piece.pdf")
        _book(actor, dossier, n, [coordinator], title=f"RDV {n}")

    add_rows(1)
    few = counts()
    for n in range(2, 6):
        add_rows(n)
    assert counts() == few
