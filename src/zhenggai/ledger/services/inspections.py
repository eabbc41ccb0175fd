"""Creating an inspection with its feedback tree, and editing its free text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhenggai.ledger.choices import FindingLevel, InspectionKind, MeasureKind, MeasureStatus, Role
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Finding, Inspection, Measure, Round
from zhenggai.ledger.permissions import require_manager, require_role
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.validation import UnitRef, check_order, clean_text, optional_text, resolve_unit
from zhenggai.ledger.services.versions import bump, check_version

INSPECTION_FIELDS = (
    "round_id",
    "kind",
    "inspector",
    "inspected_unit_id",
    "onsite_start",
    "onsite_end",
    "feedback_date",
    "organising_work",
)
# Which level may hold which: aspects hold problems, problems hold details.
_CHILD_LEVEL = {FindingLevel.ASPECT: FindingLevel.PROBLEM, FindingLevel.PROBLEM: FindingLevel.DETAIL}
_INITIAL_STATUSES = (
    MeasureStatus.DRAFT,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DONE,
    MeasureStatus.ONGOING,
)


@dataclass
class MeasureSpec:
    text: str
    kind: MeasureKind = MeasureKind.DEADLINE
    responsible_leader: str = ""
    lead_department: UnitRef | None = None
    cooperating_departments: list[UnitRef] = field(default_factory=list)
    responsible_person: str = ""
    start_date: dt.date | None = None
    deadline: dt.date | None = None
    code: str = ""
    # Imports bring measures that are already under way or done; new ledgers start as drafts.
    status: MeasureStatus = MeasureStatus.DRAFT
    progress: int = 0


@dataclass
class FindingSpec:
    level: FindingLevel
    title: str
    text: str = ""
    children: list[FindingSpec] = field(default_factory=list)
    measures: list[MeasureSpec] = field(default_factory=list)


@transaction.atomic
def create_inspection(
    *,
    by: User,
    inspected_unit: UnitRef,
    inspector: str,
    kind: InspectionKind = InspectionKind.XUNCHA,
    round: Round | None = None,
    onsite_start: dt.date | None = None,
    onsite_end: dt.date | None = None,
    feedback_date: dt.date | None = None,
    organising_work: str = "",
    findings: list[FindingSpec] | None = None,
    source_sha256: str = "",
    note: str = "",
) -> Inspection:
    """Create an inspection, its finding tree and the measures under it, as one audited change."""
    unit = resolve_unit(inspected_unit, "被巡察单位", "inspected_unit")
    assert unit is not None
    require_manager(by, unit, "录入巡察反馈")
    inspector = clean_text(inspector, "巡察组", "inspector", max_length=200)
    check_order(onsite_start, onsite_end, "进驻结束日期不能早于开始日期。", "onsite_end")
    check_order(onsite_start, feedback_date, "反馈日期不能早于进驻开始日期。", "feedback_date")
    if kind not in InspectionKind.values:
        raise InvalidInput(f"未知的巡察类别：{kind}。", "kind")

    inspection = Inspection.objects.create(
        round=round,
        kind=kind,
        inspector=inspector,
        inspected_unit=unit,
        onsite_start=onsite_start,
        onsite_end=onsite_end,
        feedback_date=feedback_date,
        organising_work=(organising_work or "").strip(),
        source_sha256=source_sha256,
    )
    builder = _TreeBuilder(inspection)
    for position, spec in enumerate(findings or [], start=1):
        builder.add(spec, parent=None, position=position)
    after = snapshot(inspection, INSPECTION_FIELDS) | {
        "findings": builder.finding_count,
        "measures": [m.code for m in builder.measures],
    }
    record(actor=by, action="create_inspection", obj=inspection, unit=unit, after=after, note=note)
    return inspection


class _TreeBuilder:
    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection
        self.finding_count = 0
        self.measures: list[Measure] = []

    def add(self, spec: FindingSpec, parent: Finding | None, position: int) -> None:
        if parent is None and spec.level == FindingLevel.DETAIL:
            raise InvalidInput(f"具体问题“{spec.title[:20]}”必须归属于某个问题。", "findings")
        if parent is not None and _CHILD_LEVEL.get(FindingLevel(parent.level)) != spec.level:
            raise InvalidInput(
                f"“{parent.title[:20]}”（{parent.get_level_display()}）下不能直接列{spec.level.label}。",
                "findings",
            )
        if spec.measures and spec.children:
            raise InvalidInput(f"“{spec.title[:20]}”已细分具体问题，整改措施应列在具体问题下。", "findings")
        if spec.measures and spec.level == FindingLevel.ASPECT:
            raise InvalidInput(
                f"整改措施应列在问题或具体问题下，不能直接列在方面“{spec.title[:20]}”下。", "findings"
            )
        finding = Finding.objects.create(
            inspection=self.inspection,
            parent=parent,
            level=spec.level,
            position=position,
            title=clean_text(spec.title, "问题标题", "findings", max_length=500),
            text=(spec.text or "").strip(),
        )
        self.finding_count += 1
        for child_position, child in enumerate(spec.children, start=1):
            self.add(child, parent=finding, position=child_position)
        for measure_spec in spec.measures:
            self.measures.append(create_measure_row(finding, measure_spec))


def next_code(inspection: Inspection) -> tuple[str, int]:
    """The next free sequential code (001, 002, …) and position within the inspection."""
    top = Measure.objects.filter(inspection=inspection).aggregate(top=Max("position"))["top"] or 0
    number = top + 1
    # Codes typed by users may already hold the natural next number; skip those (rarely more than once).
    while Measure.objects.filter(inspection=inspection, code=f"{number:03d}").exists():
        number += 1
    return f"{number:03d}", top + 1


def create_measure_row(finding: Finding, spec: MeasureSpec) -> Measure:
    """Validate a measure spec and insert it; callers hold the transaction and write the audit event."""
    text = clean_text(spec.text, "整改措施内容", "text")
    if spec.kind not in MeasureKind.values:
        raise InvalidInput(f"未知的措施类型：{spec.kind}。", "kind")
    if spec.status not in _INITIAL_STATUSES:
        raise InvalidInput(f"新建措施不能处于“{MeasureStatus(spec.status).label}”状态。", "status")
    check_order(spec.start_date, spec.deadline, "整改时限不能早于开始日期。", "deadline")
    lead = resolve_unit(spec.lead_department, "牵头部门", "lead_department", required=False)
    cooperating = [
        resolve_unit(ref, "配合部门", "cooperating_departments") for ref in spec.cooperating_departments
    ]
    code, position = next_code(finding.inspection)
    if spec.code.strip():
        code = optional_text(spec.code, "编号", "code", max_length=40)
        if Measure.objects.filter(inspection=finding.inspection, code=code).exists():
            raise InvalidInput(f"编号{code}已被本次巡察的其他措施使用。", "code")
    done = spec.status == MeasureStatus.DONE
    measure = Measure.objects.create(
        inspection=finding.inspection,
        finding=finding,
        code=code,
        position=position,
        text=text,
        kind=spec.kind,
        responsible_leader=optional_text(
            spec.responsible_leader, "责任领导", "responsible_leader", max_length=100
        ),
        lead_department=lead,
        responsible_person=optional_text(
            spec.responsible_person, "责任人", "responsible_person", max_length=100
        ),
        start_date=spec.start_date,
        deadline=spec.deadline,
        original_deadline=spec.deadline,
        status=spec.status,
        progress=100 if done else spec.progress,
        completed_date=timezone.localdate() if done else None,
    )
    if cooperating:
        measure.cooperating_departments.set([u for u in cooperating if u is not None])
    return measure


@transaction.atomic
def add_finding(
    *,
    by: User,
    inspection: Inspection,
    level: FindingLevel,
    title: str,
    text: str = "",
    parent: Finding | None = None,
) -> Finding:
    """Add one node to an existing inspection's feedback tree, at the end of its siblings."""
    require_manager(by, inspection.inspected_unit, "修改反馈问题")
    if parent is not None and parent.inspection_id != inspection.pk:
        raise InvalidInput("上级问题不属于本次巡察。", "parent")
    if parent is not None and parent.measures.exists():
        raise InvalidInput(f"“{parent.title[:20]}”下已有整改措施，不能再细分。", "parent")
    position = Finding.objects.filter(inspection=inspection, parent=parent).count() + 1
    builder = _TreeBuilder(inspection)
    builder.add(FindingSpec(level=level, title=title, text=text), parent=parent, position=position)
    finding: Finding = Finding.objects.filter(inspection=inspection).latest("id")
    record(
        actor=by,
        action="add_finding",
        obj=finding,
        unit=inspection.inspected_unit,
        after=snapshot(finding, ("inspection_id", "parent_id", "level", "position", "title", "text")),
    )
    return finding


