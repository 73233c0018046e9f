"""French-like names with realistic frequencies, for the benchmark region.

Last names: the 400 most frequent French surnames (Faker's fr_FR list, ordered by rank) carry
most of the weight with a Zipf-like curve, so homonyms abound (≈0.6 % of dossiers are MARTIN);
Belgian, Swiss, Québécois, Maghrebi, Italian, Spanish, Portuguese and German surnames from
Faker's other locales, and a hand list of names with apostrophes, spaces and particles, make
the long tail. First names: Belgian birth counts (Faker's fr_BE, weighted) plus the French,
Québécois and hand-picked modern and compound (hyphenated) ones. Accents are kept as typed.
"""

from __future__ import annotations

import importlib
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Names typed with apostrophes, spaces, particles and hyphens: what identity vigilance must fold.
EXTRA_LAST_NAMES = [
    "N'Diaye",
    "N'Guessan",
    "N'Dour",
    "D'Almeida",
    "D'Angelo",
    "D'Amico",
    "D'Orazio",
    "D'Hondt",
    "D'Aubigné",
    "L'Huillier",
    "L'Hermite",
    "L'Hôte",
    "L'Épée",
    "O'Neill",
    "Dell'Aquila",
    "Le Floc'h",
    "Le Bihan",
    "Le Guen",
    "Le Pennec",
    "Le Corre",
    "Saint-Martin",
    "Saint-Pierre",
    "De La Fontaine",
    "Du Pont",
    "Van den Berghe",
    "Lefèbvre",
    "Lefêvre",
    "Lenôtre",
    "Œuvrard",
    "Cœurdevey",
    "Nguyễn",
    "Müller",
    "Ibáñez",
    "Gonçalves",
    "Jégou",
    "Hénaff",
    "Quéré",
    "Kerjean",
]

MODERN_FEMALE = [
    "Léa",
    "Chloé",
    "Maëlys",
    "Anaëlle",
    "Héloïse",
    "Inès",
    "Jade",
    "Zoé",
    "Noémie",
    "Clémence",
    "Maïwenn",
    "Rose",
    "Ambre",
    "Lïna",
    "Aïcha",
    "Nour",
    "Romane",
    "Éloïse",
]
MODERN_MALE = [
    "Maël",
    "Noé",
    "Raphaël",
    "Gaël",
    "Loïc",
    "Joël",
    "Mathéo",
    "Timothée",
    "Théo",
    "Léo",
    "Aurélien",
    "Jérémy",
    "Anaël",
    "Éthan",
    "Naël",
    "Ismaël",
    "Rayan",
    "Elyès",
]
COMPOUND_MALE = [
    "Jean-Pierre",
    "Jean-Claude",
    "Jean-Luc",
    "Jean-Marc",
    "Jean-François",
    "Jean-Baptiste",
    "Pierre-Yves",
    "Jean-Michel",
    "Louis-Marie",
    "Jean-Noël",
    "Paul-Émile",
]
COMPOUND_FEMALE = [
    "Marie-Claire",
    "Marie-Christine",
    "Anne-Sophie",
    "Marie-Thérèse",
    "Anne-Laure",
    "Marie-Hélène",
    "Marie-Ange",
    "Marie-Noëlle",
    "Anne-Marie",
    "Marie-Josée",
    "Lou-Anne",
]


def _provider(locale: str) -> Any:
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _latin(name: str) -> bool:
    return all(ch.isascii() or "À" <= ch <= "ɏ" or ch in "’ẞ" for ch in name) and name[:1].isupper()


def _weighted(names: Iterable[str] | dict[str, int]) -> list[tuple[str, float]]:
    if isinstance(names, dict):
        return [(name, float(count) ** 0.5) for name, count in names.items() if _latin(name)]
    return [(name, 1.0) for name in names if _latin(name)]


def _share(pairs: list[tuple[str, float]], share: float) -> list[tuple[str, float]]:
    total = sum(weight for _, weight in pairs) or 1.0
    return [(name, weight * share / total) for name, weight in pairs]


@dataclass(frozen=True)
class Pool(Generic[T]):
    """A weighted list (names, ids), drawn with `random.choices` (cumulative weights)."""

    names: list[T]
    cum_weights: list[float]

    @classmethod
    def of(cls, pairs: Iterable[tuple[T, float]]) -> Pool[T]:
        merged: dict[T, float] = {}
        for name, weight in pairs:
            merged[name] = merged.get(name, 0.0) + weight
        names = list(merged)
        return cls(names, list(itertools.accumulate(merged[name] for name in names)))

    def draw(self, rng: random.Random, k: int) -> list[T]:
        return rng.choices(self.names, cum_weights=self.cum_weights, k=k)

    def share_of(self, name: T) -> float:
        index = self.names.index(name)
        previous = self.cum_weights[index - 1] if index else 0.0
        return (self.cum_weights[index] - previous) / self.cum_weights[-1]


def last_names() -> Pool[str]:
    french = list(_provider("fr_FR").last_names)  # ordered by frequency rank
    ranked = [(name, 1.0 / (rank + 20) ** 0.7) for rank, name in enumerate(french)]
    others = {
        "fr_BE": 0.09,
        "fr_CA": 0.04,
        "fr_CH": 0.02,
        "fr_DZ": 0.09,
        "it_IT": 0.05,
        "es_ES": 0.04,
        "pt_PT": 0.04,
        "de_DE": 0.02,
    }
    pairs = _share(ranked, 0.6)
    for locale, share in others.items():
        pairs += _share(_weighted(_provider(locale).last_names), share)
    pairs += _share(_weighted(EXTRA_LAST_NAMES), 0.05)
    return Pool.of(pairs)


def first_names(sex: str) -> Pool[str]:
    attribute = "first_names_female" if sex == "F" else "first_names_male"
    modern, compound = (MODERN_FEMALE, COMPOUND_FEMALE) if sex == "F" else (MODERN_MALE, COMPOUND_MALE)
    pairs = _share(_weighted(getattr(_provider("fr_BE"), attribute)), 0.45)
    pairs += _share(_weighted(getattr(_provider("fr_FR"), attribute)), 0.25)
    pairs += _share(_weighted(getattr(_provider("fr_CA"), attribute)), 0.05)
    pairs += _share(_weighted(getattr(_provider("fr_DZ"), attribute)), 0.05)
    pairs += _share(_weighted(modern), 0.12)
    pairs += _share(_weighted(compound), 0.08)
    return Pool.of(pairs)
