"""The overview's charts (loaded by HTMX): completion by unit, colours, overdue by department, daily trend.

Every figure comes from stored rows (UnitTally for completion, DailySnapshot for colours, departments and
the trend), in a fixed number of queries whatever the number of units. Each chart is drawn by ECharts in the
browser from JSON in the page (json_script), and its numbers are in a table beside it for print and screen
readers. Days before the first sweep are no data (a gap in the line), never zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhenggai.ledger.querysets import scope_is_whole
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import DailySnapshot, SnapshotBasis
from zhenggai.supervision.snapshots import daily_series, snapshots_for, totals_for
from zhenggai.web.views.common import MANAGERS, require_roles
from zhenggai.web.views.overview import as_row, unit_rows

TOP_N = 10
TREND_DAYS = 84  # twelve weeks, a point a day
COLOURS = [  # (figure, label, colour on screen)
    ("red", "红灯", "#d93026"),
    ("yellow", "黄灯", "#e6a100"),
    ("blue", "蓝灯", "#3370ff"),
    ("stale", "灰灯（久未报送）", "#8f959e"),
    ("green", "绿灯", "#2ba471"),
]
assert {name for name, _, _ in COLOURS} == {c.value for c in Colour}


def _latest(rows: QuerySet[Any]) -> dt.date | None:
    day: dt.date | None = rows.aggregate(day=Max("day"))["day"]
    return day


def completion(request: HttpRequest) -> dict[str, Any]:
    """The units with the lowest and the highest completion rate (at least one measure)."""
    rows = unit_rows(request).filter(measures__gt=0)
    lowest = [as_row(row) for row in rows.order_by("rate", "name", "path")[:TOP_N]]
    highest = [as_row(row) for row in rows.order_by("-rate", "name", "path")[:TOP_N]]

    def bars(units: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "names": [row["unit__name"] for row in units],
            "values": [round(row["rate"], 1) for row in units],
            "done": [row["done"] or 0 for row in units],
            "measures": [row["measures"] or 0 for row in units],
        }

    return {"lowest": bars(lowest), "highest": bars(highest), "rows": lowest}


def colours(request: HttpRequest, day: dt.date | None) -> list[dict[str, Any]]:
    if day is None:
        return []
    sums = totals_for(request.user).filter(day=day).aggregate(**{n: Sum(n) for n, _, _ in COLOURS})
    return [{"name": label, "value": sums[name] or 0, "color": colour} for name, label, colour in COLOURS]


def departments(request: HttpRequest) -> list[dict[str, Any]]:
    """Lead departments with the most overdue measures on the latest day."""
    rows = (
        DailySnapshot.objects.filter(basis=SnapshotBasis.DEPARTMENT)
        if scope_is_whole(request.user)  # along the (basis, day) index, no join with every unit
        else snapshots_for(request.user, SnapshotBasis.DEPARTMENT)
    )
    day = _latest(rows)
    if day is None:
        return []
    overdue = rows.filter(day=day, overdue__gt=0)
    # Only the rows at or above the TOP_N-th largest count (one sort of the day's counts, no join) are joined with
    # their units for the names: the same ten, where joining every department first took 6–16 ms on PostgreSQL.
    tenth = overdue.order_by("-overdue").values("overdue")[TOP_N - 1 : TOP_N]
    top = (
        overdue.filter(overdue__gte=Coalesce(Subquery(tenth), Value(1)))
        .order_by("-overdue", "unit__name")
        .values("unit__name", "unit__parent__short_name", "unit__parent__name", "overdue", "open")[:TOP_N]
    )
    return [
        {
            "name": row["unit__name"],
            "parent": row["unit__parent__short_name"] or row["unit__parent__name"] or "",
            "overdue": row["overdue"],
            "open": row["open"],
        }
        for row in top
    ]


def charts(request: HttpRequest) -> HttpResponse:
    require_roles(request, MANAGERS, "整改总览供单位领导和巡察办使用。")
    today = timezone.localdate()
    day = _latest(totals_for(request.user))
    trend = daily_series(request.user, today - dt.timedelta(days=TREND_DAYS - 1), today)
    units = completion(request)
    lowest_rows = units.pop("rows")
    data = {
        "completion": units,
        "colours": colours(request, day),
        "departments": departments(request),
        "trend": {
            "days": [f"{p['day'].month}月{p['day'].day}日" for p in trend],
            "open": [p["open"] for p in trend],
            "overdue": [p["overdue"] for p in trend],
            "red": [p["red"] for p in trend],
        },
    }
    context = {
        "data": data,
        "lowest_rows": lowest_rows,
        "as_of": day,
        "trend_rows": [p for p in trend if p["open"] is not None][-14:],
        "trend_days": sum(1 for p in trend if p["open"] is not None),
    }
    return render(request, "web/partials/charts.html", context)
