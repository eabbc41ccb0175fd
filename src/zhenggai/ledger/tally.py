"""Keeping InspectionTally current: per inspection inside each service call, and set-based once a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhenggai.ledger.models import Inspection, InspectionTally, Measure
from zhenggai.ledger.querysets import FIGURE_NAMES, overdue_q

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
    tally, _ = InspectionTally.objects.update_or_create(inspection_id=inspection_id, defaults=defaults)
    return tally


def refresh_overdue(today: dt.date | None = None) -> int:
    """Recount `overdue` for every inspection as of `today` in one UPDATE; returns the rows touched."""
    today = today or timezone.localdate()
    overdue = (
        Measure.objects.filter(overdue_q(today), inspection=OuterRef("inspection_id"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return InspectionTally.objects.update(overdue=Coalesce(Subquery(overdue), Value(0)), as_of=today)
