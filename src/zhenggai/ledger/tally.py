"""Keeping InspectionTally current: per inspection inside each service call, and set-based once a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count, Field, Max, Model, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhenggai.ledger.models import Inspection, InspectionTally, Measure, Unit, UnitTally
from zhenggai.ledger.models.tally import ALL_ROUNDS
from zhenggai.ledger.querysets import FIGURE_NAMES, done_late_q, overdue_q

_COUNTS = [name for name in FIGURE_NAMES if name != "completion_rate"]


def refresh_tally(inspection_id: int, today: dt.date | None = None) -> InspectionTally:
    """Recount one inspection's figures (one query) and store them; call inside the service's transaction."""
    today = today or timezone.localdate()
    row = (
        Inspection.objects.with_figures(today)
        .filter(pk=inspection_id)
        .values("inspected_unit_id", "round_id", *(f"n_{name}" for name in _COUNTS))
        .get()
    )
    defaults = {name: row[f"n_{name}"] for name in _COUNTS} | {
        "unit_id": row["inspected_unit_id"],
        "round_id": row["round_id"],
        "as_of": today,
    }
    before = InspectionTally.objects.filter(pk=inspection_id).values_list("unit_id", flat=True).first()
    tally, _ = InspectionTally.objects.update_or_create(inspection_id=inspection_id, defaults=defaults)
    refresh_unit_tallies({tally.unit_id} | ({before} if before is not None else set()))
    return tally


def refresh_overdue(today: dt.date | None = None, *, unit_rows: bool = True) -> int:
    """Recount `overdue` for every inspection as of `today` in one UPDATE; returns the rows touched.

    `unit_rows=False` leaves the overview rows to the caller (the sweep refreshes them once, after its
    snapshots, which give the rows their lights)."""
    today = today or timezone.localdate()
    overdue = (
        Measure.objects.filter(overdue_q(today), inspection=OuterRef("inspection_id"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    touched = InspectionTally.objects.update(overdue=Coalesce(Subquery(overdue), Value(0)), as_of=today)
    if unit_rows:
        refresh_unit_tallies(None)
    return touched


def rebuild_tallies(today: dt.date | None = None) -> int:
    """Recompute every inspection's tally with grouped scans (for bulk loads and repairs); returns the count."""
    from django.db.models import Exists, Q

    from zhenggai.ledger.choices import FindingLevel, MeasureStatus, RegulationKind
    from zhenggai.ledger.models import Finding, Regulation

    today = today or timezone.localdate()
    ongoing = (MeasureStatus.IN_PROGRESS, MeasureStatus.PENDING_SIGNOFF, MeasureStatus.ONGOING)
    measures = {
        row["inspection"]: row
        for row in Measure.objects.order_by()
        .values("inspection")
        .annotate(
            measures=Count("pk"),
            done=Count("pk", filter=Q(status=MeasureStatus.DONE)),
            done_late=Count("pk", filter=done_late_q()),
            ongoing=Count("pk", filter=Q(status__in=ongoing)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    }
    has_details = Finding.objects.filter(parent=OuterRef("pk"), level=FindingLevel.DETAIL)
    findings = {
        row["inspection"]: row
        for row in Finding.objects.order_by()
        .values("inspection")
        .annotate(
            problems=Count("pk", filter=Q(level=FindingLevel.PROBLEM)),
            details=Count(
                "pk",
                filter=Q(level=FindingLevel.DETAIL) | Q(level=FindingLevel.PROBLEM) & ~Q(Exists(has_details)),
            ),
        )
    }
    regulations = {
        row["inspection"]: row
        for row in Regulation.objects.order_by()
        .values("inspection")
        .annotate(
            regulations_new=Count("pk", filter=Q(kind=RegulationKind.NEW)),
            regulations_revised=Count("pk", filter=Q(kind=RegulationKind.REVISED)),
        )
    }
    tallies = []
    for inspection_id, unit_id, round_id in Inspection.objects.values_list(
        "pk", "inspected_unit_id", "round_id"
    ):
        values: dict[str, int] = {}
        sources: tuple[dict[Any, Any], ...] = (measures, findings, regulations)
        for source in sources:
            values |= {k: int(v) for k, v in source.get(inspection_id, {}).items() if k != "inspection"}
        tallies.append(
            InspectionTally(
                inspection_id=inspection_id, unit_id=unit_id, round_id=round_id, as_of=today, **values
            )
        )
    InspectionTally.objects.all().delete()
    InspectionTally.objects.bulk_create(tallies, batch_size=2000)
    refresh_unit_tallies(None)
    return len(tallies)


# The figures a unit's overview row sums over its inspections' tallies.
UNIT_SUMS = (
    "problems",
    "details",
    "measures",
    "done",
    "done_late",
    "ongoing",
    "overdue",
    "regulations_new",
    "regulations_revised",
)


def refresh_unit_tallies(unit_ids: set[int] | None, models: dict[str, Any] | None = None) -> int:
    """Rewrite the overview rows (UnitTally) of these units, or of every unit (None), from the inspections'
    tallies: a row over all rounds and one per round, with the red and yellow counts of the latest sweep.
    Returns the rows written. Call inside the transaction that changed the tallies; `models` (historical
    models by name) is for the migration that builds the first rows."""
    if unit_ids is None and not models:
        return sync_unit_tallies()
    models = models or {}
    tally_model = models.get("InspectionTally", InspectionTally)
    row_model = models.get("UnitTally", UnitTally)
    unit_model = models.get("Unit", Unit)
    tallies = tally_model.objects.all()
    rows = row_model.objects.all()
    units = unit_model.objects.all()
    if unit_ids is not None:
        ids = sorted(unit_ids)
        tallies, rows = tallies.filter(unit_id__in=ids), rows.filter(unit_id__in=ids)
        # one refresh of a unit's rows at a time (delete and insert would otherwise collide)
        units = units.select_for_update().filter(pk__in=ids)
    else:
        units = units.filter(pk__in=tallies.values("unit_id"))
    names = {pk: (name, path) for pk, name, path in units.order_by("pk").values_list("pk", "name", "path")}
    rows.delete()
    sums = {"inspections": Count("pk"), **{name: Coalesce(Sum(name), 0) for name in UNIT_SUMS}}
    groups = [
        (ALL_ROUNDS, row)
        for row in tallies.order_by().values("unit_id").annotate(**sums).values("unit_id", *sums)
    ] + [
        (row.pop("round_id"), row)
        for row in tallies.filter(round_id__isnull=False)
        .order_by()
        .values("unit_id", "round_id")
        .annotate(**sums)
        .values("unit_id", "round_id", *sums)
    ]
    lights = _latest_lights(unit_ids, models.get("DailySnapshot"))
    created = [
        row_model(
            round_key=key,
            name=names[row["unit_id"]][0],
            path=names[row["unit_id"]][1],
            # as the overview computed it in SQL: done × 100.0 ÷ measures, 0 without measures
            rate=row["done"] * 100.0 / row["measures"] if row["measures"] else 0.0,
            red=lights.get(row["unit_id"], (0, 0))[0],
            yellow=lights.get(row["unit_id"], (0, 0))[1],
            **row,
        )
        for key, row in groups
    ]
    row_model.objects.bulk_create(created, batch_size=2000)
    return len(created)


# The columns of an overview row the set-based refresh computes (besides unit and round_key).
_ROW_COLUMNS = ("name", "path", "inspections", *UNIT_SUMS, "rate", "red", "yellow")
_WANTED = "zhenggai_wanted_unit_rows"  # the temporary table of the rows as they should be


def sync_unit_tallies() -> int:
    """Bring every overview row (UnitTally) to what `refresh_unit_tallies` would write from scratch, writing only
    the rows that differ: the rows as they should be go into a temporary table (one INSERT … SELECT grouping the
    tallies), then one UPDATE of the rows that differ, one DELETE of the rows no tally backs any more and one
    INSERT of the missing ones. The statements do not depend on the number of units, and a day on which little
    moves rewrites little (each row carries some twenty indexes, so rewriting all of them is the expensive part).
    Returns the rows written (updated, deleted and inserted)."""
    from zhenggai.supervision.models import DailySnapshot

    q = connection.ops.quote_name
    tally, row, unit, snapshot = (
        q(m._meta.db_table) for m in (InspectionTally, UnitTally, Unit, DailySnapshot)
    )
    col = {name: q(_column(UnitTally, name)) for name in ("unit", "round_key", *_ROW_COLUMNS)}
    tcol = {name: q(_column(InspectionTally, name)) for name in ("unit", "round", *UNIT_SUMS)}
    sums = ", ".join(f"COALESCE(SUM(t.{tcol[name]}), 0) AS {col[name]}" for name in UNIT_SUMS)
    grouped = (
        f"SELECT t.{tcol['unit']} AS unit_id, 0 AS round_key, COUNT(*) AS inspections, {sums} "
        f"FROM {tally} t GROUP BY t.{tcol['unit']} "
        f"UNION ALL SELECT t.{tcol['unit']}, t.{tcol['round']}, COUNT(*), {sums} "
        f"FROM {tally} t WHERE t.{tcol['round']} IS NOT NULL GROUP BY t.{tcol['unit']}, t.{tcol['round']}"
    )
    double = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    figures = ", ".join(f"g.{col[name]}" for name in ("inspections", *UNIT_SUMS))
    day = DailySnapshot.objects.filter(basis="unit").aggregate(day=Max("day"))["day"]
    wanted_columns = ", ".join(col[name] for name in ("unit", "round_key", *_ROW_COLUMNS))
    current = ", ".join(f"r.{col[name]}" for name in _ROW_COLUMNS)
    wanted = ", ".join(f"w.{col[name]}" for name in _ROW_COLUMNS)
    same_row = f"w.{col['unit']} = r.{col['unit']} AND w.{col['round_key']} = r.{col['round_key']}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # A service refreshing a unit's rows meanwhile waits for this transaction (and this waits for one
            # under way), so the rows as they should be are read after every committed change and none is
            # overwritten with older figures. SQLite writes one transaction at a time anyway.
            cursor.execute(f"LOCK TABLE {row} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DROP TABLE IF EXISTS {_WANTED}")
        # as the rows were computed in Python: done × 100.0 ÷ measures in double precision, 0 without measures
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_WANTED} AS "
            f"SELECT g.unit_id AS {col['unit']}, g.round_key AS {col['round_key']}, u.{q('name')} AS "
            f"{col['name']}, u.{q('path')} AS {col['path']}, {figures}, "
            f"CASE WHEN g.{col['measures']} > 0 THEN CAST(g.{col['done']} AS {double}) * 100.0 "
            f"/ g.{col['measures']} ELSE 0.0 END AS {col['rate']}, "
            f"COALESCE(s.red, 0) AS {col['red']}, COALESCE(s.yellow, 0) AS {col['yellow']} "
            f"FROM ({grouped}) g JOIN {unit} u ON u.id = g.unit_id "
            f"LEFT JOIN {snapshot} s ON s.unit_id = g.unit_id AND s.day = %s AND s.basis = %s",
            [connection.ops.adapt_datefield_value(day), "unit"],
        )
        cursor.execute(f"CREATE INDEX {_WANTED}_key ON {_WANTED} ({col['unit']}, {col['round_key']})")
        written = 0
        cursor.execute(
            f"UPDATE {row} SET ({', '.join(col[name] for name in _ROW_COLUMNS)}) = "
            f"(SELECT {wanted} FROM {_WANTED} w WHERE {same_row.replace('r.', f'{row}.')}) "
            f"WHERE EXISTS (SELECT 1 FROM {_WANTED} w WHERE {same_row.replace('r.', f'{row}.')} "
            f"AND ({wanted}) <> ({current.replace('r.', f'{row}.')}))"
        )
        written += cursor.rowcount
        cursor.execute(
            f"DELETE FROM {row} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {_WANTED} w WHERE {same_row.replace('r.', f'{row}.')})"
        )
        written += cursor.rowcount
        cursor.execute(
            f"INSERT INTO {row} ({wanted_columns}) SELECT w.{col['unit']}, w.{col['round_key']}, {wanted} "
            f"FROM {_WANTED} w WHERE NOT EXISTS (SELECT 1 FROM {row} r WHERE {same_row})"
        )
        written += cursor.rowcount
        cursor.execute(f"DROP TABLE {_WANTED}")
    return int(written)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    assert field.column is not None
    return str(field.column)


def _latest_lights(unit_ids: set[int] | None, snapshot_model: Any = None) -> dict[int, tuple[int, int]]:
    """Each unit's (red, yellow) on the latest sweep's snapshot (basis 被巡察单位); units without one are absent."""
    if snapshot_model is None:
        # lazy: supervision imports the ledger
        from zhenggai.supervision.models import DailySnapshot as snapshot_model
    unit_basis = snapshot_model.objects.filter(basis="unit")
    day = unit_basis.aggregate(day=Max("day"))["day"]
    if day is None:
        return {}
    rows = unit_basis.filter(day=day)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    return {unit: (red, yellow) for unit, red, yellow in rows.values_list("unit_id", "red", "yellow")}
