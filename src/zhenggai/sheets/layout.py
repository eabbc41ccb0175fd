"""Writing a LedgerSheet as .xlsx: title over header, merged hierarchy, frozen header, print-ready.

Written with XlsxWriter, which builds the file about three times faster than openpyxl (10,000 measures in
well under a second of writing) and supports everything the layout needs: merged ranges, widths, panes, a
drop-down validation, print settings and cell formats. The tests open the file again with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from zhenggai.ledger.choices import MeasureKind
from zhenggai.sheets.columns import COLUMNS
from zhenggai.sheets.export import LedgerSheet, Row

SHEET_TITLE = "台账"
HEADER_ROW = 3  # row 1: title, row 2: inspection and export date, row 3: column headers (1-based)
FIRST_DATA_ROW = HEADER_ROW + 1
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
BODY_FONT = "仿宋"  # shipped with every Chinese Windows; LibreOffice substitutes a CJK serif
HEAD_FONT = "黑体"
# Characters XML 1.0 cannot carry; text pasted from other systems sometimes has them.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_MERGED_KEYS = {"seq": "problem", "aspect": "aspect", "problem": "problem", "detail": "detail"}


def _formats(book: Any) -> dict[str, Any]:
    body = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True, "border": 1}
    return {
        "title": book.add_format({"font_name": HEAD_FONT, "font_size": 18, "align": "center", "valign": "vcenter"}),
        "subtitle": book.add_format({"font_name": BODY_FONT, "font_size": 10, "align": "left", "valign": "vcenter"}),
        "header": book.add_format(
            {"font_name": HEAD_FONT, "font_size": 11, "bold": True, "align": "center", "valign": "vcenter",
             "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"}
        ),
        "left": book.add_format(body | {"align": "left"}),
        "centre": book.add_format(body | {"align": "center"}),
        "date": book.add_format(body | {"align": "center", "num_format": DATE_FORMAT}),
        "code": book.add_format(
            {"font_name": BODY_FONT, "font_size": 9, "font_color": "#808080", "align": "center",
             "valign": "vcenter", "border": 1}
        ),
    }  # fmt: skip


def write_ledger(sheet: LedgerSheet, target: str | Path | IO[bytes]) -> None:
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {"in_memory": True})
    ws = book.add_worksheet(SHEET_TITLE)
    formats = _formats(book)
    last_col = len(COLUMNS) - 1
    for index, column in enumerate(COLUMNS):
        ws.set_column(index, index, column.width)
    ws.set_row(0, 36)
    ws.set_row(1, 20)
    ws.set_row(HEADER_ROW - 1, 30)
    ws.freeze_panes(HEADER_ROW, 0)
    _print_setup(ws)

    ws.merge_range(0, 0, 0, last_col, _clean(sheet.title), formats["title"])
    ws.merge_range(1, 0, 1, last_col, _clean(sheet.subtitle), formats["subtitle"])
    ws.write_row(HEADER_ROW - 1, 0, [column.header for column in COLUMNS], formats["header"])
    column_formats = [
        formats["code" if column.key == "code" else "centre" if column.centred else "left"]
        for column in COLUMNS
    ]
    date_format = formats["date"]
    merged = merge_spans(sheet.rows)
    covered = {(row, col) for first, last, col in merged for row in range(first + 1, last + 1)}
    for offset, row in enumerate(sheet.rows):
        excel_row = HEADER_ROW + offset  # 0-based index of the sheet row
        for col, (value, fmt) in enumerate(zip(row.values, column_formats, strict=True)):
            if (offset, col) in covered:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(excel_row, col, value, date_format)
            elif value is None or value == "":
                ws.write_blank(excel_row, col, None, fmt)
            else:
                ws.write(excel_row, col, _clean(value), fmt)
    for first, last, col in merged:
        value = sheet.rows[first].values[col]
        fmt = date_format if isinstance(value, dt.date) else column_formats[col]
        ws.merge_range(
            HEADER_ROW + first, col, HEADER_ROW + last, col, _clean(value) if value is not None else "", fmt
        )
    if sheet.rows:
        kind_col = next(n for n, c in enumerate(COLUMNS) if c.key == "kind")
        ws.data_validation(
            HEADER_ROW,
            kind_col,
            HEADER_ROW + len(sheet.rows) - 1,
            kind_col,
            {
                "validate": "list",
                "source": list(MeasureKind.labels),
                "ignore_blank": True,
                "error_title": "类型",
                "error_message": "请选择立行立改、限期整改或长期坚持。",
            },
        )
    book.close()


def _clean(value: object) -> object:
    """Control characters pasted into a text are dropped: they have no place in a cell."""
    if isinstance(value, str) and _ILLEGAL.search(value):
        return _ILLEGAL.sub("", value)
    return value


def _print_setup(ws: Any) -> None:
    """A4 landscape, fit to one page wide, the header row repeated on every printed page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(HEADER_ROW - 1)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)  # inches
    ws.set_header("", {"margin": 0.3})
    ws.set_footer("&C第 &P 页,共 &N 页", {"margin": 0.3})


def merge_spans(rows: list[Row]) -> list[tuple[int, int, int]]:
    """Vertical merges as (first row, last row, column), rows counted from the first data row:
    序号 and 问题 over their problem's rows, 方面 and 具体问题 over theirs."""
    spans: list[tuple[int, int, int]] = []
    for col, column in enumerate(COLUMNS):
        group = _MERGED_KEYS.get(column.key)
        if group is None:
            continue
        start = 0
        for index in range(1, len(rows) + 1):
            current = getattr(rows[start], group)
            if index < len(rows) and current is not None and getattr(rows[index], group) == current:
                continue
            if current is not None and index - start > 1:
                spans.append((start, index - 1, col))
            start = index
    return spans


def merge_ranges(rows: list[Row]) -> list[str]:
    """The same merges in A1 notation (B4:B6), as a reader of the file reports them."""
    return [
        f"{xl_col_to_name(col)}{FIRST_DATA_ROW + first}:{xl_col_to_name(col)}{FIRST_DATA_ROW + last}"
        for first, last, col in merge_spans(rows)
    ]