_EDITABLE_INSPECTION_FIELDS = {"inspector", "onsite_start", "onsite_end", "feedback_date", "organising_work"}


_FINDING_FIELDS = ("title", "text")


@transaction.atomic
def edit_finding(
    *,
    by: User,
    finding: Finding,
    title: str | None = None,
    text: str | None = None,
    expected_version: int | None = None,
) -> Finding:
    """Reword a node of the feedback tree (its title, its 问题表述); its place in the tree stays."""
    finding = (
        Finding.objects.select_for_update().select_related("inspection__inspected_unit").get(pk=finding.pk)
    )
    require_manager(by, finding.inspection.inspected_unit, "修改反馈问题")
    check_version(finding, expected_version)
    before = snapshot(finding, _FINDING_FIELDS)
    if title is not None:
        finding.title = clean_text(title, "问题标题", "title", max_length=500)
    if text is not None:
        finding.text = text.strip()
    if snapshot(finding, _FINDING_FIELDS) == before:
        return finding
    bump(finding)
    finding.save(update_fields=[*_FINDING_FIELDS, "version"])
    record(
        actor=by,
        action="edit_finding",
        obj=finding,
        unit=finding.inspection.inspected_unit,
        before=before,
        after=snapshot(finding, _FINDING_FIELDS),
    )
    return finding


