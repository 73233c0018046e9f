"""The demo region: fictitious structures and professionals in real communes (PACA).

Names are generated with Faker (French locale, fixed seed), never taken from the seed
booklet. Loading is idempotent: every row is found by a stable key before being created.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from faker import Faker

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.core import clock
from cordee.core.identifiers import rpps_with_key
from cordee.territory.models import Commune, Zone

DEMO_PASSWORD = "Cordee-Demo-2026"  # noqa: S105 - published demo credentials, demo data only

ZONES = {
    "Nice Côte d'Azur": ["06088", "06123", "06027", "06083"],
    "Pays de Grasse et Cannes": ["06029", "06069", "06085", "06004"],
    "Var Ouest": ["83137", "83126", "83069", "83129"],
    "Var Est": ["83061", "83118", "83050", "83023"],
}

# (name, kind, commune code, address)
STRUCTURES = [
    ("DAC Azur Coordination", Structure.Kind.DAC, "06088", "12 avenue des Orangers"),
    ("DAC Var Littoral", Structure.Kind.DAC, "83137", "4 boulevard des Pins"),
    ("Maternité Les Mimosas", Structure.Kind.MATERNITY, "06088", "30 route de la Corniche"),
    ("Centre hospitalier des Oliviers", Structure.Kind.HOSPITAL, "83137", "1 rue de l'Hôpital"),
    ("CAMSP Azur Enfance", Structure.Kind.CAMSP, "06004", "8 chemin des Lauriers"),
    ("PMI de Cannes Centre", Structure.Kind.PMI, "06029", "15 rue des Écoles"),
    ("Cabinet de pédiatrie du Port", Structure.Kind.PRACTICE, "83069", "2 quai des Pêcheurs"),
    ("Maison de santé des Lavandes", Structure.Kind.PRACTICE, "83061", "21 avenue de Provence"),
    ("SAAD Bien chez soi", Structure.Kind.SAAD, "83050", "5 place du Marché"),
    ("Réseau périnatal Sud", Structure.Kind.PERINATAL_NETWORK, "06088", "40 boulevard du Parc"),
    ("CMPP du Pays de Grasse", Structure.Kind.CMPP, "06069", "3 traverse des Parfumeurs"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    profession: str | None
    specialty: str
    role_label: str
    structures: tuple[tuple[str, str, str], ...] = ()  # (structure name, role, function)
    is_staff: bool = False


ACCOUNTS = [
    DemoAccount("admin", "Camille", "Admin", None, "", "administrateur de la plateforme", is_staff=True),
    DemoAccount(
        "coordinatrice",
        "Claire",
        "Fontanel",
        "gestionnaire-de-cas",
        "",
        "coordinatrice du DAC Azur Coordination (Super utilisateur)",
        (("DAC Azur Coordination", Membership.Role.SUPERUSER, "Gestionnaire de cas"),),
    ),
    DemoAccount(
        "pediatre",
        "Antoine",
        "Bellanger",
        "medecin",
        "Pédiatrie",
        "pédiatre Cocon, Cabinet de pédiatrie du Port (Utilisateur)",
        (
            ("Cabinet de pédiatrie du Port", Membership.Role.USER, "Pédiatre"),
            ("Réseau périnatal Sud", Membership.Role.USER, "Pédiatre référent Cocon"),
        ),
    ),
    DemoAccount(
        "infirmiere",
        "Sophie",
        "Marchetti",
        "infirmier",
        "",
        "infirmière, Maison de santé des Lavandes (Utilisateur)",
        (("Maison de santé des Lavandes", Membership.Role.USER, "Infirmière libérale"),),
    ),
    DemoAccount(
        "kine",
        "Julien",
        "Roussel",
        "masseur-kinesitherapeute",
        "",
        "kinésithérapeute libéral, sans structure",
    ),
]

GENERATED_PROFESSIONALS = 36
_PROFESSION_MIX = [
    ("medecin", "Médecine générale"),
    ("medecin", "Pédiatrie"),
    ("sage-femme", ""),
    ("infirmier", ""),
    ("infirmier-puericulteur", ""),
    ("masseur-kinesitherapeute", ""),
    ("psychomotricien", ""),
    ("orthophoniste", ""),
    ("psychologue", ""),
    ("assistant-service-social", ""),
    ("ergotherapeute", ""),
    ("gestionnaire-de-cas", ""),
]


def _identifiers(rng: random.Random, profession: Profession, dept: str) -> dict[str, str | None]:
    if profession.identifier in (Profession.Identifier.RPPS, Profession.Identifier.RPPS_OR_ADELI):
        return {
            "rpps": rpps_with_key("10" + "".join(rng.choice("0123456789") for _ in range(8))),
            "adeli": None,
        }
    if profession.identifier == Profession.Identifier.ADELI:
        return {"rpps": None, "adeli": dept + "".join(rng.choice("0123456789") for _ in range(7))}
    return {"rpps": None, "adeli": None}


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo region if missing; returns (identifier, password, role) per account."""
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not secrets
    fake = Faker("fr_FR")
    fake.seed_instance(2026)

    for name, codes in ZONES.items():
        zone, _ = Zone.objects.get_or_create(name=name, defaults={"description": "Zone de démonstration"})
        zone.communes.add(*Commune.objects.filter(code__in=codes))

    structures: dict[str, Structure] = {}
    for name, kind, code, address in STRUCTURES:
        structures[name], _ = Structure.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "commune_id": code,
                "address": address,
                "phone": "04" + "".join(rng.choice("0123456789") for _ in range(8)),
                "email": f"contact@{name.lower().split()[0]}-demo.example",
            },
        )

    professions = {p.code: p for p in Profession.objects.all()}
    credentials: list[tuple[str, str, str]] = []
    for account in ACCOUNTS:
        profession = professions.get(account.profession) if account.profession else None
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@cordee-demo.example",
                profession=profession,
                specialty=account.specialty,
                is_staff=account.is_staff,
                is_superuser=account.is_staff,
                commune_id="06088",
                **(_identifiers(rng, profession, "06") if profession else {}),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        for structure_name, role, function in account.structures:
            Membership.objects.get_or_create(
                user=user, structure=structures[structure_name], defaults={"role": role, "function": function}
            )
        credentials.append((account.username, DEMO_PASSWORD, account.role_label))

    _load_demo_patients(fake, rng)
    _load_demo_pathways()
    _load_demo_documents()
    from cordee.demo.cocon import load_cohort
    from cordee.demo.work import load_cocon_calendar, load_work

    load_cohort()
    load_work()
    load_cocon_calendar()
    from cordee.demo.referrals import load_referrals

    load_referrals()
    from cordee.demo.life import load_life

    load_life()

    structure_list = list(structures.values())
    for index in range(1, GENERATED_PROFESSIONALS + 1):
        code, specialty = _PROFESSION_MIX[index % len(_PROFESSION_MIX)]
        first_name, last_name = fake.first_name(), fake.last_name()
        structure = structure_list[index % len(structure_list)]
        username = f"demo.pro{index:02d}"
        identifiers = _identifiers(
            rng, professions[code], structure.commune_id[:2] if structure.commune_id else "06"
        )
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@cordee-demo.example",
            profession=professions[code],
            specialty=specialty,
            commune=structure.commune,
            address=fake.street_address(),
            phone="04" + "".join(rng.choice("0123456789") for _ in range(8)),
            **identifiers,
        )
        # Directory entries only: they cannot sign in.
        user.set_unusable_password()
        user.save()
        if index % 4 != 0:  # a quarter of them practise alone
            Membership.objects.create(
                user=user,
                structure=structure,
                role=Membership.Role.SUPERUSER if index % 11 == 1 else Membership.Role.USER,
            )
    return credentials


