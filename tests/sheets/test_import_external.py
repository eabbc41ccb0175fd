"""Sheets that other units fill in: their own headers, two-row headers, merges, separator rows, text dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.sheets.conftest import Importer, Ledger, summary
from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.models import Finding, Measure, ProgressReport


def unit_sheet(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    """A county-style ledger: title, 填报 line, a two-row header (责任分工 over three columns), then `rows`
    from row 5 on; the first data row is a 方面 merged across the table."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "巡察整改台账"
    sheet.append(["区文旅局巡察反馈问题整改落实台账"])
    sheet.append(["填报单位:区文旅局    填报日期:2030年5月1日"])
    sheet.append(
        [
            "编号",
            "反馈问题",
            "问题表现",
            "整改举措",
            "责任分工",
            None,
            None,
            "完成时限",
            "整改状态",
            "推进情况",
        ]
    )
    sheet.append([None, None, None, None, "牵头领导", "牵头部门", "具体责任人"])
    for column in "ABCDHIJ":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("E3:G3")
    sheet.merge_cells("A1:J1")
    sheet.merge_cells("A2:J2")
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_unit_sheet_with_its_own_headers_creates_its_findings_and_measures(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = tmp_path / "外单位台账.xlsx"
    unit_sheet(
        path,
        [
            ["一、党的建设方面"] * 10,
            [1, "1.关于档案管理不规范的问题", "(1)针对档案借阅登记不全的问题", "建立档案借阅登记制度",
             "赵某某", "文旅局办公室", "王某某", dt.datetime(2030, 3, 1), "正在推进", "已起草登记制度"],
            [2, None, None, "每月抽查借阅登记", "赵某某", "文旅局办公室、文旅局财务股", "王某某",
             "2030/3/31", "未开始", None],
            [3, None, "(2)针对档案数字化滞后的问题", "制定档案数字化计划", "孙某某", "文旅局财务股",
             "钱某某", "长期坚持", None, None],
        ],
        merges=("A5:J5", "B6:B8", "C6:C7"),
    )  # fmt: skip

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    problem = Finding.objects.get(title="关于档案管理不规范的问题")  # list number dropped
    assert (problem.level, problem.parent) == (FindingLevel.PROBLEM, ledger.aspect)  # 方面 matched by title
    details = list(problem.children.order_by("position").values_list("title", flat=True))
    assert details == ["针对档案借阅登记不全的问题", "针对档案数字化滞后的问题"]
    first, second, third = Measure.objects.filter(finding__parent=problem).order_by("id")
    assert (first.text, first.deadline, first.responsible_leader) == (
        "建立档案借阅登记制度",
        dt.date(2030, 3, 1),
        "赵某某",
    )
    assert ProgressReport.objects.get(measure=first).text == "已起草登记制度"
    assert first.status == MeasureStatus.IN_PROGRESS
    assert second.finding == first.finding  # merged 问题表现 read as its top-left value
    assert second.deadline == dt.date(2030, 3, 31)
    assert second.lead_department == ledger.world.dept_a
    assert list(second.cooperating_departments.all()) == [ledger.finance]
    assert (third.kind, third.deadline, third.lead_department) == (
        MeasureKind.LONG_TERM,
        None,
        ledger.finance,
    )
    assert summary(out)["新增措施"] == 3


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (dt.datetime(2030, 3, 1), dt.date(2030, 3, 1)),
        ("2030-03-01", dt.date(2030, 3, 1)),
        ("2030/3/1", dt.date(2030, 3, 1)),
        ("2030.3.1", dt.date(2030, 3, 1)),
        ("2030年3月1日", dt.date(2030, 3, 1)),
        ("２０３０年３月１日", dt.date(2030, 3, 1)),
        ("2030年3月底前", dt.date(2030, 3, 31)),
        ("长期坚持", None),
    ],
)
def test_deadline_written_in_any_usual_form(
    ledger: Ledger, tmp_path: Path, run_import: Importer, written: object, expected: dt.date | None
) -> None:
    path = unit_sheet(
        tmp_path / "时限.xlsx",
        [
            [
                1,
                "关于财务管理不规范的问题",
                "针对接待审批手续不全的问题",
                "规范公务接待审批",
                None,
                None,
                None,
                written,
            ]
        ],
    )

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    measure = Measure.objects.get(text="规范公务接待审批")
    assert measure.deadline == expected
    assert measure.finding == ledger.world.detail_a


def test_unit_sheet_with_an_unknown_department_names_the_cell(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = unit_sheet(
        tmp_path / "部门.xlsx",
        [[1, "关于财务管理不规范的问题", "针对接待审批手续不全的问题", "规范公务接待审批", None, "宣传科"]],
    )

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert "工作表“巡察整改台账”第5行“牵头部门”列：责任处室“宣传科”不是“区文旅局”或其内设部门的名称" in out
    assert not Measure.objects.filter(text="规范公务接待审批").exists()
