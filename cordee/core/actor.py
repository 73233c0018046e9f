"""The Actor: who acts, and on behalf of which structure (ARCHITECTURE, spine 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cordee.accounts.models import Membership, Structure, User


@dataclass(frozen=True)
class Actor:
    """A professional, acting either as themself (`membership` None) or for one structure.

    Services receive the actor, never the raw request, so every write can record both the
    person and the structure they acted for.
    """

    user: User
    membership: Membership | None = None

    @property
    def structure(self) -> Structure | None:
        return self.membership.structure if self.membership else None

    @property
    def is_acting_as_structure(self) -> bool:
        return self.membership is not None

    @property
    def is_structure_superuser(self) -> bool:
        return self.membership is not None and self.membership.is_superuser

    @property
    def label(self) -> str:
        if self.membership is not None:
            return f"{self.membership.structure.name} ({self.user.display_name})"
        return self.user.display_name
