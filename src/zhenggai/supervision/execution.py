"""项目执行情况表: the finance system's monthly .xlsx (project, budget, executed to date) → indicators.

Reading is issue 7's sandboxed path (zip and extent checks, calamine in a child process with limits); the
header is found by its words among the first rows, a two-row header (预算执行情况 merged over 预算数 / 已执行)
included, and the columns are mapped to project, department, budget, executed and rate. Amounts in 元 are
converted to 万元; a table giving only 执行率 (35%, 0.35 or 35) has the executed amount computed from the budget.
The mapping can be overridden (column letters) after the preview. The import is all-or-nothing: every row
checked, then in one transaction missing indicators are added and the month's actuals recorded (a correction
for the same date replaces the earlier one), or nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from zhenggai.ledger.errors import DomainError, InvalidInput, NotPermitted
from zhenggai.ledger.models import Unit
from zhenggai.sheets.read import HEADER_SCAN_ROWS, SheetReadError, _bytes, _filled
from zhenggai.supervision.indicators import (
    add_indicator,
    can_add,
    colour_for,
    edit_indicator,
    own_departments,
    record_indicator_actual,
)
from zhenggai.supervision.models import Indicator
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
TOTAL_WORDS = ("合计", "总计", "小计")
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


def _text(value: object) -> str:
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
                    cell = _text(grid[r][c]) if c < len(grid[r]) else ""
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


def _amount(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _percent(value: object) -> Decimal | None:
    """35%, "35%", 0.35 (a cell formatted as %) or 35 → 35."""
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        number = _amount(value.strip()[:-1])
        return number
    number = _amount(value)
    if number is None:
        return None
    return number * 100 if abs(number) <= Decimal("1.5") else number


@dataclass
class Row:
    number: int  # Excel row
    project: str
    department: str
    budget: Decimal  # 万元
    executed: Decimal  # 万元
    rate: Decimal  # percent
    colour: str = ""
    action: str = ""  # 新增 / 更新


@dataclass
class ExecutionResult:
    sheet: str = ""
    mapping: Mapping | None = None
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    reported: int = 0
    dry_run: bool = False
    on_date: dt.date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {c: sum(1 for r in self.rows if r.colour == c) for c in ("red", "yellow", "green")}

    def describe(self) -> list[str]:
        lines = []
        if self.mapping:
            lines.append(f"工作表“{self.sheet}”，表头在第{self.mapping.header_row}行：")
            lines += [f"  {label}：{col}列（{header}）" for label, col, header in self.mapping.describe()]
        if self.errors:
            lines.append("错误：")
            lines += [f"  {e}" for e in self.errors]
            return lines
        counts = self.counts()
        lines.append(
            f"{'试导入' if self.dry_run else '已导入'}：{len(self.rows)}个项目，新增指标{self.created}个，"
            f"报送实际值{self.reported}个；红色{counts['red']}个、黄色{counts['yellow']}个。"
        )
        return lines


def parse_rows(sheet: Sheet, mapping: Mapping) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    errors: list[str] = []
    cols = mapping.columns
    where = f"工作表“{sheet.name}”"
    seen: dict[str, int] = {}

    def cell(line: list[object], key: str) -> object:
        index = cols.get(key)
        return line[index] if index is not None and index < len(line) else None

    for offset, line in enumerate(sheet.grid[mapping.header_row :], start=mapping.header_row + 1):
        project = _text(cell(line, "project"))
        if not project:
            continue
        if any(project.startswith(w) or project.endswith(w) for w in TOTAL_WORDS):
            continue
        place = f"{where}第{offset}行"
        if project in seen:
            errors.append(f"{place}：项目“{project}”与第{seen[project]}行重复")
            continue
        seen[project] = offset
        try:
            budget = _amount(cell(line, "budget"))
        except ValueError:
            errors.append(f"{place}“{mapping.headers['budget']}”列：应为数字")
            continue
        if budget is None or budget <= 0:
            errors.append(f"{place}“{mapping.headers['budget']}”列：预算金额应大于0")
            continue
        budget *= mapping.scales.get("budget", Decimal(1))
        try:
            if "executed" in cols:
                executed = _amount(cell(line, "executed"))
                if executed is None:
                    executed = Decimal(0)
                executed *= mapping.scales.get("executed", Decimal(1))
            else:
                percent = _percent(cell(line, "rate"))
                executed = budget * (percent or Decimal(0)) / 100
        except ValueError:
            key = "executed" if "executed" in cols else "rate"
            errors.append(f"{place}“{mapping.headers[key]}”列：应为数字")
            continue
        if executed < 0:
            errors.append(f"{place}：已执行金额不能为负数")
            continue
        budget, executed = budget.quantize(Decimal("0.01")), executed.quantize(Decimal("0.01"))
        if budget <= 0:
            errors.append(
                f"{place}“{mapping.headers['budget']}”列：预算金额换算后不足0.01万元，请核对金额单位（元或万元）"
            )
            continue
        rate = (executed * 100 / budget).quantize(Decimal("0.1"))
        department = _text(cell(line, "department"))
        rows.append(Row(offset, project[:200], department, budget, executed, rate))
    if not rows and not errors:
        errors.append(f"{where}第{mapping.header_row}行表头之下没有项目。")
    return rows, errors


class _Rollback(Exception):
    pass


def import_execution(
    source: str | Path | IO[bytes],
    *,
    unit: Unit,
    by: User,
    on_date: dt.date,
    dry_run: bool = False,
    name: str | None = None,
    override: dict[str, str] | None = None,
    department: Unit | None = None,
) -> ExecutionResult:
    """Read, map (or take `override`: field → column letters, "budget_unit"/"executed_unit" → 元/万元), check
    every row, then add missing indicators and record the actuals of `on_date` in one transaction; any error
    (or `dry_run`) rolls everything back.

    The unit's leaders import every project. A department's staff import their department's: new indicators
    are their department's (`department`, or the one named in the row if it is also theirs), and a row naming
    another department or updating an indicator another department owns is refused. `department` owns the
    new indicators of rows that name none."""
    allowed, department = _importer(by, unit, department)
    sheet = read_sheet(source, name)
    mapping = find_mapping(sheet.grid)
    if override:
        mapping = _overridden(mapping, override, sheet)
    if mapping is None:
        raise ExecutionImportError(
            f"工作表“{sheet.name}”的前{HEADER_SCAN_ROWS}行中找不到项目执行情况表的表头：须有项目名称、"
            "预算金额，以及已执行金额或执行率。"
        )
    result = ExecutionResult(sheet=sheet.name, mapping=mapping, dry_run=dry_run, on_date=on_date)
    result.rows, result.errors = parse_rows(sheet, mapping)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _apply(result, unit, by, on_date, department, allowed)
            if result.errors:
                raise _Rollback
            if dry_run:
                transaction.set_rollback(True)
    except _Rollback:
        result.created = result.reported = 0
    return result


def _overridden(found: Mapping | None, override: dict[str, str], sheet: Sheet) -> Mapping | None:
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
        k: (_text(header_line[c]) if c < len(header_line) else "") or f"{letter(c)}列"
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


def _importer(by: User, unit: Unit, department: Unit | None) -> tuple[set[int] | None, Unit | None]:
    """The departments whose projects `by` may import (None: every one, a leader) and the department that
    owns new projects without one (a department importer's only department when none is given)."""
    allowed: set[int] | None
    if can_add(by, unit):
        allowed = None
    else:
        own = own_departments(by, unit)
        if not own:
            raise NotPermitted(
                f"导入项目执行情况表由{unit.display_name}的领导或项目的责任部门（经办人、部门领导）办理。"
            )
        allowed = {d.pk for d in own}
        if department is None and len(own) == 1:
            department = own[0]
    if department is not None and (
        department.parent_id != unit.pk or (allowed is not None and department.pk not in allowed)
    ):
        raise InvalidInput(
            f"“{department.display_name}”不是您在{unit.display_name}所在的部门。", "department"
        )
    return allowed, department


def _owner_name(indicator: Indicator) -> str:
    return f"“{indicator.department.name}”" if indicator.department else "单位（没有责任部门）"


def _apply(
    result: ExecutionResult,
    unit: Unit,
    by: User,
    on_date: dt.date,
    default: Unit | None = None,
    allowed: set[int] | None = None,
) -> None:
    """`allowed`: the departments a department importer may write (None: a leader, every one); `default` owns
    the new indicators of rows without a department."""
    year = on_date.year
    existing = {i.name: i for i in Indicator.objects.current().filter(unit=unit, year=year)}
    departments = {d.name: d for d in Unit.objects.filter(parent=unit)}
    departments |= {d.short_name: d for d in departments.values() if getattr(d, "short_name", "")}
    for row in result.rows:
        place = f"工作表“{result.sheet}”第{row.number}行"
        department = None
        if row.department:
            department = departments.get(row.department) or next(
                (d for name, d in departments.items() if name and name in row.department), None
            )
            if department is None:
                result.errors.append(f"{place}：责任部门“{row.department}”不是{unit.display_name}的内设部门")
                continue
            if allowed is not None and department.pk not in allowed:
                result.errors.append(
                    f"{place}：项目“{row.project}”的责任部门“{department.name}”不是您所在的部门，"
                    "请由单位领导导入或删去该行"
                )
                continue
        indicator = existing.get(row.project)
        if indicator is not None and allowed is not None and indicator.department_id not in allowed:
            result.errors.append(
                f"{place}：项目“{row.project}”的指标属于{_owner_name(indicator)}，不是您所在的部门，不能更新"
            )
            continue
        if indicator is None and department is None and default is None and allowed is not None:
            result.errors.append(f"{place}：没有写责任部门，您在多个部门任职，请选择导入哪个部门的项目")
            continue
        try:
            if indicator is None:
                indicator = add_indicator(
                    by=by,
                    name=row.project,
                    year=year,
                    target=row.budget,
                    unit=unit,
                    department=department or default,
                    unit_label="万元",
                )
                existing[row.project] = indicator
                result.created += 1
                row.action = "新增"
            else:
                row.action = "更新"
                if indicator.target != row.budget or (
                    department and indicator.department_id != department.pk
                ):
                    edit_indicator(
                        by=by,
                        indicator=indicator,
                        target=row.budget,
                        department=department if department is not None else ...,
                    )
            record_indicator_actual(by=by, indicator=indicator, on_date=on_date, value=row.executed)
            result.reported += 1
        except DomainError as exc:
            result.errors.append(f"{place}：{exc.message.rstrip('。')}")
            continue
        row.colour = colour_for(row.executed, row.budget, on_date, year)


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
