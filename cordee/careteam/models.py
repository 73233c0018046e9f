"""The care circle (CIR): who is in it, who is habilitated, and what each may do (the matrix)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from cordee.core.models import BaseModel


class CircleRole(models.Model):
    """CIR-5: roles in a dossier (configurable; seeded with the booklet's seven)."""

    label = models.CharField("rôle", max_length=100, unique=True)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "rôle dans le cercle de soins"
        verbose_name_plural = "rôles dans le cercle de soins"

    def __str__(self) -> str:
        return self.label


class Relationship(models.TextChoices):
    """The seed's "Lien avec le patient/usager" for a manually added person."""

    PARENT = "PARENT", "Parent"
    SPOUSE = "CONJOINT", "Conjoint(e)"
    CHILD = "ENFANT", "Enfant"
    SIBLING = "FRATRIE", "Frère / sœur"
    FAMILY = "FAMILLE", "Autre membre de la famille"
    FRIEND = "PROCHE", "Ami(e), voisin(e), proche"
    LEGAL = "REPRESENTANT", "Représentant légal"
    PROFESSIONAL = "PROFESSIONNEL", "Professionnel"
    OTHER = "AUTRE", "Autre"


class CircleMember(BaseModel):
    """A person or a structure in a patient's circle.

    Three kinds: a registered professional (`user`), a structure (`structure`), or a person or
    structure added by hand (`manual_*`: a relative, or anyone not in the directory). Only
    habilitated professionals and structures open the dossier (CIR-1); a manually added
    person never does (a database constraint says so). A member the patient refused sharing
    with sees nothing, habilitated or not (CIR-2).
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
    is_manual = models.BooleanField("ajout manuel", default=False)
    is_habilitated = models.BooleanField("habilité", default=False)
    is_auto_habilitation = models.BooleanField("auto-habilitation", default=False)
    sharing_refused = models.BooleanField(
        "refus de partage",
        default=False,
        help_text="Refus du patient au partage d'information avec ce membre.",
    )
    habilitation_removed_at = models.DateTimeField("habilitation retirée le", null=True, blank=True)
    removed_at = models.DateTimeField("retiré du cercle le", null=True, blank=True)

    roles = models.ManyToManyField(CircleRole, blank=True, verbose_name="rôle(s)")
    description = models.CharField("description", max_length=500, blank=True)
    establishment = models.CharField("établissement", max_length=200, blank=True)
    unit = models.CharField("unité", max_length=150, blank=True)
    function = models.CharField("fonction", max_length=150, blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)

    # CIR-3 "Ajout manuel" (persons) and manual structures.
    manual_is_professional = models.BooleanField("s'agit-il d'un professionnel ?", default=False)
    manual_is_structure = models.BooleanField("structure", default=False)
    manual_last_name = models.CharField("nom", max_length=150, blank=True)
    manual_first_name = models.CharField("prénom", max_length=150, blank=True)
    manual_email = models.EmailField("email", blank=True)
    manual_phone = models.CharField("numéro de téléphone fixe", max_length=20, blank=True)
    manual_mobile = models.CharField("numéro de mobile", max_length=20, blank=True)
    manual_red_list = models.BooleanField("sur liste rouge", default=False)
    manual_commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="ville",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manual_postal_code = models.CharField("code postal", max_length=5, blank=True)
    manual_relationship = models.CharField(
        "lien avec le patient/usager", max_length=20, choices=Relationship.choices, blank=True
    )

    class Meta:
        verbose_name = "membre du cercle de soins"
        verbose_name_plural = "membres du cercle de soins"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(structure__isnull=True) & Q(is_manual=False))
                | (Q(user__isnull=True) & Q(structure__isnull=False) & Q(is_manual=False))
                | (Q(user__isnull=True) & Q(structure__isnull=True) & Q(is_manual=True)),
                name="circle_member_is_person_structure_or_manual",
            ),
            models.CheckConstraint(
                condition=Q(is_manual=False) | Q(is_habilitated=False),
                name="circle_manual_member_never_habilitated",
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
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        if self.structure is not None:
            return self.structure.name
        if self.manual_is_structure:
            return self.manual_last_name
        return f"{self.manual_last_name.upper()} {self.manual_first_name}".strip()

    @property
    def is_structure(self) -> bool:
        return self.structure_id is not None or self.manual_is_structure


class Section(models.TextChoices):
    """CIR-2: the parts of a dossier the rights matrix speaks of. Later features (tasks, memos,
    documents by category, parcours themes) add their sections as they land."""

    IDENTITY = "IDENTITY", "Informations administratives"
    STATUS = "STATUS", "Statut du dossier"
    HOSPITALISATIONS = "HOSPITALISATIONS", "Hospitalisations"
    CONSENT = "CONSENT", "Consentement"
    CIRCLE = "CIRCLE", "Cercle de soins"
    LINKS = "LINKS", "Dossiers liés"
    FEED = "FEED", "Fil d'actualité"
    ACCESS_JOURNAL = "ACCESS_JOURNAL", "Journal des accès"
    TASKS = "TASKS", "Tâches"
    PATHWAYS = "PATHWAYS", "Parcours (thématiques et formulaires)"
    THEME_REMOVAL = "THEME_REMOVAL", "Suppression d'une thématique du parcours"
    FORM_REOPENING = "FORM_REOPENING", "Réouverture d'un formulaire clôturé"
    DOCUMENTS = "DOCUMENTS", "Documents"
    MEMO = "MEMO", "Mémo"


class RightsRule(models.Model):
    """CIR-2, the rights matrix as data: a habilitated member whose profession and role match
    may read (and write) a section. Empty profession or role means "any". Rights add up; a
    section no rule opens stays closed."""

    profession = models.ForeignKey(
        "accounts.Profession", verbose_name="profession", null=True, blank=True, on_delete=models.CASCADE
    )
    role = models.ForeignKey(
        CircleRole, verbose_name="rôle dans le dossier", null=True, blank=True, on_delete=models.CASCADE
    )
    section = models.CharField("rubrique", max_length=40, choices=Section.choices)
    # CIR-2 for themes: a rule naming a theme (section "Parcours") opens that theme when it is
    # reserved; rules without a theme open the section and every theme that is not reserved.
    theme = models.ForeignKey(
        "pathways.Theme",
        verbose_name="thématique réservée",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Seulement pour la rubrique « Parcours » et une thématique réservée.",
    )
    # ACT-4: a rule naming a document category (section "Documents") opens that category when it
    # is restricted; rules without one open the section and every category that is not.
    document_category = models.ForeignKey(
        "documents.DocumentCategory",
        verbose_name="catégorie de document réservée",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Seulement pour la rubrique « Documents » et une catégorie réservée.",
    )
    can_read = models.BooleanField("lecture", default=True)
    can_write = models.BooleanField("écriture", default=False)

    class Meta:
        verbose_name = "règle de la matrice des droits"
        verbose_name_plural = "matrice des droits"
        constraints = [
            # "Any" (NULL) counts as one value: a rule is unique per profession × role × section.
            models.UniqueConstraint(
                Coalesce("profession", Value(0)),
                Coalesce("role", Value(0)),
                "section",
                Coalesce("theme", Value(0)),
                Coalesce("document_category", Value(0)),
                name="rights_rule_unique_category",
            ),
            models.CheckConstraint(
                condition=Q(can_write=False) | Q(can_read=True), name="rights_write_needs_read"
            ),
            models.CheckConstraint(
                condition=Q(theme__isnull=True) | Q(section="PATHWAYS"), name="rights_theme_only_for_pathways"
            ),
            models.CheckConstraint(
                condition=Q(document_category__isnull=True) | Q(section="DOCUMENTS"),
                name="rights_category_only_for_documents",
            ),
        ]

    def __str__(self) -> str:
        who = f"{self.profession or 'Toute profession'} / {self.role or 'tout rôle'}"
        what = "lecture et écriture" if self.can_write else "lecture"
        section = self.get_section_display()
        if self.theme_id:
            section = f"{section} › {self.theme}"
        elif self.document_category_id:
            section = f"{section} › {self.document_category}"
        return f"{who} — {section} : {what}"


class FavouriteGroup(BaseModel):
    """CIR-8: a named group of professionals added or habilitated to a circle in one step."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="favourite_groups")
    name = models.CharField("nom du groupe", max_length=100)
    members = models.ManyToManyField("accounts.User", related_name="in_favourite_groups", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "groupe de favoris"
        verbose_name_plural = "groupes de favoris"
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="favourite_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class FavouriteGroupShare(models.Model):
    """A group shared with a colleague, who may then use it (and is to be notified: NOT-1)."""

    group = models.ForeignKey(FavouriteGroup, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="shared_favourite_groups"
    )
    shared_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="favourite_group_share_unique")]

    def __str__(self) -> str:
        return f"{self.group} → {self.user}"
