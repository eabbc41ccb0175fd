"""An inspection's ledger as rows in the 整改台账 layout, read in a fixed number of queries (none per row)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.models import Evidence, Finding, Inspection, Measure, ProgressReport
from zhenggai.sheets.columns import COLUMNS
from zhenggai.sheets.values import chinese_date, departments_text
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.rules import colour_of, measure_flags

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_INDEX = {column.key: number for number, column in enumerate(COLUMNS)}
LONG_TERM_TEXT = "长期坚持"
# The 红黄灯 cell, named as the web's lights are (zhenggai.web.lights); a signed-off measure has none.
LIGHT_NAMES = {
    Colour.RED: "红灯",
    Colour.YELLOW: "黄灯",
    Colour.BLUE: "蓝灯",
    Colour.STALE: "灰灯",
    Colour.GREEN: "绿灯",
}
SOURCE_LABEL = "巡察编号"  # in the subtitle; an import checks it against the inspection it is run on
EXPORTED_LABEL = (
    "导出时间"  # in the subtitle, local time to the millisecond; an import refuses rows changed since
)


@dataclass
class Row:
    """One sheet row: a measure, or a finding without measures. The ids drive the vertical merges."""

    values: list[object]
    aspect: int | None = None
    problem: int | None = None
    detail: int | None = None


@dataclass
class LedgerSheet:
    title: str
    subtitle: str
    rows: list[Row] = field(default_factory=list)
    measure_count: int = 0


def find_inspection(inspection_id: int, user: User | None) -> Inspection:
    """The inspection, as `user` may see it (None: the operator at the command line sees everything)."""
    inspections = Inspection.objects.select_related("inspected_unit")
    if user is not None:
        inspections = inspections.visible_to(user)
    inspection = inspections.filter(pk=inspection_id).first()
    if inspection is None:
        raise NotPermitted(f"巡察（编号 {inspection_id}）不存在，或您无权查看。")
    return inspection


def build_ledger(inspection: Inspection, user: User | None = None) -> LedgerSheet:
    """Rows in tree order: 方面 → 问题 → 具体问题 → 措施, with the sheet's title and subtitle."""
    # Taken before the reads: an import refuses rows of measures changed after it (a racing change counts too).
    exported = timezone.localtime()
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .order_by("position", "id")
        .values("id", "parent_id", "level", "title")
    )
    measures = _measures(inspection, user)
    by_finding: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for measure in measures:
        by_finding[measure["finding_id"]].append(measure)
    cooperating = _names_by_measure(
        Measure.cooperating_departments.through.objects.filter(measure__inspection=inspection)
        .order_by("unit__path")
        .values_list("measure_id", "unit__name")
    )
    evidence = _names_by_measure(
        Evidence.objects.filter(measure__inspection=inspection)
        .order_by("uploaded_at", "id")
        .values_list("measure_id", "original_name")
    )
    walker = _Walker(findings, by_finding, cooperating, evidence)
    rows = walker.walk()
    unit = inspection.inspected_unit
    feedback = f"  反馈日期：{chinese_date(inspection.feedback_date)}" if inspection.feedback_date else ""
    subtitle = (
        f"{SOURCE_LABEL}：{inspection.pk}  巡察组：{inspection.inspector}{feedback}  整改措施：{len(measures)}条  "
        f"{EXPORTED_LABEL}：{exported:%Y-%m-%d %H:%M:%S}.{exported.microsecond // 1000:03d}  （末列“编号”供导回系统时核对，请勿修改）"
    )
    return LedgerSheet(f"{unit.name}巡察整改台账", subtitle, rows, len(measures))


def _measures(inspection: Inspection, user: User | None) -> list[dict[str, Any]]:
    measures = Measure.objects.filter(inspection=inspection)
    if user is not None:
        measures = measures.visible_to(user)
    latest = ProgressReport.objects.filter(measure=OuterRef("pk")).order_by("-reported_at", "-id")
    now = timezone.now()
    rows = list(
        measures.annotate(
            latest_report=Subquery(latest.values("text")[:1]),
            light_flags=measure_flags(timezone.localdate(now), now),
        )
        .order_by("position", "id")
        .values(
            "id",
            "finding_id",
            "code",
            "text",
            "kind",
            "responsible_leader",
            "lead_department__name",
            "responsible_person",
            "deadline",
            "original_deadline",
            "status",
            "completed_date",
            "latest_report",
            "light_flags",
        )
    )
    return cast("list[dict[str, Any]]", rows)


