"""The 指标 page: a unit's indicators for a year, kept by its leader and the owning department, read by the
supervisor; a report for the same date corrects the earlier one (audited); a retired indicator stops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.test import Client

from tests.conftest import World
from zhenggai.ledger.models import AuditEvent
from zhenggai.supervision.models import Indicator, IndicatorActual, SupervisionRun
from zhenggai.supervision.services import add_indicator

D = dt.date
Clock = Callable[[dt.date], None]
SIXTY_PERCENT = D(2025, 8, 7)  # day 219 of 365: 序时进度 60.0 %


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(getattr(world, name))
    return client


def _page(client: Client, world: World) -> str:
    response = client.get(f"/supervision/indicators/?unit={world.unit_a.pk}&year=2025")
    assert response.status_code == 200
    return response.content.decode()


def test_leader_adds_staff_reports_and_corrects_and_the_page_colours_the_rates(
    world: World, clock: Clock
) -> None:
    clock(SIXTY_PERCENT)
    leader = _client(world, "leader_a")
    added = leader.post(
        f"/supervision/indicators/add/?unit={world.unit_a.pk}&year=2025",
        {"name": "文物保护专项经费", "department": world.dept_a.pk, "target": "200", "unit_label": "万元"},
    )
    assert added.status_code == 302
    indicator = Indicator.objects.get(name="文物保护专项经费")
    assert (indicator.unit, indicator.department, indicator.year) == (world.unit_a, world.dept_a, 2025)

    staff = _client(world, "staff_a")
    assert "文物保护专项经费" in _page(staff, world)
    staff.post(f"/supervision/indicators/{indicator.pk}/report/", {"on_date": "2025-07-31", "value": "18"})
    assert 'data-colour="red"' in _page(staff, world)  # 9 % of the target
    staff.post(f"/supervision/indicators/{indicator.pk}/report/", {"on_date": "2025-07-31", "value": "100"})
    page = _page(staff, world)
    assert 'data-colour="yellow"' in page  # 50 %, behind 60 %
    assert "-10.0" in page  # the gap to the 序时进度
    assert list(IndicatorActual.objects.values_list("on_date", "value")) == [(D(2025, 7, 31), Decimal(100))]
    corrected = AuditEvent.objects.filter(action="record_indicator_actual").order_by("id").last()
    assert corrected is not None
    assert corrected.before == {"on_date": "2025-07-31", "value": "18.00"}


def test_supervisor_reads_but_neither_adds_nor_reports(world: World, clock: Clock) -> None:
    clock(SIXTY_PERCENT)
    indicator = add_indicator(
        by=world.leader_a,
        name="公共文化服务经费",
        year=2025,
        target=100,
        unit=world.unit_a,
        department=world.dept_a,
    )
    supervisor = _client(world, "supervisor")
    page = _page(supervisor, world)
    assert "公共文化服务经费" in page
    assert "新增指标" not in page
    assert f"/supervision/indicators/{indicator.pk}/report/" not in page
    refused = supervisor.post(
        f"/supervision/indicators/{indicator.pk}/report/", {"on_date": "2025-07-31", "value": "50"}
    )
    assert refused.status_code == 403
    assert not IndicatorActual.objects.exists()


def test_another_units_staff_cannot_see_or_touch_the_indicators(world: World, clock: Clock) -> None:
    clock(SIXTY_PERCENT)
    indicator = add_indicator(by=world.leader_a, name="文旅宣传经费", year=2025, target=50, unit=world.unit_a)
    other = _client(world, "staff_b")
    assert other.get(f"/supervision/indicators/?unit={world.unit_a.pk}&year=2025").status_code == 404
    assert other.get(f"/supervision/indicators/{indicator.pk}/edit/").status_code == 404


def test_an_edit_is_audited_and_a_retired_indicator_is_neither_coloured_nor_reported(
    world: World, clock: Clock, sweep: Callable[[], SupervisionRun]
) -> None:
    clock(SIXTY_PERCENT)
    indicator = add_indicator(
        by=world.leader_a,
        name="旅游厕所改造资金",
        year=2025,
        target=80,
        unit=world.unit_a,
        department=world.dept_a,
    )
    leader = _client(world, "leader_a")
    leader.post(
        f"/supervision/indicators/{indicator.pk}/edit/",
        {"name": "旅游厕所改造资金", "department": world.dept_a.pk, "target": "120", "unit_label": "万元"},
    )
    indicator.refresh_from_db()
    assert (indicator.target, indicator.unit_label) == (Decimal(120), "万元")
    edited = AuditEvent.objects.get(action="edit_indicator")
    assert (edited.before["target"], edited.after["target"]) == ("80.00", "120.00")

    empty = leader.post(f"/supervision/indicators/{indicator.pk}/retire/", {"reason": ""})
    assert "请填写停用理由。" in empty.content.decode()
    leader.post(f"/supervision/indicators/{indicator.pk}/retire/", {"reason": "项目已取消"})
    indicator.refresh_from_db()
    assert indicator.retired_at is not None
    sweep()
    indicator.refresh_from_db()
    assert indicator.colour == ""
    refused = _client(world, "staff_a").post(
        f"/supervision/indicators/{indicator.pk}/report/", {"on_date": "2025-07-31", "value": "5"}
    )
    assert "已停用" in refused.content.decode()
    assert not IndicatorActual.objects.exists()


def test_an_indicator_added_for_a_measure_takes_its_lead_department(world: World, clock: Clock) -> None:
    clock(SIXTY_PERCENT)
    leader = _client(world, "leader_a")
    leader.post(
        f"/supervision/indicators/add/?unit={world.unit_a.pk}&year=2025",
        {"name": "接待费压减额", "target": "12", "unit_label": "万元", "measure": world.measure_a.pk},
    )
    indicator = Indicator.objects.get(name="接待费压减额")
    assert (indicator.measure, indicator.department) == (world.measure_a, world.measure_a.lead_department)
    assert f"整改措施{world.measure_a.code}" in _page(leader, world)
    other = leader.post(
        f"/supervision/indicators/add/?unit={world.unit_a.pk}&year=2025",
        {"name": "别的单位的措施", "target": "1", "measure": world.measure_b.pk},
    )
    assert "所选整改措施不属于该单位。" in other.content.decode()


def test_the_page_reads_the_same_number_of_queries_for_3_or_30_indicators(world: World, clock: Clock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenggai.supervision.services import record_indicator_actual

    clock(SIXTY_PERCENT)
    staff = _client(world, "staff_a")
    counts = []
    for total in (3, 30):
        for n in range(total - Indicator.objects.count()):
            made = add_indicator(
                by=world.leader_a,
                name=f"项目{n:03d}-{total}",
                year=2025,
                target=100,
                unit=world.unit_a,
                department=world.dept_a,
            )
            record_indicator_actual(by=world.staff_a, indicator=made, on_date=D(2025, 7, 31), value=n)
        with CaptureQueriesContext(connection) as queries:
            _page(staff, world)
        counts.append(len(queries))
    assert counts[0] == counts[1]
