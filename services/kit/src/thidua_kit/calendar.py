"""The Vietnamese state employees' working calendar: statutory holidays from the `holidays`
library, the Government's yearly extra days off and swapped Saturdays from our data file."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import holidays
import yaml

from thidua_contracts.workdays import WorkCalendar


def state_calendar(years: range) -> WorkCalendar:
    statutory = holidays.country_holidays("VN", years=list(years))
    official = yaml.safe_load(
        files("thidua_kit").joinpath("data", "vn-state-calendar.yaml").read_text("utf-8")
    )
    extra: set[date] = set()
    swaps: set[date] = set()
    for year in years:
        notice = official.get(year, {})
        extra.update(date.fromisoformat(d) for d in notice.get("days_off", []))
        swaps.update(date.fromisoformat(d) for d in notice.get("swap_workdays", []))
    return WorkCalendar(days_off=frozenset(set(statutory) | extra), swap_workdays=frozenset(swaps))
