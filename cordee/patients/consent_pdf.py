"""CON-2: the consent document, filled with the patient's identity, to print and sign."""

from __future__ import annotations

from cordee.core import clock
from cordee.patients.models import Consent, Patient

# The PDF core fonts speak Latin-1: typographic signs outside it are mapped to plain ones.
_LATIN1 = str.maketrans({"’": "'", "—": "-", "–": "-", "œ": "oe", "Œ": "OE", "…": "...", "«": '"', "»": '"'})

TEXT = (
    "Je soussigné(e), ______________________________, agissant en qualité de : {who}, "
    "atteste avoir été informé(e) de la création d'un dossier de coordination au nom de la "
    "personne désignée ci-dessus dans l'outil de coordination Cordée, et y consens.\n\n"
    "Ce dossier permet aux professionnels qui participent à sa prise en charge, et qu'elle a "
    "acceptés dans son cercle de soins, de partager les informations strictement nécessaires à "
    "la coordination, à la continuité des soins ou à son suivi médico-social (article L. 1110-4 "
    "du code de la santé publique).\n\n"
    "La personne (ou son représentant) peut à tout moment s'opposer au partage d'informations "
    "avec un professionnel, demander l'accès à son dossier ou retirer son consentement auprès de "
    "la structure qui a créé le dossier. Chaque accès au dossier est enregistré."
)


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def consent_document(patient: Patient | None, structure_name: str, consent: Consent | None = None) -> bytes:
    # Imported here: fpdf2 brings fontTools, Pillow and NumPy, ~55 MB of resident memory that
    # every worker would otherwise hold for a page printed now and then.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title("Document de consentement")
    pdf.set_author("Cordée")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1("Document de consentement"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        _latin1("Création d'un dossier de coordination — Cordée"),
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1("Personne concernée"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    rows = _identity_rows(patient)
    for label, value in rows:
        pdf.cell(60, 7, _latin1(label))
        pdf.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1("Consentement"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    who = (
        consent.get_given_by_display()
        if consent
        else " / ".join(str(label) for _, label in Consent.GivenBy.choices)
    )
    if consent and consent.given_by_detail:
        who += f" ({consent.given_by_detail})"
    pdf.multi_cell(0, 6, _latin1(TEXT.format(who=who)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, _latin1(f"Structure : {structure_name}"), new_x="LMARGIN", new_y="NEXT")
    today = (clock.date_of(consent.created_at) if consent else clock.today()).strftime("%d/%m/%Y")
    pdf.multi_cell(0, 6, _latin1(f"Fait le : {today}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(90, 6, _latin1("Signature de la personne ou de son représentant"))
    pdf.cell(0, 6, _latin1("Signature et cachet du professionnel"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _identity_rows(patient: Patient | None) -> list[tuple[str, str]]:
    if patient is None:
        blank = "_" * 40
        return [
            ("Nom de naissance :", blank),
            ("Nom utilisé :", blank),
            ("Prénom(s) :", blank),
            ("Date de naissance :", blank),
            ("Lieu de naissance :", blank),
        ]
    return [
        ("Nom de naissance :", patient.birth_name.upper()),
        ("Nom utilisé :", (patient.used_name or patient.birth_name).upper()),
        ("Prénom(s) :", patient.birth_first_names or patient.first_name),
        ("Date de naissance :", patient.birth_date.strftime("%d/%m/%Y")),
        ("Sexe :", patient.get_sex_display()),
        ("Lieu de naissance :", patient.birth_place_label),
    ]
