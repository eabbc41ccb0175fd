"""项目执行情况表, checking: each row under the header → project, department, budget and executed in 万元, rate.

Amounts in 元 are converted to 万元 (the mapping's multipliers); a table giving only 执行率 (35%, 0.35 or 35)
has the executed amount computed from the budget. Total rows (合计, 小计) are skipped; every error is named with
its row and column header.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from zhenggai.supervision.execution_sheet import Mapping, Sheet, cell_text

TOTAL_WORDS = ("合计", "总计", "小计")


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
        project = cell_text(cell(line, "project"))
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
        department = cell_text(cell(line, "department"))
        rows.append(Row(offset, project[:200], department, budget, executed, rate))
    if not rows and not errors:
        errors.append(f"{where}第{mapping.header_row}行表头之下没有项目。")
    return rows, errors
