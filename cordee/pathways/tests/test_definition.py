"""PAR-2: a definition is checked once, when saved or loaded; every problem is reported in French."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cordee.pathways.definition import DefinitionError, parse_definition
from cordee.pathways.testing import SIMPLE_DEFINITION


def _problems(items: Any) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition({"items": items})
    assert caught.value.problems, "a DefinitionError always lists its problems"
    return caught.value.problems


def _one(items: Any) -> str:
    problems = _problems(items)
    assert len(problems) == 1, problems
    return problems[0]


def q(link_id: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"linkId": link_id, "type": kind, "text": f"Question {link_id}", **extra}


def test_the_simple_definition_parses_into_typed_items() -> None:
    definition = parse_definition(copy.deepcopy(SIMPLE_DEFINITION))
    assert [item.link_id for item in definition.walk()] == [
        "date_consultation", "poids", "taille", "imc", "suivi", "suivi_detail", "piece",
    ]  # fmt: skip
    poids = definition.by_link["poids"]
    assert (poids.type, poids.unit, poids.min, poids.max, poids.code) == ("decimal", "kg", 0.3, 200, "poids")
    imc = definition.by_link["imc"]
    assert (imc.function, imc.args) == ("bmi", ("poids", "taille"))
    detail = definition.by_link["suivi_detail"]
    assert detail.required and detail.enable_when[0].question == "suivi"
    assert detail.enable_when[0].answer is True


@pytest.mark.parametrize("raw", [None, [], "items", {"items": []}, {"items": "x"}, {}])
def test_a_definition_must_be_an_object_with_items(raw: Any) -> None:
    with pytest.raises(DefinitionError):
        parse_definition(raw)


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems([q("a", "nope"), q("b", "choice"), q("c", "integer", min=5, max=1)])
    assert len(problems) == 3
    assert any("type « nope » inconnu" in p for p in problems)
    assert any("doit avoir des options" in p for p in problems)
    assert any("le minimum dépasse le maximum" in p for p in problems)


def test_duplicate_link_id() -> None:
    assert "utilisé deux fois" in _one([q("a"), q("a")])


def test_duplicate_link_id_inside_a_group() -> None:
    assert "utilisé deux fois" in _one(
        [q("a"), {"linkId": "g", "type": "group", "text": "G", "items": [q("a")]}]
    )


@pytest.mark.parametrize("link_id", ["", "1abc", "a-b", "a b", "é", None, 3, "a" * 65])
def test_invalid_link_id(link_id: Any) -> None:
    assert "invalide" in _one([{"linkId": link_id, "type": "string", "text": "T"}])


def test_unknown_type() -> None:
    assert "type « email » inconnu" in _one([q("a", "email")])


def test_unknown_property() -> None:
    assert "propriété « hidden » inconnue" in _one([q("a", hidden=True)])


def test_extractable_is_a_boolean_and_false_unless_said() -> None:
    """COC-4 / issue 24: a free text leaves a pseudonymised extraction only when marked safe."""
    assert "extractable vaut true ou false" in _one([q("a", extractable="oui")])
    marked = parse_definition({"items": [q("a", extractable=True), q("b")]})
    assert [item.extractable for item in marked.walk()] == [True, False]


def test_label_is_required_except_for_groups() -> None:
    assert "libellé" in _one([{"linkId": "a", "type": "string"}])
    assert "libellé" in _one([{"linkId": "a", "type": "string", "text": "   "}])
    parse_definition({"items": [{"linkId": "g", "type": "group", "items": [q("a")]}]})


def test_choice_without_options() -> None:
    assert "doit avoir des options" in _one([q("a", "choice")])
    assert "doit avoir des options" in _one([q("a", "choice", options=[])])


def test_choice_options_need_a_code_and_unique_codes() -> None:
    assert "chaque option a un code" in _one([q("a", "choice", options=[{"display": "Oui"}])])
    assert "même code" in _one([q("a", "choice", options=[{"code": "x"}, {"code": "x"}])])


def test_options_only_on_choices() -> None:
    assert "seules les questions à choix" in _one([q("a", options=[{"code": "x"}])])


def test_only_groups_and_choices_repeat() -> None:
    assert "peuvent être répétés" in _one([q("a", repeats=True)])


@pytest.mark.parametrize("kind", ["display", "computed"])
def test_display_and_computed_cannot_be_required(kind: str) -> None:
    extra: dict[str, Any] = {"required": True}
    items = [q("a", kind, **extra)]
    if kind == "computed":
        items = [
            q("p", "decimal"),
            q("t", "decimal"),
            q("a", kind, calculation={"function": "bmi", "args": ["p", "t"]}, **extra),
        ]
    assert "ne peut pas être obligatoire" in _one(items)


def test_min_greater_than_max() -> None:
    assert "le minimum dépasse le maximum" in _one([q("a", "integer", min=10, max=2)])
    assert "le minimum dépasse le maximum" in _one([q("a", "date", min="2025-01-02", max="2025-01-01")])
    # "today" is not compared when the definition is checked.
    parse_definition({"items": [q("a", "date", min="2025-01-02", max="today")]})
    parse_definition({"items": [q("a", "decimal", min=1.5, max=1.5)]})


@pytest.mark.parametrize(
    ("kind", "bound", "message"),
    [
        ("integer", "3", "les bornes doivent être des nombres"),
        ("decimal", True, "les bornes doivent être des nombres"),
        ("date", "01/01/2025", "AAAA-MM-JJ"),
        ("string", 3, "seuls les nombres et les dates"),
    ],
)
def test_bad_bounds(kind: str, bound: Any, message: str) -> None:
    assert message in _one([q("a", kind, min=bound)])


def test_enable_when_on_a_later_item() -> None:
    problem = _one([q("b", enableWhen=[{"question": "a", "operator": "exists"}]), q("a")])
    assert "« a »" in problem and "placée avant" in problem


def test_enable_when_on_an_unknown_item() -> None:
    assert "placée avant" in _one([q("b", enableWhen=[{"question": "zzz", "operator": "exists"}])])


def test_enable_when_on_itself() -> None:
    assert "placée avant" in _one([q("a", enableWhen=[{"question": "a", "operator": "exists"}])])


def test_enable_when_into_a_repeated_group_from_outside() -> None:
    items = [
        {"linkId": "g", "type": "group", "text": "G", "repeats": True, "items": [q("inner", "boolean")]},
        q("after", enableWhen=[{"question": "inner", "operator": "=", "answer": True}]),
    ]
    assert "hors d'un groupe répété" in _one(items)


def test_enable_when_into_another_repeated_group() -> None:
    items = [
        {"linkId": "g1", "type": "group", "text": "G1", "repeats": True, "items": [q("x", "boolean")]},
        {
            "linkId": "g2", "type": "group", "text": "G2", "repeats": True,
            "items": [q("y", enableWhen=[{"question": "x", "operator": "=", "answer": True}])],
        },
    ]  # fmt: skip
    assert "placée avant" in _one(items)


def test_enable_when_inside_its_own_group_and_on_outer_items_is_fine() -> None:
    definition = parse_definition(
        {
            "items": [
                q("outer", "boolean"),
                {
                    "linkId": "g", "type": "group", "text": "G", "repeats": True,
                    "enableWhen": [{"question": "outer", "operator": "=", "answer": True}],
                    "items": [
                        q("x", "boolean"),
                        q("y", enableWhen=[{"question": "x", "operator": "=", "answer": True}]),
                        q("z", enableWhen=[{"question": "outer", "operator": "=", "answer": True}]),
                    ],
                },
            ]
        }
    )  # fmt: skip
    assert definition.by_link["y"].enable_when[0].question == "x"


def test_enable_when_on_a_group_or_a_display_has_no_answer() -> None:
    items = [q("d", "display"), q("a", enableWhen=[{"question": "d", "operator": "exists"}])]
    assert "n'a pas de réponse" in _one(items)


def test_enable_when_shape_and_operator() -> None:
    assert "doit être une liste" in _one([q("a", enableWhen={"question": "x"})])
    assert "condition invalide" in _one([q("a", enableWhen=["x"])])
    assert "opérateur « ~ » inconnu" in _one(
        [q("b"), q("a", enableWhen=[{"question": "b", "operator": "~"}])]
    )
    assert "enableBehavior" in _one([q("a", enableBehavior="some")])


@pytest.mark.parametrize(
    ("target", "answer", "message"),
    [
        (q("t", "choice", options=[{"code": "x"}]), "y", "n'est pas une option"),
        (q("t", "boolean"), "oui", "true ou false"),
        (q("t", "integer"), "3", "est un nombre"),
        (q("t", "decimal"), True, "est un nombre"),
    ],
)
def test_enable_when_answer_matches_the_target_type(
    target: dict[str, Any], answer: Any, message: str
) -> None:
    items = [target, q("a", enableWhen=[{"question": "t", "operator": "=", "answer": answer}])]
    assert message in _one(items)


def test_exists_defaults_to_true() -> None:
    definition = parse_definition(
        {"items": [q("b"), q("a", enableWhen=[{"question": "b", "operator": "exists"}])]}
    )
    assert definition.by_link["a"].enable_when[0].answer is True


@pytest.mark.parametrize(
    ("calculation", "message"),
    [
        (None, "calcul inconnu"),
        ({"function": "eval", "args": ["p", "t"]}, "calcul inconnu"),
        ({"function": "bmi", "args": ["p"]}, "attend 2 argument"),
        ({"function": "bmi", "args": "p,t"}, "attend 2 argument"),
        ({"function": "bmi", "args": ["p", "nope"]}, "doit être une question placée avant"),
        ({"function": "bmi", "args": ["p", "s"]}, "doit être de type decimal"),
        ({"function": "age_months", "args": ["p"]}, "doit être de type date"),
        ({"function": "corrected_age_months", "args": ["p", "d"]}, "attend 1 argument"),
    ],
)
def test_bad_calculation_args(calculation: Any, message: str) -> None:
    items = [
        q("p", "decimal"),
        q("t", "integer"),
        q("s"),
        q("d", "date"),
        q("c", "computed", calculation=calculation),
    ]
    assert message in _one(items)


def test_calculation_on_a_later_item_is_refused() -> None:
    items = [q("c", "computed", calculation={"function": "age_months", "args": ["d"]}), q("d", "date")]
    assert "placée avant" in _one(items)


def test_calculation_only_on_computed_and_integers_count_as_decimals() -> None:
    assert "seules les valeurs calculées" in _one([q("a", calculation={"function": "bmi", "args": []})])
    parse_definition(
        {
            "items": [
                q("p", "integer"),
                q("t", "integer"),
                q("c", "computed", calculation={"function": "bmi", "args": ["p", "t"]}),
            ]
        }
    )


def test_items_only_in_groups() -> None:
    assert "seuls les groupes contiennent" in _one([q("a", items=[q("b")])])
    assert "au moins un élément" in _one([{"linkId": "g", "type": "group", "text": "G", "items": []}])


def test_duplicate_extraction_code() -> None:
    assert "code d'extraction « X » est déjà utilisé" in _one([q("a", code="X"), q("b", code="X")])
    # The default code is the linkId: a code equal to another item's linkId collides too.
    assert "déjà utilisé" in _one([q("a"), q("b", code="a")])
    # Displays and groups carry no extraction code of their own.
    parse_definition({"items": [q("d", "display", code="X"), q("a", code="X")]})


def test_invalid_extraction_code() -> None:
    assert "code d'extraction" in _one([q("a", code="1 bad")])
