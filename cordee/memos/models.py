"""ACT-2, "Le Mémo": post-its on a dossier for practical information ("Patient résidant au 5e
étage sans ascenseur"), each with its own visibility."""

from __future__ import annotations

from django.db import models

from cordee.core.models import BaseModel

MEMO_TITLE_MAX_LENGTH = 150
MEMO_TEXT_MAX_LENGTH = 5000


class Visibility(models.TextChoices):
    # The seed: "Public" for the whole circle as the rights matrix's "Mémo" section allows,
    # "Partagé" for the members chosen, "Privé" for the structure that wrote it, not its delegates.
    PUBLIC = "PUBLIC", "Public"
    SHARED = "SHARED", "Partagé"
    PRIVATE = "PRIVATE", "Privé"


class Memo(BaseModel):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="memos")
    title = models.CharField("titre", max_length=MEMO_TITLE_MAX_LENGTH)
    text = models.TextField("texte", max_length=MEMO_TEXT_MAX_LENGTH)
    visibility = models.CharField("visibilité", max_length=10, choices=Visibility.choices)
    # The structure the author acted for: a private memo is that structure's.
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SEC-3: deleting a memo hides it; the row stays.
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)
    deleted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "mémo"
        verbose_name_plural = "mémos"
        indexes = [models.Index(fields=["patient", "-updated_at"], name="memo_patient_idx")]

    def __str__(self) -> str:
        return self.title


class MemoShare(models.Model):
    """A circle member a "Partagé" memo is shared with (a structure: whoever acts for it)."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey("careteam.CircleMember", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "partage d'un mémo"
        verbose_name_plural = "partages des mémos"
        constraints = [models.UniqueConstraint(fields=["memo", "member"], name="memo_share_unique")]

    def __str__(self) -> str:
        return f"{self.memo} → {self.member}"
