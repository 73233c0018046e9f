"""The patient's identity (IDV), consent (CON), status, hospitalisations and links (DOS)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from cordee.core.models import BaseModel
from cordee.core.text import search_key
from cordee.territory.models import FRANCE_CODE

# IDV-4: the seed's stand-ins for an unknown trait. Accepted, but provisional until replaced.
PROVISIONAL_NAME = "À DEMANDER"
PROVISIONAL_BIRTH_DATE = datetime.date(1900, 1, 1)
UNKNOWN_PLACE_CODE = "99999"
# IDV-6: a fictitious identity may carry "VIDE" traits.
EMPTY_TRAIT = "VIDE"


class Sex(models.TextChoices):
    MALE = "M", "Masculin"
    FEMALE = "F", "Féminin"
    UNDETERMINED = "I", "Indéterminé"


class IdentityStatus(models.TextChoices):
    """FR Core identity reliability (fr-core-cs-v2-0445)."""

    PROVISIONAL = "PROV", "Identité provisoire"
    VALIDATED = "VALI", "Identité validée"


class IdDocument(models.TextChoices):
    """IDV-5: documents that may validate an identity (permis de conduire and carte vitale may not)."""

    ID_CARD = "CNI", "Carte nationale d'identité"
    PASSPORT = "PASSEPORT", "Passeport"
    FAMILY_RECORD = "LIVRET_FAMILLE", "Livret de famille"
    BIRTH_CERTIFICATE = "EXTRAIT_NAISSANCE", "Extrait d'acte de naissance"
    RESIDENCE_PERMIT = "TITRE_SEJOUR", "Titre permanent de séjour"


class DossierStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Actif"
    DISCHARGED = "DISCHARGED", "Sortie"
    DECEASED = "DECEASED", "Décédé"
    ARCHIVED = "ARCHIVED", "Archivé"


class DeathPlace(models.TextChoices):
    HOME = "DOMICILE", "Domicile"
    HOSPITAL = "ETABLISSEMENT_SANTE", "Établissement de santé"
    NURSING_HOME = "ETABLISSEMENT_MEDICO_SOCIAL", "Établissement médico-social (EHPAD…)"
    PUBLIC_PLACE = "VOIE_PUBLIQUE", "Voie publique"
    OTHER = "AUTRE", "Autre lieu"
    UNKNOWN = "INCONNU", "Non connu"


class DischargeReason(models.Model):
    """DOS-2: configurable reasons for the "sortie" status."""

    label = models.CharField("motif", max_length=150, unique=True)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "motif de sortie"
        verbose_name_plural = "motifs de sortie"

    def __str__(self) -> str:
        return self.label


def patient_name(used_name: str, birth_name: str, first_name: str, used_first_name: str) -> str:
    """`Patient.display_name` from the values alone (a list's rows read without the instance)."""
    used = (used_name or birth_name).upper()
    first = used_first_name or first_name
    text = f"{used} {first}".strip()
    if used_name and search_key(used_name) != search_key(birth_name):
        text += f" (né(e) {birth_name.upper()})"
    return text


class Patient(BaseModel):
    """A person followed by the circle. Names are stored as typed and as search keys."""

    # The five strict traits (with the other birth first names).
    birth_name = models.CharField("nom de naissance", max_length=150)
    first_name = models.CharField("1er prénom de naissance", max_length=150)
    birth_first_names = models.CharField("prénom(s) de naissance", max_length=300, blank=True)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_country = models.ForeignKey(
        "territory.Country",
        verbose_name="pays de naissance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide : pays inconnu (99999).",
    )
    birth_commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune de naissance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Vide : commune inconnue (99999) ou naissance à l'étranger.",
    )
    used_name = models.CharField("nom utilisé", max_length=150, blank=True)
    used_first_name = models.CharField("prénom utilisé", max_length=150, blank=True)
    twin_rank = models.PositiveSmallIntegerField("rang gémellaire", null=True, blank=True)
    nir = models.CharField("NIR", max_length=15, blank=True)
    email = models.EmailField("e-mail", blank=True)
    mobile = models.CharField("numéro de mobile", max_length=20, blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune de résidence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )

    birth_name_key = models.CharField(max_length=150, db_index=True, editable=False)
    first_name_key = models.CharField(max_length=150, db_index=True, editable=False)
    used_name_key = models.CharField(max_length=150, db_index=True, editable=False, blank=True)

    identity_status = models.CharField(
        "statut de l'identité",
        max_length=4,
        choices=IdentityStatus.choices,
        default=IdentityStatus.PROVISIONAL,
    )
    id_document = models.CharField(
        "pièce d'identité vérifiée", max_length=20, choices=IdDocument.choices, blank=True
    )
    id_document_checked_on = models.DateField("vérifiée le", null=True, blank=True)
    is_homonym = models.BooleanField("identité homonyme", default=False)
    is_doubtful = models.BooleanField("identité douteuse", default=False)
    is_fictitious = models.BooleanField("identité fictive", default=False)

    status = models.CharField(
        "statut du dossier", max_length=10, choices=DossierStatus.choices, default="ACTIVE"
    )
    discharge_reason = models.ForeignKey(
        DischargeReason, verbose_name="motif de sortie", null=True, blank=True, on_delete=models.PROTECT
    )
    status_changed_at = models.DateTimeField("statut modifié le", null=True, blank=True)
    death_date = models.DateField("date du décès", null=True, blank=True)
    death_date_unknown = models.BooleanField("date du décès non connue", default=False)
    death_declared_on = models.DateField("date de déclaration du décès", null=True, blank=True)
    death_country = models.ForeignKey(
        "territory.Country",
        verbose_name="pays du décès",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    death_place = models.CharField("lieu du décès", max_length=30, choices=DeathPlace.choices, blank=True)

    created_by_structure = models.ForeignKey(
        "accounts.Structure", verbose_name="structure créatrice", on_delete=models.PROTECT, related_name="+"
    )
    # SEC-4: every identity write checks and bumps this number.
    version = models.PositiveIntegerField("version", default=1)
    # IDV-8: a merged dossier stays as a tombstone pointing to the one that survives.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["birth_name_key", "first_name_key"]
        verbose_name = "patient"
        indexes = [
            models.Index(fields=["birth_date", "birth_name_key"], name="patient_birth_idx"),
            models.Index(fields=["birth_name_key", "first_name_key"], name="patient_names_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(twin_rank__isnull=True) | Q(twin_rank__gte=1, twin_rank__lte=9),
                name="patient_twin_rank_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.birth_name_key = search_key(self.birth_name)
        self.first_name_key = search_key(self.first_name)
        self.used_name_key = search_key(self.used_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        """The seed's form: used name first, "(né(e) …)" when the birth name differs."""
        return patient_name(self.used_name, self.birth_name, self.first_name, self.used_first_name)

    @property
    def birth_commune_unknown(self) -> bool:
        return self.birth_commune_id is None and (self.birth_country_id in (None, FRANCE_CODE))

    @property
    def provisional_traits(self) -> list[str]:
        """IDV-4: the traits still holding a stand-in value."""
        traits = []
        if search_key(self.birth_name) == search_key(PROVISIONAL_NAME):
            traits.append("nom de naissance")
        if search_key(self.first_name) == search_key(PROVISIONAL_NAME):
            traits.append("1er prénom de naissance")
        if self.birth_date == PROVISIONAL_BIRTH_DATE:
            traits.append("date de naissance")
        if self.birth_country_id is None:
            traits.append("pays de naissance")
        if self.birth_commune_unknown:
            traits.append("commune de naissance")
        return traits

    @property
    def is_provisional(self) -> bool:
        return bool(self.provisional_traits)

    @property
    def birth_place_label(self) -> str:
        if self.birth_commune is not None:
            return f"{self.birth_commune.name} ({self.birth_commune.code})"
        if self.birth_country is None:
            return f"Inconnu ({UNKNOWN_PLACE_CODE})"
        if self.birth_country_id == FRANCE_CODE:
            return f"Commune inconnue ({UNKNOWN_PLACE_CODE}), FRANCE"
        return f"{self.birth_country.name} ({self.birth_country.code})"


class Consent(BaseModel):
    """CON-1..3: the attestation given at creation, and its withdrawal; history is kept."""

    class GivenBy(models.TextChoices):
        PATIENT = "PATIENT", "Le patient / l'usager lui-même"
        CURATOR = "CURATEUR", "Le curateur"
        GUARDIAN = "TUTEUR", "Le tuteur légal"
        TRUSTED_PERSON = "PERSONNE_CONFIANCE", "La personne de confiance"
        PARENTAL_AUTHORITY = "AUTORITE_PARENTALE", "Le titulaire de l'autorité parentale"
        OTHER = "AUTRE", "Une autre personne (à préciser)"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField("consentement recueilli auprès de", max_length=20, choices=GivenBy.choices)
    given_by_detail = models.CharField("précision", max_length=200, blank=True)
    structure = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField("annulé le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField("raison de l'annulation", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "consentement"

    def __str__(self) -> str:
        return f"{self.get_given_by_display()} — {self.created_at:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Hospitalisation(BaseModel):
    """DOS-4: a stay, past or planned, programmed or not."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="hospitalisations")
    establishment = models.ForeignKey(
        "accounts.Structure",
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    establishment_name = models.CharField("établissement (hors annuaire)", max_length=200, blank=True)
    unit = models.CharField("service", max_length=150, blank=True)
    start_date = models.DateField("date d'entrée")
    end_date = models.DateField("date de sortie", null=True, blank=True)
    is_programmed = models.BooleanField("programmée", default=False)
    reason = models.CharField("motif", max_length=300, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = "hospitalisation"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="hospitalisation_dates_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment_label} ({self.start_date:%d/%m/%Y})"

    @property
    def establishment_label(self) -> str:
        return self.establishment.name if self.establishment else self.establishment_name


class Favourite(models.Model):
    """DOS-5: a user's favourite dossiers (personal even when acting as a structure)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="favourites")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="favourited_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "patient"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.patient}"


class RelationType(models.Model):
    """DOS-6: configurable family relations, each with its reverse ("Parent" / "Enfant")."""

    label = models.CharField("relation", max_length=100, unique=True)
    reverse_label = models.CharField("relation inverse", max_length=100)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "type de relation"

    def __str__(self) -> str:
        return self.label


class PatientLink(BaseModel):
    """DOS-6: `from_patient` is `relation` of `to_patient` (e.g. Parent of)."""

    from_patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="links_out")
    to_patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="links_in")
    relation = models.ForeignKey(RelationType, on_delete=models.PROTECT)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "dossier lié"
        verbose_name_plural = "dossiers liés"
        constraints = [
            models.CheckConstraint(condition=~Q(from_patient=models.F("to_patient")), name="link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_patient} — {self.relation} — {self.to_patient}"


class PotentialDuplicate(BaseModel):
    """IDV-8: two dossiers that may be the same person (FR Core "DPOT"), until someone decides."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Doublon potentiel"
        DISMISSED = "DISMISSED", "Personnes différentes"
        MERGED = "MERGED", "Dossiers fusionnés"

    first = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="duplicates_as_first")
    second = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="duplicates_as_second")
    score = models.FloatField("ressemblance")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "doublon potentiel"
        verbose_name_plural = "doublons potentiels"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first} / {self.second} ({self.get_status_display()})"

    def other(self, patient: Patient) -> Patient:
        return self.second if patient.pk == self.first_id else self.first


class SavedFilter(BaseModel):
    """SRCH-4: a named set of a list's filters; one per list may be the default (★). They belong
    to the person, even when acting as a structure. The active file's, and the requests
    dashboard's (DEM-2: "saved filters like the active file's") and the requester's "Mes
    demandes", each list its own names."""

    class Board(models.TextChoices):
        ACTIVE_FILE = "patients", "File active"
        REFERRALS = "demandes", "Tableau de bord Demandes"
        MY_REFERRALS = "mes-demandes", "Mes demandes"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="saved_filters")
    board = models.CharField("liste", max_length=20, choices=Board.choices, default=Board.ACTIVE_FILE)
    name = models.CharField("nom", max_length=100)
    query = models.CharField("filtres", max_length=2000)
    is_default = models.BooleanField("recherche par défaut", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "filtre enregistré"
        verbose_name_plural = "filtres enregistrés"
        constraints = [
            models.UniqueConstraint(fields=["user", "board", "name"], name="saved_filter_unique_name"),
            models.UniqueConstraint(
                fields=["user", "board"], condition=Q(is_default=True), name="saved_filter_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name
