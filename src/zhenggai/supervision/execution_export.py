"""项目执行情况表, export: a unit's indicators of a year back out as an .xlsx, each row filled with its colour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

FILL = {"red": "#F8D7DA", "yellow": "#FFF3CD", "green": "#D1E7DD"}
COLOUR_LABELS = {"red": "红", "yellow": "黄", "green": "绿", "": "停用"}


def export_execution(
    rows: list[tuple[str, str, Decimal, Decimal | None, Decimal, str, Decimal]],
    *,
    title: str,
    on: dt.date,
    line: Decimal,
) -> bytes:
    """The 执行情况表 back out: project, department, budget, executed, rate, 序时进度, gap, colour; each row
    filled with its colour. `rows`: (project, department, budget, executed, rate, colour, gap)."""
    import xlsxwriter

    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("执行情况")
    bold = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    heading = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    sheet.merge_range(0, 0, 0, 7, title, heading)
    sheet.write(1, 0, f"截至{on.year}年{on.month}月{on.day}日，序时进度{line}%")
    headers = [
        "项目名称",
        "责任部门",
        "预算（万元）",
        "已执行（万元）",
        "执行率（%）",
        "序时进度（%）",
        "差（百分点）",
        "预警",
    ]
    for column, text in enumerate(headers):
        sheet.write(2, column, text, bold)
    formats = {colour: book.add_format({"bg_color": fill, "border": 1}) for colour, fill in FILL.items()} | {
        "": book.add_format({"border": 1, "font_color": "#6c757d"})
    }
    for index, (project, department, budget, executed, rate, colour, gap) in enumerate(rows, start=3):
        fmt = formats.get(colour, formats[""])
        values: list[object] = [
            project,
            department,
            float(budget),
            float(executed or 0),
            float(rate),
            float(line),
            float(gap),
            COLOUR_LABELS.get(colour, ""),
        ]
        for column, value in enumerate(values):
            sheet.write(index, column, value, fmt)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 7, 12)
    sheet.freeze_panes(3, 1)
    book.close()
    return out.getvalue()
