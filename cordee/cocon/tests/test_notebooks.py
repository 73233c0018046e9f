"""COC-2: the Cocon follow-up notebooks shipped as questionnaire definitions (data files): each one
parses, carries the items other code relies on (consultation date, ages, growth, next appointment)
with stable extraction codes shared across notebooks, loads idempotently, and validates realistic
answers (computed BMI, corrected age and z-scores, hidden items refused, implausible values refused
in French)."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from cordee.pathways.answers import Context, validate
from cordee.pathways.definition import CODE, Definition, Item, parse_definition
from cordee.pathways.loader import load_file
from cordee.pathways.models import QuestionnaireVersion

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
# code -> (file, age in months; None for the mobile team, which visits up to 12 months)
EXPECTED: dict[str, tuple[str, int | None]] = {
    "cocon-3-mois": ("cocon-03-mois.json", 3),
    "cocon-6-mois": ("cocon-06-mois.json", 6),
    "cocon-9-mois": ("cocon-09-mois.json", 9),
    "cocon-12-mois": ("cocon-12-mois.json", 12),
    "cocon-18-mois": ("cocon-18-mois.json", 18),
    "cocon-24-mois": ("cocon-24-mois.json", 24),
    "cocon-3-ans": ("cocon-3-ans.json", 36),
    "cocon-4-ans": ("cocon-4-ans.json", 48),
    "cocon-5-ans": ("cocon-5-ans.json", 60),
    "cocon-6-ans": ("cocon-6-ans.json", 72),
    "cocon-7-ans": ("cocon-7-ans.json", 84),
    "cocon-equipe-mobile": ("cocon-equipe-mobile.json", None),
}
LABELS = {3: "3 mois", 6: "6 mois", 9: "9 mois", 12: "12 mois", 18: "18 mois", 24: "24 mois"}
LABELS.update({36: "3 ans", 48: "4 ans", 60: "5 ans", 72: "6 ans", 84: "7 ans"})
SHARED_CODES = {
    "date_consultation": "DATE_CONSULTATION",
    "age_chrono": "AGE_CHRONO_MOIS",
    "poids": "POIDS_KG",
    "taille": "TAILLE_CM",
    "imc": "IMC",
    "poids_sds": "POIDS_SDS",
    "poids_centile": "POIDS_CENTILE",
    "taille_sds": "TAILLE_SDS",
    "taille_centile": "TAILLE_CENTILE",
    "vaccins_a_jour": "VACCINS_A_JOUR",
    "inquietude_parents": "INQUIETUDE_PARENTS",
    "regression": "REGRESSION",
    "orientation": "ORIENTATION",
    "prochain_rdv": "PROCHAIN_RDV",
}
NOTEBOOK_ONLY_CODES = {"forfaits": "FORFAITS", "conclusion": "CONCLUSION"}
FORFAIT_OPTIONS = {
    "kinesitherapie",
    "psychomotricite",
    "ergotherapie",
    "psychologie",
    "orthophonie",
    "orthoptie",
}
ORIENTATION_OPTIONS = {"camsp", "pco", "cmpp", "cmp_cmpea", "autre"}


def raw(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((NOTEBOOKS_DIR / EXPECTED[code][0]).read_text(encoding="utf-8"))
    return data


def parsed(code: str) -> Definition:
    return parse_definition(raw(code)["definition"])


def walk_raw(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for entry in items:
        found.append(entry)
        found.extend(walk_raw(entry.get("items", [])))
    return found


def item(definition: Definition, link_id: str) -> Item:
    assert link_id in definition.by_link, f"« {link_id} » manque"
    return definition.by_link[link_id]


# --- files and definitions ----------------------------------------------------------------------


def test_the_directory_holds_exactly_the_twelve_notebooks() -> None:
    assert sorted(path.name for path in NOTEBOOKS_DIR.glob("*.json")) == sorted(
        f for f, _ in EXPECTED.values()
    )


@pytest.mark.parametrize("code", EXPECTED)
def test_header_code_theme_title(code: str) -> None:
    data = raw(code)
    age = EXPECTED[code][1]
    assert data["code"] == code
    if age is None:
        assert data["theme"] == "cocon-equipe-mobile"
        assert data["title"] == "Suivi équipe mobile Cocon (jusqu'à 12 mois)"
    else:
        assert data["theme"] == "cocon-cahiers"
        assert data["title"] == f"Cahier de suivi Cocon — {LABELS[age]}"
    assert data["notes"]


def test_notebooks_are_ordered_by_age() -> None:
    books = sorted((age, raw(code)["ordering"]) for code, (_, age) in EXPECTED.items() if age is not None)
    orderings = [ordering for _, ordering in books]
    assert orderings == sorted(orderings) and len(set(orderings)) == len(orderings)


@pytest.mark.parametrize("code", EXPECTED)
def test_every_notebook_parses_with_the_items_other_code_relies_on(code: str) -> None:
    definition = parsed(code)
    age = EXPECTED[code][1]
    months = 12 if age is None else age

    day = item(definition, "date_consultation")
    assert (day.type, day.required, day.max, day.code) == ("date", True, "today", "DATE_CONSULTATION")
    chrono = item(definition, "age_chrono")
    assert (chrono.function, chrono.args, chrono.unit, chrono.code) == (
        "age_months",
        ("date_consultation",),
        "mois",
        "AGE_CHRONO_MOIS",
    )
    if months <= 24:
        corrected = item(definition, "age_corrige")
        assert (corrected.function, corrected.args, corrected.unit, corrected.code) == (
            "corrected_age_months",
            ("date_consultation",),
            "mois",
            "AGE_CORRIGE_MOIS",
        )
    else:
        assert "age_corrige" not in definition.by_link

    weight, height = item(definition, "poids"), item(definition, "taille")
    assert (weight.type, weight.unit, height.type, height.unit) == ("decimal", "kg", "decimal", "cm")
    assert 0 < weight.min < weight.max <= 70 and 30 <= height.min < height.max <= 160
    assert item(definition, "imc").function == "bmi" and item(definition, "imc").args == ("poids", "taille")
    expected = {
        "poids_sds": ("weight_sds", "poids"), "poids_centile": ("weight_centile", "poids"),
        "taille_sds": ("height_sds", "taille"), "taille_centile": ("height_centile", "taille"),
    }  # fmt: skip
    if months <= 60:
        head = item(definition, "pc")
        assert (head.type, head.unit, head.code) == ("decimal", "cm", "PC_CM")
        expected |= {"pc_sds": ("ofc_sds", "pc"), "pc_centile": ("ofc_centile", "pc")}
    else:
        assert "pc" not in definition.by_link  # head circumference is charted up to 5 years
    if age is not None and age >= 24:
        expected |= {"imc_sds": ("bmi_sds", "imc")}
        assert item(definition, "imc_sds").code == "IMC_SDS"
    for link_id, (function, measure) in expected.items():
        computed = item(definition, link_id)
        assert computed.type == "computed"
        assert computed.function == function and computed.args == (measure, "date_consultation")
    # The growth items sit together in one group.
    group = next(i for i in definition.items if i.link_id == "croissance")
    assert {"poids", "taille", "imc", *expected} <= {child.link_id for child in group.items}

    next_visit = item(definition, "prochain_rdv")
    assert (next_visit.type, next_visit.code) == ("date", "PROCHAIN_RDV")
    for link_id, shared in SHARED_CODES.items():
        assert item(definition, link_id).code == shared
    orientation = item(definition, "orientation")
    assert orientation.is_multiple and {o.code for o in orientation.options} == ORIENTATION_OPTIONS
    assert any(c.question == "orientation" for i in definition.walk() for c in i.enable_when)
    if age is not None:
        for link_id, shared in NOTEBOOK_ONLY_CODES.items():
            assert item(definition, link_id).code == shared
        forfaits = item(definition, "forfaits")
        assert forfaits.is_multiple and {o.code for o in forfaits.options} == FORFAIT_OPTIONS
        assert any(c.question == "forfaits" for i in definition.walk() for c in i.enable_when)
        assert item(definition, "conclusion").option_label("pas_de_tnd") == (
            "Pas de trouble du neurodéveloppement suspecté"
        )
        assert "orientation_pco" in {o.code for o in item(definition, "conclusion").options}
    comment = item(definition, "vaccins_commentaire")
    assert comment.enable_when[0].question == "vaccins_a_jour" and comment.enable_when[0].answer is False
    assert item(definition, "hospitalisations").is_repeated_group


def sourced(items: list[dict[str, Any]], inherited: str = "") -> list[tuple[str, str]]:
    """(linkId, the source of the item or of its nearest group) for every item."""
    found = []
    for entry in items:
        source = str(entry.get("source", "")).strip() or inherited
        found.append((entry["linkId"], source))
        found.extend(sourced(entry.get("items", []), source))
    return found


@pytest.mark.parametrize("code", EXPECTED)
def test_every_answering_item_has_an_explicit_code_and_a_cited_source(code: str) -> None:
    items = raw(code)["definition"]["items"]
    for entry in walk_raw(items):
        if entry["type"] not in ("group", "display"):
            assert CODE.match(entry.get("code", "")), entry["linkId"]
    top_groups = [entry for entry in items if entry["type"] == "group"]
    assert top_groups and all(str(group.get("source", "")).strip() for group in top_groups)
    header = {"date_consultation", "age_chrono", "age_corrige"}
    assert [link for link, source in sourced(items) if not source and link not in header] == []


def test_certificate_and_six_year_items() -> None:
    nine = {i.code for i in parsed("cocon-9-mois").walk()}
    assert {
        "M09_TIENT_ASSIS", "M09_REAGIT_PRENOM", "M09_REPETE_SYLLABE", "M09_SE_DEPLACE",
        "M09_PREHENSION_POUCE", "M09_IMITE_GESTE", "M09_MOTRICITE_SYMETRIQUE",
    } <= nine  # fmt: skip
    two = {i.code for i in parsed("cocon-24-mois").walk()}
    assert {
        "M24_COMPREND_CONSIGNE", "M24_NOMME_IMAGE", "M24_SUPERPOSE_OBJETS", "M24_ASSOCIE_2_MOTS",
        "M24_MARCHE", "AGE_MARCHE_MOIS", "M24_POINTE", "M24_JEU_FAIRE_SEMBLANT", "M24_SOLLICITE_AUTRUI",
    } <= two  # fmt: skip
    six = {i.code for i in parsed("cocon-6-ans").walk()}
    assert {
        "A6_CLOCHE_PIED", "A6_TOURS_PAROLE", "A6_AMIS", "A6_EMOTIONS_AUTRUI", "A6_ATTENTION_10_MIN",
        "A6_TROIS_NON_DEUX_DOMAINES",
    } <= six  # fmt: skip


def test_codes_are_consistent_across_notebooks() -> None:
    """Extraction columns are keyed by code: one concept, one code (and one shape) everywhere."""
    code_of: dict[str, set[str]] = defaultdict(set)
    link_of: dict[str, set[str]] = defaultdict(set)
    shape_of: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for notebook in EXPECTED:
        for entry in parsed(notebook).walk():
            if not entry.answers:
                continue
            code_of[entry.link_id].add(entry.code)
            link_of[entry.code].add(entry.link_id)
            shape_of[entry.code].add((entry.type, entry.repeats, entry.unit, entry.options, entry.function))
    assert {link: codes for link, codes in code_of.items() if len(codes) > 1} == {}
    assert {code: links for code, links in link_of.items() if len(links) > 1} == {}
    assert {code: shapes for code, shapes in shape_of.items() if len(shapes) > 1} == {}


# --- loading --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_loader_loads_all_twelve_and_a_second_load_changes_nothing() -> None:
    paths = [NOTEBOOKS_DIR / name for name, _ in EXPECTED.values()]
    first = [load_file(path) for path in paths]
    assert sorted(loaded.code for loaded in first) == sorted(EXPECTED)
    assert all(loaded.created for loaded in first)
    count = QuestionnaireVersion.objects.filter(questionnaire__code__in=EXPECTED).count()
    second = [load_file(path) for path in paths]
    assert not any(loaded.created for loaded in second)
    assert [loaded.version for loaded in second] == [loaded.version for loaded in first]
    assert QuestionnaireVersion.objects.filter(questionnaire__code__in=EXPECTED).count() == count
    version = QuestionnaireVersion.objects.get(questionnaire__code="cocon-equipe-mobile")
    assert version.questionnaire.theme.code == "cocon-equipe-mobile"


# --- a nine-month consultation, validated -----------------------------------------------------------

TODAY = datetime.date(2026, 5, 20)
BORN = datetime.date(2025, 6, 10)  # 344 days: 11.3 months chronological, 9 months corrected at 30 weeks
CONTEXT = Context(today=TODAY, birth_date=BORN, gestational_age_days=30 * 7, sex="M")
NINE_MONTHS: dict[str, Any] = {
    "date_consultation": "20/05/2026",
    "hospitalisation": "oui",
    "hospitalisations": [
        {"hospit_date": "12/01/2026", "hospit_duree": "4", "hospit_motif": "Bronchiolite, pédiatrie"}
    ],
    "urgences_nb": "1",
    "oxygene_domicile": "non",
    "poids": "8,9",
    "taille": "71",
    "pc": "45",
    "inflechissement_courbe": "non",
    "neuro_tonus_axial": "normal",
    "neuro_tonus_membres": "hypertonie",
    "neuro_asymetrie": "non",
    "neuro_reflexes_archaiques": "non",
    "neuro_precisions": "Angles des adducteurs à 80° des deux côtés",
    "alimentation_lactee": "preparation",
    "lait_type": "Préparation 2e âge",
    "supplementations": ["vitamine_d", "fer"],
    "diversification": "oui",
    "diversification_age": "6",
    "morceaux": "non",
    "difficultes_alimentaires": "oui",
    "difficultes_alimentaires_type": ["textures", "hypersensibilite_orale"],
    "couchage_securite": "oui",
    "sommeil_difficultes": "non",
    "mode_garde": "creche",
    "ecrans_temps": "aucun",
    "m09_tient_assis": "oui",
    "m09_se_deplace": "oui",
    "m09_motricite_symetrique": "oui",
    "m09_prehension_pouce": "oui",
    "m09_reagit_prenom": "oui",
    "m09_repete_syllabe": "non",
    "m09_imite_geste": "oui",
    "inquietude_parents": "non",
    "regression": "non",
    "signes_alerte": "oui",
    "vision_anomalie": "non",
    "bilan_ophtalmo": "normal",
    "audition_doute": "non",
    "bilan_orl": "prevu",
    "vaccins_a_jour": "non",
    "vaccins_commentaire": "Rappel ROR à programmer",
    "forfaits": ["kinesitherapie", "orthophonie"],
    "forfaits_precisions": "Kinésithérapie hebdomadaire ; bilan d'oralité",
    "orientation": ["camsp"],
    "orientation_precisions": "Hypertonie des membres inférieurs",
    "preoccupations": ["motricite", "alimentation"],
    "conclusion": "surveillance",
    "prochain_rdv": "20/08/2026",
}


def test_a_realistic_nine_month_consultation_is_accepted_with_computed_values() -> None:
    definition = parsed("cocon-9-mois")
    result = validate(definition, NINE_MONTHS, CONTEXT, closing=True)
    assert result.ok, (result.errors, result.tampered)
    answers = result.answers
    assert answers["poids"] == 8.9 and answers["date_consultation"] == "2026-05-20"
    assert answers["hospitalisations"][0]["hospit_duree"] == 4
    assert answers["supplementations"] == ["vitamine_d", "fer"]
    assert answers["imc"] == pytest.approx(8.9 / 0.71**2, abs=0.05)
    assert answers["age_chrono"] == pytest.approx(11.3, abs=0.05)
    # Born at 30 weeks: 10 weeks early, about 2.3 months.
    assert answers["age_chrono"] - answers["age_corrige"] == pytest.approx(2.3, abs=0.05)
    assert answers["age_corrige"] == pytest.approx(9.0, abs=0.1)
    for link_id in ("poids_sds", "taille_sds", "pc_sds"):
        assert -5 < answers[link_id] < 5, link_id
    for link_id in ("poids_centile", "taille_centile", "pc_centile"):
        assert 0 <= answers[link_id] <= 100, link_id
    # Near the WHO medians at 9 months corrected: the correction is applied.
    assert abs(answers["poids_sds"]) < 1 and abs(answers["pc_sds"]) < 1


def test_closing_requires_the_conclusion() -> None:
    definition = parsed("cocon-9-mois")
    result = validate(
        definition, {k: v for k, v in NINE_MONTHS.items() if k != "conclusion"}, CONTEXT, closing=True
    )
    assert result.errors == {"q-conclusion": ["Ce champ est obligatoire."]}


@pytest.mark.parametrize(
    ("changes", "hidden"),
    [
        ({"vaccins_a_jour": "oui"}, "q-vaccins_commentaire"),
        ({"alimentation_lactee": "maternel_exclusif"}, "q-lait_type"),
        ({"neuro_tonus_membres": "normal"}, "q-neuro_precisions"),
        ({"orientation": []}, "q-orientation_precisions"),
        ({"hospitalisation": "non"}, "q-hospitalisations"),
    ],
)
def test_an_answer_to_a_hidden_item_is_tampering(changes: dict[str, Any], hidden: str) -> None:
    result = validate(parsed("cocon-9-mois"), {**NINE_MONTHS, **changes}, CONTEXT)
    assert hidden in result.tampered and not result.ok


def test_an_implausible_nine_month_weight_is_refused_in_french() -> None:
    result = validate(parsed("cocon-9-mois"), {**NINE_MONTHS, "poids": "80"}, CONTEXT)
    assert result.errors == {"q-poids": ["La valeur doit être au plus 15 kg."]}
    assert "poids" not in result.answers and "imc" not in result.answers


def test_a_future_consultation_date_is_refused() -> None:
    result = validate(parsed("cocon-9-mois"), {**NINE_MONTHS, "date_consultation": "21/05/2026"}, CONTEXT)
    assert result.errors == {"q-date_consultation": ["La date doit être au plus tard aujourd'hui."]}


def test_a_term_child_has_no_correction_and_bmi_z_score_from_two_years() -> None:
    born = datetime.date(2024, 5, 20)
    context = Context(today=TODAY, birth_date=born, gestational_age_days=39 * 7 + 4, sex="F")
    answers = {
        "date_consultation": "2026-05-20",
        "poids": "12",
        "taille": "86",
        "pc": "47,5",
        "conclusion": "pas_de_tnd",
    }
    result = validate(parsed("cocon-24-mois"), answers, context, closing=True)
    assert result.ok, (result.errors, result.tampered)
    assert result.answers["age_chrono"] == pytest.approx(24.0, abs=0.1)
    assert result.answers["age_chrono"] - result.answers["age_corrige"] == pytest.approx(0.1, abs=0.05)
    assert -5 < result.answers["imc_sds"] < 5
