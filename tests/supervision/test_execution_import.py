"""Importing the finance system's 项目执行情况表: odd headers mapped (merged header rows, 元 or 万元, rates
instead of amounts), all-or-nothing, a dry run and a bad file write nothing; `zhenggai indicator` commands."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import World
from tests.factories import UnitFactory
from tests.supervision.execution_tables import PROJECTS, execution_table
from zhenggai.ledger.choices import UnitKind
from zhenggai.ledger.models import AuditEvent
from zhenggai.supervision.execution import ExecutionImportError, import_execution
from zhenggai.supervision.models import Indicator, IndicatorActual

D = dt.date
Clock = Callable[[dt.date], None]
SIXTY_PERCENT = D(2025, 8, 7)  # 序时进度 60.0 %


@pytest.fixture
def finance(world: World, clock: Clock) -> World:
    clock(SIXTY_PERCENT)
    UnitFactory(name="文旅局财务股", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    return world


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("indicator", *args, stdout=out)
    return out.getvalue()


def _targets() -> dict[str, Decimal]:
    return dict(Indicator.objects.values_list("name", "target"))


def _actuals() -> dict[str, Decimal]:
    return dict(IndicatorActual.objects.values_list("indicator__name", "value"))


@pytest.mark.parametrize("odd", [{}, {"in_yuan": True}, {"rates": True}], ids=["万元", "元", "执行率"])
def test_twelve_projects_import_as_two_red_and_three_yellow_whatever_the_header(
    finance: World, tmp_path: Path, odd: dict[str, bool]
) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx", **odd)

    result = import_execution(path, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)

    assert result.errors == []
    assert (result.created, result.reported) == (12, 12)
    assert result.counts() == {"red": 2, "yellow": 3, "green": 7}
    assert _targets() == {name: Decimal(str(budget)) for name, _, budget, _ in PROJECTS}
    assert _actuals() == {name: Decimal(executed) for name, _, _, executed in PROJECTS}
    owner = Indicator.objects.get(name="非遗传承扶持资金").department
    assert owner is not None
    assert owner.name == "文旅局财务股"


def test_the_preview_names_each_mapped_column_as_written(finance: World, tmp_path: Path) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx", in_yuan=True)
    result = import_execution(
        path, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT, dry_run=True
    )
    assert result.mapping is not None
    assert result.mapping.describe() == [
        ("项目名称", "B", "项目名称"),
        ("责任部门", "C", "主管科室"),
        ("预算金额", "D", "全年预算（元）"),
        ("已执行金额", "E", "累计支出（元）"),
    ]
    assert result.mapping.header_row == 3
    assert result.counts()["red"] == 2
    assert not Indicator.objects.exists()  # a dry run writes nothing
    assert not AuditEvent.objects.filter(action__contains="indicator").exists()


def test_one_bad_row_writes_nothing_and_names_the_cell(finance: World, tmp_path: Path) -> None:
    rows = [*PROJECTS[:5], ("景区安全设施更新", "文旅局办公室", "九十", 72)]
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=rows)

    result = import_execution(path, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)

    assert result.errors == ["工作表“项目执行情况”第9行“全年预算（万元）”列：应为数字"]
    assert not Indicator.objects.exists()


def test_an_unknown_department_refuses_the_whole_table(finance: World, tmp_path: Path) -> None:
    rows = [*PROJECTS[:3], ("文化下乡演出补助", "宣传科", 60, 30)]
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=rows)
    result = import_execution(path, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)
    assert result.errors == ["工作表“项目执行情况”第7行：责任部门“宣传科”不是区文旅局的内设部门"]
    assert not Indicator.objects.exists()
    assert not IndicatorActual.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(finance: World, tmp_path: Path) -> None:
    bad = tmp_path / "执行情况表.xlsx"
    bad.write_bytes(b"project,budget\n")
    with pytest.raises(ExecutionImportError, match=r"不是 \.xlsx 文件"):
        import_execution(bad, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)
    assert not Indicator.objects.exists()


def test_a_second_import_for_the_same_date_corrects_the_actuals(finance: World, tmp_path: Path) -> None:
    first = execution_table(tmp_path / "一.xlsx")
    import_execution(first, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)
    rows = [(name, dept, budget, executed + 1) for name, dept, budget, executed in PROJECTS]
    second = execution_table(tmp_path / "二.xlsx", rows=rows)
    result = import_execution(second, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT)
    assert result.created == 0
    assert IndicatorActual.objects.count() == 12
    assert _actuals()["文物保护修缮专项"] == Decimal(19)


def test_cli_imports_lists_as_json_and_reports(finance: World, tmp_path: Path) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx")
    unit = str(finance.unit_a.pk)
    dry = _run("import", str(path), "--unit", unit, "--by", "leader_a", "--date", "2025-08-07", "--dry-run")
    assert "试导入：12个项目" in dry
    assert not Indicator.objects.exists()
    out = _run("import", str(path), "--unit", "区文旅局", "--by", "leader_a", "--date", "2025-08-07")
    assert "红色2个、黄色3个" in out

    listed = json.loads(_run("list", "--unit", unit, "--year", "2025", "--json"))
    assert listed["schedule"] == 60.0
    colours = [row["colour"] for row in listed["indicators"]]
    assert (colours.count("red"), colours.count("yellow")) == (2, 3)

    low = Indicator.objects.get(name="文物保护修缮专项")
    said = _run(
        "report", "--indicator", str(low.pk), "--date", "2025-08-07", "--value", "150", "--by", "staff_a"
    )
    assert "已更正" in said
    assert "文物保护修缮专项" in _run("list", "--unit", unit, "--year", "2025")
    with pytest.raises(CommandError, match="不是指标“文物保护修缮专项”的责任单位"):
        _run("report", "--indicator", str(low.pk), "--date", "2025-08-07", "--value", "1", "--by", "staff_b")
