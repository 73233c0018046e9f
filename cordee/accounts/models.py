"""Professionals, their structures and memberships, registrations and terms of use (ACC)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cordee.core.models import BaseModel
from cordee.core.text import search_key


class Profession(models.Model):
    """Reference list of health and social professions (seeded, editable in the admin)."""

    class Identifier(models.TextChoices):
        RPPS = "RPPS", "RPPS"
        ADELI = "ADELI", "ADELI"
        RPPS_OR_ADELI = "RPPS_OR_ADELI", "RPPS ou ADELI"
        NONE = "NONE", "Aucun"

    class Category(models.TextChoices):
        MEDICAL = "MEDICAL", "Médical"
        PARAMEDICAL = "PARAMEDICAL", "Paramédical"
        PSYCHO = "PSYCHO", "Psychologie"
        SOCIAL = "SOCIAL", "Social"
        COORDINATION = "COORDINATION", "Coordination"
        ADMINISTRATIVE = "ADMINISTRATIVE", "Administratif"

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)
    category = models.CharField("catégorie", max_length=20, choices=Category.choices)
    identifier = models.CharField(
        "identifiant national", max_length=20, choices=Identifier.choices, default=Identifier.NONE
    )
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "profession"

    def __str__(self) -> str:
        return self.label


def display_name_of(last_name: str, first_name: str, username: str) -> str:
    """A professional's name as shown ("DURAND Claire", or the username without a name), from
    values read without the instance (a list's rows)."""
    full = f"{last_name.upper()} {first_name}".strip()
    return full or username


class User(AbstractUser):
    """A professional's own account (the seed's "personne physique")."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profession = models.ForeignKey(
        Profession, verbose_name="profession", null=True, blank=True, on_delete=models.PROTECT
    )
    specialty = models.CharField("spécialité", max_length=100, blank=True)
    rpps = models.CharField("numéro RPPS", max_length=11, null=True, blank=True, unique=True)
    adeli = models.CharField("numéro ADELI", max_length=9, null=True, blank=True, unique=True)
    phone = models.CharField("téléphone fixe", max_length=20, blank=True)
    mobile = models.CharField("téléphone mobile", max_length=20, blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="ville", null=True, blank=True, on_delete=models.PROTECT
    )
    name_key = models.CharField("clé de recherche", max_length=300, blank=True, db_index=True)
    # Fiche 25: "l'encart des tâches peut remplacer la ligne de vie", each user's choice. On the
    # user row rather than a preferences table, so the dossier page reads it with no query.
    tasks_panel_enlarged = models.BooleanField("encart des tâches agrandi", default=False)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "professionnel"
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="accounts_user_email_unique"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name_of(self.last_name, self.first_name, self.username)

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = search_key(f"{self.last_name} {self.first_name}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Structure(BaseModel):
    """An organisation (the seed's "personne morale"): DAC, maternité, CAMSP, cabinet…"""

    class Kind(models.TextChoices):
        DAC = "DAC", "DAC (Dispositif d'Appui à la Coordination)"
        MATERNITY = "MATERNITE", "Maternité"
        HOSPITAL = "HOPITAL", "Hôpital"
        CAMSP = "CAMSP", "CAMSP"
        PMI = "PMI", "PMI"
        PRACTICE = "CABINET", "Cabinet médical ou paramédical"
        SAAD = "SAAD", "SAAD"
        PERINATAL_NETWORK = "RESEAU_PERINAT", "Réseau de périnatalité"
        CMPP = "CMPP", "CMPP / CMP"
        OTHER = "AUTRE", "Autre"

    name = models.CharField("nom", max_length=200)
    name_key = models.CharField("clé de recherche", max_length=200, db_index=True, editable=False)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    finess = models.CharField("numéro FINESS", max_length=9, blank=True)
    siret = models.CharField("numéro SIRET", max_length=14, blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="ville", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "structure"

    def __str__(self) -> str:
        return self.name

    @property
    def is_coordination(self) -> bool:
        """DACs are the seed's "structures de coordination"."""
        return self.kind == self.Kind.DAC

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = search_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Membership(BaseModel):
    """A professional within a structure (the seed's "délégué") and their right there (ACC-6)."""

    class Role(models.TextChoices):
        USER = "USER", "Utilisateur"
        SUPERUSER = "SUPERUSER", "Super utilisateur"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("droits", max_length=10, choices=Role.choices, default=Role.USER)
    function = models.CharField("fonction dans la structure", max_length=100, blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["structure__name"]
        verbose_name = "rattachement à une structure"
        verbose_name_plural = "rattachements aux structures"
        constraints = [
            models.UniqueConstraint(fields=["user", "structure"], name="accounts_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.structure} ({self.get_role_display()})"

    @property
    def is_superuser(self) -> bool:
        return self.role == self.Role.SUPERUSER


class RegistrationRequest(BaseModel):
    """ACC-1: a professional asks for an account; a platform administrator decides."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "En attente"
        VALIDATED = "VALIDATED", "Validée"
        REFUSED = "REFUSED", "Refusée"

    profession = models.ForeignKey(Profession, verbose_name="fonction", on_delete=models.PROTECT)
    specialty = models.CharField("spécialité", max_length=100, blank=True)
    rpps = models.CharField("numéro RPPS", max_length=11, blank=True)
    adeli = models.CharField("numéro ADELI", max_length=9, blank=True)
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    email = models.EmailField("e-mail de contact")
    phone = models.CharField("téléphone", max_length=20, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="ville d'exercice", null=True, blank=True, on_delete=models.PROTECT
    )
    structure_name = models.CharField("structure de rattachement", max_length=200, blank=True)
    message = models.TextField("message à l'administrateur", blank=True)
    invitation = models.ForeignKey(
        "directory.Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="décidée par"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="registration"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande d'inscription"
        verbose_name_plural = "demandes d'inscription"

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name} ({self.get_status_display()})"


class TermsVersion(BaseModel):
    """ACC-3: a version of the terms of use (CGU); the newest published one is in force."""

    version = models.CharField("version", max_length=20, unique=True)
    title = models.CharField("titre", max_length=200, default="Conditions générales d'utilisation")
    body = models.TextField("texte")
    published_at = models.DateTimeField("publiée le", default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = "version des CGU"
        verbose_name_plural = "versions des CGU"

    def __str__(self) -> str:
        return f"CGU {self.version}"

    @classmethod
    def current(cls) -> TermsVersion | None:
        return cls.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField("acceptée le", default=timezone.now)

    class Meta:
        verbose_name = "acceptation des CGU"
        constraints = [
            models.UniqueConstraint(fields=["user", "terms"], name="accounts_terms_acceptance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.terms}"


class RegistrationAttempt(models.Model):
    """Issue 24: one submission of the registration form, kept an hour to throttle floods from
    one address (a keyed hash of it, never the address itself)."""

    address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"inscription envoyée le {self.at:%d/%m/%Y %H:%M}"
