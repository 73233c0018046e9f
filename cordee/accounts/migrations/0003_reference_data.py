"""Reference data: the professions list (ACC-1) and the first CGU (ACC-3)."""

from __future__ import annotations

from django.db import migrations

# (code, label, category, identifier) — the national identifier each profession holds:
# RPPS for professions registered there, ADELI for those still in ADELI, none for roles
# without a national number (coordination, administrative staff).
PROFESSIONS = [
    ("medecin", "Médecin", "MEDICAL", "RPPS"),
    ("sage-femme", "Sage-femme", "MEDICAL", "RPPS"),
    ("chirurgien-dentiste", "Chirurgien-dentiste", "MEDICAL", "RPPS"),
    ("pharmacien", "Pharmacien", "MEDICAL", "RPPS"),
    ("infirmier", "Infirmier", "PARAMEDICAL", "RPPS_OR_ADELI"),
    ("infirmier-puericulteur", "Infirmier puériculteur", "PARAMEDICAL", "RPPS_OR_ADELI"),
    ("masseur-kinesitherapeute", "Masseur-kinésithérapeute", "PARAMEDICAL", "RPPS"),
    ("pedicure-podologue", "Pédicure-podologue", "PARAMEDICAL", "RPPS"),
    ("orthophoniste", "Orthophoniste", "PARAMEDICAL", "RPPS_OR_ADELI"),
    ("orthoptiste", "Orthoptiste", "PARAMEDICAL", "RPPS_OR_ADELI"),
    ("psychomotricien", "Psychomotricien", "PARAMEDICAL", "ADELI"),
    ("ergotherapeute", "Ergothérapeute", "PARAMEDICAL", "ADELI"),
    ("dieteticien", "Diététicien", "PARAMEDICAL", "ADELI"),
    ("auxiliaire-puericulture", "Auxiliaire de puériculture", "PARAMEDICAL", "NONE"),
    ("aide-soignant", "Aide-soignant", "PARAMEDICAL", "NONE"),
    ("psychologue", "Psychologue", "PSYCHO", "ADELI"),
    ("assistant-service-social", "Assistant de service social", "SOCIAL", "ADELI"),
    ("educateur-specialise", "Éducateur spécialisé", "SOCIAL", "NONE"),
    ("educateur-jeunes-enfants", "Éducateur de jeunes enfants", "SOCIAL", "NONE"),
    ("cesf", "Conseiller en économie sociale et familiale", "SOCIAL", "NONE"),
    ("gestionnaire-de-cas", "Coordinateur de parcours / Gestionnaire de cas", "COORDINATION", "NONE"),
    ("secretaire-medical", "Secrétaire médical", "ADMINISTRATIVE", "NONE"),
    ("assistant-coordination", "Assistant de coordination", "ADMINISTRATIVE", "NONE"),
]

CGU_V1 = """1. Objet
Cordée est un outil de coordination des parcours de santé mis à disposition des professionnels des secteurs sanitaire, médico-social et social intervenant dans la prise en charge d'une même personne. Les présentes conditions générales d'utilisation (CGU) fixent les règles d'accès et d'usage de l'outil.

2. Accès
L'accès est personnel et réservé aux professionnels dont l'inscription a été validée. Vos identifiants sont strictement personnels : vous ne devez ni les communiquer ni les prêter. Toute action réalisée avec votre compte vous est imputée, ainsi qu'à la structure au nom de laquelle vous agissez le cas échéant.

3. Secret professionnel et partage d'informations
Les informations enregistrées sont couvertes par le secret professionnel. Vous ne consultez que les dossiers des personnes que vous prenez en charge, dans la limite de ce qui est strictement nécessaire à la coordination, à la continuité des soins ou au suivi médico-social (article L. 1110-4 du code de la santé publique). La personne est informée de l'existence de son dossier et peut s'opposer au partage des informations la concernant avec un professionnel ; ce refus est respecté par l'outil.

4. Consentement et identité
Vous ne créez un dossier qu'après avoir recueilli le consentement de la personne ou de son représentant. Vous appliquez les règles nationales d'identitovigilance (RNIV) lors de la saisie des traits d'identité.

5. Traçabilité
Tout accès à un dossier, en lecture comme en écriture, est enregistré dans un journal conservé au moins douze mois. Les membres du cercle de soins peuvent savoir qui a accédé au dossier.

6. Sécurité
Vous protégez votre poste de travail, vous vous déconnectez sur un poste partagé et vous signalez sans délai tout incident ou suspicion d'usage frauduleux de votre compte à l'administrateur de la plateforme. Une double authentification peut être exigée.

7. Données personnelles
Les données sont traitées conformément au règlement général sur la protection des données et hébergées chez un hébergeur certifié pour les données de santé. Vous disposez d'un droit d'accès et de rectification sur les données de votre compte auprès de l'administrateur de la plateforme.

8. Évolution des CGU
Les CGU peuvent évoluer ; toute nouvelle version vous sera présentée et devra être acceptée pour continuer à utiliser l'outil."""


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Profession = apps.get_model("accounts", "Profession")
    for order, (code, label, category, identifier) in enumerate(PROFESSIONS, start=1):
        Profession.objects.update_or_create(
            code=code,
            defaults={"label": label, "category": category, "identifier": identifier, "ordering": order * 10},
        )
    TermsVersion = apps.get_model("accounts", "TermsVersion")
    TermsVersion.objects.get_or_create(
        version="1.0", defaults={"title": "Conditions générales d'utilisation de Cordée", "body": CGU_V1}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
