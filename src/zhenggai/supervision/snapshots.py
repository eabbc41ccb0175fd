"""每日快照: the sweep writes each unit's figures once a day; the trend charts read them back.

Two set-based statements per basis (DELETE the day's rows, INSERT … SELECT grouped by unit), whatever the
number of measures. History is exact: an extension approved later does not rewrite last month's overdue
count, and a day before the first sweep is shown as no data, not as zero.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, IntegerField, Max, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Length

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus
from zhenggai.ledger.models import Measure, Reach, Unit
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.ledger.querysets import path_q, reach_q, scope_paths
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import DailySnapshot, MeasureLight, SnapshotBasis
from zhenggai.supervision.sql import column_list, insert_select, table

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
        # as the overview counts: 持续推进 (signed off as ongoing) is not 已完成
        "n_open": Count("pk", filter=~Q(status=MeasureStatus.DONE)),
        "n_done": Count("pk", filter=Q(status=MeasureStatus.DONE)),
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
    written += _roll_up(today) + _scope_totals(today)
    return written


def _roll_up(today: dt.date) -> int:
    """Subtree sums (basis TREE) for each unit on the path of an inspected unit, a statement per tree level.

    A path is the ancestors' zero-padded ids ("000000001/000000007/…"), so the ancestor at a level is read off
    the path itself: no join of every unit with every other."""
    deepest = Unit.objects.filter(snapshots__day=today, snapshots__basis=SnapshotBasis.UNIT).aggregate(
        n=Max(Length("path"))
    )["n"]
    snapshot, unit = table(DailySnapshot), table(Unit)
    sums = ", ".join(f"SUM(s.{name})" for name in FIGURES)
    day = connection.ops.adapt_datefield_value(today)
    written = 0
    with connection.cursor() as cursor:
        for offset in range(0, int(deepest or 0), PATH_STEP):
            cursor.execute(
                f"INSERT INTO {snapshot} ({column_list(DailySnapshot, ['unit', 'day', 'basis', *FIGURES])}) "
                f"SELECT CAST(SUBSTR(u.path, {offset + 1}, {PATH_STEP - 1}) AS INTEGER) AS ancestor, %s, %s, "
                f"{sums} FROM {snapshot} s JOIN {unit} u ON u.id = s.unit_id "
                f"WHERE s.day = %s AND s.basis = %s AND LENGTH(u.path) > {offset} "
                "GROUP BY CAST(SUBSTR(u.path, " + f"{offset + 1}, {PATH_STEP - 1}) AS INTEGER)",
                [day, SnapshotBasis.TREE.value, day, SnapshotBasis.UNIT.value],
            )
            written += int(cursor.rowcount)
    return written


def _scope_totals(today: dt.date) -> int:
    """Per unit (basis SCOPE), the colours of the lights its subtree reaches through ledger.Reach, each measure
    once however many of its units (inspected unit, lead and cooperating departments) lie in the subtree: what
    `visible_to` lists for a member of that unit, so the warnings page's counts equal its rows.

    A statement per tree level: the (ancestor at that level, measure) pairs, de-duplicated, joined with the
    lights. Only `measures` and `open` (both: the lit measures) and the colours are filled (`done` and `overdue` 0); measures signed off
    have no light and are not counted."""
    deepest = Unit.objects.aggregate(n=Max(Length("path")))["n"]
    snapshot, unit, reach, light = table(DailySnapshot), table(Unit), table(Reach), table(MeasureLight)
    colours = ", ".join(
        f"SUM(CASE WHEN l.colour = '{c.value}' THEN 1 ELSE 0 END)"
        for c in (Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.STALE, Colour.GREEN)
    )
    columns = column_list(
        DailySnapshot, ["unit", "day", "basis", "measures", "open", "done", "overdue", *SCOPE_COLOURS]
    )
    day = connection.ops.adapt_datefield_value(today)
    written = 0
    with connection.cursor() as cursor:
        for offset in range(0, int(deepest or 0), PATH_STEP):
            cursor.execute(
                f"INSERT INTO {snapshot} ({columns}) "
                f"SELECT pair.ancestor, %s, %s, COUNT(*), COUNT(*), 0, 0, {colours} FROM ("
                f"SELECT DISTINCT CAST(SUBSTR(u.path, {offset + 1}, {PATH_STEP - 1}) AS INTEGER) AS ancestor, "
                f"r.measure_id FROM {reach} r JOIN {unit} u ON u.id = r.unit_id "
                f"WHERE r.measure_id IS NOT NULL AND LENGTH(u.path) > {offset}"
                f") pair JOIN {light} l ON l.measure_id = pair.measure_id GROUP BY pair.ancestor",
                [day, SnapshotBasis.SCOPE.value],
            )
            written += int(cursor.rowcount)
    return written


SCOPE_COLOURS = ["red", "yellow", "blue", "stale", "green"]


def snapshots_for(user: AnyUser, basis: SnapshotBasis = SnapshotBasis.UNIT) -> Any:
    """The snapshot rows of the units `user` oversees (their subtree), of one basis."""
    rows = DailySnapshot.objects.filter(basis=basis)
    paths = scope_paths(user)
    return rows if paths is None else rows.filter(path_q("unit__path", paths))


def totals_for(user: AnyUser) -> Any:
    """The subtree sums (basis TREE) of the units at the top of the user's scope: their sum over a day is the
    user's whole scope, a row or two a day whatever the number of units below."""
    paths = scope_paths(user)
    rows = DailySnapshot.objects.filter(basis=SnapshotBasis.TREE)
    if paths is None:
        return rows.filter(unit__parent__isnull=True)
    return rows.filter(unit_id__in=_roots(paths))


