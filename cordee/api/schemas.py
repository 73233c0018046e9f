"""INT-1: the API's bodies, as OpenAPI documents them."""

from __future__ import annotations

import datetime
import uuid

from ninja import Schema


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


class DossierPage(Schema):
    page: int
    size: int
    has_next: bool
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
