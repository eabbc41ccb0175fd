"""指标 tables: the units whose indicators a user may see, a unit's indicators of a year with their colours, and
the chart of their execution rates. Read by the pages and by `zhenggai indicator`."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.querysets import path_q, scope_paths
from zhenggai.supervision.indicators import colour_for, schedule
from zhenggai.supervision.models import Indicator, IndicatorActual

MAX_UNITS = 500  # units offered in the picker; a supervisor over more picks by the address (?unit=)


def unit_choices(user: User) -> list[Unit]:
    """Units (not departments) whose indicators the user may see: in scope, or above a department of theirs."""
    paths = scope_paths(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT)
    if paths is not None:
        parents = Membership.objects.filter(user=user, unit__kind=UnitKind.DEPARTMENT).values("unit__parent")
        units = units.filter(path_q("path", paths) | Q(pk__in=parents))
    return list(units.order_by("path")[:MAX_UNITS])


@dataclass
class Row:
    indicator: Indicator
    latest: IndicatorActual | None
    rate: Decimal
    colour: str
    gap: Decimal
    writable: bool


def rows_for(user: User, unit: Unit, year: int, on: dt.date) -> list[Row]:
    """The unit's indicators of the year with the latest actual on or before `on`, rate, colour and gap
    (rate − 序时进度, in percentage points); red first, then yellow (lowest rate first), green, retired."""
    indicators = (
        Indicator.objects.visible_to(user)
        .filter(unit=unit, year=year)
        .select_related("department", "unit", "measure")
        .prefetch_related(
            Prefetch(
                "actuals",
                IndicatorActual.objects.filter(on_date__lte=on).order_by("-on_date"),
                to_attr="recent",
            )
        )
        .order_by("retired_at", "name", "pk")
    )
    line = schedule(on, year)
    # can_write for every row in two queries: a leader of the unit writes all; staff and department leaders
    # write their departments' indicators.
    leads = has_role(user, unit, Role.LEADER)
    own: set[int] = set()
    if not leads and user.pk is not None:  # an unsaved reader (the CLI's operator) writes nothing
        own = set(
            Membership.objects.filter(
                user=user, role__in=[Role.STAFF, Role.LEADER], unit__parent=unit
            ).values_list("unit_id", flat=True)
        )
    rows = []
    for indicator in indicators:
        latest = indicator.recent[0] if indicator.recent else None  # type: ignore[attr-defined]
        value = latest.value if latest else Decimal(0)
        rate = (value * 100 / indicator.target).quantize(Decimal("0.1"))
        colour = "" if indicator.retired_at else colour_for(value, indicator.target, on, year)
        writable = leads or (indicator.department_id in own and user.is_active)
        rows.append(Row(indicator, latest, rate, colour, rate - line, writable))
    order = {"red": 0, "yellow": 1, "green": 2, "": 3}  # reddest first, retired last
    return sorted(
        rows, key=lambda r: (order[r.colour], r.rate if r.colour != "green" else 0, r.indicator.name)
    )


CHART_COLOURS = {"red": "#d93026", "yellow": "#e6a100", "green": "#2e9e44", "": "#adb5bd"}


def chart_data(rows: list[Row], year: int, on: dt.date) -> dict[str, Any]:
    """Each current project's rate at each month's end up to `on` (the latest actual by then; None before
    the first report), and the 序时进度 of those days: for charts.js's `execution` builder."""
    ends = []
    for month in range(1, 13):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(end, on))
        if end >= on:
            break
    actuals: dict[int, list[tuple[dt.date, Decimal]]] = {}
    current = [r for r in rows if r.indicator.retired_at is None]
    for indicator_id, on_date, value in (
        IndicatorActual.objects.filter(indicator__in=[r.indicator.pk for r in current], on_date__lte=on)
        .order_by("on_date")
        .values_list("indicator_id", "on_date", "value")
    ):
        actuals.setdefault(indicator_id, []).append((on_date, value))
    projects = []
    for r in current:
        series = actuals.get(r.indicator.pk, [])
        rates: list[float | None] = []
        for end in ends:
            latest = [value for day, value in series if day <= end]
            rates.append(
                float((latest[-1] * 100 / r.indicator.target).quantize(Decimal("0.1"))) if latest else None
            )
        projects.append({"name": r.indicator.name, "rates": rates, "color": CHART_COLOURS[r.colour]})
    return {
        "execution": {
            "months": [f"{end.month}月{end.day}日" if end == on else f"{end.month}月" for end in ends],
            "schedule": [float(schedule(end, year)) for end in ends],
            "projects": projects,
        }
    }
