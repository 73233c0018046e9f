"""PAR-2 property tests: random valid definitions, random answers.

- validation never raises, whatever is posted;
- what validation accepts comes back identical after to_raw → the post a browser would send →
  validation (a draft shown again and saved as is changes nothing);
- a number outside its bounds is always refused, with the bound in the message;
- an answer to an item its conditions hide is never kept, and the post is flagged as crafted.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cordee.pathways.answers import Context, Result, read_post, to_raw, validate
from cordee.pathways.definition import Definition, Item, parse_definition

TODAY = datetime.date(2026, 5, 20)
CONTEXT = Context(today=TODAY, birth_date=datetime.date(2020, 2, 29), gestational_age_days=230)
# Pure functions of a fixed day (TODAY): no hour of the day changes them (make test-clocks skips them).
pytestmark = pytest.mark.once

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SIMPLE_KINDS = ("string", "text", "integer", "decimal", "date", "choice", "multiple", "boolean")
CODES = ("a", "b", "c", "d", "e")


@st.composite
def simple_item(draw: st.DrawFn, link_id: str, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    kind = draw(st.sampled_from(SIMPLE_KINDS))
    item: dict[str, Any] = {"linkId": link_id, "type": kind, "text": f"Question {link_id}"}
    if draw(st.booleans()):
        item["required"] = True
    if kind == "multiple":
        item["type"], item["repeats"] = "choice", True
    if item["type"] == "choice":
        count = draw(st.integers(1, len(CODES)))
        item["options"] = [{"code": code, "display": code.upper()} for code in CODES[:count]]
    if kind in ("integer", "decimal"):
        low: float | None = draw(st.one_of(st.none(), st.integers(-1000, 1000)))
        high = draw(st.one_of(st.none(), st.integers(-1000, 1000)))
        if kind == "decimal" and low is not None and draw(st.booleans()):
            low = low + 0.5
        if low is not None and high is not None and low > high:
            low, high = high, low
        if low is not None:
            item["min"] = low
        if high is not None:
            item["max"] = high
        if draw(st.booleans()):
            item["unit"] = draw(st.sampled_from(["kg", "cm", "mmHg", "ans"]))
    if kind == "date":
        if draw(st.booleans()):
            item["min"] = "2000-01-01"
        if draw(st.booleans()):
            item["max"] = draw(st.sampled_from(["today", "2030-12-31"]))
    controllers = [other for other in earlier if other["type"] in ("boolean", "integer", "choice", "string")]
    conditional: bool = draw(st.booleans())
    if controllers and conditional:
        target = draw(st.sampled_from(controllers))
        item["enableWhen"] = [draw(condition_on(target))]
    return item


@st.composite
def condition_on(draw: st.DrawFn, target: dict[str, Any]) -> dict[str, Any]:
    kind = target["type"]
    question = target["linkId"]
    if draw(st.integers(0, 5)) == 0:
        return {"question": question, "operator": "exists", "answer": draw(st.booleans())}
    if kind == "boolean":
        return {
            "question": question,
            "operator": draw(st.sampled_from(["=", "!="])),
            "answer": draw(st.booleans()),
        }
    if kind == "integer":
        operator = draw(st.sampled_from(["=", "!=", ">", "<", ">=", "<="]))
        return {"question": question, "operator": operator, "answer": draw(st.integers(-5, 5))}
    if kind == "choice":
        code = draw(st.sampled_from([option["code"] for option in target["options"]]))
        return {"question": question, "operator": draw(st.sampled_from(["=", "!="])), "answer": code}
    return {"question": question, "operator": "exists", "answer": True}


@st.composite
def raw_definitions(draw: st.DrawFn) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 6))):
        items.append(draw(simple_item(f"q{index}", items)))
    if draw(st.booleans()):
        inner: list[dict[str, Any]] = []
        for index in range(draw(st.integers(1, 3))):
            # Conditions inside a line look at the line's own earlier items or at top-level ones.
            inner.append(draw(simple_item(f"g{index}", [*items, *inner])))
        group: dict[str, Any] = {
            "linkId": "grp",
            "type": "group",
            "text": "Groupe",
            "repeats": True,
            "items": inner,
        }
        if draw(st.booleans()) and any(item["type"] == "boolean" for item in items):
            target = draw(st.sampled_from([item for item in items if item["type"] == "boolean"]))
            group["enableWhen"] = [{"question": target["linkId"], "operator": "=", "answer": True}]
        items.append(group)
    return {"items": items}


definitions = raw_definitions().map(parse_definition)


def _valid_text(item: Item) -> st.SearchStrategy[Any]:
    """What a person may type that is valid for the item."""
    if item.type == "string":
        return st.text(max_size=40).map(str.strip).filter(bool)
    if item.type == "text":
        return st.text(max_size=200).map(str.strip).filter(bool)
    if item.type in ("integer", "decimal"):
        low = item.min if item.min is not None else -10_000
        high = item.max if item.max is not None else 10_000
        if item.type == "integer":
            low_int, high_int = int(-(-low // 1)), int(high // 1)
            assume(low_int <= high_int)
            return st.integers(low_int, high_int).map(str)
        return st.decimals(low, high, places=3, allow_nan=False, allow_infinity=False).map(
            lambda number: str(number).replace(".", ",")
        )
    if item.type == "date":
        low_day = datetime.date(2000, 1, 1) if item.min else datetime.date(1900, 1, 1)
        high_day = TODAY if item.max == "today" else datetime.date(2030, 12, 31)
        return st.dates(low_day, high_day).flatmap(
            lambda day: st.sampled_from([day.isoformat(), day.strftime("%d/%m/%Y")])
        )
    if item.type == "boolean":
        return st.sampled_from(["oui", "non"])
    codes = [option.code for option in item.options]
    if item.is_multiple:
        return st.lists(st.sampled_from(codes), min_size=1, unique=True)
    return st.sampled_from(codes)


def _any_text() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", " ", "oui", "non", "3,5", "-1", "1e400", "nan", "31/02/2026", "a", "9" * 30]),
        st.lists(st.text(max_size=5), max_size=3),
    )


def _answering(items: tuple[Item, ...]) -> list[Item]:
    return [item for item in items if item.answers and item.type not in ("computed", "attachment")]


@st.composite
def posts(draw: st.DrawFn, definition: Definition, valid: bool) -> dict[str, Any]:
    """A post for the definition: every item answered (or not) with valid or arbitrary text."""
    data: dict[str, Any] = {}
    value = (lambda item: _valid_text(item)) if valid else (lambda item: _any_text())
    for item in definition.items:
        if item.is_repeated_group:
            for index in range(draw(st.integers(0, 3))):
                data[f"q-{item.link_id}-{index}-__row"] = "1"
                for inner in _answering(item.items):
                    if draw(st.booleans()):
                        data[f"q-{item.link_id}-{index}-{inner.link_id}"] = draw(value(inner))
        elif item in _answering((item,)) and draw(st.booleans()):
            data[f"q-{item.link_id}"] = draw(value(item))
    return data


def _query(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def _check(definition: Definition, data: dict[str, Any], closing: bool = False) -> Result:
    return validate(definition, read_post(definition, _query(data), {}), CONTEXT, closing=closing)


def _as_post(definition: Definition, raw: dict[str, Any]) -> dict[str, Any]:
    """The post a browser sends for a form showing `raw` (what to_raw gives)."""
    data: dict[str, Any] = {}
    for item in definition.items:
        value = raw.get(item.link_id)
        if item.is_repeated_group:
            for index, instance in enumerate(value or []):
                data[f"q-{item.link_id}-{index}-__row"] = "1"
                for key, inner in instance.items():
                    data[f"q-{item.link_id}-{index}-{key}"] = inner
        elif value is not None:
            data[f"q-{item.link_id}"] = value
    return data


def _hidden_answers(definition: Definition, data: dict[str, Any], result: Result) -> list[str]:
    """Posted names the server found hidden (their value not blank)."""
    hidden = []
    for name, shown in result.enabled.items():
        if shown:
            continue
        value = data.get(name)
        blank = value is None or (isinstance(value, str) and not value.strip()) or value == []
        if not blank:
            hidden.append(name)
    return hidden


@SETTINGS
@given(data=st.data(), definition=definitions, closing=st.booleans())
def test_validate_never_raises_on_any_post(
    data: st.DataObject, definition: Definition, closing: bool
) -> None:
    post = data.draw(posts(definition, valid=False))
    result = _check(definition, post, closing)
    assert isinstance(result.answers, dict)
    for name, errors in result.errors.items():
        assert name.startswith("q-") and errors and all(isinstance(error, str) and error for error in errors)


@SETTINGS
@given(data=st.data(), definition=definitions)
def test_accepted_answers_round_trip_through_the_form(data: st.DataObject, definition: Definition) -> None:
    post = data.draw(posts(definition, valid=True))
    first = _check(definition, post)
    assume(first.ok)
    again = _check(definition, _as_post(definition, to_raw(definition, first.answers)))
    assert again.ok, (again.errors, again.tampered)
    assert again.answers == first.answers


@SETTINGS
@given(data=st.data(), definition=definitions)
def test_hidden_answers_are_never_kept_and_flag_the_post(data: st.DataObject, definition: Definition) -> None:
    post = data.draw(posts(definition, valid=True))
    result = _check(definition, post)
    hidden = _hidden_answers(definition, post, result)
    top_level_hidden = [name for name in hidden if name.count("-") == 1]
    for name in top_level_hidden:
        assert name[2:] not in result.answers
    # Valid text everywhere: no controlling question was mistyped, so every hidden answer is
    # tampering (lines of a hidden group are reported once, under the group's name).
    flagged = set(result.tampered)
    for name in hidden:
        group = name.split("-")[1]
        assert name in flagged or f"q-{group}" in flagged, (name, result.tampered)
    if hidden:
        assert not result.ok


@SETTINGS
@given(data=st.data(), definition=definitions)
def test_out_of_bound_numbers_are_always_refused(data: st.DataObject, definition: Definition) -> None:
    bounded = [
        item
        for item in definition.items
        if item.type in ("integer", "decimal")
        and not item.enable_when
        and (item.min is not None or item.max is not None)
    ]
    assume(bounded)
    item = data.draw(st.sampled_from(bounded))
    sides = [side for side in ("min", "max") if getattr(item, side) is not None]
    side = data.draw(st.sampled_from(sides))
    gap = data.draw(st.integers(1, 10**6))
    number = item.min - gap if side == "min" else item.max + gap
    if item.type == "decimal" and data.draw(st.booleans()):
        number = number + (0.25 if side == "max" else -0.25)
    text = str(number).replace(".", ",")
    result = _check(definition, {f"q-{item.link_id}": text})
    assert item.link_id not in result.answers
    [error] = result.errors[f"q-{item.link_id}"]
    assert ("au moins" if side == "min" else "au plus") in error
    assert not item.unit or error.endswith(f" {item.unit}.")
