"""Keeping InspectionTally current: per inspection inside each service call, and set-based once a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhenggai.ledger.models import Inspection, InspectionTally, Measure
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
    return len(tallies)
