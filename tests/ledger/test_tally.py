"""Stored figures (InspectionTally) stay equal to the figures counted from the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.figures import figures_of
from zhenggai.ledger.models import Inspection, InspectionTally, SignOff
from zhenggai.ledger.tally import refresh_overdue


def _stored(inspection: Inspection) -> dict[str, Any]:
    tally = InspectionTally.objects.get(pk=inspection.pk)
    return {
        "problems": tally.problems,
        "details": tally.details,
        "measures": tally.measures,
        "done": tally.done,
        "ongoing": tally.ongoing,
        "overdue": tally.overdue,
        "completion_rate": tally.completion_rate,
        "regulations_new": tally.regulations_new,
        "regulations_revised": tally.regulations_revised,
        "done_late": tally.done_late,
    }


def test_tallies_match_the_counted_figures_after_the_demo(db: Any) -> None:
    load_demo(password="demo-pass-123")
    for row in Inspection.objects.with_figures():
        assert _stored(row) == figures_of(row)


def test_a_signoff_moves_the_stored_figures_in_the_same_transaction(world: Any) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    services.request_signoff(by=world.staff_a, measure=world.measure_a)
    assert InspectionTally.objects.get(pk=world.inspection_a.pk).ongoing == 1
    services.approve_signoff(by=world.leader_a, signoff=SignOff.objects.get())
    tally = InspectionTally.objects.get(pk=world.inspection_a.pk)
    assert (tally.done, tally.ongoing, tally.completion_rate) == (1, 0, 100.0)


def test_daily_refresh_counts_newly_overdue_measures(db: Any) -> None:
    inspection = load_demo(password="demo-pass-123").inspection
    before = InspectionTally.objects.get(pk=inspection.pk).overdue
    later = dt.date.today() + dt.timedelta(days=400)  # every open measure's deadline has passed by then
    refresh_overdue(later)
    tally = InspectionTally.objects.get(pk=inspection.pk)
    open_with_deadline = inspection.measures.filter(
        status__in=["draft", "in_progress", "pending_signoff"], deadline__isnull=False
    ).count()
    assert tally.overdue == open_with_deadline > before
    assert tally.as_of == later
