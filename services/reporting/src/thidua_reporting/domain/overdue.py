"""Who is past the limit of which step, counted in working days on the state calendar (DOMAIN
§5.4, §8.4). Pure: the steps and the calendar come in, the rows go out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from thidua_contracts.workdays import WorkCalendar

STEP_ORDER = ("report", "appraisal", "notice", "higher_answer")


@dataclass(frozen=True)
class Step:
    step: str  # report, appraisal, notice, higher_answer
    what: str  # the round, the award code, the Tờ trình number
    who: str  # the unit or nominee concerned
    owner: str  # who has to act
    due_on: datetime.date


def working_days_after(calendar: WorkCalendar, due: datetime.date, as_of: datetime.date) -> int:
    """Working days that have passed since the (effective) deadline, up to and including
    `as_of`: a day off today does not count yet (unlike a late submission, which is received
    on the next working day)."""
    day, count = calendar.effective_deadline(due), 0
    while day < as_of:
        day += datetime.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def overdue_steps(
    steps: list[Step], as_of: datetime.date, calendar: WorkCalendar
) -> list[dict[str, Any]]:
    """The steps whose deadline has passed by `as_of`, the longest overdue first within a step."""
    rows: list[dict[str, Any]] = []
    for step in steps:
        days = working_days_after(calendar, step.due_on, as_of)
        if days <= 0:
            continue
        rows.append(
            {
                "step": step.step,
                "what": step.what,
                "who": step.who,
                "owner": step.owner,
                "due_on": step.due_on.isoformat(),
                "working_days_overdue": days,
            }
        )
    rows.sort(
        key=lambda r: (STEP_ORDER.index(r["step"]), -int(r["working_days_overdue"]), r["who"])
    )
    return rows
