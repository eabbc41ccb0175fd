"""Stored signal runs: `zhenggai signals --store` keeps a whole-ledger scan; the signals page then reads it
(with its time) instead of scanning, shows each user only signals inside their scope, and still scans live for
one inspection. One store at a time (the scheduled jobs' lock)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import World
from tests.supervision.test_jobs import held_elsewhere
from tests.web.conftest import login
from zhenggai.evaluation.models import SignalRun, StoredSignal
from zhenggai.evaluation.signals.store import JOB, common_path, store_run
from zhenggai.ledger.models import Inspection, Measure


def test_the_store_command_keeps_a_run_and_the_page_reads_it_without_scanning(demo: Inspection) -> None:
    out = StringIO()
    call_command("signals", "--store", stdout=out)
    assert "已保存疑点扫描" in out.getvalue()
    run = SignalRun.objects.get()
    assert run.measures == Measure.objects.count()
    assert run.signals == StoredSignal.objects.filter(run=run).count() > 0
    client = login("xunchaban")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/evaluation/signals/").content.decode()
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "ledger_measure" not in touched  # no scan: the measures are not read
    assert "ledger_evidence" not in touched
    assert "本页不重新扫描" in page
    assert timezone.localtime(run.finished_at).strftime("%H:%M") in page
    assert "佐证材料重复" in page
    assert "/measures/" in page
    # one inspection is scanned live
    live = client.get(f"/evaluation/signals/?inspection={demo.pk}").content.decode()
    assert "本页不重新扫描" not in live
    assert "佐证材料重复" in live


def test_stored_signals_are_shown_only_inside_the_users_scope(world: World) -> None:
    from tests.factories import MeasureFactory

    text = "对照巡察反馈问题逐项建立整改台账，明确责任人和完成时限，于2026年12月底前完成全部财务凭证的清理核对工作。"
    MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, code="A9", text=text)
    MeasureFactory(finding=world.measure_b.finding, lead_department=world.dept_b, code="B9", text=text)
    store_run()
    copied = StoredSignal.objects.get(kind="copied")
    assert copied.scope_path == world.district.path
    supervisor, leader_a = Client(), Client()
    supervisor.force_login(world.supervisor)
    leader_a.force_login(world.leader_a)
    assert "文字雷同（1）" in supervisor.get("/evaluation/signals/").content.decode()
    # the leader of unit A may not see unit B's measure, so not this signal
    assert "文字雷同（0）" in leader_a.get("/evaluation/signals/").content.decode()


def test_a_second_store_waits_for_nothing_and_old_runs_are_dropped(world: World) -> None:
    out = StringIO()
    with held_elsewhere(JOB):  # another start is storing a run (PostgreSQL session or SQLite lock row)
        call_command("signals", "--store", stdout=out)
    assert "已有同一任务在运行" in out.getvalue()
    assert not SignalRun.objects.exists()
    for _ in range(3):
        store_run()
    assert SignalRun.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("signals", "--store", "--inspection", "1")


def test_common_path_is_the_nearest_unit_above_all() -> None:
    assert common_path(["000000001/000000002/", "000000001/000000003/"]) == "000000001/"
    assert common_path(["000000001/000000012/", "000000001/000000013/"]) == "000000001/"
    assert common_path(["000000001/000000002/"]) == "000000001/000000002/"
    assert common_path([]) == ""
