"""Reading a 整改台账 .xlsx: find the header by its words, fill merged cells from their top-left value.

Pure Python on python-calamine (reads 10,000 rows in a fraction of a second, merged ranges included); knows
nothing of Django. Places in messages are written the way users count: 工作表“台账”第7行“整改时限”列.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from zhenggai.sheets.columns import REQUIRED, column_key, describe, match_header
from zhenggai.untrusted import (
    Limits,
    RejectedFile,
    check_sheet_extent,
    check_zip,
    current_limits,
    run_isolated,
)

HEADER_SCAN_ROWS = 20  # the header is looked for in this many rows from the top
_ZIP_MAGIC = b"PK\x03\x04"


class SheetReadError(Exception):
    """The file cannot be read as a ledger at all (not .xlsx, corrupt, no header); nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    number: int  # as Excel shows it, from 1
    cells: dict[str, object]  # column key → value; a merged cell reads as its top-left value
    separator: str | None = None  # a 方面 written as a row merged across the table


@dataclass
class SheetTable:
    sheet: str
    header_row: int  # the (last) header row's number
    headers: dict[str, str]  # column key → the header as written in this file
    rows: list[SheetRow] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required column keys the header lacks
    # Our export names its inspection above the header (巡察编号:12): (row number, inspection id).
    source: tuple[int, int] | None = None
    # …and when it was exported (导出时间：2026-11-30 14:05:31, local time): rows changed since are conflicts.
    exported_at: dt.datetime | None = None

    def place(self, row: int | None = None, key: str | None = None) -> str:
        where = f"工作表“{self.sheet}”"
        if row is not None:
            where += f"第{row}行"
        if key is not None and key in self.headers:
            where += f"“{self.headers[key]}”列"
        return where

    def has(self, key: str) -> bool:
        return key in self.headers


MAX_BYTES = 20 * 1024 * 1024  # a ledger file, as uploaded


def read_ledger(
    source: str | Path | IO[bytes], name: str | None = None, limits: Limits | None = None
) -> SheetTable:
    """Read the first sheet that carries a ledger header (a 整改措施 column among the first rows).

    The file is untrusted: its zip directory and the extent of its cells are checked here, and calamine reads
    it in a child process with a memory and a time limit (zhenggai.untrusted); every refusal is a
    SheetReadError in Chinese."""
    label = name or (Path(source).name if isinstance(source, str | Path) else "上传的文件")
    data = _bytes(source, label)
    limits = limits or current_limits()
    try:
        check_zip(data, limits)
        check_sheet_extent(data, limits)
        return run_isolated(_read_table, data, label, limits=limits, passthrough=(SheetReadError,))
    except RejectedFile as exc:
        raise SheetReadError(exc.message) from None


def _bytes(source: str | Path | IO[bytes], label: str) -> bytes:
    not_xlsx = f"文件“{label}”不是 .xlsx 文件。请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再导入。"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise SheetReadError(f"找不到文件“{source}”。")
        if path.suffix.lower() != ".xlsx":
            raise SheetReadError(not_xlsx)
        if path.stat().st_size > MAX_BYTES:
            raise SheetReadError(f"文件“{label}”超过 {MAX_BYTES // 1024 // 1024} MB。")
        data = path.read_bytes()
    else:
        data = source.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise SheetReadError(f"文件“{label}”超过 {MAX_BYTES // 1024 // 1024} MB。")
    if data[:4] != _ZIP_MAGIC:
        raise SheetReadError(
            not_xlsx if data[:4] != b"\xd0\xcf\x11\xe0" else not_xlsx + "（这是旧版 .xls 格式）"
        )
    return data


def _read_table(data: bytes, label: str) -> SheetTable:
    """In the child: calamine reads the workbook."""
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
    except (CalamineError, OSError, ValueError):
        raise SheetReadError(f"文件“{label}”已损坏，无法作为 .xlsx 读取。") from None
    tried: list[str] = []
    for meta in workbook.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            top = _filled(sheet, sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS))
        except CalamineError:
            raise SheetReadError(f"文件“{label}”的工作表“{meta.name}”无法读取，文件可能已损坏。") from None
        found = _find_header(top)
        if found is None:
            tried.append(meta.name)
            continue
        header_index, height, columns = found
        grid = _filled(sheet, sheet.to_python(skip_empty_area=False))
        return _table(meta.name, grid, header_index, height, columns)
    sheets = "、".join(f"“{name}”" for name in tried) or "（无可见工作表）"
    raise SheetReadError(
        f"文件“{label}”中找不到台账表头：工作表{sheets}的前{HEADER_SCAN_ROWS}行里没有{describe('text')}列。"
    )


