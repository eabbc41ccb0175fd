"""`zhenggai upgrade` on a database at the previous release's schema (commit c13a665), with data in it."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.ops.server import base_env, zhenggai

pytestmark = pytest.mark.usefixtures("sqlite_only")

# The leaf migrations of the previous release; what was added since is applied by the upgrade.
PREVIOUS_RELEASE = {
    "ledger": "0007_rules_done_late",
    "notices": "0003_fullwidth_labels",
    "supervision": "0006_notification_preferences",
}

# Builds the old schema and fills it through the historical models of that migration state (today's models may
# have columns the old tables lack).
OLD_DATABASE = f"""
import datetime as dt, django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
previous = {PREVIOUS_RELEASE!r}
for app, name in previous.items():
    call_command("migrate", app, name, verbosity=0)
old = MigrationExecutor(connection).loader.project_state(list(previous.items())).apps
Unit, Inspection = old.get_model("ledger", "Unit"), old.get_model("ledger", "Inspection")
Finding, Measure = old.get_model("ledger", "Finding"), old.get_model("ledger", "Measure")
unit = Unit.objects.create(name="旧版区文旅局", kind="organ")
dept = Unit.objects.create(name="旧版办公室", kind="department", parent=unit)
inspection = Inspection.objects.create(
    inspector="区委巡察一组", inspected_unit=unit, onsite_start=dt.date(2024, 1, 4),
    onsite_end=dt.date(2024, 2, 2), feedback_date=dt.date(2024, 3, 18))
problem = Finding.objects.create(inspection=inspection, level="problem", title="旧版问题")
for n in range(12):
    Measure.objects.create(
        finding=problem, inspection=inspection, code=f"{{n + 1:03d}}", text=f"旧版措施{{n}}", kind="deadline",
        start_date=dt.date(2024, 3, 25), deadline=dt.date(2024, 6, 30), original_deadline=dt.date(2024, 6, 30),
        status="done" if n < 3 else "in_progress", lead_department=dept)
print(inspection.pk)
"""


def test_upgrade_backs_up_and_migrates_data_from_the_previous_release(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = base_env(ZHENGGAI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="zhenggai.settings")
    built = subprocess.run(
        [sys.executable, "-c", OLD_DATABASE],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    inspection = built.stdout.strip()

    result = zhenggai(["upgrade"], env)
    assert result.returncode == 0, result.stderr
    assert "升级完成" in result.stdout
    backups = list((data_dir / "backups").glob("zhenggai-before-upgrade-*.tar.gz"))
    assert len(backups) == 1
    with tarfile.open(backups[0]) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert f"ledger.{PREVIOUS_RELEASE['ledger']}" in manifest["migrations"]
    assert manifest["counts"]["ledger_measure"] == 12
    assert (data_dir / "static" / "staticfiles.json").exists()

    plan = zhenggai(["migrate", "--plan"], env)
    assert "No planned migration operations" in plan.stdout
    stats = zhenggai(["stats", "--inspection", inspection, "--json"], env)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert (figures["measures"], figures["done"], figures["problems"]) == (12, 3, 1)
    assert zhenggai(["supervise", "sweep"], env).returncode == 0  # today's code runs on the upgraded data
