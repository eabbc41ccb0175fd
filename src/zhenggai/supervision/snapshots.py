"""每日快照: the sweep writes each unit's figures once a day; the trend charts read them back.

Two set-based statements per basis (DELETE the day's rows, INSERT … SELECT grouped by unit), whatever the
number of measures. History is exact: an extension approved later does not rewrite last month's overdue
count, and a day before the first sweep is shown as no data, not as zero.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus
from zhenggai.ledger.models import Measure
from zhenggai.ledger.querysets import path_q, scope_paths
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import DailySnapshot, SnapshotBasis
from zhenggai.supervision.sql import insert_select

if TYPE_CHECKING:
    from zhenggai.ledger.querysets import AnyUser

FIGURES = ["measures", "open", "done", "overdue", "red", "yellow", "blue", "stale", "green"]
_UNIT_FIELD = {SnapshotBasis.UNIT: "inspection__inspected_unit", SnapshotBasis.DEPARTMENT: "lead_department"}


def write_snapshots(today: dt.date) -> int:
    """Replace today's snapshot rows with the figures as they stand now; returns the rows written."""
    DailySnapshot.objects.filter(day=today).delete()
    open_q = Q(status__in=OPEN_STATUSES)
    counts: dict[str, Any] = {
        "n_measures": Count("pk"),
        "n_open": Count("pk", filter=open_q),
        "n_done": Count("pk", filter=Q(status__in=(MeasureStatus.DONE, MeasureStatus.ONGOING))),
        "n_overdue": Count("pk", filter=open_q & Q(deadline__lt=today)),
        **{f"n_{c}": Count("pk", filter=Q(light__colour=c)) for c in ("red", "yellow", "blue", "stale")},
        # a measure not done without a light row has not been swept yet: green until the rules say otherwise
        "n_green": Count("pk", filter=~Q(status=MeasureStatus.DONE) & (Q(light__colour=Colour.GREEN))),
    }
    written = 0
    for basis, field in _UNIT_FIELD.items():
        rows = (
            Measure.objects.filter(**{f"{field}__isnull": False})
            .order_by()
            .values(field)
            .annotate(snap_day=Value(today), snap_basis=Value(basis.value), **counts)
            .values_list(field, "snap_day", "snap_basis", *(f"n_{name}" for name in FIGURES))
        )
        written += insert_select(DailySnapshot, ["unit", "day", "basis", *FIGURES], rows)
    return written


def snapshots_for(user: AnyUser, basis: SnapshotBasis = SnapshotBasis.UNIT) -> Any:
    """The snapshot rows of the units `user` oversees (their subtree), of one basis."""
    rows = DailySnapshot.objects.filter(basis=basis)
    paths = scope_paths(user)
    return rows if paths is None else rows.filter(path_q("unit__path", paths))


def daily_series(user: AnyUser, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One point a day from `start` to `end`: the sums over the user's units, or None where no sweep ran."""
    sums = {
        row["day"]: row
        for row in snapshots_for(user)
        .filter(day__gte=start, day__lte=end)
        .order_by()
        .values("day")
        .annotate(**{name: Coalesce(Sum(name), 0, output_field=IntegerField()) for name in FIGURES})
    }
    series = []
    day = start
    while day <= end:
        row = sums.get(day)
        series.append({"day": day, **{name: (row[name] if row else None) for name in FIGURES}})
        day += dt.timedelta(days=1)
    return series
