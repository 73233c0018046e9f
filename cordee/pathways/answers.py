"""PAR-2/PAR-3: answers read from a form post, validated against the definition they are filled
with, conditions (enableWhen) enforced on the server, computed values computed here.

Stored answers are JSON: a scope is ``{linkId: value}`` for every answered item (plain groups are
presentation only and add no level); a repeated group is ``{groupLinkId: [scope, ...]}``. Values
are strings, numbers, ISO dates, booleans, option codes (a list for a multiple choice) and, for an
attachment, ``{"document": <uuid>, "name": <file name>}``.

Form fields are named after the item's path: ``q-<linkId>`` and ``q-<group>-<n>-<linkId>`` inside
a repeated group (whose instances carry a ``q-<group>-<n>-__row`` marker).
"""

from __future__ import annotations

import datetime
import functools
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cordee.core.forms import EARLIEST_DAY, LATEST_DAY, out_of_range_message
from cordee.pathways.definition import STRING_MAX, TEXT_MAX, Condition, Definition, Item

PREFIX = "q-"
ROW = "__row"
CLEAR = "__clear"
REQUIRED = "Ce champ est obligatoire."


@dataclass(frozen=True)
class Context:
    """What a computed value or a date bound needs to know about the dossier."""

    today: datetime.date
    birth_date: datetime.date | None = None
    gestational_age_days: int | None = None
    sex: str = ""  # "M", "F" or "I" as on the identity


@dataclass
class Result:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # Names posted that the definition does not have, or answers to hidden questions: a crafted
    # post. The whole save is refused.
    tampered: list[str] = field(default_factory=list)
    enabled: dict[str, bool] = field(default_factory=dict)
    # (field name, uploaded file) to store as documents; the answer holds a placeholder.
    uploads: list[tuple[str, Any]] = field(default_factory=list)
    computed: dict[str, Any] = field(default_factory=dict)
    # linkIds whose posted value could not be read (an error is reported on them) and the items
    # hidden only because of them: an answer there is a typing mistake, not a crafted post.
    unsure: set[str] = field(default_factory=set)
    # The documents already attached anywhere in this form (by id): the only ones a post may keep.
    attached: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.tampered


# --- reading a post -------------------------------------------------------------------------


def read_post(definition: Definition, data: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, Any]:
    """The raw answers as posted (strings), shaped like stored answers; unknown names are kept
    under "__unknown" so validation refuses them."""
    consumed: set[str] = set()
    raw = _read_scope(definition.items, PREFIX, data, files, consumed)
    posted = {name for name in [*data.keys(), *files.keys()] if name.startswith(PREFIX)}
    unknown = sorted(posted - consumed)
    if unknown:
        raw["__unknown"] = unknown
    return raw


def _getlist(data: Mapping[str, Any], name: str) -> list[str]:
    getter = getattr(data, "getlist", None)
    if getter is not None:
        return [str(value) for value in getter(name)]
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _read_scope(
    items: tuple[Item, ...],
    prefix: str,
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    consumed: set[str],
) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    for item in items:
        name = f"{prefix}{item.link_id}"
        if item.is_repeated_group:
            marker = re.compile(rf"^{re.escape(name)}-(\d{{1,4}})-{ROW}$")
            indexes = sorted({int(m.group(1)) for key in data if (m := marker.match(key))})
            instances = []
            for index in indexes:
                consumed.add(f"{name}-{index}-{ROW}")
                instances.append(_read_scope(item.items, f"{name}-{index}-", data, files, consumed))
            scope[item.link_id] = instances
        elif item.is_group:
            scope.update(_read_scope(item.items, prefix, data, files, consumed))
        elif item.type == "attachment":
            upload = files.get(name)
            kept = data.get(name)
            if upload is not None or kept is not None:
                consumed.add(name)
            if data.get(f"{name}-{CLEAR}"):
                consumed.add(f"{name}-{CLEAR}")
                scope[item.link_id] = {"clear": True}
            elif upload is not None:
                scope[item.link_id] = {"upload": upload}
            elif kept:
                scope[item.link_id] = {"keep": str(kept)}
        elif item.answers and item.type != "computed":
            values = _getlist(data, name)
            if values or name in data:
                consumed.add(name)
            if item.is_multiple:
                scope[item.link_id] = [value for value in values if value != ""]
            elif values:
                scope[item.link_id] = values[-1]
    return scope


