"""Plausible notebook answers (COC-2): every item of a definition filled as a pediatrician
would, growth near rough medians — for the demo, the tests and the benchmark, never clinical."""

from __future__ import annotations

import datetime
import random
from typing import Any

from cordee.core import clock
from cordee.pathways.answers import Context, read_post, validate
from cordee.pathways.definition import Definition, Item


def median_growth(months: float) -> dict[str, float]:
    """Rough medians, for plausible demo values only (never used clinically)."""
    if months <= 6:
        weight = 3.3 + 0.72 * months
    elif months <= 24:
        weight = 7.6 + 0.25 * (months - 6)
    else:
        weight = 12.1 + 0.17 * (months - 24)
    height = 50 + 2.6 * min(months, 6) + 1.2 * max(0, min(months, 24) - 6) + 0.6 * max(0, months - 24)
    head = 35 + 1.6 * min(months, 6) + 0.45 * max(0, min(months, 24) - 6) + 0.05 * max(0, months - 24)
    return {"poids": weight, "taille": height, "pc": head}


def autofill(definition: Definition, day: datetime.date, months: float, rng: random.Random) -> dict[str, Any]:
    """A post filling every item plausibly; answers to items a condition hides are dropped."""
    growth = median_growth(months)
    data: dict[str, Any] = {"version": "0"}
    _fill(definition.items, "q-", data, day, growth, rng)
    for _ in range(6):
        context = Context(today=max(day, clock.today()))
        result = validate(definition, read_post(definition, data, {}), context, closing=True)
        if not result.tampered:
            break
        for name in result.tampered:
            data.pop(name, None)
    return data


def _number(item: Item, growth: dict[str, float], rng: random.Random) -> str:
    if item.link_id in growth:
        value = growth[item.link_id] * rng.uniform(0.92, 1.08)
    elif item.min is not None and item.max is not None:
        value = item.min + (item.max - item.min) * rng.uniform(0.05, 0.3)
    else:
        value = float(item.min or 1)
    if item.min is not None:
        value = max(value, float(item.min))
    if item.max is not None:
        value = min(value, float(item.max))
    return str(round(value)) if item.type == "integer" else f"{value:.1f}".replace(".", ",")


def _fill(
    items: tuple[Item, ...],
    prefix: str,
    data: dict[str, Any],
    day: datetime.date,
    growth: dict[str, float],
    rng: random.Random,
) -> None:
    for item in items:
        name = f"{prefix}{item.link_id}"
        if item.is_repeated_group:
            if item.required:
                data[f"{name}-0-__row"] = "1"
                _fill(item.items, f"{name}-0-", data, day, growth, rng)
        elif item.is_group:
            _fill(item.items, prefix, data, day, growth, rng)
        elif item.type == "date":
            data[name] = day.isoformat()
        elif item.type in ("integer", "decimal"):
            data[name] = _number(item, growth, rng)
        elif item.type == "boolean":
            data[name] = "oui" if rng.random() < 0.85 else "non"
        elif item.type == "choice" and item.options:
            data[name] = [item.options[0].code] if item.is_multiple else item.options[0].code
        elif item.type in ("string", "text"):
            data[name] = "RAS" if item.required else ""
