"""The 项目执行情况表 and the 指标 page at a county's size (a script, not a test).

    .venv/bin/python benchmarks/indicators.py                 # 300 projects
    .venv/bin/python benchmarks/indicators.py --projects 1000

On a fresh SQLite database: a unit with four departments and a leader; a table of N projects (two-row merged
header, amounts in 元). Times, each once: the dry run, the import (N indicators added and N actuals recorded,
one transaction), a re-import of the same date (N corrections), the 指标 page as the leader (with its query
count) and the export. Goal: import under 30 s and the page under 2 s. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

IMPORT_GOAL, PAGE_GOAL = 30.0, 2.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=300)
    args = parser.parse_args()
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-indicators-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    os.environ["ZHENGGAI_ALLOWED_HOSTS"] = "testserver,localhost"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from tests.supervision.execution_tables import execution_table

    from zhenggai.ledger.choices import Role, UnitKind
    from zhenggai.ledger.models import Membership, Unit
    from zhenggai.supervision.execution import import_execution

    call_command("migrate", verbosity=0)
    unit = Unit(name="测试县文旅局", kind=UnitKind.ORGAN)
    unit.save()
    departments = ["办公室", "财务股", "人事股", "产业发展股"]
    for name in departments:
        Unit(name=name, kind=UnitKind.DEPARTMENT, parent=unit).save()
    leader = User.objects.create_user("bench-leader", password="bench-pass-123")
    Membership.objects.create(user=leader, unit=unit, role=Role.LEADER)
    rows: list[tuple[str, str, object, int]] = [
        (f"第{n + 1:04d}号预算项目", departments[n % 4], 100 + n % 50, (n * 7) % 100)
        for n in range(args.projects)
    ]
    path = execution_table(Path(os.environ["ZHENGGAI_DATA_DIR"]) / "执行情况表.xlsx", in_yuan=True, rows=rows)
    today = timezone.localdate()

    figures: list[tuple[str, float, float, str]] = []
    for label, dry in (("dry run", True), ("import", False), ("re-import", False)):
        start = time.perf_counter()
        result = import_execution(path, unit=unit, by=leader, on_date=today, dry_run=dry)
        seconds = time.perf_counter() - start
        assert result.ok, result.errors[:5]
        counts = result.counts()
        figures.append(
            (label, seconds, IMPORT_GOAL, f"{len(result.rows)} rows, +{result.created} indicators, {counts}")
        )
    client = Client()
    client.force_login(leader)
    for label, url in (
        ("page", f"/supervision/indicators/?unit={unit.pk}"),
        ("export", f"/supervision/indicators.xlsx?unit={unit.pk}"),
    ):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        figures.append(
            (label, seconds, PAGE_GOAL, f"{len(queries)} queries, {len(response.content) // 1024} KB")
        )
    failed = False
    for label, seconds, goal, detail in figures:
        mark = "ok" if seconds <= goal else "MISSED"
        failed |= seconds > goal
        print(f"{label:10} {seconds:6.2f} s  (goal {goal:.0f} s, {mark})  {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
