"""Every scheduled run is recorded: start, end, counts, outcome; a failure with its error, not swallowed."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from zhenggai.ledger.models import InspectionTally
from zhenggai.ledger.tally import refresh_tally
from zhenggai.supervision.choices import RunKind, RunOutcome
from zhenggai.supervision.models import MeasureLight, SupervisionRun, Warning

D = dt.date
Clock = Callable[[dt.date], None]


def test_sweep_command_records_its_run(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 12))
    out = io.StringIO()
    call_command("supervise", "sweep", stdout=out)
    run = SupervisionRun.objects.get()
    assert (run.kind, run.period, run.outcome) == (RunKind.SWEEP, D(2025, 4, 12), RunOutcome.OK)
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.counts["measure_changes"] == 2
    assert run.counts["colours"] == {"red": 1, "yellow": 1}
    assert f"#{run.pk} 预警巡检 2025-04-12 成功" in out.getvalue()
    listing = io.StringIO()
    call_command("supervise", "runs", stdout=listing)
    assert f"#{run.pk} 预警巡检" in listing.getvalue()


def test_failed_sweep_is_recorded_with_its_error_and_changes_nothing(
    world: World, clock: Clock, settings: Any
) -> None:
    clock(D(2025, 4, 12))
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_day": 3}  # a typo in the configuration
    with pytest.raises(CommandError, match="预警巡检失败"):
        call_command("supervise", "sweep", stdout=io.StringIO())
    run = SupervisionRun.objects.get()
    assert run.outcome == RunOutcome.FAILED
    assert run.finished_at is not None
    assert "due_soon_day" in run.error
    assert not Warning.objects.exists()
    assert not MeasureLight.objects.exists()


def test_sweep_recounts_the_overdue_figure(world: World, clock: Clock) -> None:
    clock(D(2024, 6, 1))
    assert refresh_tally(world.inspection_b.pk).overdue == 0  # measure B is due 2024-06-30
    clock(D(2025, 4, 12))
    call_command("supervise", "sweep", stdout=io.StringIO())
    tally = InspectionTally.objects.get(inspection=world.inspection_b)
    assert (tally.overdue, tally.as_of) == (1, D(2025, 4, 12))


def test_weekly_command_says_when_it_already_ran(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 14))
    call_command("supervise", "weekly", stdout=io.StringIO())
    out = io.StringIO()
    call_command("supervise", "weekly", stdout=out)
    assert "已经发送过" in out.getvalue()
    assert SupervisionRun.objects.filter(kind=RunKind.WEEKLY).count() == 1
