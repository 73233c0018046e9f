"""COC-1 and COC-3: a newborn's inclusion in the Cocon pathway and its notebook calendar."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cordee.core.models import BaseModel


class InclusionCriterion(models.Model):
    """Configurable list (the networks' "indications de suivi" are theirs to maintain)."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("critère", max_length=200)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "critère d'inclusion Cocon"
        verbose_name_plural = "critères d'inclusion Cocon"

    def __str__(self) -> str:
        return self.label


class Inclusion(BaseModel):
    class EndReason(models.TextChoices):
        COMPLETED = "COMPLETED", "Fin du suivi (7 ans)"
        MOVED = "MOVED", "Déménagement hors région"
        WITHDRAWN = "WITHDRAWN", "Retrait de la famille"
        DECEASED = "DECEASED", "Décès"
        OTHER = "OTHER", "Autre"

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="cocon_inclusion"
    )
    inclusion_date = models.DateField("date d'inclusion")
    gestational_age_weeks = models.PositiveSmallIntegerField(
        "terme de naissance (semaines d'aménorrhée)",
        validators=[MinValueValidator(22), MaxValueValidator(44)],
    )
    gestational_age_days = models.PositiveSmallIntegerField(
        "jours", default=0, validators=[MaxValueValidator(6)]
    )
    birth_weight_g = models.PositiveIntegerField(
        "poids de naissance (g)", validators=[MinValueValidator(300), MaxValueValidator(6500)]
    )
    birth_length_cm = models.DecimalField(
        "taille de naissance (cm)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(65)],
    )  # fmt: skip
    birth_head_circumference_cm = models.DecimalField(
        "périmètre crânien de naissance (cm)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(45)],
    )  # fmt: skip
    criteria = models.ManyToManyField(
        InclusionCriterion, verbose_name="critères d'inclusion", related_name="+"
    )
    referring_maternity = models.ForeignKey(
        "accounts.Structure", verbose_name="maternité d'origine", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    referent_pediatrician = models.ForeignKey(
        "accounts.User",
        verbose_name="pédiatre référent",
        on_delete=models.PROTECT,
        related_name="cocon_children",
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField("date de sortie du parcours", null=True, blank=True)
    end_reason = models.CharField("motif de sortie", max_length=12, choices=EndReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "inclusion Cocon"
        verbose_name_plural = "inclusions Cocon"
        permissions = [
            ("extract_notebooks", "Extraire les cahiers de suivi clôturés (évaluation)"),
            ("view_cohort", "Voir le tableau de bord de la cohorte Cocon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""), name="cocon_end_needs_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Inclusion Cocon du {self.inclusion_date:%d/%m/%Y}"

    @property
    def gestational_age_total_days(self) -> int:
        return self.gestational_age_weeks * 7 + self.gestational_age_days

    @property
    def gestational_age_label(self) -> str:
        days = f" + {self.gestational_age_days} j" if self.gestational_age_days else ""
        return f"{self.gestational_age_weeks} SA{days}"

    @property
    def is_preterm(self) -> bool:
        return self.gestational_age_weeks < 37

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ScheduledStep(models.Model):
    """COC-3, the calendar stored: one row per child and notebook step, so the cohort dashboard
    and the reminders are plain indexed queries at regional volume. Refreshed when the inclusion
    changes and when a notebook is closed or reopened (and nightly by `cocon_schedule`)."""

    inclusion = models.ForeignKey(Inclusion, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("étape", max_length=40)
    rank = models.PositiveSmallIntegerField()
    opens_on = models.DateField("début de la période")
    closes_on = models.DateField("fin de la période")
    target_on = models.DateField("date cible")
    # When this consultation counts as missed: the next step's window opens (the last step: six
    # months after its window). Stored so the cohort states are one indexed query.
    missed_from = models.DateField("manquant à partir du")
    # The consultation date of the closed notebook (its "date_consultation"), if any.
    done_on = models.DateField("consultation réalisée le", null=True, blank=True)
    form = models.ForeignKey(
        "pathways.FormResponse", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # COC-3: the reminder task, created once (never twice: the row holds it).
    reminder = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["inclusion", "rank"]
        verbose_name = "étape du calendrier Cocon"
        verbose_name_plural = "calendrier Cocon"
        constraints = [models.UniqueConstraint(fields=["inclusion", "step"], name="cocon_step_unique")]
        indexes = [
            models.Index(fields=["step", "opens_on"], name="cocon_step_opens_idx"),
            models.Index(
                fields=["opens_on"],
                condition=Q(done_on__isnull=True, reminder__isnull=True),
                name="cocon_step_reminder_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.opens_on:%d/%m/%Y} – {self.closes_on:%d/%m/%Y})"
