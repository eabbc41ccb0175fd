"""项目执行情况表: the finance system's monthly .xlsx (project, budget, executed to date) → indicators.

The import is all-or-nothing: every row checked, then in one transaction missing indicators are added and the
month's actuals recorded (a correction for the same date replaces the earlier one), or nothing is written at
all. Its parts: execution_sheet (the sandboxed read, the header found and mapped, the mapping overridden by
column letters after the preview), execution_rows (each row checked, amounts to 万元) and this module (who
may import which projects, the writes through the indicator services). execution_export writes the table
back out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction

from zhenggai.ledger.errors import DomainError, InvalidInput, NotPermitted
from zhenggai.ledger.models import Unit
from zhenggai.sheets.read import HEADER_SCAN_ROWS
from zhenggai.supervision.execution_rows import Row, parse_rows
from zhenggai.supervision.execution_sheet import (
    ExecutionImportError,
    Mapping,
    find_mapping,
    overridden,
    read_sheet,
)
from zhenggai.supervision.indicators import (
    add_indicator,
    can_add,
    colour_for,
    edit_indicator,
    own_departments,
    record_indicator_actual,
)
from zhenggai.supervision.models import Indicator


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
        mapping = overridden(mapping, override, sheet)
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


__all__ = ["ExecutionImportError", "ExecutionResult", "import_execution"]
