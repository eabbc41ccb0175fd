"""Importing a 整改台账 .xlsx into an inspection: read → plan (validate every row) → apply (one transaction).

All-or-nothing: one error anywhere and nothing is written. What the import will and will not do:

- rows are matched to measures by 编号 (Measure.code) within the inspection; an unknown 编号 is an error,
  a row without 编号 is a new measure, placed under its 方面/问题/具体问题 (created by title when missing);
- text, 责任领导, 责任处室 (牵头 + 配合), 责任人 and 类型 are changed through `edit_measure`;
- 整改时限 is never changed: a different date is an error asking for a 延期申请;
- a new 进展情况 text becomes a progress report when the importing user may report on the measure;
- 完成情况 never changes a status (that is the sign-off's job): a disagreement is a note; 序号, 佐证材料 and 备注
  are not read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from zhenggai.sheets.apply import apply_plan
from zhenggai.sheets.export import find_inspection
from zhenggai.sheets.plan import Plan, plan_import
from zhenggai.sheets.read import read_ledger

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIELD_LABELS = {
    "text": "整改措施",
    "responsible_leader": "责任领导",
    "responsible_person": "责任人",
    "kind": "类型",
    "lead_department": "责任处室",
    "cooperating_departments": "配合部门",
}


@dataclass
class ImportResult:
    sheet: str
    dry_run: bool
    rows_read: int = 0
    updated: int = 0
    created: int = 0
    findings_created: int = 0
    reports: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one line per row that changes something
    request_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[tuple[str, int]]:
        return [
            ("读取行数", self.rows_read),
            ("更新措施", self.updated),
            ("新增措施", self.created),
            ("新增反馈问题", self.findings_created),
            ("新增进展报送", self.reports),
            ("未变化", self.unchanged),
            ("跳过（无权限）", self.skipped),
            ("错误", len(self.errors)),
            ("提示", len(self.notes)),
        ]


def import_ledger(
    source: str | Path | IO[bytes],
    *,
    inspection_id: int,
    by: User,
    dry_run: bool = False,
    name: str | None = None,
) -> ImportResult:
    """Raises NotPermitted when `by` cannot see the inspection, SheetReadError when the file is unreadable;
    row problems come back in `errors`, and then nothing was written."""
    inspection = find_inspection(inspection_id, by)
    table = read_ledger(source, name)
    plan = plan_import(table, inspection, by)
    result = ImportResult(
        sheet=table.sheet,
        dry_run=dry_run,
        rows_read=len(table.rows),
        unchanged=plan.unchanged,
        skipped=plan.skipped,
        errors=list(plan.errors),
        notes=list(plan.notes),
        changes=describe_changes(plan),
    )
    if plan.errors:
        return result
    outcome = apply_plan(plan, inspection, by, dry_run=dry_run)
    result.errors = outcome.errors
    result.request_id = outcome.request_id
    if not outcome.errors:
        result.updated = outcome.updated
        result.created = outcome.created
        result.findings_created = outcome.findings_created
        result.reports = outcome.reports
    return result


def describe_changes(plan: Plan) -> list[str]:
    lines: list[str] = []
    for node in plan.tree.planned:
        lines.append(f"新增{_LEVEL_LABELS.get(node.level, '问题')}“{node.title[:40]}”")
    for create in plan.creates:
        extra = "，并报送进展" if create.report else ""
        lines.append(f"{plan.table.place(create.row)}：新增整改措施“{create.spec.text[:30]}”{extra}")
    for update in plan.updates:
        what = [FIELD_LABELS.get(name, name) for name in update.changes]
        if update.report:
            what.append("报送进展")
        lines.append(f"{plan.table.place(update.row)}：整改措施{update.code} {'、'.join(what)}")
    return lines


_LEVEL_LABELS = {"aspect": "方面", "problem": "问题", "detail": "具体问题"}
