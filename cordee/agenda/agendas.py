"""Whose agendas an actor may open (AGD-1), and what they may see of each appointment.

An agenda is a person's or a structure's. The actor opens their own, those of the structures
they are an active member of, and those of these structures' active members: a DAC sees its
team's week at a glance, a stranger sees nothing (404, as for a dossier). Opening an agenda
also lets one add to it (a coordinator books a colleague), and each such change is told to the
colleague (AGD-2).

Inside an agenda, a private appointment shows "Occupé" — no title, type, place, patient nor
notes — to anyone but its author and the persons taking part. An appointment's patient is named
only to who may see that dossier (`careteam.access`), whoever they are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.http import Http404

from cordee.accounts.models import Membership, Structure, User
from cordee.agenda.models import Appointment
from cordee.core.actor import Actor


@dataclass(frozen=True)
class Agenda:
    """One agenda: `key` is how URLs name it ("p-<uuid>" a person, "s-<uuid>" a structure)."""

    user: User | None = None
    structure: Structure | None = None

    @property
    def key(self) -> str:
        if self.user is not None:
            return f"p-{self.user.public_id}"
        assert self.structure is not None
        return f"s-{self.structure.public_id}"

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.display_name
        assert self.structure is not None
        return self.structure.name

    @property
    def is_structure(self) -> bool:
        return self.structure is not None


class Reach:
    """The agendas one actor may open, asked once per request (two queries)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def _within(self) -> QuerySet[Membership]:
        """The active memberships of the actor's active structures (their colleagues' too)."""
        mine = Membership.objects.filter(
            user=self.actor.user, is_active=True, structure__is_active=True
        ).values("structure_id")
        return Membership.objects.filter(structure_id__in=mine, is_active=True, user__is_active=True)

    @cached_property
    def _memberships(self) -> list[Membership]:
        return list(
            self._within()
            .select_related("user", "structure")
            .order_by("structure__name", "user__last_name", "user__first_name")
        )

    @cached_property
    def structures(self) -> list[Structure]:
        seen: dict[int, Structure] = {}
        for membership in self._memberships:
            seen.setdefault(membership.structure_id, membership.structure)
        return list(seen.values())

    @cached_property
    def people(self) -> list[User]:
        """Me first, then my colleagues by name."""
        seen: dict[int, User] = {self.actor.user.pk: self.actor.user}
        for membership in sorted(self._memberships, key=lambda m: (m.user.last_name, m.user.first_name)):
            seen.setdefault(membership.user_id, membership.user)
        return list(seen.values())

    def members_of(self, structure: Structure) -> list[User]:
        return [m.user for m in self._memberships if m.structure_id == structure.pk]

    @cached_property
    def agendas(self) -> list[Agenda]:
        return [Agenda(structure=s) for s in self.structures] + [Agenda(user=u) for u in self.people]

    @cached_property
    def user_ids(self) -> set[int]:
        return {user.pk for user in self.people}

    @cached_property
    def structure_ids(self) -> set[int]:
        return {structure.pk for structure in self.structures}

    def default(self) -> list[Agenda]:
        """ "Agenda de : <structure>, <personne>": the structure acted for, and oneself."""
        shown = [Agenda(user=self.actor.user)]
        if self.actor.structure is not None and self.actor.structure.pk in self.structure_ids:
            shown.insert(0, Agenda(structure=self.actor.structure))
        return shown

    def find(self, key: str) -> Agenda:
        """The agenda named by `key`, or 404: one not within reach does not exist for the actor."""
        kind, _, raw = key.partition("-")
        try:
            wanted = uuid.UUID(raw)
        except ValueError:
            raise Http404 from None
        for agenda in self.agendas:
            if kind == "p" and agenda.user is not None and agenda.user.public_id == wanted:
                return agenda
            if kind == "s" and agenda.structure is not None and agenda.structure.public_id == wanted:
                return agenda
        raise Http404

    def pick(self, keys: list[str]) -> list[Agenda]:
        """The agendas asked for among those within reach (unknown keys are dropped)."""
        chosen = []
        for key in keys[:40]:
            try:
                agenda = self.find(key)
            except Http404:
                continue
            if agenda not in chosen:
                chosen.append(agenda)
        return chosen

    def reaches(self, appointment: Appointment, user_ids: set[int], structure_ids: set[int]) -> bool:
        """The appointment sits in at least one agenda within reach (so the actor may open it)."""
        return bool(user_ids & self.user_ids or structure_ids & self.structure_ids) or (
            appointment.created_by_id == self.actor.user.pk
        )


class IdReach(Reach):
    """The same reach for callers that only ask whether appointments are within it (a dossier's
    appointments, its life line): ids in one light query, where `Reach` builds every colleague's
    membership, person and structure (a DAC's hundred members on each dossier page)."""

    @cached_property
    def _pairs(self) -> list[tuple[int, int]]:
        return list(self._within().values_list("user_id", "structure_id"))

    @cached_property
    def user_ids(self) -> set[int]:
        return {self.actor.user.pk} | {user_id for user_id, _ in self._pairs}

    @cached_property
    def structure_ids(self) -> set[int]:
        return {structure_id for _, structure_id in self._pairs}


def sees_details(actor: Actor, appointment: Appointment, participant_user_ids: set[int]) -> bool:
    """A private appointment is read only by its author and the persons taking part."""
    if not appointment.is_private:
        return True
    return actor.user.pk == appointment.created_by_id or actor.user.pk in participant_user_ids
