"""PAR-2: questionnaire definitions are data, shaped after FHIR Questionnaire items.

A definition is JSON: ``{"items": [...]}`` where each item has a ``linkId`` (stable, also the
form field's name), a ``type``, a ``text`` and, per type, ``required``, ``options``, ``unit``,
``min`` / ``max``, ``enableWhen`` (with ``enableBehavior`` "all" or "any"), ``repeats`` (a
repeated group or a multiple choice), nested ``items`` (groups) and ``calculation`` (computed
values). ``code`` is the item's stable extraction code (defaults to the linkId);
``extractable: true`` marks a free text or an attachment as safe for a pseudonymised extraction
(the data dictionary's decision; without it such an item never leaves the application, COC-4).

`parse_definition` checks a definition once, when it is saved or loaded, and returns typed
items; answers are then validated against them (`pathways.answers`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = {
    "display": "Texte d'information",
    "group": "Groupe",
    "string": "Texte court",
    "text": "Texte long",
    "integer": "Nombre entier",
    "decimal": "Nombre décimal",
    "date": "Date",
    "choice": "Choix",
    "boolean": "Oui / non",
    "attachment": "Pièce jointe",
    "computed": "Valeur calculée",
}
ANSWERING_TYPES = set(ITEM_TYPES) - {"display", "group"}
OPERATORS = ("exists", "=", "!=", ">", "<", ">=", "<=")
# Computed values: a closed list of functions, never an expression language (nothing to inject).
FUNCTIONS: dict[str, tuple[str, ...]] = {
    # Body-mass index from a weight in kg and a height (or length) in cm.
    "bmi": ("decimal", "decimal"),
    # The child's age in months (one decimal) at a date of the form (e.g. the consultation's).
    "age_months": ("date",),
    # Same, corrected for prematurity (needs the gestational age at birth in the context).
    "corrected_age_months": ("date",),
    # Growth: standard deviation score (z-score) and centile of a measure taken at a date, on the
    # UK-WHO references (WHO 2006 growth standards from 2 weeks to 4 years, UK90 for preterm babies
    # and after 4 years), corrected for gestational age when the dossier records one (rcpchgrowth).
    "weight_sds": ("decimal", "date"),
    "weight_centile": ("decimal", "date"),
    "height_sds": ("decimal", "date"),
    "height_centile": ("decimal", "date"),
    "ofc_sds": ("decimal", "date"),
    "ofc_centile": ("decimal", "date"),
    "bmi_sds": ("decimal", "date"),
    "bmi_centile": ("decimal", "date"),
}
LINK_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,79}$")
STRING_MAX = 500
TEXT_MAX = 10_000


class DefinitionError(ValueError):
    """The definition cannot be published; `problems` lists every reason in French."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    code: str
    display: str


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    answer: Any = None


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: str
    code: str
    required: bool = False
    repeats: bool = False
    help: str = ""
    unit: str = ""
    min: Any = None
    max: Any = None
    options: tuple[Option, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    items: tuple[Item, ...] = ()
    function: str = ""
    args: tuple[str, ...] = ()
    extractable: bool = False

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    @property
    def answers(self) -> bool:
        return self.type in ANSWERING_TYPES

    @property
    def is_multiple(self) -> bool:
        return self.type == "choice" and self.repeats

    @property
    def is_repeated_group(self) -> bool:
        return self.type == "group" and self.repeats

    def option_label(self, code: str) -> str:
        return next((option.display for option in self.options if option.code == code), code)


@dataclass(frozen=True)
class Definition:
    items: tuple[Item, ...]
    by_link: dict[str, Item] = field(default_factory=dict, compare=False)

    def walk(self) -> Iterator[Item]:
        yield from _walk(self.items)


def _walk(items: tuple[Item, ...]) -> Iterator[Item]:
    for item in items:
        yield item
        yield from _walk(item.items)


def _bound(raw: Any, kind: str, where: str, problems: list[str]) -> Any:
    if raw is None:
        return None
    if kind in ("integer", "decimal"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            problems.append(f"{where} : les bornes doivent être des nombres.")
            return None
        return raw
    if kind == "date":
        if raw == "today":
            return raw
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            problems.append(f"{where} : une borne de date s'écrit AAAA-MM-JJ ou « today ».")
            return None
    problems.append(f"{where} : seuls les nombres et les dates ont des bornes.")
    return None


class _Parser:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: dict[str, Item] = {}
        self.codes: set[str] = set()
        # linkIds in document order with the repeated group (if any) that holds them: a
        # condition may look at an earlier item of its own group instance or outside any group.
        self.scope_of: dict[str, tuple[str, ...]] = {}

    def items(self, raw: Any, where: str, scope: tuple[str, ...]) -> tuple[Item, ...]:
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where} : la liste « items » doit contenir au moins un élément.")
            return ()
        return tuple(item for entry in raw if (item := self.item(entry, where, scope)) is not None)

    def item(self, raw: Any, parent: str, scope: tuple[str, ...]) -> Item | None:
        if not isinstance(raw, dict):
            self.problems.append(f"{parent} : chaque élément doit être un objet.")
            return None
        link_id = raw.get("linkId")
        if not isinstance(link_id, str) or not LINK_ID.match(link_id):
            self.problems.append(
                f"{parent} : linkId « {link_id} » invalide (lettres, chiffres et _, commence par une lettre)."
            )
            return None
        where = f"« {link_id} »"
        if link_id in self.seen:
            self.problems.append(f"{where} : ce linkId est utilisé deux fois.")
            return None
        kind = raw.get("type")
        if kind not in ITEM_TYPES:
            self.problems.append(f"{where} : type « {kind} » inconnu ({', '.join(sorted(ITEM_TYPES))}).")
            return None
        known = {
            "linkId", "type", "text", "code", "required", "repeats", "help", "unit", "min", "max",
            "options", "enableWhen", "enableBehavior", "items", "calculation", "source", "extractable",
        }  # fmt: skip
        for key in sorted(set(raw) - known):
            self.problems.append(f"{where} : propriété « {key} » inconnue.")
        text = raw.get("text", "")
        if not isinstance(text, str) or (kind != "group" and not text.strip()):
            self.problems.append(f"{where} : le libellé (text) est obligatoire.")
            text = str(text or "")
        code = raw.get("code", link_id)
        if not isinstance(code, str) or not CODE.match(code):
            self.problems.append(f"{where} : code d'extraction « {code} » invalide.")
            code = link_id
        elif kind in ANSWERING_TYPES and code in self.codes:
            self.problems.append(f"{where} : le code d'extraction « {code} » est déjà utilisé.")
        if kind in ANSWERING_TYPES:
            self.codes.add(code)
        required = raw.get("required", False) is True
        extractable = raw.get("extractable", False)
        if not isinstance(extractable, bool):
            self.problems.append(f"{where} : extractable vaut true ou false.")
            extractable = False
        repeats = raw.get("repeats", False) is True
        if repeats and kind not in ("group", "choice"):
            self.problems.append(f"{where} : seuls les groupes et les choix peuvent être répétés.")
        if required and kind in ("display", "computed"):
            self.problems.append(f"{where} : un élément de type {kind} ne peut pas être obligatoire.")
        options: tuple[Option, ...] = ()
        if kind == "choice":
            options = self.options(raw.get("options"), where)
        elif "options" in raw:
            self.problems.append(f"{where} : seules les questions à choix ont des options.")
        low = _bound(raw.get("min"), kind, where, self.problems) if "min" in raw else None
        high = _bound(raw.get("max"), kind, where, self.problems) if "max" in raw else None
        if (isinstance(low, int | float) and isinstance(high, int | float) and low > high) or (
            isinstance(low, str) and isinstance(high, str) and "today" not in (low, high) and low > high
        ):
            self.problems.append(f"{where} : le minimum dépasse le maximum.")
        conditions = self.conditions(raw.get("enableWhen", []), where, scope)
        behavior = raw.get("enableBehavior", "all")
        if behavior not in ("all", "any"):
            self.problems.append(f"{where} : enableBehavior vaut « all » ou « any ».")
            behavior = "all"
        function: str = ""
        args: tuple[str, ...] = ()
        if kind == "computed":
            function, args = self.calculation(raw.get("calculation"), where, scope)
        elif "calculation" in raw:
            self.problems.append(f"{where} : seules les valeurs calculées ont un calcul.")
        # Register before the children so their conditions may refer to this item.
        placeholder = Item(link_id=link_id, type=kind, text=text, code=code)
        self.seen[link_id] = placeholder
        self.scope_of[link_id] = scope
        children: tuple[Item, ...] = ()
        if kind == "group":
            inner = (*scope, link_id) if repeats else scope
            children = self.items(raw.get("items"), where, inner)
        elif "items" in raw:
            self.problems.append(f"{where} : seuls les groupes contiennent des éléments.")
        item = Item(
            link_id=link_id,
            type=kind,
            text=text,
            code=code,
            required=required,
            repeats=repeats,
            help=str(raw.get("help", "")),
            unit=str(raw.get("unit", "")),
            min=low,
            max=high,
            options=options,
            enable_when=conditions,
            enable_behavior=behavior,
            items=children,
            function=function,
            args=args,
            extractable=extractable,
        )
        self.seen[link_id] = item
        return item

    def options(self, raw: Any, where: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where} : une question à choix doit avoir des options.")
            return ()
        options = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"]:
                self.problems.append(f"{where} : chaque option a un code et un libellé (display).")
                continue
            options.append(Option(code=entry["code"], display=str(entry.get("display") or entry["code"])))
        if len({option.code for option in options}) != len(options):
            self.problems.append(f"{where} : deux options ont le même code.")
        return tuple(options)

    def _reachable(self, question: str, scope: tuple[str, ...]) -> bool:
        """An earlier item outside repeated groups, or in one of the groups enclosing this item."""
        other = self.scope_of.get(question)
        return other is not None and scope[: len(other)] == other

    def conditions(self, raw: Any, where: str, scope: tuple[str, ...]) -> tuple[Condition, ...]:
        if not isinstance(raw, list):
            self.problems.append(f"{where} : enableWhen doit être une liste.")
            return ()
        conditions = []
        for entry in raw:
            if not isinstance(entry, dict):
                self.problems.append(f"{where} : condition invalide.")
                continue
            question, operator = entry.get("question"), entry.get("operator")
            target = self.seen.get(question) if isinstance(question, str) else None
            if target is None or not self._reachable(str(question), scope):
                self.problems.append(
                    f"{where} : la condition porte sur « {question} », qui doit être une question "
                    "placée avant, hors d'un groupe répété ou dans le même groupe."
                )
                continue
            if not target.answers:
                self.problems.append(
                    f"{where} : la condition porte sur « {question} », qui n'a pas de réponse."
                )
                continue
            if operator not in OPERATORS:
                self.problems.append(f"{where} : opérateur « {operator} » inconnu ({', '.join(OPERATORS)}).")
                continue
            answer = entry.get("answer")
            if operator == "exists":
                answer = bool(answer) if answer is not None else True
            elif target.type == "choice" and answer not in {option.code for option in target.options}:
                self.problems.append(f"{where} : « {answer} » n'est pas une option de « {question} ».")
                continue
            elif target.type == "boolean" and not isinstance(answer, bool):
                self.problems.append(f"{where} : la réponse attendue de « {question} » est true ou false.")
                continue
            elif target.type in ("integer", "decimal") and (
                isinstance(answer, bool) or not isinstance(answer, int | float)
            ):
                self.problems.append(f"{where} : la réponse attendue de « {question} » est un nombre.")
                continue
            conditions.append(Condition(question=str(question), operator=operator, answer=answer))
        return tuple(conditions)

    def calculation(self, raw: Any, where: str, scope: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        if not isinstance(raw, dict) or raw.get("function") not in FUNCTIONS:
            self.problems.append(f"{where} : calcul inconnu (fonctions : {', '.join(FUNCTIONS)}).")
            return "", ()
        function = str(raw["function"])
        args = raw.get("args")
        expected = FUNCTIONS[function]
        if not isinstance(args, list) or len(args) != len(expected):
            self.problems.append(f"{where} : {function} attend {len(expected)} argument(s).")
            return "", ()
        for arg, kind in zip(args, expected, strict=True):
            target = self.seen.get(arg) if isinstance(arg, str) else None
            if target is None or not self._reachable(str(arg), scope):
                self.problems.append(f"{where} : l'argument « {arg} » doit être une question placée avant.")
                return "", ()
            if target.type != kind and not (kind == "decimal" and target.type in ("integer", "computed")):
                self.problems.append(f"{where} : l'argument « {arg} » doit être de type {kind}.")
                return "", ()
        return function, tuple(str(arg) for arg in args)


def parse_definition(raw: Any) -> Definition:
    """Check a whole definition; every problem is reported at once."""
    parser = _Parser()
    if not isinstance(raw, dict):
        raise DefinitionError(["La définition doit être un objet JSON avec une liste « items »."])
    items = parser.items(raw.get("items"), "Définition", ())
    if parser.problems:
        raise DefinitionError(parser.problems)
    definition = Definition(items=items)
    definition.by_link.update({item.link_id: item for item in definition.walk()})
    return definition
