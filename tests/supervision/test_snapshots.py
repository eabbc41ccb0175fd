"""每日快照: the sweep records each unit's figures for the day; trends read them, with no data shown as None."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.supervision.models import DailySnapshot, SnapshotBasis, SupervisionRun
from zhenggai.supervision.snapshots import daily_series

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]


def _row(unit: object, day: dt.date, basis: SnapshotBasis = SnapshotBasis.UNIT) -> DailySnapshot:
    return DailySnapshot.objects.get(unit=unit, day=day, basis=basis)


def test_a_sweep_records_each_units_figures_and_each_departments(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, status=MeasureStatus.DONE)
    clock(D(2025, 4, 12))
    run = sweep()
    a = _row(world.unit_a, D(2025, 4, 12))
    # measure_a (yellow, due 2030) and one done measure
    assert (a.measures, a.open, a.done, a.overdue) == (2, 1, 1, 0)
    assert (a.red, a.yellow, a.blue, a.stale, a.green) == (0, 1, 0, 0, 0)
    b = _row(world.unit_b, D(2025, 4, 12))
    # measure_b was due 2024-06-30: overdue and red
    assert (b.measures, b.open, b.overdue, b.red) == (1, 1, 1, 1)
    assert _row(world.dept_a, D(2025, 4, 12), SnapshotBasis.DEPARTMENT).measures == 2
    # and the subtree sums: the district's row adds up both units (a row a day for a whole region's trend)
    district = _row(world.district, D(2025, 4, 12), SnapshotBasis.TREE)
    assert (district.measures, district.open, district.overdue) == (3, 2, 1)
    assert (district.red, district.yellow) == (1, 1)
    assert _row(world.unit_a, D(2025, 4, 12), SnapshotBasis.TREE).measures == 2
    # and what each unit's members may see (basis SCOPE, the warnings page's counts): lit measures only, by
    # the units that reach them (inspected unit, lead department) and every unit above those
    scope = {
        s.unit_id: (s.open, s.red, s.yellow) for s in DailySnapshot.objects.filter(basis=SnapshotBasis.SCOPE)
    }
    assert scope == {
        world.district.pk: (2, 1, 1),
        world.unit_a.pk: (1, 0, 1),
        world.dept_a.pk: (1, 0, 1),
        world.unit_b.pk: (1, 1, 0),
        world.dept_b.pk: (1, 1, 0),
    }
    assert run.counts["snapshots"] == DailySnapshot.objects.count() == 2 + 2 + 3 + 5


def test_a_second_sweep_on_the_same_day_replaces_the_days_rows(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 4, 12))
    sweep()
    MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, deadline=D(2025, 4, 1))
    clock(D(2025, 4, 12), 18)
    sweep()
    assert DailySnapshot.objects.filter(unit=world.unit_a, basis=SnapshotBasis.UNIT).count() == 1
    assert _row(world.unit_a, D(2025, 4, 12)).overdue == 1


def test_history_stays_as_it_was_when_the_ledger_changes_later(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 4, 12))
    sweep()
    world.measure_b.deadline = D(2026, 1, 1)  # as an approved extension would
    world.measure_b.save()
    clock(D(2025, 4, 13))
    sweep()
    assert _row(world.unit_b, D(2025, 4, 12)).overdue == 1
    assert _row(world.unit_b, D(2025, 4, 13)).overdue == 0


def test_days_without_a_sweep_are_no_data_never_zero(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 12))
    sweep()
    clock(D(2025, 4, 14))
    sweep()
    series = daily_series(world.supervisor, D(2025, 4, 10), D(2025, 4, 14))
    assert [point["day"] for point in series] == [D(2025, 4, d) for d in range(10, 15)]
    assert [point["open"] for point in series] == [None, None, 2, None, 2]
    assert [point["overdue"] for point in series] == [None, None, 1, None, 1]


def test_the_series_sums_only_the_units_the_user_oversees(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 4, 12))
    sweep()
    day = D(2025, 4, 12)
    assert daily_series(world.supervisor, day, day)[0]["measures"] == 2
    assert daily_series(world.leader_a, day, day)[0]["measures"] == 1
    assert daily_series(world.leader_b, day, day)[0]["overdue"] == 1
    assert daily_series(world.outsider, day, day)[0]["measures"] is None
