"""Figures per inspection and per unit, checked against the demo ledger counted by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.models import Inspection, Unit

# The demo ledger (zhenggai/ledger/demo.py), counted by hand from its tree:
#   3 方面; 8 问题; 15 具体问题 plus 2 问题 without details → 17 details; 30 measures.
#   done: 11 (scenario "done"); ongoing: 2 signed off as 持续推进 + 3 pending sign-off + 5 working
#   + 1 rejected-then-working + 1 extended + 2 asking for extension = 14; drafts: 5.
#   overdue (not done, deadline passed): 网络舆情 (-10), 滞后项目 (-15), 廉洁提醒 (-5),
#   三会一课 (-22, pending sign-off), 党费台账 (-8) = 5.  Regulations: 3 new, 2 revised.
#   done_late (逾期完成, signed off after the deadline, part of done): 发言材料存档 (-20), 到期提醒台账 (-18),
#   发展党员材料 (-12) = 3.
DEMO = {
    "problems": 8,
    "details": 17,
    "measures": 30,
    "done": 11,
    "ongoing": 14,
    "overdue": 5,
    "completion_rate": 36.7,
    "regulations_new": 3,
    "regulations_revised": 2,
    "done_late": 3,
}
# The keys `zhenggai stats --json` printed before 逾期完成 was counted: they stay, with the same values.
OLD_KEYS = {k for k in DEMO if k != "done_late"}


@pytest.fixture
def demo(db: Any) -> Inspection:
    return load_demo(password="demo-pass-123").inspection


def test_fresh_database_demo_is_inspection_1_with_the_hand_counted_figures(tmp_path: Path) -> None:
    """The quick start's path: a fresh SQLite data dir, migrate, demo, then the CLI's figures for id 1."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"ZHENGGAI_DATA_DIR": str(tmp_path)}

    def zhenggai(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "zhenggai", *args], capture_output=True, text=True, env=env, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    zhenggai("migrate", "-v", "0")
    zhenggai("demo")
    assert json.loads(zhenggai("stats", "--inspection", "1", "--json")) == DEMO


def test_stats_json_matches_the_demo_counted_by_hand(demo: Inspection, capsys: Any) -> None:
    call_command("stats", "--inspection", str(demo.pk), "--json")
    assert json.loads(capsys.readouterr().out) == DEMO


def test_stats_json_keeps_every_earlier_key_and_adds_done_late(demo: Inspection, capsys: Any) -> None:
    call_command("stats", "--inspection", str(demo.pk), "--json")
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == OLD_KEYS | {"done_late"}
    assert figures["done_late"] == 3 <= figures["done"]


def test_unit_figures_cover_its_inspections(demo: Inspection) -> None:
    bureau = Unit.objects.with_figures().get(pk=demo.inspected_unit_id)
    assert (bureau.n_measures, bureau.n_done, bureau.n_overdue) == (30, 11, 5)
    archive = Unit.objects.with_figures().get(name="临江区档案馆")
    assert (archive.n_problems, archive.n_details, archive.n_measures, archive.n_overdue) == (1, 1, 2, 1)
    assert archive.completion_rate == 0


def test_figures_for_many_inspections_take_one_query(demo: Inspection) -> None:
    with CaptureQueriesContext(connection) as queries:
        rows = list(Inspection.objects.with_figures())
        units = list(Unit.objects.with_figures())
    assert len(rows) == 2
    assert len(units) == 8
    assert len(queries) == 2


def test_stats_for_a_missing_inspection_is_a_clear_error(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("stats", "--inspection", "424242", "--json")
