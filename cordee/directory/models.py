"""DIR-2: the national directory's professionals, imported from the Annuaire Santé extract;
DIR-3: invitations of colleagues not yet registered."""

from __future__ import annotations

import uuid

from django.conf import settings
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
    professional = models.ForeignKey(
        "directory.DirectoryProfessional",
        verbose_name="professionnel de l'annuaire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"

    def __str__(self) -> str:
        return self.email


class NationalProfession(models.Model):
    """A profession of the national nomenclature (NOS TRE_G15 "Profession de santé", the code
    the extract carries in "Code profession"), and the profession of Cordée it stands for."""

    code = models.CharField("code national", max_length=4, primary_key=True)
    label = models.CharField("libellé", max_length=100)
    profession = models.ForeignKey(
        "accounts.Profession",
        verbose_name="profession dans Cordée",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="national_codes",
    )
    source = models.CharField("source", max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "profession (code national)"
        verbose_name_plural = "professions (codes nationaux)"

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class Specialty(models.Model):
    """A savoir-faire of the national nomenclatures (ordinal specialty SMxx, capacity, DESC…),
    with the label the extract publishes for its code."""

    code = models.CharField("code national", max_length=10, primary_key=True)
    label = models.CharField("libellé", max_length=200)
    kind = models.CharField("type de savoir-faire", max_length=10, blank=True)
    kind_label = models.CharField("libellé du type", max_length=100, blank=True)
    source = models.CharField("source", max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "savoir-faire (code national)"
        verbose_name_plural = "savoir-faire (codes nationaux)"

    def __str__(self) -> str:
        return self.label


class DirectoryProfessional(models.Model):
    """DIR-2: a professional of the national directory, one per national identifier (RPPS or
    ADELI), whether registered in Cordée or not. Never deleted: absent from a newer extract, it
    is marked inactive. `user` links the registered account holding the same number."""

    class IdentifierType(models.TextChoices):
        ADELI = "0", "ADELI"
        RPPS = "8", "RPPS"

    national_id = models.CharField("identification nationale", max_length=12, unique=True)
    identifier_type = models.CharField("type d'identifiant", max_length=1, choices=IdentifierType.choices)
    rpps = models.CharField("numéro RPPS", max_length=11, null=True, blank=True, unique=True)
    adeli = models.CharField("numéro ADELI", max_length=9, null=True, blank=True, unique=True)
    title = models.CharField("civilité d'exercice", max_length=40, blank=True)
    last_name = models.CharField("nom d'exercice", max_length=150)
    first_name = models.CharField("prénom d'exercice", max_length=150, blank=True)
    name_key = models.CharField("clé de recherche", max_length=300, db_index=True)
    national_profession = models.ForeignKey(
        NationalProfession, verbose_name="profession", on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.ForeignKey(
        Specialty,
        verbose_name="spécialité",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte Cordée",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_entry",
    )
    is_active = models.BooleanField("présent dans la dernière extraction", default=True)
    # What the person fields looked like at the last import: an unchanged line writes nothing.
    digest = models.CharField(max_length=32)
    created_at = models.DateTimeField("importé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = "professionnel de l'annuaire national"
        verbose_name_plural = "professionnels de l'annuaire national"

    # Lets a template listing users and directory entries together tell them apart.
    is_directory_entry = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    @property
    def site_names(self) -> list[str]:
        """The places of the active activities (prefetched as `active_activities`), once each."""
        names: list[str] = []
        for activity in getattr(self, "active_activities", []):
            if activity.site_name and activity.site_name not in names:
                names.append(activity.site_name)
        return names

    @property
    def first_activity(self) -> Activity | None:
        activities = getattr(self, "active_activities", [])
        return activities[0] if activities else None


class Activity(models.Model):
    """One line of the extract: a professional's activity at a place (mode of exercise,
    structure, address). Identified by a digest of its content: a changed line is a new
    activity, the former one closed."""

    professional = models.ForeignKey(
        DirectoryProfessional, on_delete=models.CASCADE, related_name="activities"
    )
    digest = models.CharField(max_length=32, unique=True)
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField("mode d'exercice", max_length=60, blank=True)
    site_name = models.CharField("raison sociale du site", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departement = models.CharField("département", max_length=3, blank=True, db_index=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.CharField("e-mail", max_length=200, blank=True)
    is_active = models.BooleanField("présente dans la dernière extraction", default=True)
    created_at = models.DateTimeField("importée le", auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "activité"

    def __str__(self) -> str:
        return f"{self.site_name or self.address} ({self.mode})"


class DirectoryImport(BaseModel):
    """DIR-2: one run of the import, with its counts and rejected lines; `created_by` started it."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "En attente"
        RUNNING = "RUNNING", "En cours"
        DONE = "DONE", "Terminé"
        FAILED = "FAILED", "Échec"

    file = models.FileField("fichier", upload_to="annuaire/", blank=True)
    file_name = models.CharField("nom du fichier", max_length=200)
    # The form's normalised list: up to 120 codes of 3 characters and their commas (issue 24:
    # every département, 307 characters, fit the form's 400 but not a column of 200).
    departements = models.CharField("départements", max_length=500, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    total_lines = models.PositiveIntegerField("lignes du fichier", default=0)
    lines_read = models.PositiveIntegerField("lignes lues", default=0)
    counts = models.JSONField("comptes", default=dict, blank=True)
    rejections = models.JSONField("lignes rejetées", default=list, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import de l'annuaire national"
        verbose_name_plural = "imports de l'annuaire national"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.lines_read * 100 // self.total_lines) if self.total_lines else 0


class ResourceTeam(models.Model):
    """ACC-8 (seed: "Gestion des équipes ressource"): a structure's settings as a resource team —
    whether it appears in the regional directory of resource teams (and so receives requests),
    whether requests sent to it carry the patient's identity, the form the requester fills and
    the description shown in search results."""

    DESCRIPTION_MAX = 500

    structure = models.OneToOneField(
        "accounts.Structure", on_delete=models.CASCADE, related_name="resource_team", verbose_name="structure"
    )
    is_listed = models.BooleanField("apparaître dans l'annuaire des équipes ressource", default=False)
    carries_identity = models.BooleanField(
        "les demandes adressées portent l'identité du patient", default=True
    )
    questionnaire = models.ForeignKey(
        "pathways.Questionnaire",
        verbose_name="formulaire rempli par le demandeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField("description", max_length=DESCRIPTION_MAX, blank=True)
    description_key = models.CharField(max_length=DESCRIPTION_MAX, blank=True, editable=False)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "équipe ressource"
        verbose_name_plural = "équipes ressource"
        indexes = [models.Index(fields=["is_listed"], name="resource_team_listed_idx")]

    def __str__(self) -> str:
        return str(self.structure)

    def save(self, *args: object, **kwargs: object) -> None:
        from cordee.core.text import search_key

        self.description_key = search_key(self.description)[: self.DESCRIPTION_MAX]
        super().save(*args, **kwargs)  # type: ignore[arg-type]
