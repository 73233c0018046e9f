"""SEC-2: the append-only access journal — every read and write of dossier data."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnly(models.Model):
    """A journal table: rows are added, never changed nor removed by the application (the
    database's triggers refuse it too; only the retention purge lifts them)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Le journal des accès n'est jamais modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Le journal des accès n'est jamais effacé.")


class Access(AppendOnly):
    """Who (person and structure), what, when, and whether it was allowed.

    Rows are never updated nor deleted: the model refuses it, and on PostgreSQL and SQLite a
    trigger refuses it too, so not even a raw query can rewrite the past. Kept at least 12
    months (retention is an operator's purge of rows older than the legal period, done
    outside the application).
    """

    class Outcome(models.TextChoices):
        ALLOWED = "ALLOWED", "Autorisé"
        NOT_FOUND = "NOT_FOUND", "Refusé (dossier introuvable pour cet utilisateur)"
        FORBIDDEN = "FORBIDDEN", "Refusé (droit manquant)"

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    requested_id = models.CharField("identifiant demandé", max_length=64, blank=True)
    action = models.CharField("action", max_length=40)
    what = models.CharField("objet", max_length=200, blank=True)
    outcome = models.CharField("résultat", max_length=10, choices=Outcome.choices)
    # The seal (issue 22, cordee/audit/chain.py), written by the database as the row is inserted.
    chain = models.SmallIntegerField("chaîne", null=True, editable=False)
    seq = models.BigIntegerField("rang", null=True, editable=False)
    digest = models.CharField("empreinte", max_length=64, default="", editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "accès à un dossier"
        verbose_name_plural = "journal des accès"
        indexes = [
            models.Index(fields=["patient", "-at"], name="access_patient_idx"),
            models.Index(fields=["chain", "seq"], name="access_chain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.action} {self.outcome}"


class ListedDossier(AppendOnly):
    """The dossiers one journal row stands for when a single act reads many at once (a FHIR bulk
    export's batch of a thousand dossiers: one sealed row, not a thousand). The row's
    `requested_id` holds the digest of this list (`chain.listing_digest`), so that the list is
    sealed with it: `verify_journal` finds a dossier added to or removed from it. Never updated;
    removed only with its row, by the retention purge."""

    access = models.ForeignKey(Access, on_delete=models.PROTECT, related_name="listed")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "dossier nommé par un accès"
        verbose_name_plural = "dossiers nommés par les accès"
        constraints = [
            models.UniqueConstraint(fields=["access", "patient"], name="listed_access_patient_uniq")
        ]
        indexes = [models.Index(fields=["patient"], name="listed_patient_idx")]

    def __str__(self) -> str:
        return f"accès {self.access_id} : dossier {self.patient_id}"


class ChainHead(models.Model):
    """Each chain's last rank and digest (its tail), and the checkpoint a retention purge left
    (the last removed row's rank and digest, from which what remains verifies)."""

    chain = models.SmallIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64)
    checkpoint_seq = models.BigIntegerField(default=0)
    checkpoint_digest = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_chainhead"
        verbose_name = "tête de chaîne du journal"
        verbose_name_plural = "têtes de chaîne du journal"

    def __str__(self) -> str:
        return f"chaîne {self.chain} : rang {self.seq}"
