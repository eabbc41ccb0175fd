"""我的整改任务 as a list people work with: filters by colour, status, department, deadline and text, sorting,
and 逾期 N 天 / 剩余 N 天 beside the light."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.test import Client

from tests.conftest import World
from tests.factories import MeasureFactory, UnitFactory
from tests.supervision.conftest import at
from zhenggai.ledger.choices import MeasureStatus, UnitKind
from zhenggai.ledger.models import Measure
from zhenggai.supervision.services import run_sweep

D = dt.date
TODAY = D(2025, 4, 12)


def _codes(user: Any, **params: Any) -> tuple[list[str], str]:
    client = Client()
    client.force_login(user)
    with time_machine.travel(at(TODAY), tick=False):
        response = client.get("/tasks/", params)
    assert response.status_code == 200
    page = response.content.decode()
    return re.findall(r'<a href="/measures/\d+/">([A-Z0-9-]+)</a>', page), page


def _ledger(world: World) -> dict[str, Any]:
    finance = UnitFactory(name="文旅局财务股", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    make = lambda code, **kw: MeasureFactory(  # noqa: E731
        finding=world.detail_a, code=code, lead_department=kw.pop("dept", world.dept_a), **kw
    )
    return {
        "overdue": make("A-OVER", deadline=D(2025, 3, 31), start_date=D(2025, 1, 1), text="清理超标车辆"),
        "soon": make(
            "A-SOON", deadline=D(2025, 4, 15), start_date=D(2025, 1, 1), progress=99, text="修订接待制度"
        ),
        "later": make(
            "A-LATE",
            deadline=D(2025, 12, 31),
            start_date=D(2025, 4, 1),
            progress=5,
            dept=finance,
            text="财务报销培训",
            last_reported_at=at(TODAY),
        ),
        "done": make("A-DONE", deadline=D(2025, 3, 1), status=MeasureStatus.DONE, progress=100),
        "finance": finance,
    }


def test_each_row_says_how_many_days_are_left_or_overdue(world: World) -> None:
    _ledger(world)
    codes, page = _codes(world.leader_a)
    assert codes[:3] == ["A-OVER", "A-SOON", "A-LATE"]
    assert "逾期12天" in page
    assert "剩余3天" in page
    assert "剩余263天" in page


def test_filter_by_colour_reads_the_colour_the_sweep_stored(world: World) -> None:
    ledger = _ledger(world)
    with time_machine.travel(at(TODAY), tick=False):
        run_sweep()
    assert _codes(world.leader_a, colour="red")[0] == ["A-OVER"]
    assert _codes(world.leader_a, colour="blue")[0] == ["A-SOON"]
    assert "A-DONE" not in _codes(world.leader_a, show="all", colour="red")[0]
    # Changed since the sweep: filtered by the stored colour until the next sweep recolours it.
    Measure.objects.filter(pk=ledger["soon"].pk).update(deadline=D(2025, 3, 1))
    assert _codes(world.leader_a, colour="red")[0] == ["A-OVER"]
    with time_machine.travel(at(TODAY), tick=False):
        run_sweep()
    assert _codes(world.leader_a, colour="red")[0] == ["A-SOON", "A-OVER"]


def test_filter_by_status_department_deadline_and_text(world: World) -> None:
    ledger = _ledger(world)
    assert _codes(world.leader_a, show="all", status="done")[0] == ["A-DONE"]
    assert _codes(world.leader_a, dept=ledger["finance"].pk)[0] == ["A-LATE"]
    assert _codes(world.leader_a, due_from="2025-04-01", due_to="2025-04-30")[0] == ["A-SOON"]
    assert _codes(world.leader_a, q="接待制度")[0] == ["A-SOON"]
    # 接待 is also in the finding's title (针对接待审批手续不全的问题): the text match first, then the others.
    assert _codes(world.leader_a, q="接待")[0] == ["A-SOON", "A-OVER", "A-LATE", world.measure_a.code]
    assert _codes(world.leader_a, q="A-OVER")[0] == ["A-OVER"]


def test_sorting_by_progress_and_code(world: World) -> None:
    _ledger(world)
    assert (
        _codes(world.leader_a, sort="-progress")[0][:3] == ["A-SOON", "A-LATE", "A-OVER"]
        or _codes(world.leader_a, sort="-progress")[0][0] == "A-SOON"
    )
    codes = _codes(world.leader_a, sort="code")[0]
    assert codes == sorted(codes)


def test_bad_filter_values_are_explained_in_chinese_and_ignored(world: World) -> None:
    _ledger(world)
    codes, page = _codes(world.leader_a, due_from="2025-13-01", colour="purple", due_to="x")
    assert "请按 2025-06-30 的格式填写日期。" in page
    assert "所选的值不在可选范围内，已忽略。" in page
    assert codes[:3] == ["A-OVER", "A-SOON", "A-LATE"]
    _, page = _codes(world.leader_a, due_from="2025-05-01", due_to="2025-04-01")
    assert "结束日期不能早于开始日期。" in page


def test_the_department_filter_offers_only_the_users_departments(world: World) -> None:
    _ledger(world)
    _, page = _codes(world.leader_a)
    assert "文旅局财务股" in page
    assert world.dept_b.name not in page
    assert _codes(world.leader_a, dept=world.dept_b.pk)[0][:1] == ["A-OVER"]  # not theirs: ignored


def test_the_unit_choices_are_the_roots_and_two_levels_below_without_departments(world: World) -> None:
    from zhenggai.web.filters import units_for

    centre = UnitFactory(name="文旅局下属中心", parent=world.unit_a)
    UnitFactory(name="中心下属站", parent=centre)
    UnitFactory(name="另一个区", kind=UnitKind.REGION)
    names = lambda user: [name for name, _, _ in units_for(user).values()]  # noqa: E731
    assert names(world.supervisor) == ["临江区", "区文旅局", "文旅局下属中心", "区档案馆"]
    assert names(world.leader_a) == ["区文旅局", "文旅局下属中心", "中心下属站"]
