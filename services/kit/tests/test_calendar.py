"""The state working calendar (DOMAIN §8): 2022's official days off, swaps, lateness."""

from __future__ import annotations

from datetime import date

from thidua_kit.calendar import state_calendar

CALENDAR = state_calendar(range(2021, 2027))


def test_2022_weekdays_off_are_exactly_the_official_ones() -> None:
    lost = sorted(d for d in CALENDAR.days_off if d.year == 2022 and d.weekday() < 5)
    assert [d.strftime("%d/%m") for d in lost] == [
        "03/01",
        "31/01",
        "01/02",
        "02/02",
        "03/02",
        "04/02",
        "11/04",
        "02/05",
        "03/05",
        "01/09",
        "02/09",
    ]


def test_a_swapped_saturday_is_worked_and_its_friday_is_off() -> None:
    assert CALENDAR.is_working_day(date(2025, 5, 17))
    assert not CALENDAR.is_working_day(date(2025, 5, 2))
    assert not CALENDAR.is_working_day(date(2022, 5, 21))  # an ordinary Saturday


def test_counting_starts_the_day_after_and_skips_days_off() -> None:
    # Received Friday 8/4/2022: Monday 11/4 is Giỗ Tổ (compensatory), so day 1 is Tuesday 12/4.
    assert CALENDAR.add_working_days(date(2022, 4, 8), 1) == date(2022, 4, 12)
    # Ten working days from Friday 28/1/2022 cross the whole Tết break.
    assert CALENDAR.add_working_days(date(2022, 1, 28), 10) == date(2022, 2, 18)


def test_lateness_in_working_days() -> None:
    due = date(2022, 7, 29)  # a Friday
    assert CALENDAR.working_days_late(due, date(2022, 7, 29)) == 0
    assert CALENDAR.working_days_late(due, date(2022, 7, 30)) == 1  # Saturday: received Monday
    assert CALENDAR.working_days_late(due, date(2022, 8, 5)) == 5
    # A deadline on a Saturday moves to Monday; Monday is on time.
    assert CALENDAR.working_days_late(date(2022, 7, 30), date(2022, 8, 1)) == 0
    # Friday 26/8/2022 → Tuesday 6/9: 29–31/8 and 5–6/9; 1–2/9 are Quốc khánh.
    assert CALENDAR.working_days_late(date(2022, 8, 26), date(2022, 9, 6)) == 5
