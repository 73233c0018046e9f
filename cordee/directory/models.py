"""DIR-3: invitations of colleagues not yet registered."""

from __future__ import annotations

from django.db import models

from cordee.core.models import BaseModel


class Invitation(BaseModel):
    """An e-mail with a signed, expiring registration link; `created_by` is the inviter."""

    email = models.EmailField("adresse e-mail")
    last_name = models.CharField("nom", max_length=150, blank=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    message = models.TextField("message personnel", blank=True)
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="au nom de la structure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"

    def __str__(self) -> str:
        return self.email