DEMO_PATIENTS = 24


def _load_demo_patients(fake: Faker, rng: random.Random) -> None:
    """Dossiers of the DAC and of the Cocon pediatrician, created as the application does."""
    import datetime

    from cordee.core.actor import Actor
    from cordee.patients.models import Consent, Hospitalisation, Patient
    from cordee.patients.services import ConsentInput, create_patient

    if Patient.objects.filter(created_by__username__in=["coordinatrice", "pediatre"]).exists():
        return
    coordinator = Membership.objects.get(user__username="coordinatrice")
    pediatrician = Membership.objects.get(user__username="pediatre", structure__name="Réseau périnatal Sud")
    communes = list(Commune.objects.filter(zones__isnull=False).distinct())
    today = clock.today()  # the demo's dates move with today's: it never looks stale
    for index in range(DEMO_PATIENTS):
        newborn = index % 2 == 0
        sex = rng.choice(["M", "F"])
        first_name = fake.first_name_male() if sex == "M" else fake.first_name_female()
        age_days = rng.randint(20, 700) if newborn else rng.randint(60 * 365, 92 * 365)
        patient = Patient(
            birth_name=fake.last_name(),
            first_name=first_name,
            birth_first_names=first_name,
            birth_date=today - datetime.timedelta(days=age_days),
            sex=sex,
            birth_country_id="99100",
            birth_commune=rng.choice(communes),
            commune=rng.choice(communes),
            address=fake.street_address(),
            is_homonym=index == 5,
        )
        if index % 7 == 3:
            patient.first_name = "À DEMANDER"  # IDV-4: a provisional identity to complete
        actor = Actor(
            user=(pediatrician if newborn else coordinator).user,
            membership=pediatrician if newborn else coordinator,
        )
        given_by = Consent.GivenBy.PARENTAL_AUTHORITY if newborn else Consent.GivenBy.PATIENT
        create_patient(actor, patient, ConsentInput(given_by))
        if newborn and index % 4 == 0:
            Hospitalisation.objects.create(
                patient=patient,
                establishment=Structure.objects.get(name="Maternité Les Mimosas"),
                unit="Néonatologie",
                start_date=patient.birth_date,
                end_date=patient.birth_date + datetime.timedelta(days=rng.randint(5, 40)),
                reason="Prématurité",
            )