# --- typed values ---------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    # Blanks are no answer: "   " must neither satisfy a required item nor be stored as "".
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _parse_number(text: str, integer: bool) -> tuple[Any, str]:
    cleaned = text.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if integer:
        if not re.fullmatch(r"[-+]?\d{1,12}", cleaned):
            return None, "Saisissez un nombre entier."
        return int(cleaned), ""
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None, "Saisissez un nombre (par exemple 3,5)."
    if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
        return None, "Saisissez un nombre (par exemple 3,5)."
    return float(number), ""


def _parse_date(text: str) -> tuple[datetime.date | None, str]:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date(), ""  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None, "Saisissez une date valide (JJ/MM/AAAA)."


def _bound_date(bound: Any, context: Context) -> datetime.date | None:
    if bound is None:
        return None
    return context.today if bound == "today" else datetime.date.fromisoformat(str(bound))


def _format_number(value: float | int) -> str:
    """Every digit kept, never an exponent: the text shown in a draft is parsed again on the next
    save and must give the same number back (``:g`` kept 6 significant digits only)."""
    if isinstance(value, float):
        text = format(Decimal(repr(value + 0.0)), "f")  # + 0.0: no "-0"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = str(value)
    return text.replace(".", ",")


def _clean_value(item: Item, raw: Any, context: Context) -> tuple[Any, str]:
    """A posted value turned into its stored form, or an error in French."""
    kind = item.type
    if kind == "choice":
        codes = {option.code for option in item.options}
        chosen = raw if isinstance(raw, list) else [raw]
        if any(code not in codes for code in chosen):
            return None, "Choisissez une des options proposées."
        if item.is_multiple:
            # The order of the definition, whatever the order of the post: versions compare cleanly.
            return [option.code for option in item.options if option.code in chosen], ""
        return chosen[0], ""
    if not isinstance(raw, str):
        return None, "Réponse invalide."
    if kind == "string":
        value = raw.strip()
        return (value, "") if len(value) <= STRING_MAX else (None, f"{STRING_MAX} caractères au plus.")
    if kind == "text":
        value = raw.strip()
        return (value, "") if len(value) <= TEXT_MAX else (None, f"{TEXT_MAX} caractères au plus.")
    if kind == "boolean":
        if raw in ("oui", "non"):
            return raw == "oui", ""
        return None, "Répondez par oui ou par non."
    if kind in ("integer", "decimal"):
        number, error = _parse_number(raw, integer=kind == "integer")
        if error:
            return None, error
        unit = f" {item.unit}" if item.unit else ""
        if item.min is not None and number < item.min:
            return None, f"La valeur doit être au moins {_format_number(item.min)}{unit}."
        if item.max is not None and number > item.max:
            return None, f"La valeur doit être au plus {_format_number(item.max)}{unit}."
        return number, ""
    if kind == "date":
        day, error = _parse_date(raw)
        if day is None:
            return None, error
        if not EARLIEST_DAY <= day <= LATEST_DAY:  # issue 24: whatever the definition's bounds
            return None, out_of_range_message(EARLIEST_DAY, LATEST_DAY)
        low, high = _bound_date(item.min, context), _bound_date(item.max, context)
        if low is not None and day < low:
            return None, f"La date doit être au plus tôt le {low:%d/%m/%Y}."
        if high is not None and day > high:
            words = "aujourd'hui" if item.max == "today" else f"le {high:%d/%m/%Y}"
            return None, f"La date doit être au plus tard {words}."
        return day.isoformat(), ""
    return None, "Réponse invalide."


