"""The daily sweep over 300,000 measures (a script, not a test).

    .venv/bin/python benchmarks/supervise.py                                  # SQLite in a temporary data dir
    scripts/with-postgres .venv/bin/python benchmarks/supervise.py            # PostgreSQL 15 (DATABASE_URL)
    .venv/bin/python benchmarks/supervise.py --measures 20000                 # a smaller run
    ZHENGGAI_DATA_DIR=<copy> .venv/bin/python benchmarks/supervise.py --existing   # sweep data already there

With --existing nothing is built: it sweeps the database ZHENGGAI_DATA_DIR (or DATABASE_URL) names, which it
WRITES to (use a copy of the province-scale data), twice today, and prints wall and CPU time, the query count
and the time of each step of the sweep.

The data is built with bulk_create into a throwaway database: a temporary SQLite file, or on PostgreSQL a new
database created next to the one DATABASE_URL names and dropped afterwards (that one is never touched).
It times three sweeps, frozen on 2025-04-14 and the day after: the first (every measure gets its first light),
a repeat the same day (nothing changes) and the next day's; then warnings_sent over the whole tree. The exit
status is 1 when one misses its goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

GOAL_SECONDS = 5.0
COUNT_GOAL_SECONDS = 2.0  # warnings_sent for a 通报 over every unit
TODAY = dt.date(2025, 4, 14)
TZ = ZoneInfo("Asia/Shanghai")
UNITS, DEPARTMENTS_PER_UNIT = 300, 4


def _database() -> tuple[str, str | None]:
    """Point Django at a throwaway database; returns (description, PostgreSQL admin URL to drop it with)."""
    url = os.environ.get("DATABASE_URL")
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-")
    if not url:
        return "SQLite", None
    import psycopg

    name = f"zhenggai_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return "PostgreSQL", url


def _drop(admin_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = f"zhenggai_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build(measures: int, seed: int = 5) -> None:
    """Units with departments, staff, leaders and a supervisor; one inspection per unit; the measures spread
    over every status, schedule and reporting habit; indicators and overdue 督办单."""
    from django.contrib.auth.models import User

    from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus, Role, UnitKind
    from zhenggai.ledger.models import Finding, Inspection, InspectionTally, Measure, Membership, Unit
    from zhenggai.supervision.models import Indicator, IndicatorActual, SupervisionNotice

    rnd = random.Random(seed)
    district = Unit.objects.create(name="临江区", kind=UnitKind.REGION)
    units = [Unit.objects.create(name=f"单位{i}", parent=district) for i in range(UNITS)]
    departments = {
        unit.pk: [
            Unit.objects.create(name=f"{unit.name}科室{d}", kind=UnitKind.DEPARTMENT, parent=unit)
            for d in range(DEPARTMENTS_PER_UNIT)
        ]
        for unit in units
    }
    users = User.objects.bulk_create(
        [User(username="supervisor", email="supervisor@example.org")]
        + [User(username=f"leader{u.pk}", email=f"leader{u.pk}@example.org") for u in units]
        + [User(username=f"staff{d.pk}") for ds in departments.values() for d in ds]
    )
    by_name = {user.username: user for user in users}
    memberships = [Membership(user=by_name["supervisor"], unit=district, role=Role.SUPERVISOR)]
    memberships += [Membership(user=by_name[f"leader{u.pk}"], unit=u, role=Role.LEADER) for u in units]
    memberships += [
        Membership(user=by_name[f"staff{d.pk}"], unit=d, role=Role.STAFF)
        for ds in departments.values()
        for d in ds
    ]
    Membership.objects.bulk_create(memberships)

    inspections = Inspection.objects.bulk_create(
        [
            Inspection(inspector="区委巡察一组", inspected_unit=u, feedback_date=dt.date(2024, 3, 18))
            for u in units
        ]
    )
    findings = Finding.objects.bulk_create(
        [
            Finding(inspection=i, level=FindingLevel.PROBLEM, position=p, title=f"关于第{p + 1}个问题")
            for i in inspections
            for p in range(10)
        ]
    )
    InspectionTally.objects.bulk_create(
        [InspectionTally(inspection=i, unit_id=i.inspected_unit_id, as_of=TODAY) for i in inspections]
    )

    statuses = [MeasureStatus.DONE] * 30 + [MeasureStatus.IN_PROGRESS] * 50 + [MeasureStatus.DRAFT] * 10
    statuses += [MeasureStatus.PENDING_SIGNOFF] * 5
    now = dt.datetime.combine(TODAY, dt.time(9), tzinfo=TZ)
    per_inspection = measures // len(inspections) + 1
    batch: list[Measure] = []
    made = 0
    for n_inspection, inspection in enumerate(inspections):
        depts = departments[inspection.inspected_unit_id]
        for k in range(per_inspection):
            if made == measures:
                break
            start = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(420))
            long_term = rnd.random() < 0.05
            status = MeasureStatus.ONGOING if long_term and rnd.random() < 0.5 else rnd.choice(statuses)
            reported = None if rnd.random() < 0.2 else now - dt.timedelta(days=rnd.randrange(40), hours=3)
            deadline = None if long_term else start + dt.timedelta(days=rnd.randrange(30, 365))
            batch.append(
                Measure(
                    inspection=inspection,
                    finding=findings[n_inspection * 10 + k % 10],
                    code=f"{k + 1:05d}",
                    position=k,
                    text=f"第{k + 1}条整改措施:明确责任、建立台账、定期调度",
                    kind=MeasureKind.LONG_TERM if long_term else MeasureKind.DEADLINE,
                    lead_department=depts[k % len(depts)],
                    start_date=start,
                    deadline=deadline,
                    original_deadline=deadline,
                    status=status,
                    progress=100 if status == MeasureStatus.DONE else rnd.randrange(101),
                    last_reported_at=reported,
                )
            )
            made += 1
            if len(batch) == 10_000:
                Measure.objects.bulk_create(batch, batch_size=2000)
                batch.clear()
    Measure.objects.bulk_create(batch, batch_size=2000)

    indicators = Indicator.objects.bulk_create(
        [
            Indicator(name=f"预算项目{j}执行率", unit=u, year=TODAY.year, target=100, unit_label="万元")
            for u in units
            for j in range(3)
        ]
    )
    IndicatorActual.objects.bulk_create(
        [
            IndicatorActual(
                indicator=i,
                on_date=dt.date(2025, 3, 31),
                value=rnd.randrange(0, 60),
                recorded_by=by_name["supervisor"],
            )
            for i in indicators
        ]
    )
    open_measures = Measure.objects.exclude(status=MeasureStatus.DONE)
    for unit in units[:30]:  # thirty overdue, unanswered 督办单
        notice = SupervisionNotice.objects.create(
            unit=unit,
            title="整改进度滞后",
            content="请说明原因",
            issued_by=by_name["supervisor"],
            issued_at=now - dt.timedelta(days=20),
            reply_deadline=TODAY - dt.timedelta(days=10),
            level_since=TODAY - dt.timedelta(days=20),
        )
        notice.measures.set(open_measures.filter(inspection__inspected_unit=unit)[:5])


def timed_sweep(day: dt.date) -> tuple[float, dict[str, object]]:
    import time_machine

    from zhenggai.supervision.services import run_sweep

    with time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=TZ), tick=True):
        start = time.perf_counter()
        run = run_sweep()
        return time.perf_counter() - start, dict(run.counts)


SWEEP_STEPS = (
    "sweep_measures",
    "sweep_indicators",
    "escalate_notices",
    "refresh_overdue",
    "write_snapshots",
    "refresh_unit_tallies",
    "due_soon",
    "deliver",
    "sweep_feedback",
)


def existing(rounds: int, days_ahead: int = 0) -> int:
    """Sweep the data already in the configured database `rounds` times (today, or `days_ahead` days later:
    more measures overdue, more overview rows to rewrite); print the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenggai.ledger.models import Measure, Unit
    from zhenggai.supervision import services

    steps: dict[str, float] = {}

    def timing(name: str, fn: object) -> object:
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)  # type: ignore[operator]
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    import zhenggai.ledger.tally as tally
    import zhenggai.portal.sweep as portal_sweep
    import zhenggai.supervision.snapshots as snapshots

    for (
        name
    ) in SWEEP_STEPS:  # a step inside another is counted in both (refresh_unit_tallies in refresh_overdue)
        for module in (services, portal_sweep, snapshots, tally):
            if hasattr(module, name):
                setattr(module, name, timing(name, getattr(module, name)))
    print(f"{connection.vendor}: {Unit.objects.count():,} units, {Measure.objects.count():,} measures")
    for n in range(rounds):
        steps.clear()
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            if days_ahead:
                import time_machine

                day = dt.datetime.now(TZ) + dt.timedelta(days=days_ahead)
                with time_machine.travel(day, tick=True):
                    run = services.run_sweep()
            else:
                run = services.run_sweep()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        load = os.getloadavg()[0]
        detail = ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
        print(
            f"sweep {n + 1}: wall {wall:.2f} s, CPU {cpu:.2f} s, {len(queries)} queries, load {load:.2f} "
            f"— {run.counts.get('measure_changes')} colour changes; steps (wall s): {detail}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=300_000)
    parser.add_argument("--existing", action="store_true", help="sweep the configured database's data")
    parser.add_argument("--rounds", type=int, default=2, help="sweeps with --existing")
    parser.add_argument("--days-ahead", type=int, default=0, help="with --existing: sweep as of a later day")
    args = parser.parse_args()
    if args.existing:
        return existing(args.rounds, args.days_ahead)

    engine, admin_url = _database()
    try:
        _setup()
        from django.urls import reverse

        from zhenggai.ledger.models import Measure

        reverse("supervision:warnings")  # load the URL configuration once, as a long-running process has
        start = time.perf_counter()
        build(args.measures)
        print(f"{engine}: built {Measure.objects.count():,} measures in {time.perf_counter() - start:.1f} s")
        ok = True
        for label, day in (
            ("first sweep (every light new)", TODAY),
            ("repeat, same day (no change)", TODAY),
            ("next day", TODAY + dt.timedelta(days=1)),
        ):
            seconds, counts = timed_sweep(day)
            met = seconds <= GOAL_SECONDS
            ok &= met
            changes = counts.get("measure_changes")
            print(
                f"{engine}: sweep, {label}: {seconds:.2f} s (goal ≤ {GOAL_SECONDS:g} s) {'OK' if met else 'MISSED'}"
                f" — {changes:,} colour changes, {counts.get('escalated')} 督办单 escalated, "
                f"{counts.get('notifications')} notifications"
            )
        from zhenggai.ledger.models import Unit
        from zhenggai.supervision.services import warnings_sent

        root = Unit.objects.filter(parent=None).order_by("pk").first()
        assert root is not None
        start = time.perf_counter()
        sent = warnings_sent(root)
        seconds = time.perf_counter() - start
        met = seconds <= COUNT_GOAL_SECONDS
        ok &= met
        print(
            f"{engine}: warnings_sent over the whole tree (已发出预警提醒N次): {seconds:.2f} s "
            f"(goal ≤ {COUNT_GOAL_SECONDS:g} s) {'OK' if met else 'MISSED'} — {sent:,} warnings"
        )
        return 0 if ok else 1
    finally:
        if admin_url:
            _drop(admin_url)


if __name__ == "__main__":
    sys.exit(main())