Grid = list[list[object]]


def _filled(sheet: CalamineSheet, rows: Sequence[Sequence[object]]) -> Grid:
    """The rows with empty cells as None and each merged range filled with its top-left value."""
    grid: Grid = [[None if value == "" else value for value in row] for row in rows]
    # A merged range never widens the table beyond its cells (A1:XFD1048576 would fill 17 billion cells).
    width = max((len(row) for row in grid), default=0)
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        right = min(right, width - 1)
        if top >= len(grid) or left > right:
            continue
        value = grid[top][left] if left < len(grid[top]) else None
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            line = grid[r]
            if len(line) <= right:
                line.extend([None] * (right + 1 - len(line)))
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    line[c] = value
    return grid


def _find_header(top: Grid) -> tuple[int, int, dict[str, int]] | None:
    """(row index, 1 or 2 rows, columns) of the best header: a row, or two rows such as 责任分工 over
    责任领导/责任处室/责任人, that names a 整改措施 column. The most recognised columns win."""
    best: tuple[int, int, dict[str, int]] | None = None
    best_score = (0, False)
    for index, row in enumerate(top):
        candidates = [(1, match_header(row))]
        if index + 1 < len(top):
            below = top[index + 1]
            combined = [
                lower if column_key(lower) else upper
                for upper, lower in zip(_pad(row, len(below)), _pad(below, len(row)), strict=True)
            ]
            candidates.append((2, match_header(combined)))
        for height, columns in candidates:
            # More recognised columns win; on a tie one row beats two (a title row above adds nothing).
            score = (len(columns), height == 1)
            if "text" in columns and len(columns) >= 2 and score > best_score:
                best, best_score = (index, height, columns), score
    return best


def _pad(row: list[object], width: int) -> list[object]:
    return row + [None] * (width - len(row)) if len(row) < width else row


def _table(sheet: str, grid: Grid, header_index: int, height: int, columns: dict[str, int]) -> SheetTable:
    header_cells = grid[header_index + height - 1]
    upper_cells = grid[header_index]
    headers = {}
    for key, number in columns.items():
        written = header_cells[number - 1] if number - 1 < len(header_cells) else None
        if column_key(written) != key:
            written = upper_cells[number - 1]
        headers[key] = re.sub(r"\s+", "", str(written))
    table = SheetTable(sheet, header_index + height, headers)
    table.missing = [key for key in REQUIRED if key not in columns]
    table.source = _source(grid[: header_index + height - 1])
    table.exported_at = _exported_at(grid[: header_index + height - 1])
    text_column = columns["text"] - 1
    for index in range(header_index + height, len(grid)):
        line = grid[index]
        if not any(value is not None and value != "" for value in line):
            continue
        row = SheetRow(
            index + 1, {key: line[n - 1] if n - 1 < len(line) else None for key, n in columns.items()}
        )
        if _is_separator(line, text_column):
            row.separator = str(line[text_column]).strip()
        table.rows.append(row)
    return table


_SOURCE = re.compile(r"巡察编号\s*[:：]\s*(\d+)")


def _source(rows: Grid) -> tuple[int, int] | None:
    for index, line in enumerate(rows):
        for value in line:
            if isinstance(value, str) and (match := _SOURCE.search(value)):
                return index + 1, int(match.group(1))
    return None


# Milliseconds since the export can be read back exactly (a change a moment before the export in the same
# second is no conflict); files written before that carry whole seconds.
_EXPORTED = re.compile(
    r"导出时间\s*[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{3}))?"
)


def _exported_at(rows: Grid) -> dt.datetime | None:
    """The export time our subtitle states (naive local time), or None (an external ledger)."""
    for line in rows:
        for value in line:
            if isinstance(value, str) and (match := _EXPORTED.search(value)):
                year, month, day, hour, minute, second, milli = (int(part or 0) for part in match.groups())
                try:
                    return dt.datetime(year, month, day, hour, minute, second, milli * 1000)
                except ValueError:
                    return None
    return None


def _is_separator(line: list[object], text_column: int) -> bool:
    """A row whose cells all carry one text (a title merged across the table, e.g. 一、…方面)."""
    values = {value for value in line if value is not None}
    return len(values) == 1 and len(line) > 2 and line[text_column] is not None and line[0] is not None


_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|\d+\s*[、.．](?!\d)|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*"
)


def clean_title(value: object) -> str:
    """A finding title without its list number (一、 / 1. / (一) / ①), for matching and for new findings."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    return _NUMBERING.sub("", str(value).strip(), count=1).strip()


def title_key(value: object) -> str:
    """Titles compare without spaces, in NFKC (full-width and half-width punctuation alike)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_title(value)))
