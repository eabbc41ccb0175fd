"""Comparing a read sheet with the ledger: what each row would change, every error and note, before any write.

The ledger is loaded in a fixed number of queries; rows are compared in memory, so a file that changes nothing
costs no service call and no audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from zhenggai.ledger.choices import MeasureKind, MeasureStatus, Role
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure, ProgressReport, Unit
from zhenggai.ledger.permissions import can_manage, has_role
from zhenggai.ledger.services import MeasureSpec
from zhenggai.ledger.services.versions import person, when_text
from zhenggai.sheets.columns import describe
from zhenggai.sheets.current import CurrentMeasure, load_measures, unit_names
from zhenggai.sheets.read import SheetRow, SheetTable, clean_title, title_key
from zhenggai.sheets.tree import Tree
from zhenggai.sheets.values import (
    CellError,
    Deadline,
    chinese_date,
    fold,
    parse_deadline,
    parse_departments,
    parse_kind,
    status_agrees,
    text_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_REPORTABLE = (MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.ONGOING)
_STATUS_LABELS = dict(MeasureStatus.choices)


@dataclass
class Update:
    row: int
    measure_id: int
    code: str
    changes: dict[str, Any]  # edit_measure keyword arguments
    report: str | None  # a new 进展情况 text, to become a progress report
    progress: int
    version: int | None = None  # the measure's version when planned: a change racing the import is refused


@dataclass
class Create:
    row: int
    finding: int  # negative: a finding this import creates (Tree.planned)
    spec: MeasureSpec
    report: str | None


@dataclass
class Plan:
    table: SheetTable
    tree: Tree
    updates: list[Update] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0  # rows of measures outside the importing user's scope
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, row: int | None, key: str | None, message: str) -> None:
        self.errors.append(f"{self.table.place(row, key)}：{message}")

    def note(self, row: int | None, key: str | None, message: str) -> None:
        self.notes.append(f"{self.table.place(row, key)}：{message}")


def plan_import(table: SheetTable, inspection: Inspection, user: User) -> Plan:
    planner = _Planner(table, inspection, user)
    if table.source is not None and table.source[1] != inspection.pk:
        where, source = table.source
        planner.plan.error(
            where,
            None,
            f"此表导出自巡察（编号 {source}），不能导入巡察（编号 {inspection.pk}）；请核对 --inspection",
        )
        return planner.plan
    if table.missing:  # without its required columns no row can be read
        for key in table.missing:
            planner.plan.error(table.header_row, None, _missing(key))
        return planner.plan
    for row in table.rows:
        planner.row(row)
    return planner.plan


class _Planner:
    def __init__(self, table: SheetTable, inspection: Inspection, user: User) -> None:
        self.table = table
        self.inspection = inspection
        self.user = user
        self.unit = inspection.inspected_unit
        self.measures = load_measures(inspection, user)
        self.by_code = {m.code: m for m in self.measures}
        every = list(Measure.objects.filter(inspection=inspection).values_list("code", "finding_id"))
        self.hidden_codes = {code for code, _ in every} - set(self.by_code)  # outside the user's scope
        findings = list(
            Finding.objects.filter(inspection=inspection).values("id", "parent_id", "level", "title")
        )
        self.plan = Plan(table, Tree.load(findings, {finding for _, finding in every}))
        # finding → measure text key → which measure (or row) already says it
        self.texts: dict[int, dict[str, str]] = defaultdict(dict)
        for m in self.measures:
            self.texts[m.finding].setdefault(title_key(m.text), f"整改措施{m.code}")
        self.units = unit_names(self.unit, self.measures)
        self.changed_after_export = _changed_after_export(table, inspection, self.measures)
        self.manager = can_manage(user, self.unit)
        self._reporter: dict[int | None, bool] = {}
        self.seen_codes: dict[str, int] = {}
        self.carry: tuple[str, str, str] = ("", "", "")  # 方面, 问题, 具体问题 of the row above
        self.separator_aspect = ""

    # --- one row --------------------------------------------------------------------------------------

    def row(self, row: SheetRow) -> None:
        if row.separator is not None:
            self.separator_aspect = clean_title(row.separator)
            self.plan.unchanged += 1
            return
        errors_before = len(self.plan.errors)
        cells = row.cells
        code = fold(cells.get("code"))
        text = text_of(cells.get("text"))
        aspect, problem, detail = self._titles(row, has_measure=bool(code or text))
        values = self._values(row)
        if len(self.plan.errors) > errors_before:
            return
        if code:
            self._existing(row, code, values, (aspect, problem, detail))
        elif text:
            self._new(row, text, values, (aspect, problem, detail))
        elif problem:
            self._finding_only(row, aspect, problem, detail)
        else:
            self.plan.unchanged += 1  # a note, a total or a blank-looking row: nothing to do

    def _titles(self, row: SheetRow, *, has_measure: bool) -> tuple[str, str, str]:
        """The row's 方面/问题/具体问题; a blank 问题 under a measure means “same as the row above”."""
        cells = row.cells
        aspect = clean_title(cells.get("aspect")) or self.separator_aspect
        problem = clean_title(cells.get("problem"))
        detail = clean_title(cells.get("detail"))
        if not problem and has_measure:
            aspect, problem, detail = (
                aspect or self.carry[0],
                self.carry[1],
                detail or self.carry[2],
            )
        if problem:
            self.carry = (aspect, problem, detail)
        return aspect, problem, detail

    def _values(self, row: SheetRow) -> dict[str, Any]:
        """Each present cell parsed; a bad cell is an error naming its column."""
        values: dict[str, Any] = {}
        cells = row.cells
        for key in ("leader", "person", "progress"):
            if self.table.has(key):
                values[key] = text_of(cells.get(key))
        try:
            if self.table.has("deadline"):
                values["deadline"] = parse_deadline(cells.get("deadline"))
        except CellError as exc:
            self.plan.error(row.number, "deadline", exc.message)
        try:
            if self.table.has("kind"):
                values["kind"] = parse_kind(cells.get("kind"))
        except CellError as exc:
            self.plan.error(row.number, "kind", exc.message)
        try:
            if self.table.has("department"):
                values["lead"], values["cooperating"] = self._departments(cells.get("department"))
        except CellError as exc:
            self.plan.error(row.number, "department", exc.message)
        try:
            if self.table.has("cooperating"):
                extra = self._departments(cells.get("cooperating"), all_cooperate=True)[1]
                merged = set(values.get("cooperating", [])) | set(extra)
                values["cooperating"] = sorted(merged - {values.get("lead")})
        except CellError as exc:
            self.plan.error(row.number, "cooperating", exc.message)
        return values

    # --- a measure the ledger has -------------------------------------------------------------------------

    def _existing(
        self, row: SheetRow, code: str, values: dict[str, Any], titles: tuple[str, str, str]
    ) -> None:
        written = code
        if code not in self.by_code and code not in self.hidden_codes and code.isdigit():
            code = f"{int(code):03d}"  # Excel turned 007 into the number 7
        measure = self.by_code.get(code)
        if measure is None and code in self.hidden_codes:
            self.plan.note(row.number, "code", f"整改措施{code}不在您的权限范围内，本行未导入")
            self.plan.skipped += 1
            return
        if measure is None:
            self.plan.error(
                row.number,
                "code",
                f"编号“{written}”在本次巡察中不存在，或不在您的权限范围内；新增整改措施请将编号留空",
            )
            return
        if measure.code in self.seen_codes:
            self.plan.error(
                row.number, "code", f"编号“{measure.code}”与第{self.seen_codes[measure.code]}行重复"
            )
            return
        self.seen_codes[measure.code] = row.number
        changes = self._changes(row, measure, values)
        self._check_titles(row, measure, titles)
        if self._conflict(row, measure, changes, values.get("progress", "")):
            return
        if changes and not self.manager:
            self.plan.error(row.number, None, "您没有修改整改措施的权限（需要本单位领导或巡察办角色）")
            return
        if changes and measure.status == MeasureStatus.DONE:
            self.plan.error(row.number, None, f"整改措施{measure.code}已销号，如需修改请先重新打开")
            return
        report = self._report(row, measure, values.get("progress", ""))
        self._check_status(row, measure.status)
        if changes or report:
            self.plan.updates.append(
                Update(
                    row.number, measure.id, measure.code, changes, report, measure.progress, measure.version
                )
            )
        else:
            self.plan.unchanged += 1

    def _changes(self, row: SheetRow, m: CurrentMeasure, values: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if self.table.has("text"):
            text = text_of(row.cells.get("text"))
            if not text:
                self.plan.error(row.number, "text", "整改措施不能为空")
            elif text != text_of(m.text):
                changes["text"] = text
        for key, name, current in (
            ("leader", "responsible_leader", m.leader),
            ("person", "responsible_person", m.person),
        ):
            if key in values and values[key] != text_of(current):
                changes[name] = values[key]
        kind = values.get("kind")
        if kind is not None and kind != m.kind:
            changes["kind"] = kind
        if "lead" in values and values["lead"] != m.lead:
            changes["lead_department"] = values["lead"]
        if "cooperating" in values and frozenset(values["cooperating"]) != m.cooperating:
            changes["cooperating_departments"] = values["cooperating"]
        deadline: Deadline | None = values.get("deadline")
        stated = deadline is not None and (deadline.date is not None or deadline.long_term)
        if stated and deadline is not None and deadline.date != m.deadline:
            if m.id in self.changed_after_export:  # e.g. an extension approved since: the file is stale
                changes["deadline"] = deadline.date  # never applied: _conflict refuses the row
                return changes
            now = chinese_date(m.deadline) if m.deadline else "未定时限"
            self.plan.error(
                row.number,
                "deadline",
                f"整改时限不能在台账中直接修改（系统中为{now}），如需调整请提交延期申请",
            )
        return changes

    def _check_titles(self, row: SheetRow, m: CurrentMeasure, titles: tuple[str, str, str]) -> None:
        aspect, problem, detail = (title_key(t) for t in titles)
        if not problem:
            return
        have = self.plan.tree.path(m.finding)
        stated = (
            aspect if self.table.has("aspect") else have[0],
            problem,
            detail if self.table.has("detail") else have[2],
        )
        if stated != have:
            self.plan.note(
                row.number,
                None,
                f"整改措施{m.code}的方面/问题/具体问题与系统中不同；导入不修改反馈问题的表述和归属，已忽略",
            )

    def _conflict(self, row: SheetRow, m: CurrentMeasure, changes: dict[str, Any], progress: str) -> bool:
        """A row that would change a measure someone changed after the export is refused: the file is stale."""
        when = self.changed_after_export.get(m.id)
        new_progress = bool(progress) and progress != text_of(m.latest_report)
        if when is None or not (changes or new_progress):
            return False
        self.plan.error(row.number, None, f"该措施在导出后已被他人修改{when}，请重新导出后再修改")
        return True

    def _report(self, row: SheetRow, m: CurrentMeasure, text: str) -> str | None:
        if not text or text == text_of(m.latest_report):
            return None
        if _reported_before(m.id, text):  # an old copy of the ledger, from before a newer report
            self.plan.note(
                row.number,
                "progress",
                f"与整改措施{m.code}此前报送过的进展相同，系统中已有更新的进展，已忽略",
            )
            return None
        if not self._may_report(m.lead):
            self.plan.note(
                row.number, "progress", "您不是该措施的责任部门人员，进展情况未作为进展报送，已忽略"
            )
            return None
        if m.status not in _REPORTABLE:
            label = _STATUS_LABELS[m.status]
            self.plan.note(row.number, "progress", f"整改措施{m.code}处于“{label}”状态，不能报送进展，已忽略")
            return None
        return text

    def _check_status(self, row: SheetRow, status: str, *also: str) -> None:
        """A note when 完成情况 disagrees with the status (or with any of `also`, the status it may reach)."""
        if not self.table.has("status"):
            return
        written = fold(row.cells.get("status"))
        verdicts = {status_agrees(written, s) for s in (status, *also)}
        agrees = True if True in verdicts else None if None in verdicts else False
        if agrees is None:
            self.plan.note(row.number, "status", f"无法识别的完成情况“{written}”，已忽略")
        elif not agrees:
            self.plan.note(
                row.number,
                "status",
                f"写为“{written}”，系统中为“{_STATUS_LABELS[status]}”；状态只随进展报送和销号审核变化，已忽略",
            )

    # --- a new measure, or a finding alone ----------------------------------------------------------------

    def _new(self, row: SheetRow, text: str, values: dict[str, Any], titles: tuple[str, str, str]) -> None:
        aspect, problem, detail = titles
        if not problem:
            self.plan.error(row.number, "problem", "新增的整改措施须写明所属问题")
            return
        if not self.manager:
            self.plan.error(row.number, None, "您没有新增整改措施的权限（需要本单位领导或巡察办角色）")
            return
        try:
            finding = self.plan.tree.place(aspect, problem, detail, for_measure=True)
        except CellError as exc:
            self.plan.error(row.number, "detail" if detail else "problem", exc.message)
            return
        same = self.texts[finding].get(title_key(text))
        if same is not None:
            self.plan.error(row.number, "text", f"与{same}内容相同；如是同一条措施，请填写其编号")
            return
        self.texts[finding][title_key(text)] = f"第{row.number}行的整改措施"
        deadline: Deadline = values.get("deadline") or Deadline(None)
        kind = values.get("kind") or (MeasureKind.LONG_TERM if deadline.long_term else MeasureKind.DEADLINE)
        spec = MeasureSpec(
            text=text,
            kind=kind,
            responsible_leader=values.get("leader", ""),
            lead_department=values.get("lead"),
            cooperating_departments=list(values.get("cooperating", [])),
            responsible_person=values.get("person", ""),
            deadline=deadline.date,
        )
        report = values.get("progress") or None
        self._check_status(row, MeasureStatus.DRAFT, *([MeasureStatus.IN_PROGRESS] if report else []))
        self.plan.creates.append(Create(row.number, finding, spec, report))

    def _finding_only(self, row: SheetRow, aspect: str, problem: str, detail: str) -> None:
        """A row naming findings but no measure: findings the ledger lacks are added."""
        planned = len(self.plan.tree.planned)
        try:
            self.plan.tree.place(aspect, problem, detail, for_measure=False)
        except CellError as exc:
            self.plan.error(row.number, "detail" if detail else "problem", exc.message)
            return
        if len(self.plan.tree.planned) == planned:
            self.plan.unchanged += 1
        elif not self.manager:
            self.plan.error(row.number, "problem", "您没有新增反馈问题的权限（需要本单位领导或巡察办角色）")

    # --- departments and permissions -------------------------------------------------------------------

    def _unit(self, name: str, label: str) -> int:
        ids = self.units.get(fold(name))
        if not ids:
            raise CellError(
                f"{label}“{name}”不是“{self.unit.name}”或其内设部门的名称（请按系统中的名称填写）"
            )
        if len(ids) > 1:
            raise CellError(f"{label}“{name}”对应多个单位，请在系统中区分名称后再导入")
        return next(iter(ids))

    def _departments(self, value: object, *, all_cooperate: bool = False) -> tuple[int | None, list[int]]:
        """(lead, cooperating) unit ids of a 责任处室 cell; in a 配合部门 column every name cooperates."""
        parsed = parse_departments(value)
        names = ([parsed.lead] if parsed.lead else []) + parsed.cooperating
        if all_cooperate:
            return None, [self._unit(name, "配合部门") for name in names]
        lead = self._unit(parsed.lead, "责任处室") if parsed.lead else None
        cooperating = {self._unit(name, "配合部门") for name in parsed.cooperating}
        return lead, sorted(cooperating - {lead})

    def _may_report(self, department: int | None) -> bool:
        if self.manager:
            return True
        if department not in self._reporter:
            unit = None if department is None else Unit.objects.filter(pk=department).first()
            self._reporter[department] = unit is not None and has_role(
                self.user, unit, Role.STAFF, Role.LEADER
            )
        return self._reporter[department]


def _changed_after_export(
    table: SheetTable, inspection: Inspection, measures: list[CurrentMeasure]
) -> dict[int, str]:
    """Measure id → “（时间，姓名）” of its latest change after the file's export time (updated_at, and the
    audit events: one query). Empty for a file that states no export time, such as an external ledger."""
    if table.exported_at is None or table.source is None:
        return {}
    exported = timezone.make_aware(table.exported_at)  # written in local time, to the millisecond
    latest: dict[int, tuple[dt.datetime, str]] = {
        m.id: (m.updated_at, "") for m in measures if m.updated_at is not None and m.updated_at > exported
    }
    ids = {str(m.id): m.id for m in measures}
    events = AuditEvent.objects.filter(
        unit=inspection.inspected_unit, object_type="measure", at__gt=exported
    ).select_related("actor")
    for event in events.order_by("at", "id"):
        pk = ids.get(event.object_id)
        if pk is not None:
            latest[pk] = (event.at, person(event.actor))
    return {
        pk: f"（{when_text(at)}，{who}）" if who else f"（{when_text(at)}）"
        for pk, (at, who) in latest.items()
    }


def _reported_before(measure_id: int, text: str) -> bool:
    earlier = ProgressReport.objects.filter(measure_id=measure_id).values_list("text", flat=True)
    return any(text_of(old) == text for old in earlier)


def _missing(key: str) -> str:
    return f"缺少必需的列{describe(key)}"
