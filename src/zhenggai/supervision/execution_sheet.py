"""项目执行情况表, reading: the first visible sheet in the sandbox, its header found and mapped to our fields.

Reading is issue 7's sandboxed path (zip and extent checks, calamine in a child process with limits); the
header is found by its words among the first rows, a two-row header (预算执行情况 merged over 预算数 / 已执行)
included, and the columns are mapped to project, department, budget, executed and rate, with the multiplier of
each amount to 万元. The mapping can be overridden (column letters) after the preview (`overridden`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import IO

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from zhenggai.sheets.read import HEADER_SCAN_ROWS, SheetReadError, _bytes, _filled
from zhenggai.untrusted import (
    Limits,
    RejectedFile,
    check_sheet_extent,
    check_zip,
    current_limits,
    run_isolated,
)

FIELDS = {
    "project": "项目名称",
    "department": "责任部门",
    "budget": "预算金额",
    "executed": "已执行金额",
    "rate": "执行率",
}
WAN = Decimal(10000)


class ExecutionImportError(Exception):
    """The file cannot be read as a 项目执行情况表; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def letter(index: int) -> str:
    """Column index from 0 → Excel letters (A, B, …, AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def column_index(letters: str) -> int | None:
    letters = letters.strip().upper()
    if not letters or not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        return None
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def cell_text(value: object) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def classify(header: str) -> str | None:
    """Which field a header names, by its words (None: not one of ours)."""
    if not header:
        return None
    if "率" in header or ("进度" in header and "序时" not in header):
        return "rate" if "执行" in header or "支出" in header or "进度" in header else None
    if any(w in header for w in ("已执行", "执行数", "执行金额", "累计执行", "支出", "已完成", "完成数")):
        return "executed"
    if "执行" in header and "预算" not in header:
        return "executed"
    if any(w in header for w in ("预算", "年初", "全年", "下达", "批复", "计划金额", "资金总额")):
        return "budget"
    if any(w in header for w in ("部门", "处室", "科室", "股室", "责任单位")):
        return "department"
    if "项目" in header and "编号" not in header and "代码" not in header:
        return "project"
    return None


def scale_of(header: str) -> Decimal:
    """Multiplier to 万元: 元 → ÷10000, 万元 (or unstated) → 1, 亿元 → ×10000."""
    if "亿元" in header:
        return WAN
    if "万元" in header or "万" in header:
        return Decimal(1)
    if "元" in header:
        return Decimal(1) / WAN
    return Decimal(1)


@dataclass
class Mapping:
    header_row: int  # the last header row, as Excel counts (from 1)
    columns: dict[str, int]  # field → column index
    headers: dict[str, str]  # field → header text as written
    scales: dict[str, Decimal]  # budget/executed → multiplier to 万元

    def describe(self) -> list[tuple[str, str, str]]:
        """(field label, column, header as written) for the preview."""
        return [
            (label, letter(self.columns[key]), self.headers[key])
            for key, label in FIELDS.items()
            if key in self.columns
        ]


@dataclass
class Sheet:
    name: str
    grid: list[list[object]]


def read_sheet(
    source: str | Path | IO[bytes], name: str | None = None, limits: Limits | None = None
) -> Sheet:
    """The first visible sheet, merged cells filled, read in the sandbox."""
    label = name or (Path(source).name if isinstance(source, str | Path) else "上传的文件")
    try:
        data = _bytes(source, label)
        limits = limits or current_limits()
        check_zip(data, limits)
        check_sheet_extent(data, limits)
        return run_isolated(_read, data, label, limits=limits, passthrough=(ExecutionImportError,))
    except SheetReadError as exc:
        raise ExecutionImportError(exc.message) from None
    except RejectedFile as exc:
        raise ExecutionImportError(exc.message) from None


def _read(data: bytes, label: str) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
        for meta in workbook.sheets_metadata:
            if meta.visible == SheetVisibleEnum.Visible:
                sheet = workbook.get_sheet_by_name(meta.name)
                return Sheet(meta.name, _filled(sheet, sheet.to_python(skip_empty_area=False)))
    except (CalamineError, OSError, ValueError):
        raise ExecutionImportError(f"文件“{label}”已损坏，无法作为 .xlsx 读取。") from None
    raise ExecutionImportError(f"文件“{label}”没有可见的工作表。")


def find_mapping(grid: list[list[object]]) -> Mapping | None:
    """The best header among the first rows: one row, or a group row above it (merged cells repeat the group
    name across its columns, so 预算执行情况 + 已执行（万元） reads as one header). Needs a project column, a
    budget column and an executed or rate column."""
    best: tuple[int, Mapping] | None = None
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        for height in (1, 2):
            if index - height + 1 < 0:
                continue
            width = max(len(grid[r]) for r in range(index - height + 1, index + 1))
            columns: dict[str, int] = {}
            headers: dict[str, str] = {}
            for c in range(width):
                parts = []
                for r in range(index - height + 1, index + 1):
                    cell = cell_text(grid[r][c]) if c < len(grid[r]) else ""
                    if cell and cell not in parts:
                        parts.append(cell)
                header = "".join(parts)
                # The column's own (lowest) header decides; a group or title row above only adds the unit.
                key = (classify(parts[-1]) if parts else None) or classify(header)
                if key and key not in columns:
                    columns[key], headers[key] = c, "／".join(parts)
            if "project" in columns and "budget" in columns and ("executed" in columns or "rate" in columns):
                score = len(columns) * 10 - height
                if best is None or score > best[0]:
                    scales: dict[str, Decimal] = {
                        k: scale_of(headers[k]) for k in ("budget", "executed") if k in headers
                    }
                    best = (score, Mapping(index + 1, columns, headers, scales))
    return best[1] if best else None


def overridden(found: Mapping | None, override: dict[str, str], sheet: Sheet) -> Mapping | None:
    columns = dict(found.columns) if found else {}
    header_row = found.header_row if found else 1
    try:
        header_row = int(override.get("header_row") or header_row)
    except ValueError:
        raise ExecutionImportError("表头行应为数字。") from None
    for key in FIELDS:
        if key in override:
            raw = override[key].strip()
            if raw in ("-", "－", "无"):
                columns.pop(key, None)
                continue
            index = column_index(raw)
            if index is None:
                raise ExecutionImportError(f"{FIELDS[key]}的列“{raw}”应为列字母，如 B。")
            columns[key] = index
    if not ("project" in columns and "budget" in columns and ("executed" in columns or "rate" in columns)):
        return None
    header_line = sheet.grid[header_row - 1] if 0 < header_row <= len(sheet.grid) else []
    headers = {
        k: (cell_text(header_line[c]) if c < len(header_line) else "") or f"{letter(c)}列"
        for k, c in columns.items()
    }
    scales: dict[str, Decimal] = {k: scale_of(headers[k]) for k in ("budget", "executed") if k in columns}
    for key in ("budget", "executed"):
        chosen = override.get(f"{key}_unit")
        if chosen == "元":
            scales[key] = Decimal(1) / WAN
        elif chosen == "万元":
            scales[key] = Decimal(1)
    return Mapping(header_row, columns, headers, scales)