def _names_by_measure(pairs: Any) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for measure_id, name in pairs:
        names[measure_id].append(name)
    return names


_KIND_LABELS = dict(MeasureKind.choices)
_STATUS_LABELS = dict(MeasureStatus.choices)


class _Walker:
    def __init__(
        self,
        findings: list[dict[str, Any]],
        measures: dict[int, list[dict[str, Any]]],
        cooperating: dict[int, list[str]],
        evidence: dict[int, list[str]],
    ) -> None:
        self.children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for finding in findings:
            self.children[finding["parent_id"]].append(finding)
        self.measures = measures
        self.cooperating = cooperating
        self.evidence = evidence
        self.rows: list[Row] = []
        self.problem_number = 0

    def walk(self) -> list[Row]:
        for top in self.children[None]:
            if top["level"] == FindingLevel.ASPECT:
                problems = self.children[top["id"]]
                for problem in problems:
                    self._problem(problem, top)
                self._measures_of(top, {"aspect": top}, always=not problems)
            else:
                self._problem(top, None)
        return self.rows

    def _problem(self, problem: dict[str, Any], aspect: dict[str, Any] | None) -> None:
        self.problem_number += 1
        where = {"aspect": aspect, "problem": problem}
        details = self.children[problem["id"]]
        self._measures_of(problem, where, always=not details)
        for detail in details:
            self._measures_of(detail, where | {"detail": detail}, always=True)

    def _measures_of(self, finding: dict[str, Any], where: dict[str, Any], *, always: bool) -> None:
        """A row per measure of `finding`; one bare row for a finding without measures when `always`."""
        measures = self.measures.get(finding["id"], [])
        if not measures and always:
            self.rows.append(self._row(where, None))
        for measure in measures:
            self.rows.append(self._row(where, measure))

    def _row(self, where: dict[str, Any], measure: dict[str, Any] | None) -> Row:
        values: list[object] = [None] * len(COLUMNS)
        aspect, problem, detail = where.get("aspect"), where.get("problem"), where.get("detail")
        if problem is not None:
            values[_INDEX["seq"]] = self.problem_number
        for key, finding in (("aspect", aspect), ("problem", problem), ("detail", detail)):
            if finding is not None:
                values[_INDEX[key]] = finding["title"]
        if measure is not None:
            self._fill(values, measure)
        return Row(
            values,
            aspect=aspect["id"] if aspect else None,
            problem=problem["id"] if problem else None,
            detail=detail["id"] if detail else None,
        )

    def _fill(self, values: list[object], m: dict[str, Any]) -> None:
        deadline: dt.date | str | None = m["deadline"]
        if deadline is None and m["kind"] == MeasureKind.LONG_TERM:
            deadline = LONG_TERM_TEXT
        note = ""
        if m["original_deadline"] and m["deadline"] and m["original_deadline"] != m["deadline"]:
            note = f"已延期，原定整改时限{chinese_date(m['original_deadline'])}"
        filled = {
            "text": m["text"],
            "leader": m["responsible_leader"],
            "department": departments_text(m["lead_department__name"], self.cooperating.get(m["id"], [])),
            "person": m["responsible_person"],
            "deadline": deadline,
            "kind": _KIND_LABELS.get(m["kind"], m["kind"]),
            "progress": m["latest_report"] or "",
            "status": _STATUS_LABELS.get(m["status"], m["status"]),
            "evidence": "\n".join(self.evidence.get(m["id"], [])),
            "note": note,
            "light": light_name(m["status"], m["light_flags"]),
            "completed": m["completed_date"],
            "code": m["code"],
        }
        for key, value in filled.items():
            values[_INDEX[key]] = value if value != "" else None


def light_name(status: str, flags: int | None) -> str:
    """红灯/黄灯/蓝灯/灰灯/绿灯 by the supervision rules; "" for a signed-off measure."""
    if status == MeasureStatus.DONE:
        return ""
    return LIGHT_NAMES[colour_of(int(flags or 0))]


def export_ledger(inspection: Inspection, target: str | Path | IO[bytes], user: User | None = None) -> int:
    """Write the inspection's ledger as .xlsx to a path or binary stream; returns the number of measures."""
    from zhenggai.sheets.layout import write_ledger

    sheet = build_ledger(inspection, user)
    write_ledger(sheet, target)
    return sheet.measure_count
