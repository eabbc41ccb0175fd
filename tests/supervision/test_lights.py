"""Measure colours: each rule in turn, their precedence, and a sweep that repeats itself sends nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.factories import MeasureFactory, report_with_evidence
from tests.supervision.conftest import at
from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureKind, MeasureStatus
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import Colour, NotificationKind, Reason
from zhenggai.supervision.models import MeasureLight, Notification, SupervisionRun, Warning
from zhenggai.supervision.rules import rules

D = dt.date
Sweep = Callable[[], SupervisionRun]
Clock = Callable[[dt.date], None]


def colour(measure: Measure) -> str | None:
    return MeasureLight.objects.filter(measure=measure).values_list("colour", flat=True).first()


def history(measure: Measure) -> list[tuple[str, str]]:
    return list(
        Warning.objects.filter(measure=measure).order_by("issued_at").values_list("previous", "colour")
    )


def hundred_days(world: World, **kwargs: Any) -> Measure:
    """A measure of unit A allowed 100 days: 2025-01-01 to 2025-04-11."""
    fields = {"finding": world.detail_a, "lead_department": world.dept_a, "start_date": D(2025, 1, 1)}
    return MeasureFactory(**(fields | {"deadline": D(2025, 4, 11)} | kwargs))


def test_measure_walks_green_blue_yellow_red_then_done(world: World, clock: Clock, sweep: Sweep) -> None:
    # Precedence red > yellow > blue > stale > green; dates chosen so each rule takes over in turn.
    clock(D(2025, 3, 30))
    measure = hundred_days(world)
    services.report_progress(by=world.staff_a, measure=measure, text="主体工作基本完成", progress=95)

    sweep()  # day 88 of 100, 95% done, 12 days left
    assert colour(measure) == Colour.GREEN
    assert history(measure) == []  # a first green is no warning

    clock(D(2025, 4, 5))
    sweep()  # day 94: still ahead of schedule, deadline in 6 days
    assert colour(measure) == Colour.BLUE

    clock(D(2025, 4, 8))
    sweep()  # day 97: 95% is now behind the schedule's 97%
    assert colour(measure) == Colour.YELLOW

    clock(D(2025, 4, 12))
    sweep()  # a day past the deadline
    assert colour(measure) == Colour.RED
    assert MeasureLight.objects.get(measure=measure).reasons & Reason.OVERDUE

    report_with_evidence(world.staff_a, measure)
    signoff = services.request_signoff(by=world.staff_a, measure=measure)
    services.approve_signoff(by=world.leader_a, signoff=signoff)
    sweep()
    assert colour(measure) is None  # done measures carry no colour
    assert history(measure) == [("green", "blue"), ("blue", "yellow"), ("yellow", "red")]


def test_staff_and_leaders_are_told_of_each_change_once(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 3, 30))
    measure = hundred_days(world, progress=95, last_reported_at=None)
    services.report_progress(by=world.staff_a, measure=measure, text="推进中", progress=95)
    sweep()
    clock(D(2025, 4, 5))
    sweep()
    for user in (world.staff_a, world.leader_a, world.supervisor):
        note = Notification.objects.filter(user=user, kind=NotificationKind.WARNING).latest("created_at")
        assert "蓝色提醒1条" in note.title
        assert f"整改措施{measure.code}" in note.body
        assert "7日内到期" in note.body
    assert not Notification.objects.filter(user=world.leader_b, body__contains=measure.code).exists()
    assert not Notification.objects.filter(user=world.viewer_a).exists()


def test_second_sweep_on_the_same_day_sends_nothing(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 12))
    hundred_days(world)  # overdue: red
    first = sweep()
    assert first.counts["measure_changes"] > 0
    assert first.counts["notifications"] > 0
    warnings, notes = Warning.objects.count(), Notification.objects.count()

    clock(D(2025, 4, 12))
    again = sweep()
    assert again.counts["measure_changes"] == 0
    assert again.counts["notifications"] == 0
    assert (Warning.objects.count(), Notification.objects.count()) == (warnings, notes)


def test_low_progress_with_under_a_quarter_of_the_time_left_is_red(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 1))
    measure = hundred_days(world)
    services.report_progress(by=world.staff_a, measure=measure, text="刚起步", progress=5)
    clock(D(2025, 3, 15))  # 27 of 100 days left: only behind schedule
    sweep()
    assert colour(measure) == Colour.YELLOW
    clock(D(2025, 3, 20))  # 22 days left, 5% done
    services.report_progress(by=world.staff_a, measure=measure, text="仍在推进", progress=5)
    sweep()
    light = MeasureLight.objects.get(measure=measure)
    assert light.colour == Colour.RED
    assert light.reasons & Reason.LOW_PROGRESS
    assert not light.reasons & Reason.OVERDUE


def test_no_report_for_fourteen_days_is_stale(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 1, 10))
    measure = hundred_days(world, deadline=D(2025, 12, 31))
    services.report_progress(by=world.staff_a, measure=measure, text="已启动", progress=10)
    clock(D(2025, 1, 23))  # 13 days without a report, ahead of schedule
    sweep()
    assert colour(measure) == Colour.GREEN
    clock(D(2025, 1, 24))
    sweep()
    assert colour(measure) == Colour.STALE
    services.report_progress(by=world.staff_a, measure=measure, text="新进展", progress=12)
    sweep()
    assert colour(measure) == Colour.GREEN
    assert history(measure) == [("green", "stale"), ("stale", "green")]


def test_stale_falls_back_to_the_start_date_when_nothing_was_reported(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 1, 14))
    measure = hundred_days(world, deadline=D(2025, 12, 31), progress=50)
    sweep()
    assert colour(measure) == Colour.GREEN  # started 13 days ago
    clock(D(2025, 1, 15))
    sweep()
    assert colour(measure) == Colour.STALE


def test_long_term_measures_only_go_stale(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 1, 1))
    measure = hundred_days(world, kind=MeasureKind.LONG_TERM, deadline=D(2025, 1, 20))
    services.report_progress(by=world.staff_a, measure=measure, text="持续推进", progress=0)
    clock(D(2025, 1, 14))  # deadline near, no progress: would be blue and yellow for a deadline measure
    sweep()
    assert colour(measure) == Colour.GREEN
    clock(D(2025, 2, 1))  # past the deadline, 31 days without a report
    sweep()
    assert colour(measure) == Colour.STALE


def test_measures_awaiting_sign_off_are_not_stale(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 1, 2))
    measure = hundred_days(world, deadline=D(2025, 12, 31))
    report_with_evidence(world.staff_a, measure, text="完成")
    services.request_signoff(by=world.staff_a, measure=measure)
    clock(D(2025, 3, 1))
    sweep()
    assert colour(measure) == Colour.GREEN


def test_thresholds_come_from_the_settings(world: World, clock: Clock, sweep: Sweep, settings: Any) -> None:
    clock(D(2025, 3, 30))
    measure = hundred_days(world)
    services.report_progress(by=world.staff_a, measure=measure, text="推进中", progress=95)
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_days": 14}
    sweep()  # 12 days left: blue under a 14-day rule
    assert colour(measure) == Colour.BLUE


def test_reopened_measure_gets_a_colour_again(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 12))
    measure = hundred_days(world, status=MeasureStatus.DONE, progress=100)
    sweep()
    assert colour(measure) is None
    services.reopen_measure(by=world.supervisor, measure=measure, reason="回头看发现整改不实")
    sweep()
    assert colour(measure) == Colour.RED


def _bulk(world: World, count: int, prefix: str) -> None:
    """`count` measures of unit A in every colour, inserted in one statement."""
    deadlines = [D(2025, 4, 1), D(2025, 4, 20), D(2025, 6, 30), D(2025, 12, 31)]
    Measure.objects.bulk_create(
        Measure(
            inspection=world.inspection_a,
            finding=world.detail_a,
            code=f"{prefix}{i:04d}",
            text=f"批量措施{i}",
            lead_department=world.dept_a,
            start_date=D(2025, 1, 1),
            deadline=deadlines[i % len(deadlines)],
            status=MeasureStatus.IN_PROGRESS,
            progress=(i * 7) % 100,
        )
        for i in range(count)
    )


def test_sweep_query_count_does_not_grow_with_the_measures(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 15))
    sweep()  # an earlier run: both measured runs find stored lights to compare (the first ever reads none)
    counts = []
    for size, prefix in ((10, "A"), (200, "B")):
        Measure.objects.filter(code__startswith="A").update(status=MeasureStatus.DONE)
        _bulk(world, size, prefix)
        with CaptureQueriesContext(connection) as queries:
            run = sweep()
        assert run.counts["measure_changes"] >= size // 2
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "status", [MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.PENDING_SIGNOFF]
)
def test_overdue_is_red_in_every_open_status(world: World, clock: Clock, sweep: Sweep, status: str) -> None:
    clock(D(2025, 5, 1))
    measure = hundred_days(world, status=status, last_reported_at=None)
    sweep()
    assert colour(measure) == Colour.RED


def test_deleting_a_measure_takes_its_light_and_warnings(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 12))
    measure = hundred_days(world)
    sweep()
    assert colour(measure) == Colour.RED
    measure.delete()
    assert not MeasureLight.objects.filter(measure_id=measure.pk).exists()
    assert not Warning.objects.filter(measure_id=measure.pk).exists()


def test_thresholds_from_the_environment_are_checked(settings: Any) -> None:
    settings.ZHENGGAI_SUPERVISION_RULES = "due_soon_days=10, stale_days=21"
    assert (rules().due_soon_days, rules().stale_days, rules().red_progress_below) == (10, 21, 10)
    for bad, message in (
        ("due_soon_days=ten", "must be a number"),
        ("soon=3", "unknown keys"),
        ("due_soon_days", "must look like"),
        ("stale_days=-1", "cannot be negative"),
    ):
        settings.ZHENGGAI_SUPERVISION_RULES = bad
        with pytest.raises(ImproperlyConfigured, match=message):
            rules()


def test_without_a_start_date_the_schedule_runs_from_entry(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 1, 1))
    measure = hundred_days(world, start_date=None, progress=50, last_reported_at=at(D(2025, 2, 10)))
    clock(D(2025, 2, 15))  # day 45 of 100 since it was entered
    sweep()
    assert colour(measure) == Colour.GREEN
    clock(D(2025, 2, 22))  # day 52: behind 50%
    sweep()
    assert colour(measure) == Colour.YELLOW
