"""指标: the seeds' budget rule (red below 10%, yellow below the year's 序时进度) and the warning count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from tests.conftest import World
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import AuditEvent
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.indicators import rate, schedule
from zhenggai.supervision.models import Indicator, IndicatorActual, SupervisionRun
from zhenggai.supervision.services import add_indicator, record_indicator_actual, warnings_sent

D = dt.date
Sweep = Callable[[], SupervisionRun]
Clock = Callable[[dt.date], None]
SIXTY_PERCENT = D(2025, 8, 7)  # day 219 of 365


def budget(world: World, name: str, target: int | str) -> Indicator:
    return add_indicator(
        by=world.leader_a,
        name=name,
        year=2025,
        target=target,
        unit=world.unit_a,
        inspection=world.inspection_a,
        department=world.dept_a,
        unit_label="万元",
    )


def test_execution_at_9_percent_is_red_and_40_percent_with_60_percent_of_the_year_gone_is_yellow(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(SIXTY_PERCENT)
    assert schedule(SIXTY_PERCENT, 2025) == Decimal("60.0")
    low = budget(world, "文物保护专项经费执行率", 200)
    behind = budget(world, "公共文化服务经费执行率", 100)
    fine = budget(world, "文旅宣传经费执行率", 50)
    record_indicator_actual(by=world.staff_a, indicator=low, on_date=D(2025, 7, 31), value=18)
    record_indicator_actual(by=world.staff_a, indicator=behind, on_date=D(2025, 7, 31), value=40)
    record_indicator_actual(by=world.staff_a, indicator=fine, on_date=D(2025, 7, 31), value="35.5")
    assert (rate(low), rate(behind), rate(fine)) == (Decimal("9.0"), Decimal("40.0"), Decimal("71.0"))

    sweep()
    colours = dict(Indicator.objects.values_list("name", "colour"))
    assert colours == {
        "文物保护专项经费执行率": Colour.RED,
        "公共文化服务经费执行率": Colour.YELLOW,
        "文旅宣传经费执行率": Colour.GREEN,
    }


def test_forty_percent_is_not_behind_when_only_30_percent_of_the_year_has_gone(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 4, 20))  # day 110 of 365: 30.1%
    indicator = budget(world, "项目执行率", 100)
    record_indicator_actual(by=world.leader_a, indicator=indicator, on_date=D(2025, 4, 20), value=40)
    sweep()
    indicator.refresh_from_db()
    assert indicator.colour == Colour.GREEN


def test_every_warning_issued_is_counted_for_the_notice(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 3, 31))
    indicator = budget(world, "项目执行率", 100)
    record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 3, 31), value=5)
    sweep()  # red
    clock(D(2025, 4, 30))
    record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 4, 30), value=20)
    sweep()  # 20% < 33%: yellow
    clock(D(2025, 5, 31))
    record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 5, 31), value=60)
    sweep()  # 60% > 41%: green, the all-clear is recorded but not counted
    sweep()
    indicator.refresh_from_db()
    assert indicator.colour == Colour.GREEN
    indicator_warnings = 2
    # world.measure_a (0% done, started 2024) turned yellow once; world.measure_b belongs to unit B.
    assert warnings_sent(world.unit_a) == indicator_warnings + 1
    assert warnings_sent(world.inspection_a) == indicator_warnings + 1
    assert warnings_sent(world.district) == warnings_sent(world.unit_a) + warnings_sent(world.unit_b)
    assert warnings_sent(world.unit_a, since=D(2025, 4, 1)) == 1


def test_a_correction_on_the_same_date_replaces_the_value_and_is_audited(world: World, clock: Clock) -> None:
    clock(D(2025, 6, 30))
    indicator = budget(world, "项目执行率", 100)
    record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 6, 30), value=30)
    record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 6, 30), value=35)
    assert list(IndicatorActual.objects.values_list("value", flat=True)) == [Decimal("35.00")]
    event = AuditEvent.objects.filter(action="record_indicator_actual").order_by("-id").first()
    assert event is not None
    assert event.before == {"on_date": "2025-06-30", "value": "30.00"}


def test_indicator_input_is_checked_in_chinese(world: World, clock: Clock) -> None:
    clock(D(2025, 6, 30))
    with pytest.raises(InvalidInput, match="目标值应大于0"):
        budget(world, "项目执行率", 0)
    with pytest.raises(InvalidInput, match="应为数字"):
        budget(world, "项目执行率", "一百")
    indicator = budget(world, "项目执行率", 100)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2025, 7, 1), value=1)
    with pytest.raises(InvalidInput, match="2025年内"):
        record_indicator_actual(by=world.staff_a, indicator=indicator, on_date=D(2024, 12, 31), value=1)
    with pytest.raises(NotPermitted):
        record_indicator_actual(by=world.staff_b, indicator=indicator, on_date=D(2025, 6, 1), value=1)
    with pytest.raises(NotPermitted):
        add_indicator(by=world.staff_a, name="x", year=2025, target=1, unit=world.unit_a)
    assert Indicator.objects.count() == 1
    assert not IndicatorActual.objects.exists()


def test_an_indicator_on_a_measure_belongs_to_its_unit_and_inspection(world: World, clock: Clock) -> None:
    clock(D(2025, 6, 30))
    indicator = add_indicator(
        by=world.leader_a, name="经费执行率", year=2025, target=10, measure=world.measure_a
    )
    assert (indicator.unit, indicator.inspection, indicator.department) == (
        world.unit_a,
        world.inspection_a,
        world.dept_a,
    )
    assert list(Indicator.objects.visible_to(world.staff_a)) == [indicator]
    assert not Indicator.objects.visible_to(world.leader_b).exists()