# --- conditions -----------------------------------------------------------------------------


def _compare(value: Any, condition: Condition) -> bool:
    operator, expected = condition.operator, condition.answer
    present = not _empty(value)
    if operator == "exists":
        return present == bool(expected)
    if operator == "=":
        return (expected in value) if isinstance(value, list) else (present and value == expected)
    if operator == "!=":
        return not ((expected in value) if isinstance(value, list) else (present and value == expected))
    if not present or isinstance(value, list | dict | bool):
        return False
    try:
        if operator == ">":
            return bool(value > expected)
        if operator == "<":
            return bool(value < expected)
        if operator == ">=":
            return bool(value >= expected)
        return bool(value <= expected)
    except TypeError:
        return False


def _lookup(env: list[dict[str, Any]], link_id: str) -> Any:
    for scope in env:
        if link_id in scope:
            return scope[link_id]
    return None


def is_enabled(item: Item, env: list[dict[str, Any]]) -> bool:
    if not item.enable_when:
        return True
    results = [_compare(_lookup(env, condition.question), condition) for condition in item.enable_when]
    return all(results) if item.enable_behavior == "all" else any(results)


# --- computed values ------------------------------------------------------------------------


def age_in_months(birth: datetime.date, day: datetime.date, shift_days: int = 0) -> float | None:
    """Age at `day` in months, one decimal (None before birth); `shift_days` for corrected age."""
    days = (day - birth).days - shift_days
    if days < 0:
        return None
    # 30.4375 days: the mean month of the Gregorian calendar, as growth references use.
    return round(days / 30.4375, 1)


def _age_months(birth: datetime.date | None, day_iso: Any, shift_days: int = 0) -> float | None:
    if birth is None or not isinstance(day_iso, str):
        return None
    return age_in_months(birth, datetime.date.fromisoformat(day_iso), shift_days)


def compute(item: Item, env: list[dict[str, Any]], context: Context) -> float | None:
    values = [_lookup(env, arg) for arg in item.args]
    if item.function == "bmi":
        weight, height = values
        if not isinstance(weight, int | float) or not isinstance(height, int | float) or height <= 0:
            return None
        return round(weight / (height / 100) ** 2, 1)
    if item.function == "age_months":
        return _age_months(context.birth_date, values[0])
    if item.function == "corrected_age_months":
        if context.gestational_age_days is None:
            return None
        # Corrected age = chronological age minus the weeks born before term (40 weeks).
        shift = max(0, 280 - context.gestational_age_days)
        return _age_months(context.birth_date, values[0], shift)
    measure, _, statistic = item.function.partition("_")
    return growth(context, measure, statistic, values[0], values[1])


def load_growth_references() -> None:
    """Import rcpchgrowth (scipy and the UK-WHO tables: about a second, several on a busy
    machine) and compute one measurement, so no request pays for it. Called by the WSGI module
    when a server process starts; the computation itself then takes milliseconds."""
    growth(
        Context(today=datetime.date(2026, 1, 1), birth_date=datetime.date(2025, 1, 1), sex="F"),
        "weight",
        "sds",
        9.0,
        "2026-01-01",
    )


def growth(context: Context, measure: str, statistic: str, value: Any, day_iso: Any) -> float | None:
    """A z-score or centile from the UK-WHO references bundled with rcpchgrowth; corrected for
    gestational age by the library's rules when the dossier records it. None when it cannot
    be computed (unknown sex, age outside the references, implausible value)."""
    sex = {"M": "male", "F": "female"}.get(context.sex)
    if sex is None or context.birth_date is None or not isinstance(value, int | float):
        return None
    if not isinstance(day_iso, str):
        return None
    try:
        observed = datetime.date.fromisoformat(day_iso)
    except ValueError:
        return None
    weeks, days = divmod(context.gestational_age_days, 7) if context.gestational_age_days else (40, 0)
    result = _growth_values(sex, context.birth_date, observed, measure, float(value), weeks, days)
    if result is None:
        return None
    number = result.get("corrected_sds" if statistic == "sds" else "corrected_centile")
    if number is None:
        return None
    return round(float(number), 2 if statistic == "sds" else 1)