def daily_series(user: AnyUser, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One point a day from `start` to `end`: the sums over the user's units, or None where no sweep ran."""
    sums = {
        row["day"]: row
        for row in totals_for(user)
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


LIVE_COUNT_CAP = 2000  # a scope of several subtrees with at most this many lights is counted exactly


def warning_counts(user: AnyUser) -> dict[str, int]:
    """Lit measures of each colour that the warnings page lists for `user`, as the last sweep stored them (basis
    SCOPE of the units at the top of the user's scope), in one query; zeros before the first sweep.

    Exact for a scope with one top unit (every business role). A user whose memberships are several separate
    subtrees may reach a measure from two of them, which the sum of their totals counts twice: up to
    LIVE_COUNT_CAP lights (a clerk of two departments) they are counted from the lights themselves, a second
    query; beyond (a supervisor of two cities: 36,000 lights, over 100 ms to count) the sum is shown."""
    paths = scope_paths(user)
    roots = None if paths is None else _roots(paths)
    scope = DailySnapshot.objects.filter(basis=SnapshotBasis.SCOPE)
    last_day = scope.order_by("-day").values("day")[:1]
    tops = scope.filter(unit__parent__isnull=True) if roots is None else scope.filter(unit_id__in=roots)
    sums = tops.filter(day=Subquery(last_day)).aggregate(
        **{name: Coalesce(Sum(name), 0, output_field=IntegerField()) for name in SCOPE_COLOURS}
    )
    stored = {name: int(sums[name]) for name in SCOPE_COLOURS}
    if paths is None or roots is None or len(roots) < 2 or sum(stored.values()) > LIVE_COUNT_CAP:
        return stored
    # The same rows as MeasureLight.visible_to, written `IN (reach rows of the subtrees)` whatever the scope's
    # width: a count reads them all, and the EXISTS form would check every light in the table.
    rows = (
        MeasureLight.objects.filter(reach_q(paths, "measure", "measure_id"))
        .exclude(measure__status=MeasureStatus.DONE)
        .order_by()
        .values("colour")
        .annotate(n=Count("pk"))
    )
    found = {row["colour"]: row["n"] for row in rows}
    return {c.value: int(found.get(c.value, 0)) for c in Colour}


def _roots(paths: list[str]) -> list[int]:
    """The ids of the units at the top of the subtrees `paths` (a path nested in another dropped)."""
    tops = sorted(set(paths), key=len)
    return [int(p[-PATH_STEP:-1]) for i, p in enumerate(tops) if not any(p.startswith(q) for q in tops[:i])]
