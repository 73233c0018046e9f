"""THE access policy (SEC-1): every read and write of dossier data asks here.

- `visible_dossiers(actor)` for every list;
- `get_dossier(actor, public_id, perm)` for every page: the dossier, or 404 for whoever is not
  in its circle (a dossier you may not see does not exist for you), 403 for a member lacking
  the right; each call is journaled (SEC-2), refusals included;
- `can(actor, perm, patient)` for the rest (buttons, menus).

Who is "in": the actor's own habilitated circle row, or — while acting as a structure — that
structure's habilitated row. A row the patient refused sharing with hides the dossier from
that professional whatever else holds (CIR-2). Merged dossiers (tombstones) are never served.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cordee.audit.models import Access
from cordee.audit.services import journal
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.models import Patient


class Perm(enum.StrEnum):
    VIEW = "view"
    EDIT_IDENTITY = "edit_identity"
    EDIT_STATUS = "edit_status"
    MANAGE_CONSENT = "manage_consent"
    MANAGE_HOSPITALISATIONS = "manage_hospitalisations"
    MANAGE_LINKS = "manage_links"
    VIEW_ACCESS_JOURNAL = "view_access_journal"
    MERGE = "merge"


# Rights a habilitated member holds. The rights matrix by profession (CIR-2) refines this.
_HABILITATED = frozenset(Perm) - {Perm.MERGE}


def _actor_rows(actor: Actor) -> Q:
    rows = Q(user=actor.user)
    if actor.structure is not None:
        rows |= Q(structure=actor.structure)
    return rows


def _live_rows() -> QuerySet[CircleMember]:
    return CircleMember.objects.filter(removed_at__isnull=True)


def visible_dossiers(actor: Actor) -> QuerySet[Patient]:
    """SRCH-1: the dossiers the actor is habilitated on."""
    habilitated = _live_rows().filter(_actor_rows(actor), patient=OuterRef("pk"), is_habilitated=True)
    refused = _live_rows().filter(patient=OuterRef("pk"), user=actor.user, sharing_refused=True)
    return Patient.objects.filter(Exists(habilitated), ~Exists(refused), merged_into__isnull=True)


@dataclass(frozen=True)
class Standing:
    """Where the actor stands in one dossier's circle."""

    in_circle: bool
    habilitated: bool
    refused: bool

    @property
    def sees_dossier(self) -> bool:
        return self.habilitated and not self.refused


def standing(actor: Actor, patient: Patient) -> Standing:
    rows = list(_live_rows().filter(_actor_rows(actor), patient=patient))
    refused = any(row.sharing_refused and row.user_id == actor.user.pk for row in rows)
    return Standing(
        in_circle=bool(rows),
        habilitated=any(row.is_habilitated for row in rows),
        refused=refused,
    )


def _holds(actor: Actor, perm: Perm, patient: Patient, where: Standing) -> bool:
    if not where.sees_dossier:
        return False
    if perm in _HABILITATED:
        return True
    # Merging two dossiers rewrites identity-vigilance history: a structure's super user only.
    return perm == Perm.MERGE and actor.is_structure_superuser


def permissions(actor: Actor, patient: Patient) -> frozenset[Perm]:
    """Every right the actor holds on the dossier, in one query (for a page's buttons)."""
    if patient.merged_into_id is not None:
        return frozenset()
    where = standing(actor, patient)
    return frozenset(perm for perm in Perm if _holds(actor, perm, patient, where))


def can(actor: Actor, perm: Perm, patient: Patient) -> bool:
    if patient.merged_into_id is not None:
        return False
    return _holds(actor, perm, patient, standing(actor, patient))


def get_dossier(
    actor: Actor, public_id: uuid.UUID | str, perm: Perm = Perm.VIEW, *, what: str = ""
) -> Patient:
    """The one door to a dossier; every knock is journaled, answered or not."""
    patient = (
        Patient.objects.select_related("birth_country", "birth_commune", "commune", "discharge_reason")
        .filter(public_id=public_id, merged_into__isnull=True)
        .first()
    )
    if patient is None:
        journal(actor, None, str(perm), Access.Outcome.NOT_FOUND, what=what, requested_id=str(public_id))
        raise Http404
    where = standing(actor, patient)
    if not where.sees_dossier:
        # Out of the circle, or refused by the patient: the dossier does not exist for them.
        # A listed member without habilitation knows it exists: 403.
        outcome = (
            Access.Outcome.FORBIDDEN if where.in_circle and not where.refused else Access.Outcome.NOT_FOUND
        )
        journal(actor, patient, str(perm), outcome, what=what)
        if outcome == Access.Outcome.FORBIDDEN:
            raise PermissionDenied
        raise Http404
    if not _holds(actor, perm, patient, where):
        journal(actor, patient, str(perm), Access.Outcome.FORBIDDEN, what=what)
        raise PermissionDenied
    journal(actor, patient, str(perm), Access.Outcome.ALLOWED, what=what)
    return patient
