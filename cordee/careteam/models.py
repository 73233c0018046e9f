"""The care circle (CIR): who is in it, and who is habilitated to open the dossier."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cordee.core.models import BaseModel


class CircleMember(BaseModel):
    """A person or a structure in a patient's circle.

    Only habilitated members open the dossier (CIR-1); the dossier's creator and the structure
    it was created for are habilitated automatically ("auto-habilitation"). A member the
    patient refused sharing with sees nothing, habilitated or not (CIR-2).
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="circle")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="circle_memberships"
    )
    structure = models.ForeignKey(
        "accounts.Structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circle_memberships",
    )
    is_habilitated = models.BooleanField("habilité", default=False)
    is_auto_habilitation = models.BooleanField("auto-habilitation", default=False)
    sharing_refused = models.BooleanField(
        "refus de partage",
        default=False,
        help_text="Refus du patient au partage d'information avec ce membre.",
    )
    habilitation_removed_at = models.DateTimeField("habilitation retirée le", null=True, blank=True)
    removed_at = models.DateTimeField("retiré du cercle le", null=True, blank=True)

    class Meta:
        verbose_name = "membre du cercle de soins"
        verbose_name_plural = "membres du cercle de soins"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(structure__isnull=True))
                | (Q(user__isnull=True) & Q(structure__isnull=False)),
                name="circle_member_is_person_or_structure",
            ),
            models.UniqueConstraint(
                fields=["patient", "user"], condition=Q(removed_at__isnull=True), name="circle_unique_user"
            ),
            models.UniqueConstraint(
                fields=["patient", "structure"],
                condition=Q(removed_at__isnull=True),
                name="circle_unique_structure",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "patient"], name="circle_user_idx"),
            models.Index(fields=["structure", "patient"], name="circle_structure_idx"),
        ]

    def __str__(self) -> str:
        return str(self.user or self.structure)
