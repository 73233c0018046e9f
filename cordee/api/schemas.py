"""INT-1: the API's bodies, as OpenAPI documents them."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Schema

from cordee.api.paging import Page


class DossierOut(Schema):
    id: uuid.UUID
    birth_name: str
    used_name: str
    first_name: str
    used_first_name: str
    birth_date: datetime.date
    sex: str
    identity_status: str
    status: str
    birth_commune: str | None
    birth_country: str | None
    commune: str | None


class DossierPage(Page):
    results: list[DossierOut]


class DossierIn(Schema):
    """A new dossier: the identity (as the creation form asks it) and the consent attestation."""

    birth_name: str
    first_name: str
    birth_date: datetime.date
    sex: str
    birth_country_code: str = "99100"
    birth_commune: str = ""
    used_name: str = ""
    used_first_name: str = ""
    birth_first_names: str = ""
    email: str = ""
    mobile: str = ""
    address: str = ""
    commune: str = ""
    is_fictitious: bool = False
    consent_attested: bool
    consent_given_by: str
    consent_given_by_detail: str = ""
    # IDV-2 through software: the ids of the probable duplicates a 409 answered, looked at by a
    # person who judged them to be someone else. Creation goes on only if they cover them all.
    reviewed_candidates: list[uuid.UUID] = []


class CandidateOut(Schema):
    id: uuid.UUID | None
    birth_name: str
    first_name: str
    birth_date: datetime.date
    score: float
    reasons: list[str]
    may_open: bool


class CircleMemberOut(Schema):
    id: uuid.UUID
    name: str
    is_structure: bool
    is_habilitated: bool
    roles: list[str]
    professional_id: uuid.UUID | None
    structure_id: uuid.UUID | None


class TaskOut(Schema):
    id: uuid.UUID
    label: str
    type: str
    level: str
    status: str
    due_at: datetime.datetime
    comment: str
    version: int


class TaskIn(Schema):
    label: str
    type: str
    level: str
    due_at: datetime.datetime
    status: str = "TODO"
    comment: str = ""


class StatusChange(Schema):
    """TSK-2: the next status (the cycle À traiter → En cours → Traité → Annulé → À traiter) and
    the version read, so that a change made meanwhile is never overwritten."""

    status: str
    version: int


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str


class FieldError(Schema):
    field: str
    message: str


class InvalidProblem(Problem):
    errors: list[FieldError]


class DuplicateProblem(Problem):
    candidates: list[CandidateOut]


class ThemeOut(Schema):
    code: str
    label: str


class QuestionnaireRef(Schema):
    id: uuid.UUID
    code: str
    title: str
    version: int
    version_id: uuid.UUID


class FormResponseOut(Schema):
    """PAR-3: a filled form of the dossier, against the questionnaire version it was opened
    with; `answers` keyed by the definition's linkId (the FHIR Questionnaire's items)."""

    id: uuid.UUID
    questionnaire: QuestionnaireRef
    theme: ThemeOut
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    closed_at: datetime.datetime | None
    version: int


class FormResponseDetail(FormResponseOut):
    answers: dict[str, Any]


class CodingOut(Schema):
    system: str
    code: str
    label: str


class DocumentOut(Schema):
    """ACT-4: a document's current version, classified as the DMP expects (category = class
    code, type = type code)."""

    id: uuid.UUID
    title: str
    file_name: str
    content_type: str
    size: int
    category: CodingOut
    type: CodingOut | None
    document_date: datetime.date
    visibility: str
    version: int
    source: str
    created_at: datetime.datetime
    download: str


class DocumentUploadIn(Schema):
    """ACT-4 "Ajouter un document", as the page asks it: the category (its code), the type (its
    code within the category), the title, the document's own date, the visibility and, for a
    shared document, the circle members (their ids in the circle) who receive it."""

    category: str
    title: str
    document_date: datetime.date
    type: str = ""
    visibility: str = "PUBLIC"
    recipients: list[uuid.UUID] = []


class AppointmentOut(Schema):
    """AGD-1: one occurrence of the dossier's appointments. A private appointment is "Occupé"
    and nothing else to whoever is neither its author nor taking part (the agenda's rule)."""

    id: uuid.UUID
    title: str
    private: bool
    details: bool
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool
    status: str
    type: str | None
    place: str | None
    participants: list[str] | None


class TaskPage(Page):
    results: list[TaskOut]


class FormResponsePage(Page):
    results: list[FormResponseOut]


class DocumentPage(Page):
    results: list[DocumentOut]


class AppointmentPage(Page):
    results: list[AppointmentOut]