@transaction.atomic
def update_inspection(
    *, by: User, inspection: Inspection, expected_version: int | None = None, **changes: Any
) -> Inspection:
    """Edit the inspection's descriptive fields (dates, inspector, organising-work text). With
    `expected_version` (the version the user saw) an inspection changed since is refused with Conflict."""
    unknown = set(changes) - _EDITABLE_INSPECTION_FIELDS
    if unknown:
        raise InvalidInput(f"不能修改这些字段：{', '.join(sorted(unknown))}。")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    require_manager(by, inspection.inspected_unit, "修改巡察信息")
    check_version(inspection, expected_version)
    before = snapshot(inspection, changes)
    if "inspector" in changes:
        changes["inspector"] = clean_text(changes["inspector"], "巡察组", "inspector", max_length=200)
    for name, value in changes.items():
        setattr(inspection, name, value)
    check_order(
        inspection.onsite_start, inspection.onsite_end, "进驻结束日期不能早于开始日期。", "onsite_end"
    )
    check_order(
        inspection.onsite_start, inspection.feedback_date, "反馈日期不能早于进驻开始日期。", "feedback_date"
    )
    bump(inspection)
    inspection.save(update_fields=[*changes, "version"])
    record(
        actor=by,
        action="update_inspection",
        obj=inspection,
        unit=inspection.inspected_unit,
        before=before,
        after=snapshot(inspection, changes),
    )
    return inspection


@transaction.atomic
def set_extension_limits(
    *, by: User, inspection: Inspection, max_days: int | None, max_count: int | None
) -> Inspection:
    """The 巡察办 sets this inspection's 延期 limits (None: back to the ZHENGGAI_EXTENSION_* defaults)."""
    inspection = Inspection.objects.select_for_update().select_related("inspected_unit").get(pk=inspection.pk)
    require_role(by, inspection.inspected_unit, Role.SUPERVISOR, action="设置延期限额")
    if max_days is not None and not 1 <= max_days <= settings.EXTENSION_REFUSE_DAYS:
        raise InvalidInput(
            f"单次延期上限应在1至{settings.EXTENSION_REFUSE_DAYS}天之间。", "extension_max_days"
        )
    if max_count is not None and not 0 <= max_count <= 20:
        raise InvalidInput("延期次数上限应在0至20次之间。", "extension_max_count")
    fields = ("extension_max_days", "extension_max_count")
    before = snapshot(inspection, fields)
    inspection.extension_max_days, inspection.extension_max_count = max_days, max_count
    bump(inspection)
    inspection.save(update_fields=[*fields, "version"])
    record(
        actor=by,
        action="set_extension_limits",
        obj=inspection,
        unit=inspection.inspected_unit,
        before=before,
        after=snapshot(inspection, fields),
    )
    return inspection