@functools.lru_cache(maxsize=4096)
def _growth_values(
    sex: str,
    birth_date: datetime.date,
    observation_date: datetime.date,
    measure: str,
    value: float,
    weeks: int,
    days: int,
) -> Mapping[str, Any] | None:
    """The library's calculated values for one measurement. A form asks for the z-score and the
    centile of the same measurement, and a save validates its answers more than once: each
    Measurement costs milliseconds (scipy), so identical measurements are computed once. The
    result is a pure function of its arguments, hence safe to keep."""
    from rcpchgrowth import Measurement  # heavy (scipy): loaded on first use only

    method = {"weight": "weight", "height": "height", "ofc": "ofc", "bmi": "bmi"}[measure]
    try:
        calculated: dict[str, Any] = Measurement(
            sex=sex,
            birth_date=birth_date,
            observation_date=observation_date,
            measurement_method=method,
            observation_value=value,
            reference="uk-who",
            gestation_weeks=weeks,
            gestation_days=days,
        ).measurement["measurement_calculated_values"]
    except Exception:
        return None
    return types.MappingProxyType(calculated)  # shared by the cache: read-only


# --- validation -----------------------------------------------------------------------------


def validate(
    definition: Definition,
    raw: dict[str, Any],
    context: Context,
    *,
    closing: bool = False,
    previous: dict[str, Any] | None = None,
) -> Result:
    """Every posted value checked against its item; hidden items must stay empty; required items
    are checked when closing (a draft may be incomplete), and only where displayed."""
    result = Result()
    result.tampered.extend(str(name) for name in raw.get("__unknown", []))
    _collect_documents(previous or {}, result.attached)
    result.answers = _validate_scope(
        definition.items, raw, [], PREFIX, context, closing, previous or {}, result, enabled=True
    )
    return result


