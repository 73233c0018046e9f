"""COC-3: the calendar's arithmetic — corrected age, window boundaries, leap years and month ends —
as properties over any birth date and gestational age, and the state of a step day by day."""

from __future__ import annotations

import datetime
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import example, given
from hypothesis import strategies as st

from cordee.cocon.schedule import (
    BY_CODE,
    PRETERM_DAYS,
    STEPS,
    TERM_DAYS,
    State,
    Window,
    corrected_birth_date,
    missed_from,
    state,
    windows,
)

births = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2060, 12, 31))
# 22 to 44 weeks of amenorrhoea, plus 0-6 days (the form's and the model's bounds).
gestational_ages = st.integers(min_value=22 * 7, max_value=44 * 7 + 6)
month_ends_and_leap_days = [
    datetime.date(2024, 2, 29),
    datetime.date(2023, 1, 31),
    datetime.date(2024, 1, 31),
    datetime.date(2023, 8, 31),
    datetime.date(2023, 12, 31),
    datetime.date(2023, 11, 30),
]


def test_the_calendar_has_eleven_steps_the_first_six_on_corrected_age() -> None:
    assert [step.code for step in STEPS] == [
        "cocon-3-mois", "cocon-6-mois", "cocon-9-mois", "cocon-12-mois", "cocon-18-mois",
        "cocon-24-mois", "cocon-3-ans", "cocon-4-ans", "cocon-5-ans", "cocon-6-ans", "cocon-7-ans",
    ]  # fmt: skip
    assert [step.corrected for step in STEPS] == [True] * 6 + [False] * 5
    assert [step.age for step in STEPS] == [relativedelta(months=m) for m in (3, 6, 9, 12, 18, 24)] + [
        relativedelta(months=12 * y) for y in (3, 4, 5, 6, 7)
    ]


@given(birth=births, ga=gestational_ages)
@example(birth=datetime.date(2024, 2, 29), ga=22 * 7)
@example(birth=datetime.date(2024, 2, 29), ga=40 * 7)
@example(birth=datetime.date(2023, 1, 31), ga=36 * 7 + 6)
@example(birth=datetime.date(2023, 12, 31), ga=22 * 7)
@example(birth=datetime.date(2023, 8, 31), ga=44 * 7 + 6)
def test_windows_are_ordered_and_consecutive_ones_do_not_overlap(birth: datetime.date, ga: int) -> None:
    rows = windows(birth, ga)
    assert [row.step for row in rows] == list(STEPS)
    for row in rows:
        assert birth < row.opens <= row.target <= row.closes
    for before, after in itertools.pairwise(rows):
        assert before.closes < after.opens, (before.step.code, after.step.code)
        assert before.target < after.target
        assert missed_from(before, after) == after.opens
    last = rows[-1]
    assert missed_from(last, None) == last.closes + relativedelta(months=6)


@given(birth=births, ga=st.integers(min_value=PRETERM_DAYS, max_value=44 * 7 + 6))
@example(birth=datetime.date(2024, 2, 29), ga=37 * 7)
def test_term_babies_use_the_birth_date(birth: datetime.date, ga: int) -> None:
    assert corrected_birth_date(birth, ga) == birth
    assert windows(birth, ga) == windows(birth, None)
    for row in windows(birth, ga):
        assert row.target == birth + row.step.age
        assert row.opens == birth + row.step.opens
        assert row.closes == birth + row.step.closes - datetime.timedelta(days=1)


@given(birth=births, ga=st.integers(min_value=22 * 7, max_value=PRETERM_DAYS - 1))
@example(birth=datetime.date(2024, 2, 29), ga=36 * 7 + 6)
@example(birth=datetime.date(2023, 1, 31), ga=26 * 7 + 3)
@example(birth=datetime.date(2023, 12, 31), ga=22 * 7)
def test_preterm_steps_up_to_24_months_count_from_the_due_date(birth: datetime.date, ga: int) -> None:
    shift = TERM_DAYS - ga
    due = birth + datetime.timedelta(days=shift)
    assert corrected_birth_date(birth, ga) == due
    preterm, chronological, born_at_term_on_due_date = (
        windows(birth, ga),
        windows(birth, None),
        windows(due, None),
    )
    for row, chrono, at_term in zip(preterm, chronological, born_at_term_on_due_date, strict=True):
        if row.step.corrected:
            # Exactly the windows of a baby born at term on the due date (months counted from it)…
            assert (row.opens, row.target, row.closes) == (at_term.opens, at_term.target, at_term.closes)
            # …which is the chronological window moved by 280 − GA days, give or take the length of
            # the months crossed (calendar months are counted from a different day): 3 days at most.
            for moved, plain in ((row.opens, chrono.opens), (row.target, chrono.target)):
                assert abs((moved - plain).days - shift) <= 3, (row.step.code, moved, plain, shift)
        else:
            assert row == chrono  # from 3 years, chronological age


