"""项目执行情况表 files as finance systems write them, for the import tests (openpyxl, real .xlsx)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

# (project, department, budget in 万元, executed in 万元): with 序时进度 60 % (2025-08-07) two are red (below
# 10 %), three yellow (below 60 %) and seven green.
PROJECTS: list[tuple[str, str, object, int]] = [
    ("文物保护修缮专项", "文旅局办公室", 200, 18),
    ("非遗传承扶持资金", "文旅局财务股", 80, 4),
    ("公共图书馆数字化", "文旅局办公室", 150, 60),
    ("乡村旅游厕所改造", "文旅局财务股", 120, 66),
    ("文化下乡演出补助", "文旅局办公室", 60, 30),
    ("景区安全设施更新", "文旅局办公室", 90, 72),
    ("全民阅读活动经费", "文旅局财务股", 40, 30),
    ("博物馆免费开放补助", "文旅局办公室", 100, 80),
    ("文旅宣传推介经费", "文旅局财务股", 50, 45),
    ("群众文化活动经费", "文旅局办公室", 70, 56),
    ("旅游市场监管经费", "文旅局财务股", 30, 27),
    ("体育场馆开放补助", "文旅局办公室", 110, 99),
]


def execution_table(
    path: Path,
    *,
    in_yuan: bool = False,
    rates: bool = False,
    rows: list[tuple[str, str, object, int]] | None = None,
) -> Path:
    """A title row, a two-row header (预算执行情况 merged over its columns), a 合计 row at the end."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目执行情况"
    unit = "元" if in_yuan else "万元"
    sheet.append(["2025年1-7月预算项目执行情况表"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "项目名称", "主管科室", "预算执行情况", None, None])
    sheet.append(
        [None, None, None, f"全年预算（{unit}）", "执行率" if rates else f"累计支出（{unit}）", "备注"]
    )
    sheet.merge_cells("D2:F2")
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    factor = 10000 if in_yuan else 1
    total_budget = 0
    for number, (project, department, budget, executed) in enumerate(rows or PROJECTS, start=1):
        if not isinstance(budget, int):  # a bad cell, written as is
            sheet.append([number, project, department, budget, executed, ""])
            continue
        value: object = f"{executed * 100 / budget:.1f}%" if rates else executed * factor
        sheet.append([number, project, department, budget * factor, value, ""])
        total_budget += budget * factor if isinstance(budget, int) else 0
    sheet.append(["合计", None, None, total_budget, None, None])
    book.save(path)
    return path
