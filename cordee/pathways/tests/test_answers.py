"""PAR-2/PAR-3: answers read from a post and validated on the server (types, French input,
bounds, conditions, repeated groups, computed values) and tampering detected."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from cordee.pathways.answers import (
    REQUIRED,
    Context,
    Result,
    display_value,
    read_post,
    to_raw,
    validate,
)
from cordee.pathways.definition import Definition, parse_definition
from cordee.pathways.testing import SIMPLE_DEFINITION

TODAY = datetime.date(2026, 5, 20)
CONTEXT = Context(today=TODAY, birth_date=datetime.date(2025, 5, 20))


def q(link_id: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"linkId": link_id, "type": kind, "text": f"Question {link_id}", **extra}


def define(*items: dict[str, Any]) -> Definition:
    return parse_definition({"items": list(items)})


def post(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def check(
    definition: Definition,
    data: dict[str, Any],
    *,
    closing: bool = False,
    previous: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    context: Context = CONTEXT,
) -> Result:
    raw = read_post(definition, post(data), files or {})
    return validate(definition, raw, context, closing=closing, previous=previous)


def answer(definition: Definition, link_id: str, text: Any) -> tuple[Any, list[str]]:
    result = check(definition, {f"q-{link_id}": text})
    assert not result.tampered
    return result.answers.get(link_id), result.errors.get(f"q-{link_id}", [])


# --- types and French input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3,5", 3.5), ("3.5", 3.5), (" 1 234,5 ", 1234.5), ("1\u202f000", 1000.0), ("-0,25", -0.25), ("7", 7.0)],
)
def test_decimals_accept_french_input(text: str, expected: float) -> None:
    assert answer(define(q("x", "decimal")), "x", text) == (expected, [])


@pytest.mark.parametrize("text", ["abc", "3,5,1", "nan", "inf", "1e20", "--1"])
def test_decimals_refuse_garbage_in_french(text: str) -> None:
    value, errors = answer(define(q("x", "decimal")), "x", text)
    assert value is None and errors == ["Saisissez un nombre (par exemple 3,5)."]


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("+3", 3), ("-4", -4), (" 1 000 ", 1000)])
def test_integers(text: str, expected: int) -> None:
    value, errors = answer(define(q("x", "integer")), "x", text)
    assert (value, errors) == (expected, []) and isinstance(value, int)


@pytest.mark.parametrize("text", ["1,5", "1.0", "deux", "1" * 13])
def test_integers_refuse_decimals_and_words(text: str) -> None:
    assert answer(define(q("x", "integer")), "x", text) == (None, ["Saisissez un nombre entier."])


def test_numbers_out_of_bounds_say_the_bound_with_its_unit() -> None:
    definition = define(q("poids", "decimal", min=0.3, max=200, unit="kg"), q("n", "integer", min=1, max=10))
    assert answer(definition, "poids", "0,2") == (None, ["La valeur doit être au moins 0,3 kg."])
    assert answer(definition, "poids", "200,5") == (None, ["La valeur doit être au plus 200 kg."])
    assert answer(definition, "poids", "200") == (200.0, [])
    assert answer(definition, "poids", "0,3") == (0.3, [])
    assert answer(definition, "n", "0") == (None, ["La valeur doit être au moins 1."])
    assert answer(definition, "n", "11") == (None, ["La valeur doit être au plus 10."])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-01-31", "2026-01-31"), ("31/01/2026", "2026-01-31"), (" 01/02/2026 ", "2026-02-01")],
)
def test_dates_accept_iso_and_french(text: str, expected: str) -> None:
    assert answer(define(q("d", "date")), "d", text) == (expected, [])


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "demain", "01-02-2026", "1/2/26"])
def test_dates_refuse_impossible_days(text: str) -> None:
    assert answer(define(q("d", "date")), "d", text) == (None, ["Saisissez une date valide (JJ/MM/AAAA)."])


def test_date_bounds_and_today() -> None:
    definition = define(q("d", "date", min="2020-01-01", max="today"))
    assert answer(definition, "d", "2026-05-20") == ("2026-05-20", [])
    assert answer(definition, "d", "21/05/2026") == (None, ["La date doit être au plus tard aujourd'hui."])
    assert answer(definition, "d", "31/12/2019") == (None, ["La date doit être au plus tôt le 01/01/2020."])
    fixed = define(q("d", "date", max="2025-06-30"))
    assert answer(fixed, "d", "2025-07-01") == (None, ["La date doit être au plus tard le 30/06/2025."])


def test_strings_are_trimmed_and_bounded() -> None:
    definition = define(q("s"), q("t", "text"))
    assert answer(definition, "s", "  Dr Dupont  ") == ("Dr Dupont", [])
    assert answer(definition, "s", "x" * 501) == (None, ["500 caractères au plus."])
    assert answer(definition, "t", "ligne 1\nligne 2") == ("ligne 1\nligne 2", [])
    assert answer(definition, "t", "x" * 10_001) == (None, ["10000 caractères au plus."])


def test_booleans() -> None:
    definition = define(q("b", "boolean"))
    assert answer(definition, "b", "oui") == (True, [])
    assert answer(definition, "b", "non") == (False, [])
    assert answer(definition, "b", "true") == (None, ["Répondez par oui ou par non."])


def test_single_choice() -> None:
    definition = define(q("c", "choice", options=[{"code": "a", "display": "A"}, {"code": "b"}]))
    assert answer(definition, "c", "b") == ("b", [])
    assert answer(definition, "c", "z") == (None, ["Choisissez une des options proposées."])


def test_multiple_choice_keeps_the_definition_order_and_refuses_strangers() -> None:
    options = [{"code": code} for code in ("a", "b", "c", "d")]
    definition = define(q("m", "choice", repeats=True, options=options))
    assert answer(definition, "m", ["d", "a", "c"]) == (["a", "c", "d"], [])
    assert answer(definition, "m", ["a", "zz"]) == (None, ["Choisissez une des options proposées."])
    # Nothing ticked: no answer at all.
    result = check(definition, {})
    assert "m" not in result.answers and result.ok


def test_empty_values_are_no_answer_on_a_draft() -> None:
    definition = define(q("s", required=True), q("n", "integer", required=True))
    result = check(definition, {"q-s": "", "q-n": ""})
    assert result.ok and result.answers == {}


# --- required, only when closing and only where displayed -------------------------------------


def test_required_only_when_closing() -> None:
    definition = define(q("s", required=True), q("b", "boolean"))
    assert check(definition, {"q-b": "oui"}).ok
    closing = check(definition, {"q-b": "oui"}, closing=True)
    assert closing.errors == {"q-s": [REQUIRED]} and closing.answers == {"b": True}


def test_required_not_enforced_on_a_hidden_item() -> None:
    definition = define(
        q("b", "boolean"),
        q("detail", required=True, enableWhen=[{"question": "b", "operator": "=", "answer": True}]),
    )
    assert check(definition, {"q-b": "non"}, closing=True).ok
    assert check(definition, {}, closing=True).ok
    assert check(definition, {"q-b": "oui"}, closing=True).errors == {"q-detail": [REQUIRED]}


def test_required_repeated_group_needs_a_line_when_closing() -> None:
    definition = define(
        {"linkId": "g", "type": "group", "text": "G", "repeats": True, "required": True, "items": [q("x")]}
    )
    assert check(definition, {}).ok
    assert check(definition, {}, closing=True).errors == {"q-g": ["Ajoutez au moins une ligne."]}
    assert check(definition, {"q-g-0-__row": "1", "q-g-0-x": "a"}, closing=True).ok


# --- enableWhen ---------------------------------------------------------------------------------


def _conditional(operator: str, expected: Any, kind: str = "integer", **extra: Any) -> Definition:
    condition: dict[str, Any] = {"question": "a", "operator": operator}
    if expected is not None:
        condition["answer"] = expected
    return define(q("a", kind, **extra), q("b", enableWhen=[condition]))


@pytest.mark.parametrize(
    ("operator", "expected", "posted", "shown"),
    [
        ("=", 3, "3", True),
        ("=", 3, "4", False),
        ("=", 3, "", False),
        ("!=", 3, "4", True),
        ("!=", 3, "3", False),
        ("!=", 3, "", True),
        (">", 3, "4", True),
        (">", 3, "3", False),
        (">", 3, "", False),
        ("<", 3, "2", True),
        ("<", 3, "3", False),
        ("<", 3, "", False),
        (">=", 3, "3", True),
        (">=", 3, "2", False),
        ("<=", 3, "3", True),
        ("<=", 3, "4", False),
        ("exists", True, "0", True),
        ("exists", True, "", False),
        ("exists", False, "", True),
        ("exists", False, "1", False),
    ],
)
def test_enable_when_operators(operator: str, expected: Any, posted: str, shown: bool) -> None:
    definition = _conditional(operator, expected)
    result = check(definition, {"q-a": posted})
    assert result.enabled["q-b"] is shown
    answered = check(definition, {"q-a": posted, "q-b": "réponse"})
    if shown:
        assert answered.ok and answered.answers["b"] == "réponse"
    else:
        assert answered.tampered == ["q-b"] and "b" not in answered.answers


def test_enable_when_on_a_multiple_choice_means_contains() -> None:
    definition = _conditional("=", "x", "choice", repeats=True, options=[{"code": "x"}, {"code": "y"}])
    assert check(definition, {"q-a": ["y", "x"]}).enabled["q-b"] is True
    assert check(definition, {"q-a": ["y"]}).enabled["q-b"] is False
    different = _conditional("!=", "x", "choice", repeats=True, options=[{"code": "x"}, {"code": "y"}])
    assert check(different, {"q-a": ["y"]}).enabled["q-b"] is True
    assert check(different, {"q-a": ["x"]}).enabled["q-b"] is False


def test_enable_when_compares_dates() -> None:
    definition = _conditional(">=", "2026-01-01", "date")
    assert check(definition, {"q-a": "15/01/2026"}).enabled["q-b"] is True
    assert check(definition, {"q-a": "31/12/2025"}).enabled["q-b"] is False


def test_enable_when_on_a_boolean_false_answer() -> None:
    definition = _conditional("=", False, "boolean")
    assert check(definition, {"q-a": "non"}).enabled["q-b"] is True
    assert check(definition, {"q-a": "oui"}).enabled["q-b"] is False
    assert check(definition, {}).enabled["q-b"] is False


@pytest.mark.parametrize(
    ("behavior", "x", "y", "shown"),
    [
        ("all", "oui", "oui", True),
        ("all", "oui", "non", False),
        ("any", "non", "oui", True),
        ("any", "non", "non", False),
    ],
)
def test_enable_behavior_all_and_any(behavior: str, x: str, y: str, shown: bool) -> None:
    definition = define(
        q("x", "boolean"),
        q("y", "boolean"),
        q(
            "z",
            enableBehavior=behavior,
            enableWhen=[
                {"question": "x", "operator": "=", "answer": True},
                {"question": "y", "operator": "=", "answer": True},
            ],
        ),
    )
    assert check(definition, {"q-x": x, "q-y": y}).enabled["q-z"] is shown


def test_a_condition_follows_a_chain_of_hidden_items() -> None:
    definition = define(
        q("a", "boolean"),
        q("b", "boolean", enableWhen=[{"question": "a", "operator": "=", "answer": True}]),
        q("c", enableWhen=[{"question": "b", "operator": "=", "answer": True}]),
    )
    assert check(definition, {"q-a": "oui", "q-b": "oui", "q-c": "x"}).answers == {
        "a": True,
        "b": True,
        "c": "x",
    }
    # a = non hides b; b has no answer then, so c is hidden too: an answer to c is a crafted post.
    assert check(definition, {"q-a": "non", "q-b": "oui", "q-c": "x"}).tampered == ["q-b", "q-c"]


def test_a_hidden_group_hides_its_children() -> None:
    definition = define(
        q("a", "boolean"),
        {
            "linkId": "g", "type": "group", "text": "G",
            "enableWhen": [{"question": "a", "operator": "=", "answer": True}],
            "items": [q("x"), q("y", "integer")],
        },
    )  # fmt: skip
    assert check(definition, {"q-a": "oui", "q-x": "1", "q-y": "2"}).answers == {"a": True, "x": "1", "y": 2}
    hidden = check(definition, {"q-a": "non", "q-y": "2"})
    assert hidden.tampered == ["q-y"] and hidden.enabled["q-x"] is False


# --- repeated groups ------------------------------------------------------------------------------

AIDANTS = define(
    q("present", "boolean"),
    {
        "linkId": "aidants", "type": "group", "text": "Aidant", "repeats": True,
        "enableWhen": [{"question": "present", "operator": "=", "answer": True}],
        "items": [
            q("lien", "choice", options=[{"code": "conjoint"}, {"code": "enfant"}]),
            q("epuise", "boolean"),
            q("precisions", required=True, enableWhen=[{"question": "epuise", "operator": "=", "answer": True}]),  # noqa: E501
            q("age", "integer", min=0, max=120, unit="ans"),
        ],
    },
)  # fmt: skip


def test_repeated_group_instances_are_read_in_index_order() -> None:
    result = check(
        AIDANTS,
        {
            "q-present": "oui",
            "q-aidants-5-__row": "1", "q-aidants-5-lien": "enfant",
            "q-aidants-0-__row": "1", "q-aidants-0-lien": "conjoint", "q-aidants-0-age": "70",
            "q-aidants-2-__row": "1",
        },
    )  # fmt: skip
    assert result.ok, (result.errors, result.tampered)
    assert result.answers == {
        "present": True,
        "aidants": [{"lien": "conjoint", "age": 70}, {}, {"lien": "enfant"}],
    }


def test_a_condition_inside_an_instance_looks_at_its_own_instance() -> None:
    result = check(
        AIDANTS,
        {
            "q-present": "oui",
            "q-aidants-0-__row": "1", "q-aidants-0-epuise": "oui", "q-aidants-0-precisions": "Fatiguée",
            "q-aidants-1-__row": "1", "q-aidants-1-epuise": "non",
        },
    )  # fmt: skip
    assert result.ok
    assert result.enabled["q-aidants-0-precisions"] is True
    assert result.enabled["q-aidants-1-precisions"] is False
    assert result.answers["aidants"] == [{"epuise": True, "precisions": "Fatiguée"}, {"epuise": False}]
    # Answering the hidden item of the second line is refused, the first line's is not.
    crafted = check(
        AIDANTS,
        {
            "q-present": "oui",
            "q-aidants-0-__row": "1", "q-aidants-0-epuise": "oui", "q-aidants-0-precisions": "Fatiguée",
            "q-aidants-1-__row": "1", "q-aidants-1-epuise": "non", "q-aidants-1-precisions": "x",
        },
    )  # fmt: skip
    assert crafted.tampered == ["q-aidants-1-precisions"]


def test_errors_and_required_inside_instances_are_named_per_line() -> None:
    result = check(
        AIDANTS,
        {"q-present": "oui", "q-aidants-0-__row": "1", "q-aidants-0-age": "130", "q-aidants-0-epuise": "oui"},
        closing=True,
    )
    assert result.errors == {
        "q-aidants-0-precisions": [REQUIRED],
        "q-aidants-0-age": ["La valeur doit être au plus 120 ans."],
    }


def test_lines_of_a_hidden_repeated_group_are_tampering() -> None:
    result = check(AIDANTS, {"q-present": "non", "q-aidants-0-__row": "1", "q-aidants-0-lien": "enfant"})
    assert result.tampered == ["q-aidants"] and "aidants" not in result.answers
    # An empty line (a marker and nothing else) of a hidden group is dropped, not tampering.
    empty = check(AIDANTS, {"q-present": "non", "q-aidants-0-__row": "1"})
    assert empty.ok and "aidants" not in empty.answers


def test_fields_of_an_instance_without_its_marker_are_unknown() -> None:
    result = check(AIDANTS, {"q-present": "oui", "q-aidants-0-lien": "enfant"})
    assert result.tampered == ["q-aidants-0-lien"]


# --- computed values --------------------------------------------------------------------------------


def test_bmi_is_computed_on_the_server() -> None:
    definition = parse_definition(SIMPLE_DEFINITION)
    result = check(definition, {"q-poids": "70", "q-taille": "175"})
    assert result.answers["imc"] == 22.9 and result.computed == {"q-imc": 22.9}
    # Missing an argument: no value.
    assert "imc" not in check(definition, {"q-poids": "70"}).answers


def test_a_posted_computed_value_is_tampering() -> None:
    definition = parse_definition(SIMPLE_DEFINITION)
    result = check(definition, {"q-poids": "70", "q-taille": "175", "q-imc": "10"})
    assert result.tampered == ["q-imc"]


def test_age_in_months_at_a_date_of_the_form() -> None:
    definition = define(
        q("d", "date"),
        q("age", "computed", unit="mois", calculation={"function": "age_months", "args": ["d"]}),
    )
    context = Context(today=TODAY, birth_date=datetime.date(2025, 1, 1))
    result = check(definition, {"q-d": "2025-07-02"}, context=context)
    assert result.answers["age"] == round(182 / 30.4375, 1) == 6.0
    # Before birth, or without a birth date: no value rather than a negative age.
    assert "age" not in check(definition, {"q-d": "2024-12-31"}, context=context).answers
    assert "age" not in check(definition, {"q-d": "2025-07-02"}, context=Context(today=TODAY)).answers


def test_corrected_age_subtracts_the_weeks_born_before_term() -> None:
    definition = define(
        q("d", "date"),
        q("age", "computed", calculation={"function": "age_months", "args": ["d"]}),
        q("corrige", "computed", calculation={"function": "corrected_age_months", "args": ["d"]}),
    )
    born = datetime.date(2025, 1, 1)
    # Born at 32 weeks: 8 weeks (56 days) early.
    preterm = Context(today=TODAY, birth_date=born, gestational_age_days=32 * 7)
    result = check(definition, {"q-d": "2025-07-02"}, context=preterm)
    assert result.answers["age"] == 6.0
    assert result.answers["corrige"] == round((182 - 56) / 30.4375, 1) == 4.1
    # Born after term: no negative correction.
    late = Context(today=TODAY, birth_date=born, gestational_age_days=42 * 7)
    assert check(definition, {"q-d": "2025-07-02"}, context=late).answers["corrige"] == 6.0
    # Without the gestational age, no corrected age.
    assert (
        "corrige"
        not in check(definition, {"q-d": "2025-07-02"}, context=Context(today=TODAY, birth_date=born)).answers
    )


def test_a_hidden_computed_value_is_not_kept() -> None:
    definition = define(
        q("b", "boolean"),
        q("p", "decimal"),
        q("t", "decimal"),
        q(
            "c",
            "computed",
            calculation={"function": "bmi", "args": ["p", "t"]},
            enableWhen=[{"question": "b", "operator": "=", "answer": True}],
        ),
    )
    assert "c" not in check(definition, {"q-b": "non", "q-p": "70", "q-t": "170"}).answers
    assert check(definition, {"q-b": "oui", "q-p": "70", "q-t": "170"}).answers["c"] == 24.2


# --- unknown names and attachments ------------------------------------------------------------------


def test_unknown_posted_names_are_tampering_but_other_names_are_ignored() -> None:
    definition = define(q("a"))
    result = check(definition, {"q-a": "x", "q-zzz": "1", "csrfmiddlewaretoken": "t", "action": "save"})
    assert result.tampered == ["q-zzz"] and not result.ok


def test_attachment_upload_becomes_a_placeholder() -> None:
    definition = define(q("f", "attachment"))
    upload = SimpleUploadedFile("cr.pdf", b"%PDF-1.4")
    result = check(definition, {}, files={"q-f": upload})
    assert result.ok and result.uploads == [("q-f", upload)] and result.answers == {"f": {"upload": "q-f"}}


def test_attachment_keep_only_the_document_already_attached() -> None:
    definition = define(q("f", "attachment"))
    previous = {"f": {"document": "11111111-1111-1111-1111-111111111111", "name": "cr.pdf"}}
    kept = check(definition, {"q-f": "11111111-1111-1111-1111-111111111111"}, previous=previous)
    assert kept.ok and kept.answers == previous
    foreign = check(definition, {"q-f": "22222222-2222-2222-2222-222222222222"}, previous=previous)
    assert foreign.tampered == ["q-f"] and foreign.answers == {}
    # Without a previous answer (a new form), nothing can be kept.
    assert check(definition, {"q-f": "11111111-1111-1111-1111-111111111111"}).tampered == ["q-f"]


def test_attachment_clear_and_required() -> None:
    definition = define(q("f", "attachment", required=True))
    previous = {"f": {"document": "11111111-1111-1111-1111-111111111111", "name": "cr.pdf"}}
    cleared = check(definition, {"q-f": previous["f"]["document"], "q-f-__clear": "1"}, previous=previous)
    assert cleared.ok and cleared.answers == {}
    assert check(definition, {"q-f-__clear": "1"}, previous=previous, closing=True).errors == {
        "q-f": [REQUIRED]
    }


def test_an_upload_to_a_hidden_attachment_is_tampering() -> None:
    definition = define(
        q("b", "boolean"),
        q("f", "attachment", enableWhen=[{"question": "b", "operator": "=", "answer": True}]),
    )
    result = check(definition, {"q-b": "non"}, files={"q-f": SimpleUploadedFile("cr.pdf", b"%PDF-1.4")})
    assert result.tampered == ["q-f"] and result.uploads == []


# --- display and to_raw -------------------------------------------------------------------------------


def test_display_values_in_french() -> None:
    definition = parse_definition(SIMPLE_DEFINITION)
    items = definition.by_link
    assert display_value(items["poids"], 12.5) == "12,5 kg"
    assert display_value(items["imc"], 15.4) == "15,4 kg/m²"
    assert display_value(items["suivi"], True) == "Oui"
    assert display_value(items["suivi"], False) == "Non"
    assert display_value(items["date_consultation"], "2026-11-20") == "20/11/2026"
    assert display_value(items["piece"], {"document": "x", "name": "cr.pdf"}) == "cr.pdf"
    assert display_value(items["poids"], None) == ""
    choice = define(
        q(
            "c",
            "choice",
            repeats=True,
            options=[{"code": "a", "display": "Alpha"}, {"code": "b", "display": "Bêta"}],
        )
    )
    assert display_value(choice.by_link["c"], ["a", "b"]) == "Alpha, Bêta"
    # A code no longer in the options (renamed in a later version) still shows.
    assert display_value(choice.by_link["c"], ["gone"]) == "gone"


def test_to_raw_gives_back_what_the_form_shows() -> None:
    definition = AIDANTS
    answers = {"present": True, "aidants": [{"lien": "enfant", "age": 45, "epuise": False}]}
    assert to_raw(definition, answers) == {
        "present": "oui",
        "aidants": [{"lien": "enfant", "epuise": "non", "age": "45"}],
    }


@pytest.mark.parametrize("text", ["123,4567", "1234567,5", "0,0001", "72,125", "99999999999,5"])
def test_decimals_survive_a_second_save_unchanged(text: str) -> None:
    """A draft shown again and saved as is keeps every digit typed."""
    definition = define(q("x", "decimal"))
    first = check(definition, {"q-x": text}).answers
    shown = to_raw(definition, first)
    again = check(definition, {"q-x": shown["x"]}).answers
    assert again == first, (text, shown)


def test_a_mistyped_controlling_answer_is_an_error_not_a_crafted_post() -> None:
    """The browser shows b (it reads "3,5" as 3.5 > 3); the server cannot read "3,5" as a whole
    number. The user gets the error beside a, not a "crafted post" refusal losing their input."""
    definition = define(
        q("a", "integer"),
        q("b", enableWhen=[{"question": "a", "operator": ">", "answer": 3}]),
        q("c", enableWhen=[{"question": "b", "operator": "exists"}]),
        {
            "linkId": "g", "type": "group", "text": "G",
            "enableWhen": [{"question": "a", "operator": ">", "answer": 3}],
            "items": [q("d")],
        },
    )  # fmt: skip
    result = check(definition, {"q-a": "3,5", "q-b": "typed", "q-c": "also", "q-d": "inside"})
    assert result.tampered == []
    assert result.errors == {"q-a": ["Saisissez un nombre entier."]}
    assert not result.ok
    # A well-formed value that hides b still makes an answer to b a crafted post.
    assert check(definition, {"q-a": "2", "q-b": "typed"}).tampered == ["q-b"]


def test_removing_a_line_keeps_the_files_of_the_lines_after_it() -> None:
    """A repeated group with a file per line: the first line is removed in the browser, the second
    (posted as line 1) keeps its file, which is this form's own document, not a foreign one."""
    definition = define(
        {
            "linkId": "g",
            "type": "group",
            "text": "G",
            "repeats": True,
            "items": [q("nom"), q("f", "attachment")],
        }
    )
    first = {"document": "11111111-1111-1111-1111-111111111111", "name": "a.pdf"}
    second = {"document": "22222222-2222-2222-2222-222222222222", "name": "b.pdf"}
    previous = {"g": [{"nom": "A", "f": first}, {"nom": "B", "f": second}]}
    result = check(
        definition, {"q-g-1-__row": "1", "q-g-1-nom": "B", "q-g-1-f": second["document"]}, previous=previous
    )
    assert result.tampered == []
    assert result.answers == {"g": [{"nom": "B", "f": second}]}
    # A document that is not this form's stays refused.
    foreign = check(
        definition,
        {"q-g-0-__row": "1", "q-g-0-f": "33333333-3333-3333-3333-333333333333"},
        previous=previous,
    )
    assert foreign.tampered == ["q-g-0-f"]


def test_blanks_are_no_answer() -> None:
    definition = define(q("s", required=True), q("t", "text"))
    closing = check(definition, {"q-s": "   ", "q-t": "\n \t"}, closing=True)
    assert closing.errors == {"q-s": [REQUIRED]} and closing.answers == {}
    assert check(definition, {"q-s": "  ", "q-t": " "}).answers == {}
