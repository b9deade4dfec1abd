"""Working days (ngày làm việc) for deadlines, DOMAIN §8.4: Monday–Friday, minus holidays and
compensatory days off, plus Saturdays designated as swapped working days. Pure and stdlib-only,
so an auditor re-deriving a lateness flag needs nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date]  # public holidays and compensatory days
    swap_workdays: frozenset[date] = frozenset()  # weekend days worked in exchange

    def is_working_day(self, day: date) -> bool:
        if day in self.swap_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (counting starts the day after receipt)."""
        day, counted = start, 0
        while counted < n:
            day += DAY
            counted += self.is_working_day(day)
        return day

    def effective_deadline(self, due: date) -> date:
        """A deadline that falls on a day off moves to the next working day (BLDS 2015 Điều 148)."""
        day = due
        while not self.is_working_day(day):
            day += DAY
        return day

    def working_days_late(self, due: date, done: date) -> int:
        """How many working days after the (effective) deadline a submission was received; 0 if
        on time. Something handed in on a day off is received the next working day (NĐ30)."""
        deadline = self.effective_deadline(due)
        received = self.effective_deadline(done)
        late, day = 0, deadline
        while day < received:
            day += DAY
            late += self.is_working_day(day)
        return late
