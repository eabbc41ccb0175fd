"""Working days: Monday to Friday, except public holidays, plus 调休 working weekend days (CalendarDay)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).parent / "fixtures" / "holidays.json"


def shipped_days() -> list[tuple[dt.date, bool, str]]:
    """(day, is_workday, note) for every day in holidays.json: what the data migration loads (fixtures/holidays.json)."""
    data: dict[str, Any] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    days: list[tuple[dt.date, bool, str]] = []
    for year, kinds in data.items():
        if not year.isdigit():
            continue
        for key, workday in (("off", False), ("work", True)):
            for note, dates in kinds[key].items():
                days.extend((dt.date.fromisoformat(d), workday, note) for d in dates)
    return days


class Calendar:
    """The exceptions between two dates, read in one query."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        from zhenggai.portal.models import CalendarDay

        self.exceptions: dict[dt.date, bool] = dict(
            CalendarDay.objects.filter(day__range=(start, end)).values_list("day", "is_workday")
        )

    def is_workday(self, day: dt.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the day of receipt does not count)."""
    calendar = Calendar(start, start + dt.timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day
