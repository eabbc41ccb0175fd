"""warnings_sent counts an indicator's warning once a calendar month: each project on a 预警单 counts, the
sweep's colour change of an indicator only when no 预警单 covers it in the same month; measures as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from tests.conftest import World
from zhenggai.supervision.models import Indicator, SupervisionRun, Warning
from zhenggai.supervision.services import add_indicator, record_indicator_actual, warnings_sent
from zhenggai.supervision.warning_notices import issue_indicator_notices

D = dt.date
Sweep = Callable[[], SupervisionRun]
Clock = Callable[[dt.date], None]


def _budget(world: World, name: str) -> Indicator:
    return add_indicator(
        by=world.leader_a, name=name, year=2025, target=100, unit=world.unit_a, department=world.dept_a
    )


def _measure_warnings(world: World) -> int:
    return Warning.objects.issued().filter(unit=world.unit_a, measure__isnull=False).count()


def _notices(world: World, on: dt.date) -> None:
    issue_indicator_notices(by=world.leader_a, unit=world.unit_a, on_date=on, reply_deadline=on)


def test_a_sweep_red_then_a_notice_in_the_same_month_counts_once(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 10))
    low = _budget(world, "档案数字化专项")
    record_indicator_actual(by=world.staff_a, indicator=low, on_date=D(2025, 3, 10), value=5)
    sweep()  # red
    measures = _measure_warnings(world)
    assert warnings_sent(world.unit_a) == measures + 1
    clock(D(2025, 3, 20))
    _notices(world, D(2025, 3, 20))
    assert warnings_sent(world.unit_a) == measures + 1  # the notice's item, not the sweep's change as well
    assert warnings_sent(world.inspection_a) == _measure_warnings(world)  # the indicator has no inspection
    page = Client()
    page.force_login(world.leader_a)
    html = page.get(f"/supervision/indicators/?unit={world.unit_a.pk}&year=2025").content.decode()
    assert f'id="warnings-sent">{measures + 1}<' in html


def test_a_notice_then_the_sweep_turning_red_in_the_same_month_counts_once(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 10))
    low = _budget(world, "档案数字化专项")
    record_indicator_actual(by=world.staff_a, indicator=low, on_date=D(2025, 3, 10), value=5)
    _notices(world, D(2025, 3, 10))
    clock(D(2025, 3, 11))
    sweep()  # the sweep's first red of the indicator, after the notice
    assert warnings_sent(world.unit_a) == _measure_warnings(world) + 1


def test_a_sweep_red_in_march_and_a_notice_in_april_count_twice(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 31))
    low = _budget(world, "档案数字化专项")
    record_indicator_actual(by=world.staff_a, indicator=low, on_date=D(2025, 3, 31), value=5)
    sweep()
    clock(D(2025, 4, 1))
    _notices(world, D(2025, 4, 1))
    assert warnings_sent(world.unit_a) == _measure_warnings(world) + 2
    assert warnings_sent(world.unit_a, since=D(2025, 4, 1)) == 1


def test_a_notice_covers_only_its_own_indicator(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 3, 10))
    low = _budget(world, "档案数字化专项")
    other = add_indicator(
        by=world.leader_b,
        name="馆藏修复专项",
        year=2025,
        target=100,
        unit=world.unit_b,
        department=world.dept_b,
    )
    record_indicator_actual(by=world.staff_a, indicator=low, on_date=D(2025, 3, 10), value=5)
    record_indicator_actual(by=world.leader_b, indicator=other, on_date=D(2025, 3, 10), value=5)
    sweep()  # both red
    clock(D(2025, 3, 20))
    _notices(world, D(2025, 3, 20))  # unit A's only
    unit_b = Warning.objects.issued().filter(unit=world.unit_b, measure__isnull=False).count()
    assert warnings_sent(world.unit_b) == unit_b + 1  # B's sweep red still counts
    assert warnings_sent(world.district) == warnings_sent(world.unit_a) + warnings_sent(world.unit_b)


def test_measure_warnings_count_every_colour_change_as_before(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 10))
    sweep()
    changes = _measure_warnings(world)
    assert changes >= 1  # world.measure_a, 0 % done, turns yellow
    assert warnings_sent(world.unit_a) == changes
