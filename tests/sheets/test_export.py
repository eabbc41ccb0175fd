"""The exported 整改台账 opened again with openpyxl: layout, print settings and what each column says."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.factories import MeasureFactory
from tests.sheets.conftest import HEADERS, Ledger, export
from zhenggai.ledger.models import Inspection
from zhenggai.sheets.export import export_ledger


@pytest.fixture
def sheet(ledger: Ledger, tmp_path: Path) -> Any:
    return load_workbook(export(ledger, tmp_path)).active


def column(name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[HEADERS.index(name)]


def test_title_row_over_chinese_header_row(sheet: Any) -> None:
    assert sheet.title == "台账"
    assert sheet["A1"].value == "区文旅局巡察整改台账"
    assert "区委巡察一组" in sheet["A2"].value
    assert [cell.value for cell in sheet[3]] == [
        "序号", "方面", "问题", "具体问题", "整改措施", "责任领导", "责任处室", "责任人",
        "整改时限", "类型", "进展情况", "完成情况", "佐证材料", "备注", "红黄灯", "完成日期", "编号",
    ]  # fmt: skip


def test_hierarchy_is_merged_down_over_its_measures(sheet: Any) -> None:
    # Row 4: 财务管理 problem (one measure); rows 5-6: 组织生活 problem (two measures, no details);
    # rows 7-9: 选人用人 problem, its details 干部档案 (rows 7-8) and 轮岗交流 (row 9); all of 5-9 in 党的建设方面.
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:P1", "A2:P2",  # over the printed columns: 编号 (Q) is outside the print area
        "A5:A6", "A7:A9",  # 序号 over each problem
        "B5:B9",  # 方面
        "C5:C6", "C7:C9",  # 问题
        "D7:D8",  # 具体问题
    }  # fmt: skip
    assert sheet["B5"].value == "党的建设方面"
    assert sheet["C7"].value == "关于选人用人不规范的问题"
    assert [sheet[f"A{row}"].value for row in (4, 5, 7)] == [1, 2, 3]
    assert sheet["B4"].value is None  # a problem outside any 方面


def test_header_is_frozen_and_repeated_on_every_printed_page(sheet: Any) -> None:
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"


def test_prints_on_a4_landscape_one_page_wide(sheet: Any) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9  # A4
    assert int(setup.fitToWidth or 1) == 1  # an absent fitToWidth means 1, the OOXML default
    assert int(setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_margins.left == pytest.approx(0.3)
    assert sheet.page_margins.top == pytest.approx(0.5)
    assert "&P" in sheet.oddFooter.center.text


def test_columns_have_widths_and_text_wraps(sheet: Any) -> None:
    # Excel stores the width it shows plus its cell padding (24 shown → 24.71 stored).
    assert sheet.column_dimensions[column("整改措施")].width == pytest.approx(24, abs=1)
    assert sheet.column_dimensions[column("序号")].width == pytest.approx(4, abs=1)
    assert sheet.column_dimensions[column("进展情况")].width == pytest.approx(24, abs=1)
    assert sheet["E4"].alignment.wrap_text is True
    assert sheet["E3"].font.name == "黑体"


def test_deadline_is_an_excel_date_shown_in_chinese(ledger: Ledger, sheet: Any) -> None:
    cell = sheet[f"{column('整改时限')}4"]
    assert cell.value == dt.datetime(2030, 6, 30)
    assert cell.number_format == 'yyyy"年"m"月"d"日"'
    assert sheet[f"{column('整改时限')}9"].value == "长期坚持"  # long-term, no deadline
    assert sheet[f"{column('类型')}9"].value == "长期坚持"
    assert sheet[f"{column('类型')}6"].value == "立行立改"


def test_row_shows_latest_progress_status_evidence_and_departments(ledger: Ledger, sheet: Any) -> None:
    row = 5  # ledger.life
    assert sheet[f"{column('整改措施')}{row}"].value == ledger.life.text
    assert sheet[f"{column('进展情况')}{row}"].value == "台账已在各支部启用"
    assert sheet[f"{column('完成情况')}{row}"].value == "整改中"
    assert sheet[f"{column('佐证材料')}{row}"].value == "组织生活台账.pdf"
    assert sheet[f"{column('责任处室')}{row}"].value == "文旅局办公室\n配合：文旅局财务股"
    assert sheet[f"{column('责任领导')}{row}"].value == "赵某某"
    assert sheet[f"{column('编号')}{row}"].value == ledger.life.code
    assert sheet[f"{column('完成情况')}6"].value == "未启动"


def test_extended_deadline_is_noted_in_remarks(ledger: Ledger, tmp_path: Path) -> None:
    ledger.archive.original_deadline = dt.date(2030, 3, 31)
    ledger.archive.save()
    sheet = load_workbook(export(ledger, tmp_path)).active
    assert sheet[f"{column('备注')}7"].value == "已延期，原定整改时限2030年3月31日"


def test_export_reads_the_same_number_of_queries_for_any_size(ledger: Ledger) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_ledger(Inspection.objects.get(pk=ledger.inspection.pk), io.BytesIO())
        return len(captured.captured_queries)

    small = queries()
    for n in range(20):
        MeasureFactory(finding=ledger.archive.finding, text=f"补充措施{n}")
    assert queries() == small


def test_staff_export_holds_only_the_measures_they_may_see(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "办公室.xlsx"
    call_command(
        "ledger",
        "export",
        str(ledger.inspection.pk),
        "-o",
        str(path),
        "--by",
        "staff_a",
        stdout=io.StringIO(),
    )
    codes = {row[-1] for row in load_workbook(path).active.iter_rows(min_row=4, values_only=True)} - {None}
    assert codes == {m.code for m in ledger.measures() if m.lead_department_id == ledger.world.dept_a.pk}


def test_other_units_user_cannot_export(ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不存在，或您无权查看") as raised:
        call_command(
            "ledger", "export", str(ledger.inspection.pk), "-o", str(tmp_path / "x.xlsx"), "--by", "leader_b"
        )
    assert raised.value.returncode == 2
    assert not (tmp_path / "x.xlsx").exists()
