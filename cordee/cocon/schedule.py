"""COC-3: the Cocon calendar — each notebook's due window, computed from the birth date, on the
corrected age for preterm babies up to 24 months (HAS 2020: corrected age for development up to
a chronological age of two years), on the chronological age after."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

TERM_DAYS = 280  # 40 weeks
PRETERM_DAYS = 37 * 7


@dataclass(frozen=True)
class Step:
    code: str  # the notebook's questionnaire code
    label: str
    age: relativedelta  # the consultation's target age
    opens: relativedelta  # window, from the (corrected) birth date
    closes: relativedelta
    corrected: bool  # whether corrected age applies (steps up to 24 months)

    @property
    def short(self) -> str:
        return self.label.removeprefix("Suivi des ")


def _m(months: int, days: int = 0) -> relativedelta:
    return relativedelta(months=months, days=days)


STEPS: tuple[Step, ...] = (
    Step("cocon-3-mois", "Suivi des 3 mois", _m(3), _m(2, 15), _m(4, 15), True),
    Step("cocon-6-mois", "Suivi des 6 mois", _m(6), _m(5), _m(7, 15), True),
    Step("cocon-9-mois", "Suivi des 9 mois", _m(9), _m(8), _m(10, 15), True),
    Step("cocon-12-mois", "Suivi des 12 mois", _m(12), _m(11), _m(14), True),
    Step("cocon-18-mois", "Suivi des 18 mois", _m(18), _m(16), _m(20), True),
    Step("cocon-24-mois", "Suivi des 24 mois", _m(24), _m(23), _m(27), True),
    Step("cocon-3-ans", "Suivi des 3 ans", _m(36), _m(35), _m(42), False),
    Step("cocon-4-ans", "Suivi des 4 ans", _m(48), _m(47), _m(54), False),
    Step("cocon-5-ans", "Suivi des 5 ans", _m(60), _m(59), _m(66), False),
    Step("cocon-6-ans", "Suivi des 6 ans", _m(72), _m(71), _m(78), False),
    Step("cocon-7-ans", "Suivi des 7 ans", _m(84), _m(83), _m(90), False),
)
BY_CODE = {step.code: step for step in STEPS}
MOBILE_TEAM_CODE = "cocon-equipe-mobile"


class State(enum.StrEnum):
    UPCOMING = "upcoming"  # window not open yet
    DUE = "due"  # window open, no closed notebook
    LATE = "late"  # window closed, the next one not open yet: still worth doing
    MISSING = "missing"  # the next window has opened: this consultation is missed
    DONE = "done"  # a closed notebook, consultation within the window
    DONE_LATE = "done_late"  # a closed notebook, consultation after the window

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.UPCOMING: "À venir",
    State.DUE: "À faire",
    State.LATE: "En retard",
    State.MISSING: "Manquant",
    State.DONE: "Fait",
    State.DONE_LATE: "Fait en retard",
}


def corrected_birth_date(birth: datetime.date, gestational_age_days: int | None) -> datetime.date:
    """Corrected age = chronological age − (40 weeks − gestational age): the date from which a
    preterm baby's corrected age counts. Term babies: the birth date."""
    if gestational_age_days is None or gestational_age_days >= PRETERM_DAYS:
        return birth
    return birth + datetime.timedelta(days=TERM_DAYS - gestational_age_days)


@dataclass(frozen=True)
class Window:
    step: Step
    opens: datetime.date
    closes: datetime.date  # last day of the window
    target: datetime.date


def windows(birth: datetime.date, gestational_age_days: int | None) -> list[Window]:
    """Every step's window. relativedelta clamps month ends (born 31 Jan → 28/29 Feb + …) and
    leap days (born 29 Feb → 28 Feb in common years)."""
    corrected = corrected_birth_date(birth, gestational_age_days)
    rows = []
    for step in STEPS:
        origin = corrected if step.corrected else birth
        rows.append(
            Window(
                step=step,
                opens=origin + step.opens,
                closes=origin + step.closes - datetime.timedelta(days=1),
                target=origin + step.age,
            )
        )
    return rows


def missed_from(window: Window, next_window: Window | None) -> datetime.date:
    """Late while the next consultation's window is not open (the last one: six months more)."""
    return next_window.opens if next_window is not None else window.closes + relativedelta(months=6)


def state(
    window: Window, next_window: Window | None, today: datetime.date, done_on: datetime.date | None
) -> State:
    if done_on is not None:
        return State.DONE if done_on <= window.closes else State.DONE_LATE
    if today < window.opens:
        return State.UPCOMING
    if today <= window.closes:
        return State.DUE
    return State.LATE if today < missed_from(window, next_window) else State.MISSING