def _load_demo_pathways() -> None:
    """PAR: the shipped questionnaires, the Cocon theme on the newborns' dossiers, and situation
    assessments of the DAC's dossiers — some closed, some still drafts."""
    import datetime

    from cordee.core.actor import Actor
    from cordee.pathways import services
    from cordee.pathways.loader import load_shipped
    from cordee.pathways.models import DossierTheme, FormResponse, Questionnaire, Theme
    from cordee.patients.models import Patient

    load_shipped()
    if FormResponse.objects.exists() or DossierTheme.objects.exists():
        return
    coordinator = Membership.objects.get(user__username="coordinatrice")
    pediatrician = Membership.objects.get(user__username="pediatre", structure__name="Réseau périnatal Sud")
    cocon = Theme.objects.get(code="cocon")
    evaluation = Questionnaire.objects.get(code="evaluation-situation")
    version = evaluation.current_version()
    filled = 0
    for index, patient in enumerate(Patient.objects.order_by("pk")):
        newborn = patient.birth_date > clock.today() - datetime.timedelta(days=8 * 365)
        membership = pediatrician if newborn else coordinator
        actor = Actor(user=membership.user, membership=membership)
        if newborn:
            services.add_theme(actor, patient, cocon)
            continue
        if version is None or index % 3 == 2:
            continue
        day = (clock.today() - datetime.timedelta(days=60 - index)).isoformat()
        answers = {
            "version": "0",
            "q-date_evaluation": day,
            "q-lieu": "domicile",
            "q-motif": "Retour à domicile après hospitalisation, situation jugée fragile.",
            "q-poids": str(55 + index),
            "q-taille": "162",
            "q-chutes": "oui" if index % 2 else "non",
            "q-aidants_present": "oui",
            "q-aidants-0-__row": "1",
            "q-aidants-0-aidant_lien": "enfant",
            "q-aidants-0-aidant_epuisement": "non",
            "q-synthese": "Besoin d'aide à domicile et de coordination des passages infirmiers.",
        }
        if index % 2:
            answers["q-nb_chutes"] = "2"
        services.save_form(actor, patient, version, evaluation.theme, answers, {}, closing=filled % 3 == 0)
        filled += 1


def _demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small real PDF (fpdf2), so the documents space previews it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "Document fictif de la région de démonstration Cordée.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _load_demo_documents() -> None:
    """ACT-4: a few documents in the dossiers — the DAC's fiches d'orientation (Coordination,
    public), consultation reports (a restricted category) and a letter shared with one member."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cordee.careteam.models import CircleMember
    from cordee.core.actor import Actor
    from cordee.documents import services
    from cordee.documents.checks import check_upload
    from cordee.documents.models import Document, DocumentCategory, DocumentType
    from cordee.patients.models import Patient

    if Document.objects.filter(source=Document.Source.UPLOAD).exists():
        return
    coordinator = Membership.objects.get(user__username="coordinatrice")
    pediatrician = Membership.objects.get(user__username="pediatre", structure__name="Réseau périnatal Sud")
    coordination = DocumentCategory.objects.get(code="COORDINATION")
    reports = DocumentCategory.objects.get(code="10")
    today = clock.today()
    for index, patient in enumerate(Patient.objects.order_by("pk")[:12]):
        newborn = patient.birth_date > today - datetime.timedelta(days=8 * 365)
        membership = pediatrician if newborn else coordinator
        actor = Actor(user=membership.user, membership=membership)
        plans = [
            (
                coordination,
                "FICHE-ORIENTATION",
                "Fiche d'orientation",
                ["Orientation vers le DAC pour coordination du parcours.", "Motif : situation complexe."],
            ),
            (
                reports,
                "11488-4",
                "Compte rendu de consultation",
                ["Examen clinique sans particularité.", "Prochain rendez-vous dans trois mois."],
            ),
        ]
        for category, type_code, title, lines in plans:
            upload = SimpleUploadedFile(
                f"{title}.pdf", _demo_pdf(title, lines), content_type="application/pdf"
            )
            checked, _ = check_upload(upload)
            if checked is None:
                continue
            recipients: list[CircleMember] = []
            visibility = Document.Visibility.PUBLIC
            if index % 4 == 1 and category == coordination:  # shared with the structure or a colleague
                others = [m for m in services.share_choices(patient) if m.user_id != actor.user.pk]
                if others:
                    recipients, visibility = others[:1], Document.Visibility.SHARED
            services.add_documents(
                actor,
                patient,
                [(upload, checked)],
                category=category,
                doc_type=DocumentType.objects.get(category=category, code=type_code),
                title=title,
                document_date=today - datetime.timedelta(days=30 - index),
                visibility=visibility,
                recipients=recipients,
            )