def _validate_scope(
    items: tuple[Item, ...],
    raw: dict[str, Any],
    outer: list[dict[str, Any]],
    prefix: str,
    context: Context,
    closing: bool,
    previous: dict[str, Any],
    result: Result,
    *,
    enabled: bool,
    doubtful: bool = False,
    scope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    scope = {} if scope is None else scope
    env = [scope, *outer]
    for item in items:
        name = f"{prefix}{item.link_id}"
        shown = enabled and is_enabled(item, env)
        result.enabled[name] = shown
        # Hidden because a question it depends on was mistyped (e.g. "3,5" in a whole number):
        # the browser showed it, the error is reported on that question and nothing is saved.
        unsure = not shown and (
            doubtful or any(condition.question in result.unsure for condition in item.enable_when)
        )
        if unsure:
            result.unsure.add(item.link_id)
        if item.is_repeated_group:
            instances = raw.get(item.link_id) or []
            if not shown:
                if any(_has_answers(instance) for instance in instances) and not unsure:
                    result.tampered.append(name)
                continue
            cleaned = []
            for index, instance in enumerate(instances):
                earlier = previous.get(item.link_id) or []
                before = earlier[index] if index < len(earlier) else {}
                cleaned.append(
                    _validate_scope(
                        item.items, instance, env, f"{name}-{index}-", context, closing, before, result,
                        enabled=True,
                    )
                )  # fmt: skip
            if closing and item.required and not cleaned:
                result.errors.setdefault(name, []).append("Ajoutez au moins une ligne.")
            scope[item.link_id] = cleaned
        elif item.is_group:
            _validate_scope(
                item.items, raw, outer, prefix, context, closing, previous, result,
                enabled=shown, doubtful=unsure, scope=scope,
            )  # fmt: skip
        elif item.type == "computed":
            if shown:
                value = compute(item, env, context)
                if value is not None:
                    scope[item.link_id] = value
                    result.computed[name] = value
        elif item.type == "attachment":
            _validate_attachment(
                item, name, raw.get(item.link_id), shown, unsure, closing, previous, scope, result
            )
        elif item.answers:
            value = raw.get(item.link_id)
            if not shown:
                if not _empty(value) and not unsure:
                    result.tampered.append(name)
                continue
            if _empty(value):
                if closing and item.required:
                    result.errors.setdefault(name, []).append(REQUIRED)
                continue
            cleaned_value, error = _clean_value(item, value, context)
            if error:
                result.errors.setdefault(name, []).append(error)
                result.unsure.add(item.link_id)
            else:
                scope[item.link_id] = cleaned_value
    return scope


def _collect_documents(value: Any, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if isinstance(value.get("document"), str):
            found[value["document"]] = value
            return
        for inner in value.values():
            _collect_documents(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _collect_documents(inner, found)


def _has_answers(scope: Any) -> bool:
    if not isinstance(scope, dict):
        return True
    return any(not _empty(value) for key, value in scope.items())


def _validate_attachment(
    item: Item,
    name: str,
    value: Any,
    shown: bool,
    unsure: bool,
    closing: bool,
    previous: dict[str, Any],
    scope: dict[str, Any],
    result: Result,
) -> None:
    earlier = previous.get(item.link_id)
    if not isinstance(value, dict) or value.get("clear"):
        value = None
    if not shown:
        if value is not None and "upload" in value and not unsure:
            result.tampered.append(name)
        return
    if value is not None and "upload" in value:
        result.uploads.append((name, value["upload"]))
        scope[item.link_id] = {"upload": name}
        return
    if value is not None and "keep" in value:
        # Only a document already attached to this form may be kept: an id from elsewhere would
        # attach another dossier's file. Not only this very answer's: the lines of a repeated
        # group are numbered again when one is removed, so line 2's file may come back as line 1's.
        if isinstance(earlier, dict) and earlier.get("document") == value["keep"]:
            scope[item.link_id] = earlier
            return
        if value["keep"] in result.attached:
            scope[item.link_id] = result.attached[value["keep"]]
            return
        result.tampered.append(name)
        return
    if closing and item.required:
        result.errors.setdefault(name, []).append(REQUIRED)


# --- display --------------------------------------------------------------------------------


def display_value(item: Item, value: Any) -> str:
    """An answer as a person reads it (read-only views, comparisons, extractions)."""
    if _empty(value):
        return ""
    if item.type == "choice":
        codes = value if isinstance(value, list) else [value]
        return ", ".join(item.option_label(code) for code in codes)
    if item.type == "boolean":
        return "Oui" if value else "Non"
    if item.type == "date":
        try:
            return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if item.type in ("integer", "decimal", "computed") and isinstance(value, int | float):
        return f"{_format_number(value)}{' ' + item.unit if item.unit else ''}"
    if item.type == "attachment" and isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value)


def to_raw(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers back into the strings a form shows (numbers with a French comma)."""
    return _to_raw_scope(definition.items, answers)


def _to_raw_scope(items: tuple[Item, ...], answers: dict[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for item in items:
        value = answers.get(item.link_id)
        if item.is_repeated_group:
            raw[item.link_id] = [
                _to_raw_scope(item.items, inst) for inst in (value or []) if isinstance(inst, dict)
            ]
        elif item.is_group:
            raw.update(_to_raw_scope(item.items, answers))
        elif _empty(value):
            continue
        elif item.type == "boolean":
            raw[item.link_id] = "oui" if value else "non"
        elif item.type in ("integer", "decimal") and isinstance(value, int | float):
            raw[item.link_id] = _format_number(value)
        elif item.type == "attachment" and isinstance(value, dict):
            raw[item.link_id] = {"keep": value.get("document"), "name": value.get("name", "")}
        else:
            raw[item.link_id] = value
    return raw
