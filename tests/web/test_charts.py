"""The overview's charts: drawn by the vendored ECharts from stored figures, each with its numbers in a table."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.factories import MeasureFactory, UnitFactory
from tests.supervision.conftest import at
from zhenggai.ledger.choices import UnitKind
from zhenggai.supervision.services import run_sweep

D = dt.date
URL = "/overview/charts/"


def _sweep(day: dt.date) -> None:
    with time_machine.travel(at(day), tick=False):
        run_sweep()


def _charts(user: Any, day: dt.date) -> tuple[dict[str, Any], str]:
    client = Client()
    client.force_login(user)
    with time_machine.travel(at(day, 12), tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, page
    return json.loads(found.group(1)), page


def test_the_trend_shows_days_without_a_sweep_as_gaps_not_zero(world: World) -> None:
    _sweep(D(2025, 4, 12))
    _sweep(D(2025, 4, 14))
    data, page = _charts(world.supervisor, D(2025, 4, 14))
    trend = data["trend"]
    assert len(trend["days"]) == 84
    assert trend["days"][-3:] == ["4月12日", "4月13日", "4月14日"]
    assert trend["open"][-3:] == [2, None, 2]
    assert trend["overdue"][-3:] == [1, None, 1]
    assert set(trend["open"][:-3]) == {None}
    assert "已有2天的记录" in page


def test_colours_and_departments_come_from_the_latest_sweep_of_the_users_units(world: World) -> None:
    _sweep(D(2025, 4, 12))
    data, page = _charts(world.supervisor, D(2025, 4, 12))
    colours = {c["name"]: c["value"] for c in data["colours"]}
    assert (colours["红灯"], colours["黄灯"]) == (1, 1)
    assert [d["name"] for d in data["departments"]] == [world.dept_b.name]
    assert "2025年4月12日巡检" in page
    leader_b, _ = _charts(world.leader_b, D(2025, 4, 12))
    assert {c["name"]: c["value"] for c in leader_b["colours"]}["黄灯"] == 0
    leader_a, _ = _charts(world.leader_a, D(2025, 4, 12))
    assert leader_a["departments"] == []


def test_before_any_sweep_the_charts_say_there_is_no_data(world: World) -> None:
    data, page = _charts(world.supervisor, D(2025, 4, 12))
    assert data["colours"] == []
    assert set(data["trend"]["open"]) == {None}
    assert "尚未巡检，暂无数据。" in page


def test_completion_lists_the_lowest_and_highest_units(world: World) -> None:
    from zhenggai.ledger.tally import rebuild_tallies

    rebuild_tallies()
    data, page = _charts(world.supervisor, D(2025, 4, 12))
    assert sorted(data["completion"]["lowest"]["names"]) == sorted([world.unit_a.name, world.unit_b.name])
    assert data["completion"]["lowest"]["values"] == [0.0, 0.0]
    assert "各单位整改完成率" in page


def test_the_charts_cost_the_same_queries_for_two_units_or_twenty(world: World) -> None:
    _sweep(D(2025, 4, 12))
    client = Client()
    client.force_login(world.supervisor)

    def queries() -> int:
        with (
            time_machine.travel(at(D(2025, 4, 12), 12), tick=False),
            CaptureQueriesContext(connection) as seen,
        ):
            assert client.get(URL).status_code == 200
        return len(seen)

    few = queries()
    for n in range(18):
        unit = UnitFactory(name=f"单位{n}", parent=world.district)
        dept = UnitFactory(name=f"部门{n}", kind=UnitKind.DEPARTMENT, parent=unit)
        from tests.factories import FindingFactory, InspectionFactory

        finding = FindingFactory(inspection=InspectionFactory(inspected_unit=unit))
        MeasureFactory(finding=finding, lead_department=dept)
    _sweep(D(2025, 4, 12))
    assert queries() == few


def test_the_overview_table_counts_red_and_yellow_per_unit_and_sorts_by_them(world: World) -> None:
    from zhenggai.ledger.tally import rebuild_tallies

    rebuild_tallies()
    _sweep(D(2025, 4, 12))
    client = Client()
    client.force_login(world.supervisor)
    with time_machine.travel(at(D(2025, 4, 12), 12), tick=False):
        by_red = client.get("/overview/?sort=-red").content.decode()
        by_name = client.get("/overview/").content.decode()
        sheet = client.get("/overview.xlsx?sort=-red").content
    rows = re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', by_red, re.S)
    assert [name for name, _ in rows] == [world.unit_b.name, world.unit_a.name]
    cells = {name: re.findall(r'<td class="num">(\d+)</td>', body) for name, body in rows}
    # …已逾期, 红灯, 黄灯: unit B has its overdue measure red, unit A its measure yellow
    assert cells[world.unit_b.name][-3:] == ["1", "1", "0"]
    assert cells[world.unit_a.name][-3:] == ["0", "0", "1"]
    assert "红灯" in by_name
    from io import BytesIO

    from openpyxl import load_workbook

    table = list(load_workbook(BytesIO(sheet)).active.values)
    assert table[0][8:10] == ("红灯", "黄灯")
    assert table[1][0] == world.unit_b.name
    assert table[1][8:10] == (1, 0)


def test_the_departments_most_overdue_are_the_top_ten_with_ties_broken_by_name(world: World) -> None:
    from django.test import RequestFactory

    from zhenggai.supervision.models import DailySnapshot, SnapshotBasis
    from zhenggai.web.views.charts import TOP_N, departments

    day = D(2025, 4, 12)
    counts = [9, 8, 8, 7, 6, 5, 5, 4, 3, 3, 3, 3, 2, 0]  # the tenth place is a tie of four
    for number, overdue in enumerate(counts):
        unit = UnitFactory(name=f"部门{number:02d}", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
        DailySnapshot.objects.create(
            day=day, unit=unit, basis=SnapshotBasis.DEPARTMENT, overdue=overdue, open=9
        )
    request = RequestFactory().get(URL)
    request.user = world.supervisor
    top = departments(request)
    assert TOP_N == 10
    assert [(d["name"], d["overdue"]) for d in top] == [
        (f"部门{number:02d}", overdue) for number, overdue in enumerate(counts[:10])
    ]
    assert top[0]["parent"] == world.unit_a.name