@pytest.mark.parametrize(
    ("birth", "ga"),
    [
        (datetime.date(2025, 3, 1), 30 * 7),  # shift 70 days, no month end nor February crossed
        (datetime.date(2025, 4, 10), 33 * 7 + 2),
    ],
)
def test_a_preterm_shift_is_exactly_280_minus_ga_days_when_months_align(
    birth: datetime.date, ga: int
) -> None:
    """The 3-month target of a baby born on the 1st or 10th: the corrected and plain calendars differ
    by exactly the prematurity, in days."""
    preterm, plain = windows(birth, ga)[0], windows(birth, None)[0]
    due = birth + datetime.timedelta(days=TERM_DAYS - ga)
    assert preterm.target == due + relativedelta(months=3)
    assert preterm.opens == due + relativedelta(months=2, days=15)
    assert plain.target == birth + relativedelta(months=3)


def test_a_ga_boundary_36_plus_6_is_preterm_37_plus_0_is_not() -> None:
    birth = datetime.date(2025, 1, 10)
    assert corrected_birth_date(birth, 36 * 7 + 6) == birth + datetime.timedelta(days=TERM_DAYS - 36 * 7 - 6)
    assert corrected_birth_date(birth, 37 * 7) == birth
    assert corrected_birth_date(birth, None) == birth


def test_a_baby_born_on_29_february_2024_12_month_window() -> None:
    birth = datetime.date(2024, 2, 29)
    twelve = next(row for row in windows(birth, 39 * 7) if row.step.code == "cocon-12-mois")
    assert twelve.opens == datetime.date(2025, 1, 29)  # 11 months
    assert twelve.target == datetime.date(2025, 2, 28)  # no 29/02/2025: clamped to the 28th
    assert twelve.closes == datetime.date(2025, 4, 28)  # 14 months, minus one day
    # Preterm at 30 weeks: due date 09/05/2024.
    corrected = next(row for row in windows(birth, 30 * 7) if row.step.code == "cocon-12-mois")
    assert (corrected.opens, corrected.target, corrected.closes) == (
        datetime.date(2025, 4, 9),
        datetime.date(2025, 5, 9),
        datetime.date(2025, 7, 8),
    )
    # The 4-year step of a leap-day baby lands on the next 29 February.
    four = next(row for row in windows(birth, 39 * 7) if row.step.code == "cocon-4-ans")
    assert four.target == datetime.date(2028, 2, 29)


def test_a_baby_born_on_31_january_3_month_window_ends_on_month_ends() -> None:
    birth = datetime.date(2025, 1, 31)
    three = windows(birth, None)[0]
    assert three.opens == datetime.date(2025, 4, 15)  # 31/03 + 15 days
    assert three.target == datetime.date(2025, 4, 30)  # 31/04 does not exist
    assert three.closes == datetime.date(2025, 6, 14)


# --- state, day by day ------------------------------------------------------------------------------


def _pair(birth: datetime.date = datetime.date(2025, 1, 10), index: int = 0) -> tuple[Window, Window | None]:
    rows = windows(birth, 32 * 7)
    return rows[index], rows[index + 1] if index + 1 < len(rows) else None


ONE_DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_state_boundaries(index: int) -> None:
    window, following = _pair(index=index)
    missed = missed_from(window, following)
    assert state(window, following, window.opens - ONE_DAY, None) == State.UPCOMING
    assert state(window, following, window.opens, None) == State.DUE
    assert state(window, following, window.target, None) == State.DUE
    assert state(window, following, window.closes, None) == State.DUE
    assert state(window, following, window.closes + ONE_DAY, None) == State.LATE
    assert state(window, following, missed - ONE_DAY, None) == State.LATE
    assert state(window, following, missed, None) == State.MISSING
    assert state(window, following, missed + relativedelta(years=3), None) == State.MISSING
    # Done: on time up to the window's last day, late after; whatever "today" is.
    for today in (window.opens - ONE_DAY, window.closes, missed + ONE_DAY):
        assert state(window, following, today, window.opens) == State.DONE
        assert state(window, following, today, window.closes) == State.DONE
        assert state(window, following, today, window.closes + ONE_DAY) == State.DONE_LATE
    # A notebook whose consultation predates the window (done early) counts as done.
    assert state(window, following, window.opens, window.opens - ONE_DAY) == State.DONE


def test_the_last_step_is_missing_six_months_after_its_window() -> None:
    window, following = _pair(index=len(STEPS) - 1)
    assert following is None
    assert window.step == BY_CODE["cocon-7-ans"]
    six_months_on = window.closes + relativedelta(months=6)
    assert state(window, None, six_months_on - ONE_DAY, None) == State.LATE
    assert state(window, None, six_months_on, None) == State.MISSING


@given(birth=births, ga=gestational_ages, offset=st.integers(min_value=-400, max_value=3500))
def test_exactly_one_step_is_due_or_none_and_states_progress_in_order(
    birth: datetime.date, ga: int, offset: int
) -> None:
    """On any day, at most one step's window is open; earlier steps are never "upcoming" while a
    later one is past it."""
    rows = windows(birth, ga)
    today = birth + datetime.timedelta(days=offset)
    states = [
        state(row, rows[i + 1] if i + 1 < len(rows) else None, today, None) for i, row in enumerate(rows)
    ]
    assert sum(1 for s in states if s == State.DUE) <= 1
    order = [State.MISSING, State.LATE, State.DUE, State.UPCOMING]
    ranks = [order.index(s) for s in states]
    assert ranks == sorted(ranks)
    assert sum(1 for s in states if s == State.LATE) <= 1
