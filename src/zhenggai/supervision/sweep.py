"""The daily sweep's set-based part: recolour every measure and indicator, and record the changes.

A fixed number of statements whatever the number of measures, none bringing rows into Python:
1. one SELECT computes the rules' reason bits of every measure not done, next to its stored colour, into a
   temporary table (so the rules run once per measure);
2. INSERT … SELECT the first light of measures that have none (new, or reopened);
3. INSERT … SELECT a Warning for every colour that changed (a first colour other than green included);
4. UPDATE the older lights from those warnings; DELETE the lights of measures signed off; UPDATE the lights'
   stored deadline (the warnings page's sort key) where the measure's has changed.
The colour is read off the reason bits by precedence (rules.colour_sql).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value

from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import Indicator, MeasureLight, SupervisionRun, Warning
from zhenggai.supervision.rules import Rules, colour_sql, indicator_rules, measure_flags
from zhenggai.supervision.sql import column_list, insert_select, table

WARNING_COLUMNS = [
    "run",
    "issued_at",
    "unit",
    "inspection",
    "measure",
    "department",
    "indicator",
    "colour",
    "previous",
    "reasons",
]
SCRATCH = "zhenggai_sweep_scratch"  # a temporary table: private to the connection, dropped after use


def _execute(sql: str, params: tuple[Any, ...] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def sweep_measures(run: SupervisionRun, today: dt.date, now: dt.datetime, r: Rules) -> int:
    """Recolour every measure that is not done; returns the number of colour changes recorded."""
    scan, scan_params = (
        Measure.objects.exclude(status=MeasureStatus.DONE)
        .order_by()
        .annotate(
            m_id=F("pk"),
            unit_id_=F("inspection__inspected_unit_id"),
            insp_id=F("inspection_id"),
            dept_id=F("lead_department_id"),
            old_colour=F("light__colour"),
            m_due=F("due"),
            flags=measure_flags(today, now, r),
        )
        .values_list("m_id", "unit_id_", "insp_id", "dept_id", "old_colour", "m_due", "flags")
        .query.sql_with_params()
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    colour = colour_sql("flags")
    # Left by a failed run only when it was not rolled back; dropped after success. (No DROP in `finally`:
    # on PostgreSQL it would fail in the aborted transaction and hide the first error.)
    _execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    _execute(f"CREATE TEMPORARY TABLE {SCRATCH} AS {scan}", scan_params)
    light_columns = column_list(MeasureLight, ["measure", "colour", "reasons", "since", "due"])
    _execute(
        f"INSERT INTO {table(MeasureLight)} ({light_columns}) "
        f"SELECT m_id, {colour}, flags, %s, m_due FROM {SCRATCH} WHERE old_colour IS NULL",
        (stamp,),
    )
    changed = _execute(
        f"INSERT INTO {table(Warning)} ({column_list(Warning, WARNING_COLUMNS)}) "
        f"SELECT %s, %s, unit_id_, insp_id, m_id, dept_id, NULL, {colour}, COALESCE(old_colour, ''), flags "
        f"FROM {SCRATCH} WHERE {colour} <> COALESCE(old_colour, '{Colour.GREEN.value}')",
        (run.pk, stamp),
    )
    _execute(f"DROP TABLE {SCRATCH}")
    recorded = Warning.objects.filter(run=run, measure=OuterRef("measure"))
    MeasureLight.objects.filter(
        measure__in=Warning.objects.filter(run=run, measure__isnull=False)
        .exclude(previous="")
        .values("measure")
    ).update(
        colour=Subquery(recorded.values("colour")[:1]),
        reasons=Subquery(recorded.values("reasons")[:1]),
        since=now,
    )
    MeasureLight.objects.filter(measure__status=MeasureStatus.DONE).delete()
    # The warnings page's stored deadline follows extensions and edits made since the last sweep.
    MeasureLight.objects.exclude(due=F("measure__due")).update(
        due=Subquery(Measure.objects.filter(pk=OuterRef("measure_id")).values("due")[:1])
    )
    return changed


def _changed(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows whose new colour differs from the stored one; a first colour of green is no change."""
    return queryset.exclude(new_colour=F("old_colour")).exclude(new_colour=Colour.GREEN, old_colour="")


def _const(value: Any, field: Any) -> Value:
    return Value(value, output_field=field)


def sweep_indicators(run: SupervisionRun, today: dt.date, now: dt.datetime, r: Rules) -> int:
    """Recolour the indicators of today's year; returns the number of colour changes recorded."""
    rules = indicator_rules(today, r)
    current = Indicator.objects.current().filter(year=today.year).order_by()
    changes = _changed(
        current.annotate(new_colour=rules.colour, new_reasons=rules.flags, old_colour=F("colour"))
    ).values_list(
        _const(run.pk, IntegerField()),
        _const(now, DateTimeField()),
        "unit_id",
        "inspection_id",
        _const(None, IntegerField()),
        _const(None, IntegerField()),
        "pk",
        "new_colour",
        "old_colour",
        "new_reasons",
    )
    changed = insert_select(Warning, WARNING_COLUMNS, changes)
    recorded = Warning.objects.filter(run=run, indicator=OuterRef("pk"))
    current.filter(
        pk__in=Warning.objects.filter(run=run, indicator__isnull=False).values("indicator")
    ).update(colour=Subquery(recorded.values("colour")[:1]), colour_since=now)
    # A first green is stored without a warning.
    current.filter(Q(colour="")).update(colour=rules.colour, colour_since=now)
    return changed
