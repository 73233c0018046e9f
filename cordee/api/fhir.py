"""INT-2: FHIR R4 mapping — pure functions from Cordée's models to `fhir.resources` objects
(ARCHITECTURE: one module), following FR Core where it applies (data/fhir-fr-core/SOURCES).

fhir.resources' default models are R5: the R4B ones (4.3) are used, identical to R4 (4.0.1) for
the resources served here (Patient, Practitioner, PractitionerRole, Organization, CareTeam, Task,
Appointment, DocumentReference, Questionnaire, QuestionnaireResponse, Bundle, CapabilityStatement,
OperationOutcome)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cordee.patients.models import IdentityStatus, Patient

# fhir.resources is imported by the functions that build its objects: its models weigh ~25 MB
# of resident memory that every worker would otherwise hold for the few that serve FHIR.
if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement
    from fhir.resources.R4B.patient import Patient as FhirPatient

FR_CORE_PATIENT = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient"
FR_CORE_PRACTITIONER = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner"
FR_CORE_ORGANIZATION = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization"
FR_CORE_PRACTITIONER_ROLE = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner-role"
FR_CORE_APPOINTMENT = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-appointment"
# FR Core's identifier types (its own v2-0203 code system: IDNPS, RPPS, IDNST, FINEG, SIRET…).
FR_CORE_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
IDENTITY_RELIABILITY = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
IDENTITY_STATUS_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status"
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_CODE = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
COG_COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
CORDEE_DOSSIER_SYSTEM = "urn:cordee:dossier"
GENDER = {"F": "female", "M": "male", "I": "other"}


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """A resource as FHIR JSON holds it: no null, no empty string, list or object. The builders
    named `*_data` give plain dicts (the bulk export serialises them directly: fhir.resources
    takes milliseconds a resource); their namesakes validate them into fhir.resources objects.
    (Written for speed: the bulk export compacts every resource it writes.)"""
    kept = {}
    for key, value in data.items():
        value = _compact(value)
        if value is not _EMPTY:
            kept[key] = value
    return kept


_EMPTY = object()


def _compact(value: Any) -> Any:
    """The value compacted, or `_EMPTY` when FHIR JSON leaves it out."""
    if value is None:
        return _EMPTY
    if isinstance(value, str):
        return value if value else _EMPTY
    if isinstance(value, dict):
        value = compact(value)
    elif isinstance(value, list):
        value = [item for item in map(_compact, value) if item is not _EMPTY]
    else:
        return value
    return value if value else _EMPTY


def patient(p: Patient) -> FhirPatient:
    from fhir.resources.R4B.patient import Patient as FhirPatient

    return FhirPatient.model_validate(patient_data(p))


def patient_data(p: Patient) -> dict[str, Any]:
    """FR Core Patient: names, sex, birth date, the identity's reliability status (PROV / VALI),
    the INS (NIR) only when the identity is validated, the birth place with its COG code."""
    v2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
    identifiers: list[dict[str, Any]] = [
        {  # FR Core slice PI: the dossier's own identifier in Cordée
            "use": "usual",
            "type": {"coding": [{"system": v2_0203, "code": "PI"}]},
            "system": CORDEE_DOSSIER_SYSTEM,
            "value": str(p.public_id),
        }
    ]
    if p.identity_status == IdentityStatus.VALIDATED and p.nir:
        # FR Core slice NSS. The INS-NIR slice belongs to the FR Core Patient INS profile, for an
        # identity qualified through the INSi service (QUAL), which Cordée does not call.
        identifiers.append(
            {
                "use": "official",
                "type": {"coding": [{"system": v2_0203, "code": "NH"}]},
                "system": INS_NIR_SYSTEM,
                "value": p.nir,
            }
        )
    names: list[dict[str, Any]] = [{"use": "official", "family": p.birth_name, "given": [p.first_name]}]
    renamed = bool(p.used_name and p.used_name != p.birth_name)
    if renamed or (p.used_first_name and p.used_first_name != p.first_name):
        names.append(
            {
                "use": "usual",
                "family": p.used_name or p.birth_name,
                "given": [p.used_first_name or p.first_name],
            }
        )
    extensions: list[dict[str, Any]] = [
        {
            "url": IDENTITY_RELIABILITY,
            "extension": [
                {
                    "url": "identityStatus",
                    "valueCoding": {
                        "system": IDENTITY_STATUS_SYSTEM,
                        "code": p.identity_status,
                        "display": IdentityStatus(p.identity_status).label,
                    },
                }
            ],
        }
    ]
    if p.birth_commune_id:
        extensions.append(
            {
                "url": BIRTH_PLACE,
                "valueAddress": {
                    "extension": [
                        {
                            "url": INSEE_CODE,
                            "valueCoding": {"system": COG_COMMUNE_SYSTEM, "code": p.birth_commune_id},
                        }
                    ],
                    "city": str(p.birth_commune) if p.birth_commune else None,
                },
            }
        )
    return compact(
        {
            "resourceType": "Patient",
            "id": str(p.public_id),
            "meta": {"profile": [FR_CORE_PATIENT]},
            "extension": extensions,
            "identifier": identifiers,
            "name": names,
            "gender": GENDER.get(p.sex, "unknown"),
            "birthDate": p.birth_date,
        }
    )


def searchset(entries: list[FhirPatient], base: str, links: dict[str, str]) -> Bundle:
    from fhir.resources.R4B.bundle import Bundle

    return Bundle(
        type="searchset",
        link=[{"relation": relation, "url": url} for relation, url in links.items()],
        entry=[
            {"fullUrl": f"{base}Patient/{e.id}", "resource": e, "search": {"mode": "match"}} for e in entries
        ],
    )


def capability_statement(base: str) -> CapabilityStatement:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    return CapabilityStatement(
        status="active",
        date="2026-12-04",
        kind="instance",
        fhirVersion="4.0.1",
        format=["application/fhir+json"],
        implementation={"description": "Cordée — serveur FHIR R4 (lecture et recherche)", "url": base},
        rest=[
            {
                "mode": "server",
                "security": {"description": "Jeton d'accès personnel : Authorization: Bearer cordee_pat_…"},
                "resource": [
                    {
                        "type": "Patient",
                        "supportedProfile": [FR_CORE_PATIENT],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "family", "type": "string"},
                            {"name": "given", "type": "string"},
                            {"name": "birthdate", "type": "date"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "Task",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "patient", "type": "reference"},
                            {"name": "status", "type": "token"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "CareTeam",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": "patient", "type": "reference"}],
                    },
                    {
                        "type": "Practitioner",
                        "supportedProfile": [FR_CORE_PRACTITIONER],
                        "interaction": [{"code": "read"}],
                    },
                    {
                        "type": "Organization",
                        "supportedProfile": [FR_CORE_ORGANIZATION],
                        "interaction": [{"code": "read"}],
                    },
                    {
                        "type": "PractitionerRole",
                        "supportedProfile": [FR_CORE_PRACTITIONER_ROLE],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "practitioner", "type": "reference"},
                            {"name": "organization", "type": "reference"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "Appointment",
                        "supportedProfile": [FR_CORE_APPOINTMENT],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "patient", "type": "reference"},
                            {"name": "date", "type": "date"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "DocumentReference",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "patient", "type": "reference"},
                            {"name": "category", "type": "token"},
                            {"name": "type", "type": "token"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "url", "type": "uri"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "patient", "type": "reference"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {
                        # FHIR Bulk Data Access (IG v2.0.0): a structure's dossiers, as NDJSON.
                        "type": "Group",
                        "operation": [
                            {
                                "name": "export",
                                "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                            }
                        ],
                    },
                ],
            }
        ],
    )


# The ANS national identifiers: idNatPs ("8" + RPPS) and idNatSt ("1" + FINESS, "3" + SIRET), and
# the registers' own systems FR Core slices beside them (data/fhir-fr-core/SOURCES.md).
ID_NAT_PS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
ID_NAT_ST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
SIRENE_SYSTEM = "https://sirene.fr"
TASK_STATUS = {
    "TODO": "requested",
    "IN_PROGRESS": "in-progress",
    "DONE": "completed",
    "CANCELLED": "cancelled",
}
TASK_STATUS_BACK = {fhir: ours for ours, fhir in TASK_STATUS.items()}


def _identifier_type(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": FR_CORE_V2_0203, "code": code, "display": display}]}


def practitioner(user: Any) -> Any:
    """FR Core Practitioner: the RPPS twice, as FR Core slices it — idNatPs ("8" + RPPS, type
    IDNPS) and the RPPS itself (type RPPS, the register's system)."""
    from fhir.resources.R4B.practitioner import Practitioner

    identifiers = None
    if user.rpps:
        identifiers = [
            {
                "use": "official",
                "type": _identifier_type("IDNPS", "Identifiant National de Professionnel de Santé"),
                "system": ID_NAT_PS_SYSTEM,
                "value": f"8{user.rpps}",
            },
            {
                "use": "official",
                "type": _identifier_type("RPPS", "N° RPPS"),
                "system": RPPS_SYSTEM,
                "value": user.rpps,
            },
        ]
    return Practitioner(
        id=str(user.public_id),
        meta={"profile": [FR_CORE_PRACTITIONER]},
        identifier=identifiers,
        active=user.is_active,
        name=[
            {
                "use": "official",
                "family": user.last_name or user.username,
                "given": [user.first_name] if user.first_name else None,
            }
        ],
    )


def organization(structure: Any) -> Any:
    """FR Core Organization: one idNatSt (at most one: "1" + FINESS, or else "3" + SIRET), and the
    FINESS (type FINEG: a structure's FINESS is its establishment's, the géographique one) and
    SIRET under their registers' systems."""
    from fhir.resources.R4B.organization import Organization

    identifiers: list[dict[str, Any]] = []
    national = (
        f"1{structure.finess}" if structure.finess else f"3{structure.siret}" if structure.siret else ""
    )
    if national:
        identifiers.append(
            {
                "use": "official",
                "type": _identifier_type(
                    "IDNST", "Identification nationale de structure définie par l'ANS dans le CI_SIS"
                ),
                "system": ID_NAT_ST_SYSTEM,
                "value": national,
            }
        )
    if structure.finess:
        identifiers.append(
            {
                "use": "official",
                "type": _identifier_type("FINEG", "FINESS d'entité géographique"),
                "system": FINESS_SYSTEM,
                "value": structure.finess,
            }
        )
    if structure.siret:
        identifiers.append(
            {
                "use": "official",
                "type": _identifier_type("SIRET", "Identification de l'organisation au SIRET"),
                "system": SIRENE_SYSTEM,
                "value": structure.siret,
            }
        )
    return Organization(
        id=str(structure.public_id),
        meta={"profile": [FR_CORE_ORGANIZATION]},
        identifier=identifiers or None,
        active=structure.is_active,
        name=structure.name,
    )


def care_team(patient_row: Patient, members: list[Any]) -> Any:
    from fhir.resources.R4B.careteam import CareTeam

    return CareTeam.model_validate(care_team_data(patient_row, members))


def care_team_data(patient_row: Patient, members: list[Any]) -> dict[str, Any]:
    """The circle (CIR-1) as one CareTeam per dossier, its id the dossier's."""
    participants = []
    for member in members:
        if member.user_id:
            who = {"reference": f"Practitioner/{member.user.public_id}", "display": member.display_name}
        elif member.structure_id:
            who = {"reference": f"Organization/{member.structure.public_id}", "display": member.display_name}
        else:
            who = {"display": member.display_name}
        # The bulk export prefetches the roles into a list (`.all()` clones a queryset a call).
        listed = getattr(member, "bulk_roles", None)
        roles = [{"text": role.label} for role in (member.roles.all() if listed is None else listed)]
        participants.append({"member": who, "role": roles or None})
    return compact(
        {
            "resourceType": "CareTeam",
            "id": str(patient_row.public_id),
            "status": "active",
            "name": "Cercle de soins",
            "subject": {"reference": f"Patient/{patient_row.public_id}"},
            "participant": participants or None,
        }
    )


def task(row: Any) -> Any:
    from fhir.resources.R4B.task import Task as FhirTask

    return FhirTask.model_validate(task_data(row))


def task_data(row: Any) -> dict[str, Any]:
    return compact(
        {
            "resourceType": "Task",
            "id": str(row.public_id),
            "status": TASK_STATUS[row.status],
            "intent": "order",
            "code": {"text": row.task_type.label},
            "priority": "urgent" if row.level.rank >= 10 else "routine",
            "description": row.label,
            "for": {"reference": f"Patient/{row.patient.public_id}"},
            "authoredOn": row.created_at,
            "lastModified": row.updated_at,
            "restriction": {"period": {"end": row.due_at}},
            "note": [{"text": row.comment}] if row.comment else None,
        }
    )


def bundle(kind: str, resources: list[Any], base: str, links: dict[str, str]) -> Bundle:
    from fhir.resources.R4B.bundle import Bundle

    return Bundle(
        type="searchset",
        link=[{"relation": relation, "url": url} for relation, url in links.items()],
        entry=[
            {"fullUrl": f"{base}{kind}/{r.id}", "resource": r, "search": {"mode": "match"}} for r in resources
        ],
    )


# --- Appointment (AGD-1) -----------------------------------------------------------------------
APPOINTMENT_STATUS = {"CONFIRMED": "booked", "CANCELLED": "cancelled"}
# The agenda's word for a private appointment seen by anyone but its author and participants.
BUSY = "Occupé"


def appointment(row: Any, patient_row: Patient, details: bool) -> Any:
    """One appointment of a dossier (its first occurrence; a series says how it repeats). A
    private one shows "Occupé" and nothing else to whoever the agenda's rule keeps out."""
    from fhir.resources.R4B.appointment import Appointment as FhirAppointment

    participants: list[dict[str, Any]] = [
        {"actor": {"reference": f"Patient/{patient_row.public_id}"}, "status": "accepted"}
    ]
    if details:
        for person in getattr(row, "shown_participants", []):
            if person.user is not None:
                actor = {
                    "reference": f"Practitioner/{person.user.public_id}",
                    "display": person.user.display_name,
                }
            else:
                actor = {"display": person.structure.name}
            participants.append({"actor": actor, "status": "accepted"})
    comment = None
    if details and row.repeat:
        until = f" jusqu'au {row.repeat_until:%d/%m/%Y}" if row.repeat_until else ""
        comment = f"{row.get_repeat_display()}{until}"
    return FhirAppointment.model_validate(
        {
            "id": str(row.public_id),
            "meta": {"profile": [FR_CORE_APPOINTMENT]},
            "status": APPOINTMENT_STATUS.get(row.status, "booked"),
            "description": row.title if details else BUSY,
            "appointmentType": {"text": row.event_type.label} if details else None,
            "start": row.starts_at,
            "end": row.ends_at,
            "comment": comment,
            "participant": participants,
        }
    )


# --- DocumentReference (ACT-4) -----------------------------------------------------------------


def document_reference(row: Any, base: str) -> Any:
    from fhir.resources.R4B.documentreference import DocumentReference

    return DocumentReference.model_validate(document_reference_data(row, base))


def document_reference_data(row: Any, base: str) -> dict[str, Any]:
    """A document's current version: class code (the category, TRE_A03-ClasseDocument of the
    DMP, or a local code) and type code (LOINC of JDV_J66-TypeCode-DMP, or local), as the
    document categories' reference data (data/document_categories.json) holds them; the file
    is downloaded through the API, under the policy."""

    def coding(ref: Any) -> dict[str, Any]:
        return {"coding": [{"system": ref.system, "code": ref.code, "display": ref.label}], "text": ref.label}

    site = base.removesuffix("fhir/")
    return compact(
        {
            "resourceType": "DocumentReference",
            "id": str(row.public_id),
            "status": "current",
            "type": coding(row.doc_type) if row.doc_type else None,
            "category": [coding(row.category)],
            "subject": {"reference": f"Patient/{row.patient.public_id}"},
            "date": row.created_at,
            "description": row.title,
            "content": [
                {
                    "attachment": {
                        "contentType": row.content_type,
                        "url": f"{site}api/v1/dossiers/{row.patient.public_id}/documents/"
                        f"{row.public_id}/fichier",
                        "size": row.size,
                        "title": row.name,
                        "creation": row.document_date.isoformat(),
                    }
                }
            ],
        }
    )


# --- Questionnaire, QuestionnaireResponse (PAR-2, PAR-3) ---------------------------------------
QUESTIONNAIRE_SYSTEM = "urn:cordee:questionnaire"
ITEM_TYPE = {"computed": "decimal"}  # the others have FHIR's own name


def _questionnaire_items(items: Any) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(
            {
                "linkId": item.link_id,
                "text": item.text or None,
                "type": ITEM_TYPE.get(item.type, item.type),
                "required": item.required or None,
                "repeats": item.repeats or None,
                "readOnly": True if item.type == "computed" else None,
                "answerOption": [
                    {"valueCoding": {"code": option.code, "display": option.display}}
                    for option in item.options
                ]
                or None,
                "item": _questionnaire_items(item.items) or None,
            }
        )
    return found


def questionnaire(version: Any) -> Any:
    """One version of a questionnaire definition (versions never change once published)."""
    from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

    definition = version.parsed()
    return FhirQuestionnaire.model_validate(
        {
            "id": str(version.public_id),
            "url": f"{QUESTIONNAIRE_SYSTEM}:{version.questionnaire.code}",
            "identifier": [{"system": QUESTIONNAIRE_SYSTEM, "value": version.questionnaire.code}],
            "version": str(version.number),
            "title": version.questionnaire.title,
            "status": "active" if version.published_at else "draft",
            "date": version.published_at,
            "subjectType": ["Patient"],
            "item": _questionnaire_items(definition.items) or None,
        }
    )


def _answer_value(item: Any, value: Any) -> list[dict[str, Any]]:
    values = value if isinstance(value, list) else [value]
    answers: list[dict[str, Any]] = []
    for one in values:
        if one is None or one == "":
            continue
        kind = item.type
        if kind == "boolean" and isinstance(one, bool):
            answers.append({"valueBoolean": one})
        elif kind == "integer" and isinstance(one, int) and not isinstance(one, bool):
            answers.append({"valueInteger": one})
        elif kind in ("decimal", "computed") and isinstance(one, int | float) and not isinstance(one, bool):
            answers.append({"valueDecimal": one})
        elif kind == "date" and isinstance(one, str) and len(one) == 10:
            answers.append({"valueDate": one})
        elif kind == "choice":
            answers.append({"valueCoding": {"code": str(one), "display": item.option_label(str(one))}})
        elif kind == "attachment" and isinstance(one, str):
            answers.append({"valueReference": {"reference": f"DocumentReference/{one}"}})
        else:
            answers.append({"valueString": one if isinstance(one, str) else str(one)})
    return answers


def _response_items(items: Any, answers: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        if item.is_group:
            scopes = answers.get(item.link_id) if item.repeats else answers
            for scope in scopes if isinstance(scopes, list) else [scopes]:
                if isinstance(scope, dict):
                    nested = _response_items(item.items, scope)
                    if nested:
                        found.append({"linkId": item.link_id, "text": item.text or None, "item": nested})
            continue
        if not item.answers or item.link_id not in answers:
            continue
        values = _answer_value(item, answers[item.link_id])
        if values:
            found.append({"linkId": item.link_id, "text": item.text or None, "answer": values})
    return found


def questionnaire_response(form: Any, patient_row: Patient, base: str) -> Any:
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    version = form.questionnaire_version
    return QuestionnaireResponse.model_validate(
        {
            "id": str(form.public_id),
            "questionnaire": f"{base}Questionnaire/{version.public_id}",
            "status": "completed" if form.status == "CLOSED" else "in-progress",
            "subject": {"reference": f"Patient/{patient_row.public_id}"},
            "authored": form.updated_at,
            "item": _response_items(version.parsed().items, form.answers or {}) or None,
        }
    )


# --- PractitionerRole --------------------------------------------------------------------------


def practitioner_role(membership: Any) -> Any:
    """FR Core PractitionerRole: a professional's membership of a structure (the directory's,
    DIR-1). Their function and profession go in `code` as text (FR Core's binding there is
    preferred); `specialty` is left out: FR Core binds it (required) to the ordinal specialties
    (TRE-R38), which Cordée's free-text specialty and its professions are not."""
    from fhir.resources.R4B.practitionerrole import PractitionerRole

    user = membership.user
    return PractitionerRole.model_validate(
        {
            "id": str(membership.public_id),
            "meta": {"profile": [FR_CORE_PRACTITIONER_ROLE]},
            "active": membership.is_active,
            "practitioner": {"reference": f"Practitioner/{user.public_id}", "display": user.display_name},
            "organization": {
                "reference": f"Organization/{membership.structure.public_id}",
                "display": membership.structure.name,
            },
            "code": [
                {"text": membership.function or membership.get_role_display()},
                *([{"text": str(user.profession)}] if user.profession_id else []),
            ],
        }
    )
